// Elementwise math: sqrt, exp, log, abs, erf, maximum/minimum, clip, where, and
// the comparisons (which return 0/1 masks and carry no gradient).
#pragma once

#include <xgrad/autograd/tensor.hpp>

namespace xgrad {

// sqrt(x);  d/dx = 1 / (2 sqrt(x))
template <class T> TensorOf<T> sqrt(const TensorOf<T>& x, Where loc = Where::current());
// e^x;  d/dx = e^x
template <class T> TensorOf<T> exp(const TensorOf<T>& x, Where loc = Where::current());
// ln(x);  d/dx = 1/x
template <class T> TensorOf<T> log(const TensorOf<T>& x, Where loc = Where::current());
// |x|;  d/dx = sign(x) (0 at 0)
template <class T> TensorOf<T> abs(const TensorOf<T>& x, Where loc = Where::current());
// erf(x);  d/dx = 2/sqrt(pi) e^(-x^2)
template <class T> TensorOf<T> erf(const TensorOf<T>& x, Where loc = Where::current());
// max(a, b) elementwise, broadcasting; the gradient goes to a where a >= b (TensorFlow's rule)
template <class T> TensorOf<T> maximum(const TensorOf<T>& a, const TensorOf<T>& b, Where loc = Where::current());
// min(a, b) elementwise, broadcasting; the gradient goes to a where a <= b
template <class T> TensorOf<T> minimum(const TensorOf<T>& a, const TensorOf<T>& b, Where loc = Where::current());
// min(max(x, lo), hi); the gradient passes where lo <= x <= hi. Throws if lo > hi.
template <class T> TensorOf<T> clip(const TensorOf<T>& x, T lo, T hi, Where loc = Where::current());
// cond ? a : b elementwise (cond nonzero = true), all three broadcast together
template <class T> TensorOf<T> where(const TensorOf<T>& cond, const TensorOf<T>& a, const TensorOf<T>& b, Where loc = Where::current());

// 0/1 masks, no gradient: a > b, a >= b, a < b, a <= b, a == b (broadcasting)
template <class T> TensorOf<T> greater(const TensorOf<T>& a, const TensorOf<T>& b);
template <class T> TensorOf<T> greater_equal(const TensorOf<T>& a, const TensorOf<T>& b);
template <class T> TensorOf<T> less(const TensorOf<T>& a, const TensorOf<T>& b);
template <class T> TensorOf<T> less_equal(const TensorOf<T>& a, const TensorOf<T>& b);
template <class T> TensorOf<T> equal(const TensorOf<T>& a, const TensorOf<T>& b);
// -1, 0 or 1, no gradient
template <class T> TensorOf<T> sign(const TensorOf<T>& x);

template <class T> TensorOf<T> zeros_like(const TensorOf<T>& x) { return zeros<T>(x.shape()); }
template <class T> TensorOf<T> ones_like(const TensorOf<T>& x) { return ones<T>(x.shape()); }

}  // namespace xgrad
