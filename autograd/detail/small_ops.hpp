// Elementwise results for small tensors (at most kSmallElements elements),
// computed in one plain loop on a recycled buffer instead of through xtensor's
// expression machinery or the broadcasting kernels, whose fixed costs dwarf a
// few flops. Each element is computed by the same scalar expression as the
// general path, so results are bit-identical.
#pragma once

#include <cmath>

#include <xsimd/xsimd.hpp>

#include <xgrad/autograd/tensor.hpp>
#include <xgrad/core/elementwise.hpp>

namespace xgrad::detail {

// True when small_map applies: x has 1..max elements.
template <class T>
bool small(const xt::xarray<T>& x, std::size_t max = kSmallElements)
{
    return x.size() != 0 && x.size() <= max;
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

// How small_zip pairs two small operands: elementwise (one shape), or one
// operand of one element whose rank does not exceed the other's (the output
// takes the other's shape). none: take the general path.
enum class Pairing { none, same, scalar_a, scalar_b };

template <class T>
Pairing small_pairing(const xt::xarray<T>& a, const xt::xarray<T>& b)
{
    const std::size_t na = a.size(), nb = b.size();
    if (na > kSmallElements || nb > kSmallElements || na == 0 || nb == 0) return Pairing::none;
    if (na == nb && a.shape() == b.shape()) return Pairing::same;
    if (na == 1 && a.dimension() <= b.dimension()) return Pairing::scalar_a;
    if (nb == 1 && b.dimension() <= a.dimension()) return Pairing::scalar_b;
    return Pairing::none;
}

// f(a[i], b[i]) under pairing `p` (not none).
template <class T, class F>
TensorOf<T> small_zip(Pairing p, const xt::xarray<T>& a, const xt::xarray<T>& b, F f)
{
    TensorOf<T> out(Uninitialized{}, p == Pairing::scalar_a ? b.shape() : a.shape());
    const std::size_t n = out.size();
    const std::size_t sa = p == Pairing::scalar_a ? 0 : 1, sb = p == Pairing::scalar_b ? 0 : 1;
    const T* pa = a.data();
    const T* pb = b.data();
    T* po = data_of(out);
    for (std::size_t i = 0; i < n; ++i) po[i] = f(pa[i * sa], pb[i * sb]);
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
    return TensorOf<T>(binary(op, a, b));
}

}  // namespace xgrad::detail
