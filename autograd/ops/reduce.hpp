// Reductions over axes (empty = all), keeping reduced axes as 1 when keepdims.
#pragma once

#include <xgrad/autograd/tensor.hpp>

namespace xgrad {

// sum over axes (0 over an empty axis, as numpy);  d/dx = broadcast(g)
template <class T>
TensorOf<T> reduce_sum(const TensorOf<T>& x, const Axes& axes = {}, bool keepdims = false,
                       Where loc = Where::current());
// sum / count (the division happens in T, as TensorFlow does; NaN over an empty axis, as numpy)
template <class T>
TensorOf<T> reduce_mean(const TensorOf<T>& x, const Axes& axes = {}, bool keepdims = false,
                        Where loc = Where::current());
namespace detail {
// reduce_sum over axes already normalized (sorted, distinct, in range): what reduce_mean,
// reduce_max's backward and sum_to call, having the axes at hand.
template <class T>
TensorOf<T> reduce_sum_normalized(const TensorOf<T>& x, const AxisList& axes, bool keepdims, Where loc);
}  // namespace detail
// max over axes;  d/dx = broadcast(g) shared equally among tied maxima. An empty x is a
// ShapeError (numpy: a maximum of nothing has no value).
template <class T>
TensorOf<T> reduce_max(const TensorOf<T>& x, const Axes& axes = {}, bool keepdims = false,
                       Where loc = Where::current());

}  // namespace xgrad
