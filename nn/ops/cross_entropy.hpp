// Fused, numerically stable softmax cross-entropy on the last axis (the ops
// behind TensorFlow's tf.nn.softmax_cross_entropy_with_logits and its sparse
// form). With s = x - max(x) and lse = log(sum(e^s)), per row:
//   loss = sum_j labels_j (lse - s_j)                  (dense labels)
//   loss = lse - s_y                                    (sparse: class index y)
//   d loss / d logits = softmax(x) * sum_j labels_j - labels   (sparse: softmax(x) - onehot(y));
//                       softmax(x) - labels when each row of labels sums to 1
//   d loss / d labels = -log_softmax(x)                 (dense only)
// The forward pass computes softmax(x) once and keeps it; the backward pass
// forms g * (softmax(x) * sum(labels) - labels) from it with differentiable ops, so
// higher-order gradients (a tape recording the backward pass) flow through
// softmax(x) into the logits, as with the unfused log_softmax formulation.
#pragma once

#include <xgrad/autograd/tensor.hpp>

namespace xgrad {

// labels and logits of the same shape (..., classes) -> loss of shape (...).
template <class T>
TensorOf<T> softmax_cross_entropy_with_logits(const TensorOf<T>& labels, const TensorOf<T>& logits,
                                              Where loc = Where::current());

// labels: class indices stored as floats, shape (...); logits (..., classes) -> loss (...).
// Throws ValueError naming the position when a label is not an integer in [0, classes).
template <class T>
TensorOf<T> sparse_softmax_cross_entropy_with_logits(const TensorOf<T>& labels, const TensorOf<T>& logits,
                                                     Where loc = Where::current());

}  // namespace xgrad
