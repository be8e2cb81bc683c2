#include <xgrad/core/reduction.hpp>

#include <algorithm>
#include <limits>
#include <optional>

#include <xgrad/core/elementwise.hpp>
#include <xgrad/core/finite.hpp>
#include <xgrad/core/parallel.hpp>

namespace xgrad::detail {

namespace {
// One axis's reduction of a row-major array of `shape`, seen as (outer, dim, inner),
// into dst (outer * inner values): every output element is its own chain over the
// axis, in order, whichever thread computes it.
template <class T, class Op>
void reduce_axis_into(const T* src, const Shape& shape, std::size_t axis, Op op, T identity, T* dst)
{
    std::size_t outer = 1, inner = 1;
    for (std::size_t i = 0; i < axis; ++i) outer *= shape[i];
    for (std::size_t i = axis + 1; i < shape.size(); ++i) inner *= shape[i];
    const std::size_t dim = shape[axis];
    if (dim == 0) {  // a reduction of nothing: the identity (numpy's sum of an empty axis is 0)
        std::fill(dst, dst + outer * inner, identity);
        return;
    }
    const bool parallel = outer > 1 && outer * dim * inner >= kParallelElements;
    if (inner == 1) {
        // The last axis: kLanes rows at a time so that their chains overlap.
        constexpr std::size_t kLanes = 16;
        const std::size_t blocks = (outer + kLanes - 1) / kLanes;
        auto block_of_rows = [&](std::size_t blk) {
            const std::size_t o = blk * kLanes;
            const T* block = src + o * dim;
            if (o + kLanes > outer) {
                for (std::size_t r = 0; r < outer - o; ++r) {
                    T a = block[r * dim];
                    for (std::size_t d = 1; d < dim; ++d) a = op(a, block[r * dim + d]);
                    dst[o + r] = a;
                }
                return;
            }
            T acc[kLanes];
            for (std::size_t k = 0; k < kLanes; ++k) acc[k] = block[k * dim];
            for (std::size_t d = 1; d < dim; ++d) {
#pragma omp simd
                for (std::size_t k = 0; k < kLanes; ++k) acc[k] = op(acc[k], block[k * dim + d]);
            }
            std::copy(acc, acc + kLanes, dst + o);
        };
        for_each_index(blocks, parallel, block_of_rows);
        return;
    }
    auto one_row = [&](std::size_t o) {
        T* row = dst + o * inner;
        const T* block = src + o * dim * inner;
        std::copy(block, block + inner, row);
        for (std::size_t d = 1; d < dim; ++d) {
            const T* in = block + d * inner;
#pragma omp simd
            for (std::size_t i = 0; i < inner; ++i) row[i] = op(row[i], in[i]);
        }
    };
    for_each_index(outer, parallel, one_row);
}

// Reduces `axes` (sorted, normalized) last axis first into dst; only the last pass (the
// first axis) writes dst, the ones before it write arrays of their own. With non_finite,
// *non_finite receives the OR of the finiteness bits of the values written to dst.
template <class T, class Op>
void reduce_axes_into(const xt::xarray<T>& x, const AxisList& axes, Op op, T identity, T* dst,
                      std::uint32_t* non_finite)
{
    const std::size_t n = num_elements(reduced_shape(x.shape(), axes, true));  // the values written to dst
    if (axes.empty()) {
        std::copy(x.data(), x.data() + n, dst);
    } else {
        const T* src = x.data();
        Shape shape = x.shape();
        std::optional<xt::xarray<T>> partial;  // (a default xarray would allocate its one element)
        for (std::size_t k = axes.size(); k-- > 1;) {
            Shape out_shape = shape;
            out_shape[axes[k]] = 1;
            xt::xarray<T> next = xt::xarray<T>::from_shape(out_shape);
            reduce_axis_into(src, shape, axes[k], op, identity, next.data());
            partial = std::move(next);
            src = partial->data();
            shape = std::move(out_shape);
        }
        reduce_axis_into(src, shape, axes[0], op, identity, dst);
    }
    if (non_finite) {
        std::uint32_t bad = 0;
        for (std::size_t i = 0; i < n; ++i) bad |= non_finite_bit(dst[i]);
        *non_finite = bad;
    }
}

template <class T, class Op>
xt::xarray<T> reduce_axes(const xt::xarray<T>& x, const AxisList& axes, Op op, T identity,
                          std::uint32_t* non_finite = nullptr)
{
    xt::xarray<T> out = xt::xarray<T>::from_shape(reduced_shape(x.shape(), axes, true));
    reduce_axes_into(x, axes, op, identity, out.data(), non_finite);
    return out;
}
}  // namespace

template <class T>
xt::xarray<T> sum_axes(const xt::xarray<T>& x, const AxisList& axes, std::uint32_t* non_finite)
{
    return reduce_axes(x, axes, [](T a, T b) { return a + b; }, T(0), non_finite);
}

template <class T>
void sum_axes_into(const xt::xarray<T>& x, const AxisList& axes, T* out, std::uint32_t* non_finite)
{
    reduce_axes_into(x, axes, [](T a, T b) { return a + b; }, T(0), out, non_finite);
}

template <class T>
xt::xarray<T> max_axes(const xt::xarray<T>& x, const AxisList& axes)
{
    // NaN propagates, as in TensorFlow.
    return reduce_axes(x, axes, [](T a, T b) { return (a != a || a > b) ? a : (b != b ? b : std::max(a, b)); },
                       -std::numeric_limits<T>::infinity());
}

template xt::xarray<float> sum_axes(const xt::xarray<float>&, const AxisList&, std::uint32_t*);
template xt::xarray<double> sum_axes(const xt::xarray<double>&, const AxisList&, std::uint32_t*);
template void sum_axes_into(const xt::xarray<float>&, const AxisList&, float*, std::uint32_t*);
template void sum_axes_into(const xt::xarray<double>&, const AxisList&, double*, std::uint32_t*);
template xt::xarray<float> max_axes(const xt::xarray<float>&, const AxisList&);
template xt::xarray<double> max_axes(const xt::xarray<double>&, const AxisList&);

}  // namespace xgrad::detail
