// Elementwise arithmetic with numpy broadcasting. Gradients are summed back to
// each input's shape (sum_to). Scalars meet a tensor converted to its dtype once:
// `x * 0.5`, `1 - x` (as TensorFlow does with Python numbers).
#pragma once

#include <type_traits>

#include <xgrad/autograd/tensor.hpp>

namespace xgrad {

// a + b;  d/da = 1, d/db = 1
template <class T>
TensorOf<T> add(const TensorOf<T>& a, const TensorOf<T>& b, Where loc = Where::current());
// a - b;  d/da = 1, d/db = -1
template <class T>
TensorOf<T> sub(const TensorOf<T>& a, const TensorOf<T>& b, Where loc = Where::current());
// a * b;  d/da = b, d/db = a
template <class T>
TensorOf<T> mul(const TensorOf<T>& a, const TensorOf<T>& b, Where loc = Where::current());
// a / b;  d/da = 1/b, d/db = -a/b^2
template <class T>
TensorOf<T> div(const TensorOf<T>& a, const TensorOf<T>& b, Where loc = Where::current());
// -x
template <class T>
TensorOf<T> neg(const TensorOf<T>& x, Where loc = Where::current());
// x^p for a scalar p;  d/dx = p x^(p-1)
template <class T>
TensorOf<T> pow(const TensorOf<T>& x, T p, Where loc = Where::current());
// x^y elementwise;  d/dx = y x^(y-1), d/dy = x^y log(x) (0 where x <= 0, as TensorFlow)
template <class T>
TensorOf<T> pow(const TensorOf<T>& x, const TensorOf<T>& y, Where loc = Where::current());
// x^2;  d/dx = 2x
template <class T>
TensorOf<T> square(const TensorOf<T>& x, Where loc = Where::current());

// ---- operators ---------------------------------------------------------------
template <class S>
concept Scalar = std::is_arithmetic_v<S>;

template <class T> TensorOf<T> operator+(const TensorOf<T>& a, const TensorOf<T>& b) { return add(a, b); }
template <class T> TensorOf<T> operator-(const TensorOf<T>& a, const TensorOf<T>& b) { return sub(a, b); }
template <class T> TensorOf<T> operator*(const TensorOf<T>& a, const TensorOf<T>& b) { return mul(a, b); }
template <class T> TensorOf<T> operator/(const TensorOf<T>& a, const TensorOf<T>& b) { return div(a, b); }
template <class T> TensorOf<T> operator-(const TensorOf<T>& x) { return neg(x); }

template <class T, Scalar S> TensorOf<T> operator+(const TensorOf<T>& a, S s) { return add(a, scalar<T>(static_cast<T>(s))); }
template <class T, Scalar S> TensorOf<T> operator+(S s, const TensorOf<T>& a) { return add(scalar<T>(static_cast<T>(s)), a); }
template <class T, Scalar S> TensorOf<T> operator-(const TensorOf<T>& a, S s) { return sub(a, scalar<T>(static_cast<T>(s))); }
template <class T, Scalar S> TensorOf<T> operator-(S s, const TensorOf<T>& a) { return sub(scalar<T>(static_cast<T>(s)), a); }
template <class T, Scalar S> TensorOf<T> operator*(const TensorOf<T>& a, S s) { return mul(a, scalar<T>(static_cast<T>(s))); }
template <class T, Scalar S> TensorOf<T> operator*(S s, const TensorOf<T>& a) { return mul(scalar<T>(static_cast<T>(s)), a); }
template <class T, Scalar S> TensorOf<T> operator/(const TensorOf<T>& a, S s) { return div(a, scalar<T>(static_cast<T>(s))); }
template <class T, Scalar S> TensorOf<T> operator/(S s, const TensorOf<T>& a) { return div(scalar<T>(static_cast<T>(s)), a); }

}  // namespace xgrad
