#include <xgrad/core/reduction.hpp>

#include <algorithm>
#include <limits>

#include <xgrad/core/finite.hpp>

namespace xgrad::detail {

namespace {
// Reduces one axis of a row-major array seen as (outer, dim, inner), keeping it as 1.
// With non_finite, the pass that writes each row's final values also ORs their
// finiteness bits into *non_finite.
template <class T, class Op>
xt::xarray<T> reduce_axis(const xt::xarray<T>& x, std::size_t axis, Op op, T identity, std::uint32_t* non_finite)
{
    const auto& shape = x.shape();
    std::size_t outer = 1, inner = 1;
    for (std::size_t i = 0; i < axis; ++i) outer *= shape[i];
    for (std::size_t i = axis + 1; i < shape.size(); ++i) inner *= shape[i];
    const std::size_t dim = shape[axis];
    auto out_shape = shape;
    out_shape[axis] = 1;
    xt::xarray<T> out = xt::xarray<T>::from_shape(out_shape);
    std::uint32_t bad = 0;
    if (dim == 0) {  // a reduction of nothing: the identity (numpy's sum of an empty axis is 0)
        std::fill(out.begin(), out.end(), identity);
        if (non_finite && out.size() != 0) *non_finite |= non_finite_bit(identity);
        return out;
    }
    const T* src = x.data();
    T* dst = out.data();
    for (std::size_t o = 0; o < outer; ++o) {
        T* row = dst + o * inner;
        const T* block = src + o * dim * inner;
        std::copy(block, block + inner, row);
        for (std::size_t d = 1; d + 1 < dim; ++d) {
            const T* in = block + d * inner;
            for (std::size_t i = 0; i < inner; ++i) row[i] = op(row[i], in[i]);
        }
        if (dim > 1) {  // the last pass writes the final values
            const T* in = block + (dim - 1) * inner;
            if (non_finite) {
                for (std::size_t i = 0; i < inner; ++i) {
                    row[i] = op(row[i], in[i]);
                    bad |= non_finite_bit(row[i]);
                }
            } else {
                for (std::size_t i = 0; i < inner; ++i) row[i] = op(row[i], in[i]);
            }
        } else if (non_finite) {
            for (std::size_t i = 0; i < inner; ++i) bad |= non_finite_bit(row[i]);
        }
    }
    if (non_finite) *non_finite |= bad;
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
