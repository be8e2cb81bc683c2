#include <xgrad/core/reduction.hpp>

#include <algorithm>
#include <limits>

#include <xgrad/core/elementwise.hpp>
#include <xgrad/core/finite.hpp>
#include <xgrad/core/parallel.hpp>

namespace xgrad::detail {

namespace {
// The values of one axis's reduction: every output element is its own chain over
// the axis, in order, whichever thread computes it.
template <class T, class Op>
xt::xarray<T> reduce_axis_values(const xt::xarray<T>& x, std::size_t axis, Op op, T identity)
{
    const auto& shape = x.shape();
    std::size_t outer = 1, inner = 1;
    for (std::size_t i = 0; i < axis; ++i) outer *= shape[i];
    for (std::size_t i = axis + 1; i < shape.size(); ++i) inner *= shape[i];
    const std::size_t dim = shape[axis];
    auto out_shape = shape;
    out_shape[axis] = 1;
    xt::xarray<T> out = xt::xarray<T>::from_shape(out_shape);
    if (dim == 0) {  // a reduction of nothing: the identity (numpy's sum of an empty axis is 0)
        std::fill(out.begin(), out.end(), identity);
        return out;
    }
    const T* src = x.data();
    T* dst = out.data();
    // Every output element is its own chain over d, in order, whichever thread computes it.
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
        return out;
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
    return out;
}

// Reduces one axis of a row-major array seen as (outer, dim, inner), keeping it as 1.
// With non_finite, ORs the finiteness bits of the values written into *non_finite.
template <class T, class Op>
xt::xarray<T> reduce_axis(const xt::xarray<T>& x, std::size_t axis, Op op, T identity, std::uint32_t* non_finite)
{
    xt::xarray<T> out = reduce_axis_values(x, axis, op, identity);
    if (non_finite) {
        std::uint32_t bad = 0;
        const T* v = out.data();
        for (std::size_t i = 0; i < out.size(); ++i) bad |= non_finite_bit(v[i]);
        *non_finite |= bad;
    }
    return out;
}

template <class T, class Op>
xt::xarray<T> reduce_axes(const xt::xarray<T>& x, const std::vector<std::size_t>& axes, Op op, T identity,
                          std::uint32_t* non_finite = nullptr)
{
    if (non_finite) *non_finite = 0;
    if (axes.empty()) {
        xt::xarray<T> out = x;
        if (non_finite) {
            std::uint32_t bad = 0;
            for (const T v : out) bad |= non_finite_bit(v);
            *non_finite = bad;
        }
        return out;
    }
    // Only the last reduction (the first axis) writes the final values.
    xt::xarray<T> out = reduce_axis(x, axes.back(), op, identity, axes.size() == 1 ? non_finite : nullptr);
    for (auto it = axes.rbegin() + 1; it != axes.rend(); ++it) {
        out = reduce_axis(out, *it, op, identity, it + 1 == axes.rend() ? non_finite : nullptr);
    }
    return out;
}
}  // namespace

template <class T>
xt::xarray<T> sum_axes(const xt::xarray<T>& x, const std::vector<std::size_t>& axes, std::uint32_t* non_finite)
{
    return reduce_axes(x, axes, [](T a, T b) { return a + b; }, T(0), non_finite);
}

template <class T>
xt::xarray<T> max_axes(const xt::xarray<T>& x, const std::vector<std::size_t>& axes)
{
    // NaN propagates, as in TensorFlow.
    return reduce_axes(x, axes, [](T a, T b) { return (a != a || a > b) ? a : (b != b ? b : std::max(a, b)); },
                       -std::numeric_limits<T>::infinity());
}

template xt::xarray<float> sum_axes(const xt::xarray<float>&, const std::vector<std::size_t>&, std::uint32_t*);
template xt::xarray<double> sum_axes(const xt::xarray<double>&, const std::vector<std::size_t>&, std::uint32_t*);
template xt::xarray<float> max_axes(const xt::xarray<float>&, const std::vector<std::size_t>&);
template xt::xarray<double> max_axes(const xt::xarray<double>&, const std::vector<std::size_t>&);

}  // namespace xgrad::detail
