// Elementwise results for small tensors (at most kSmallElements elements),
// computed in one plain loop on a recycled buffer instead of through xtensor's
// expression machinery or the broadcasting kernels, whose fixed costs dwarf a
// few flops. Each element is computed by the same scalar expression as the
// general path, so results are bit-identical.
#pragma once

#include <algorithm>
#include <cmath>

#include <xsimd/xsimd.hpp>
#include <xtensor/xnoalias.hpp>

#include <xgrad/autograd/detail/finiteness.hpp>
#include <xgrad/autograd/tensor.hpp>
#include <xgrad/core/elementwise.hpp>

namespace xgrad::detail {

// True when small_map applies: x has 1..max elements.
template <class T>
bool small(const xt::xarray<T>& x, std::size_t max = kSmallElements)
{
    return x.size() != 0 && x.size() <= max;
}

// The value of xtensor expression `e` (of `shape`), evaluated straight into a
// fresh tensor (a pooled one when small): the same assignment loop as
// xt::xarray<T>(e), without a new array per op.
template <class T, class E>
TensorOf<T> evaluated(const Shape& shape, E&& e)
{
    TensorOf<T> out(Uninitialized{}, shape);
    xt::noalias(const_cast<xt::xarray<T>&>(out.value())) = std::forward<E>(e);
    return out;
}

// f(x[i]) for each element of a small x.
template <class T, class F>
TensorOf<T> small_map(const TensorOf<T>& x, F f)
{
    TensorOf<T> out(Uninitialized{}, x.shape());
    const T* px = x.value().data();
    T* po = data_of(out);
    for (std::size_t i = 0; i < x.size(); ++i) po[i] = f(px[i]);
    return out;
}

// Below this size xtensor evaluates a function element by element, not with
// SIMD approximations whose last bits differ (pow).
template <class T>
inline constexpr std::size_t kScalarOnlyElements = xsimd::batch<T>::size - 1;

// Binary ops on operands of at most this many elements run as one plain loop
// on the calling thread (far below kParallelElements), into a tensor that
// takes over a spare one of the same shape (ImplPool): a small MLP's
// activations and bias adds build no new array.
inline constexpr std::size_t kLoopElements = 4096;

// How small_zip pairs two small operands: elementwise (one shape), one operand
// of one element whose rank does not exceed the other's (the output takes the
// other's shape), or b a row broadcast along a's leading axes (the bias add:
// b's shape is a's trailing dimensions). none: take the general path.
enum class Pairing { none, same, scalar_a, scalar_b, row_b };

template <class T>
Pairing small_pairing(const xt::xarray<T>& a, const xt::xarray<T>& b)
{
    const std::size_t na = a.size(), nb = b.size();
    if (na > kLoopElements || nb > kLoopElements || na == 0 || nb == 0) return Pairing::none;
    if (na == nb && a.shape() == b.shape()) return Pairing::same;
    if (na == 1 && a.dimension() <= b.dimension()) return Pairing::scalar_a;
    if (nb == 1 && b.dimension() <= a.dimension()) return Pairing::scalar_b;
    if (b.dimension() < a.dimension() && b.dimension() > 0 &&
        std::equal(b.shape().begin(), b.shape().end(), a.shape().end() - b.dimension())) {
        return Pairing::row_b;
    }
    return Pairing::none;
}

// f(a[i], b[i]) under pairing `p` (not none).
template <class T, class F>
TensorOf<T> small_zip(Pairing p, const xt::xarray<T>& a, const xt::xarray<T>& b, F f)
{
    TensorOf<T> out(Uninitialized{}, p == Pairing::scalar_a ? b.shape() : a.shape());
    const std::size_t n = out.size();
    const T* pa = a.data();
    const T* pb = b.data();
    T* po = data_of(out);
    switch (p) {
    case Pairing::same:
        for (std::size_t i = 0; i < n; ++i) po[i] = f(pa[i], pb[i]);
        break;
    case Pairing::scalar_a:
        for (std::size_t i = 0; i < n; ++i) po[i] = f(pa[0], pb[i]);
        break;
    case Pairing::scalar_b:
        for (std::size_t i = 0; i < n; ++i) po[i] = f(pa[i], pb[0]);
        break;
    case Pairing::row_b: {
        const std::size_t row = b.size();
        for (std::size_t r = 0; r < n; r += row) {
            for (std::size_t j = 0; j < row; ++j) po[r + j] = f(pa[r + j], pb[j]);
        }
        break;
    }
    case Pairing::none: break;
    }
    return out;
}

// a (op) b for small operands paired by `p` (not none), as binary(op, a, b) computes it.
template <class T>
TensorOf<T> small_binary(BinaryOp op, Pairing p, const xt::xarray<T>& a, const xt::xarray<T>& b)
{
    auto mask = [](bool c) { return c ? T(1) : T(0); };
    switch (op) {
    case BinaryOp::add: return small_zip(p, a, b, [](T x, T y) { return x + y; });
    case BinaryOp::sub: return small_zip(p, a, b, [](T x, T y) { return x - y; });
    case BinaryOp::mul: return small_zip(p, a, b, [](T x, T y) { return x * y; });
    case BinaryOp::div: return small_zip(p, a, b, [](T x, T y) { return x / y; });
    case BinaryOp::greater: return small_zip(p, a, b, [&](T x, T y) { return mask(x > y); });
    case BinaryOp::greater_equal: return small_zip(p, a, b, [&](T x, T y) { return mask(x >= y); });
    case BinaryOp::less: return small_zip(p, a, b, [&](T x, T y) { return mask(x < y); });
    case BinaryOp::less_equal: return small_zip(p, a, b, [&](T x, T y) { return mask(x <= y); });
    case BinaryOp::equal: return small_zip(p, a, b, [&](T x, T y) { return mask(x == y); });
    case BinaryOp::relu_grad: return small_zip(p, a, b, [&](T x, T y) { return x * mask(y > T(0)); });
    case BinaryOp::tanh_grad: return small_zip(p, a, b, [](T x, T y) { return x * (T(1) - y * y); });
    case BinaryOp::sigmoid_grad: return small_zip(p, a, b, [](T x, T y) { return x * (y * (T(1) - y)); });
    }
    return TensorOf<T>(binary(op, a, b));
}

// a (op) b with numpy broadcasting: a plain loop for small operands, else
// core's kernels after a shape check that names `op_name`.
template <class T>
TensorOf<T> elementwise(const char* op_name, BinaryOp op, const TensorOf<T>& ta, const TensorOf<T>& tb)
{
    const auto& a = ta.value();
    const auto& b = tb.value();
    if (const Pairing p = small_pairing(a, b); p != Pairing::none) return small_binary(op, p, a, b);
    broadcast_shapes(a.shape(), b.shape(), op_name);
    // The kernel records the result's finiteness as it writes it (the tape's gradient
    // accumulation and clipping reach optimizers through here); small results stay unknown.
    std::uint32_t non_finite = 0;
    TensorOf<T> out(binary(op, a, b, &non_finite));
    return recorded(std::move(out), non_finite);
}

}  // namespace xgrad::detail
