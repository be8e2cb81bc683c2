// Ops that move data without arithmetic: reshape, broadcast_to, sum_to,
// concat, slicing, row gather, stop_gradient.
#pragma once

#include <vector>

#include <xgrad/autograd/tensor.hpp>

namespace xgrad {

// The same values in a new shape; one dimension may be -1 (inferred, unless another is 0).
template <class T>
TensorOf<T> reshape(const TensorOf<T>& x, const std::vector<long>& shape,
                    Where loc = Where::current());
// numpy broadcast of x to `shape`;  d/dx = sum_to(g, x.shape)
template <class T>
TensorOf<T> broadcast_to(const TensorOf<T>& x, const Shape& shape, Where loc = Where::current());
namespace detail {
// reshape to a shape already worked out (no -1), with x.size() elements: what the
// backward rules use (no list of dimensions is built).
template <class T>
TensorOf<T> reshape_to(const TensorOf<T>& x, const Shape& shape, Where loc = Where::current());
// sum_to's reduction (and its argument checks), for x of another shape than `shape`.
template <class T>
TensorOf<T> sum_to_reduced(const TensorOf<T>& x, const Shape& shape, Where loc);
}  // namespace detail
// The inverse of broadcasting: sums the axes x was broadcast along, giving `shape`.
// Inline: most calls (every add's backward) find x already of `shape`.
template <class T>
TensorOf<T> sum_to(const TensorOf<T>& x, const Shape& shape, Where loc = Where::current())
{
    if (x.defined() && x.shape() == shape) return x;
    return detail::sum_to_reduced(x, shape, loc);
}
// The same for a temporary (a backward's product): returned as it is when it already has `shape`.
template <class T>
TensorOf<T> sum_to(TensorOf<T>&& x, const Shape& shape, Where loc = Where::current())
{
    if (x.defined() && x.shape() == shape) return std::move(x);
    return detail::sum_to_reduced(static_cast<const TensorOf<T>&>(x), shape, loc);
}
// Joins tensors along `axis`; all other dimensions must agree.
template <class T>
TensorOf<T> concat(const std::vector<TensorOf<T>>& xs, long axis = 0, Where loc = Where::current());
// x[begin:end] along `axis` (numpy slicing with a step of 1; a negative
// begin or end counts from the end of the axis, as in numpy).
template <class T>
TensorOf<T> slice(const TensorOf<T>& x, long axis, long begin, long end,
                  Where loc = Where::current());
// Rows x[indices[0]], x[indices[1]], ... (along axis 0): mini-batches.
// d/dx scatters (adds) the rows back.
template <class T>
TensorOf<T> gather(const TensorOf<T>& x, const std::vector<std::size_t>& indices,
                   Where loc = Where::current());
// The same value, cut from the tape: no gradient flows through it.
template <class T>
TensorOf<T> stop_gradient(const TensorOf<T>& x);

}  // namespace xgrad
