// Activation functions. softmax and log_softmax subtract the maximum first, so
// large logits never overflow.
#pragma once

#include <xgrad/autograd/tensor.hpp>

namespace xgrad {

// max(x, 0) (a NaN stays NaN);  d/dx = 1 where x > 0, else 0
template <class T> TensorOf<T> relu(const TensorOf<T>& x, Where loc = Where::current());
// relu's backward in one pass: g * (y > 0 ? 1 : 0), bit for bit mul(g, greater(y, 0)), for y the
// input or the output of a relu (same shape as g). Linear in g:  d/dg = relu_grad(., y); y gets
// no gradient (the step's derivative is 0 almost everywhere), as through greater.
template <class T> TensorOf<T> relu_grad(const TensorOf<T>& g, const TensorOf<T>& y, Where loc = Where::current());
// x where x > 0, alpha x elsewhere (Keras's default alpha = 0.2)
template <class T> TensorOf<T> leaky_relu(const TensorOf<T>& x, T alpha = T(0.2), Where loc = Where::current());
// 1 / (1 + e^-x);  d/dx = y (1 - y)
template <class T> TensorOf<T> sigmoid(const TensorOf<T>& x, Where loc = Where::current());
// tanh(x);  d/dx = 1 - y^2
template <class T> TensorOf<T> tanh(const TensorOf<T>& x, Where loc = Where::current());
// The backward of tanh and sigmoid from their output y, each in one pass, bit for bit the
// composite it replaces: tanh_grad(g, y) = g (1 - y^2) (mul(g, sub(1, square(y)))), and
// sigmoid_grad(g, y) = g (y (1 - y)) (mul(g, mul(y, sub(1, y)))). Both are differentiable in
// g and y (second order through the activation); g and y must have the same shape.
template <class T> TensorOf<T> tanh_grad(const TensorOf<T>& g, const TensorOf<T>& y, Where loc = Where::current());
template <class T> TensorOf<T> sigmoid_grad(const TensorOf<T>& g, const TensorOf<T>& y, Where loc = Where::current());
// x Phi(x) = 0.5 x (1 + erf(x / sqrt 2)) (Keras's gelu, approximate=False)
template <class T> TensorOf<T> gelu(const TensorOf<T>& x, Where loc = Where::current());
// e^(x - max) / sum e^(x - max) along `axis`;  dx = y (g - sum(g y))
template <class T> TensorOf<T> softmax(const TensorOf<T>& x, long axis = -1, Where loc = Where::current());
// x - max - log sum e^(x - max) along `axis`;  dx = g - softmax(x) sum(g)
template <class T> TensorOf<T> log_softmax(const TensorOf<T>& x, long axis = -1, Where loc = Where::current());

}  // namespace xgrad
