#include <xgrad/autograd/ops/linalg.hpp>

#include <algorithm>
#include <numeric>

#include <xtensor/xmanipulation.hpp>

#include <xgrad/autograd/detail/finiteness.hpp>
#include <xgrad/autograd/detail/recording.hpp>
#include <xgrad/autograd/detail/small_ops.hpp>
#include <xgrad/autograd/ops/shape_ops.hpp>
#include <xgrad/core/gemm.hpp>

namespace xgrad {
using detail::BackwardFn;
using detail::cat;
using detail::check_args;
using detail::check_defined;
using detail::finish;

namespace {
const char* yes_no(bool flag) { return flag ? "yes" : "no"; }

// The 2-D product with transpose flags, recorded as one op.
template <class T>
TensorOf<T> matmul_2d(const TensorOf<T>& a, const TensorOf<T>& b, bool ta, bool tb, Where loc)
{
    const auto& sa = a.shape();
    const auto& sb = b.shape();
    const std::size_t m = ta ? sa[1] : sa[0], ka = ta ? sa[0] : sa[1];
    const std::size_t kb = tb ? sb[1] : sb[0], n = tb ? sb[0] : sb[1];
    if (ka != kb) {
        throw ShapeError(cat("matmul: inner dimensions differ: argument 'a' has shape ", to_string(sa),
                             " (transposed: ", yes_no(ta), ", k = ", ka, "), argument 'b' has shape ",
                             to_string(sb), " (transposed: ", yes_no(tb), ", k = ", kb, ")"));
    }
    const Shape out_shape{m, n};
    num_elements(out_shape, "matmul");
    TensorOf<T> out(detail::Uninitialized{}, out_shape);
    T* po = detail::data_of(out);
    // The product records its finiteness block by block in the GEMM epilogue (the
    // kernel gradients of matmul and linear reach optimizers through here); a small
    // one stays unknown (reading it again costs less than checking every product).
    std::uint32_t non_finite = 0;
    const bool record = out.size() > detail::kLoopElements;
    if (ka == 0) {
        std::fill(po, po + out.size(), T(0));  // sums of nothing: numpy's (m, 0) @ (0, n) is zeros
    } else if (out.size() != 0) {
        detail::GemmEpilogue<T> epilogue;
        if (record) epilogue.non_finite = &non_finite;
        detail::gemm<T>(ta, tb, m, n, ka, T(1), a.value().data(), sa[1], b.value().data(), sb[1], T(0), po, n,
                        epilogue);
    }
    if (record) out = detail::recorded(std::move(out), non_finite);
    return finish<T>("matmul", {&a, &b}, std::move(out), loc,
                     [&](const TensorOf<T>&) {
        return BackwardFn<T>([a = a, b = b, ta = ta, tb = tb](const TensorOf<T>& g) {
            // C = op(A) op(B): one GEMM with flags per input, only for an input that
            // needs a gradient (not a batch of data).
            //   dA = ta ? op(B) g^T : g op(B)^T;  dB = tb ? g^T op(A) : op(A)^T g
            auto da = [&] { return ta ? matmul(b, g, tb, true) : matmul(g, b, false, !tb); };
            auto db = [&] { return tb ? matmul(g, a, true, ta) : matmul(a, g, !ta, false); };
            return detail::Gradients<T>{detail::needed(0, da), detail::needed(1, db)};
        });
    });
}
}  // namespace

template <class T>
TensorOf<T> matmul(const TensorOf<T>& a, const TensorOf<T>& b, bool transpose_a, bool transpose_b,
                   Where loc)
{
    check_defined<T>("matmul", {{"a", a}, {"b", b}});
    if (b.rank() != 2) {
        throw ShapeError(cat("matmul: argument 'b' must be 2-D, got shape ", to_string(b.shape())));
    }
    if (a.rank() < 2) {
        throw ShapeError(cat("matmul: argument 'a' must have rank >= 2, got shape ", to_string(a.shape())));
    }
    if (a.rank() == 2) return matmul_2d(a, b, transpose_a, transpose_b, loc);
    if (transpose_a) {
        throw ShapeError(cat("matmul: transpose_a needs a 2-D argument 'a', got shape ", to_string(a.shape())));
    }
    const std::size_t kb = transpose_b ? b.shape()[1] : b.shape()[0];
    if (a.shape().back() != kb) {
        throw ShapeError(cat("matmul: inner dimensions differ: argument 'a' has shape ", to_string(a.shape()),
                             " (k = ", a.shape().back(), ", its last axis), argument 'b' has shape ",
                             to_string(b.shape()), " (transposed: ", yes_no(transpose_b), ", k = ", kb, ")"));
    }
    // (..., k) @ (k, n) -> (..., n): flatten the leading axes, multiply, restore them
    // (their count is given, not inferred: with k = 0 a -1 would be ambiguous).
    const long k = static_cast<long>(a.shape().back());
    const auto rows = static_cast<long>(num_elements(Shape(a.shape().begin(), a.shape().end() - 1)));
    const auto flat = matmul_2d(reshape(a, {rows, k}, loc), b, false, transpose_b, loc);
    std::vector<long> out_shape(a.shape().begin(), a.shape().end() - 1);
    out_shape.push_back(static_cast<long>(flat.shape()[1]));
    return reshape(flat, out_shape, loc);
}

template <class T>
TensorOf<T> transpose(const TensorOf<T>& x, std::vector<std::size_t> perm, Where loc)
{
    check_args<T>("transpose", {{"x", x}});
    const std::size_t rank = x.rank();
    if (perm.empty()) {
        perm.resize(rank);
        std::iota(perm.rbegin(), perm.rend(), std::size_t{0});
    }
    std::vector<std::size_t> sorted = perm;
    std::sort(sorted.begin(), sorted.end());
    std::vector<std::size_t> identity(rank);
    std::iota(identity.begin(), identity.end(), std::size_t{0});
    if (sorted != identity) {
        std::string p;
        for (auto i : perm) p += (p.empty() ? "" : ", ") + std::to_string(i);
        throw ShapeError(cat("transpose: argument 'perm' [", p, "] is not a permutation of the ", rank,
                             " axes of shape ", to_string(x.shape())));
    }
    std::vector<std::size_t> inverse(rank);
    for (std::size_t i = 0; i < rank; ++i) inverse[perm[i]] = i;
    xt::xarray<T> value = xt::transpose(x.value(), perm);
    return finish<T>("transpose", {&x}, std::move(value), loc, [&](const TensorOf<T>&) {
        return BackwardFn<T>([inverse = inverse](const TensorOf<T>& g) {
            return detail::Gradients<T>{transpose(g, inverse)};
        });
    });
}

#define XGRAD_INSTANTIATE(T)                                                                 \
    template TensorOf<T> matmul(const TensorOf<T>&, const TensorOf<T>&, bool, bool, Where);  \
    template TensorOf<T> transpose(const TensorOf<T>&, std::vector<std::size_t>, Where);
XGRAD_INSTANTIATE(float)
XGRAD_INSTANTIATE(double)

}  // namespace xgrad
