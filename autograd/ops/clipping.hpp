// Gradient clipping as TensorFlow spells it, built from differentiable ops.
#pragma once

#include <vector>

#include <xgrad/autograd/tensor.hpp>

namespace xgrad {

// t * clip_norm / max(||t||_2, clip_norm)   (tf.clip_by_norm over all axes)
template <class T>
TensorOf<T> clip_by_norm(const TensorOf<T>& t, T clip_norm, Where loc = Where::current());

// sqrt(sum_i ||t_i||^2), undefined tensors skipped  (tf.linalg.global_norm)
template <class T>
TensorOf<T> global_norm(const std::vector<TensorOf<T>>& ts, Where loc = Where::current());

// t_i * clip_norm / max(global_norm(ts), clip_norm) for each defined t_i
// (tf.clip_by_global_norm, without the norm it also returns)
template <class T>
std::vector<TensorOf<T>> clip_by_global_norm(const std::vector<TensorOf<T>>& ts, T clip_norm,
                                             Where loc = Where::current());

}  // namespace xgrad
