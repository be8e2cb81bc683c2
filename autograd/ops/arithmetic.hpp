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
// pow's backward in one op: (g * p) * x^(p-1), bit for bit that composite
// (mul(mul(g, p), pow(x, p - 1))), and differentiable in g and x. g has x's shape.
template <class T>
TensorOf<T> pow_grad(const TensorOf<T>& g, const TensorOf<T>& x, T p, Where loc = Where::current());
// x^y elementwise;  d/dx = y x^(y-1), d/dy = x^y log(x) (0 where x <= 0, as TensorFlow)
template <class T>
TensorOf<T> pow(const TensorOf<T>& x, const TensorOf<T>& y, Where loc = Where::current());
// x^2;  d/dx = 2x
template <class T>
TensorOf<T> square(const TensorOf<T>& x, Where loc = Where::current());

// ---- operators ---------------------------------------------------------------
// Operators record the caller's file:line like the named ops (for anomaly mode):
// an operator cannot take a defaulted Where, so its operand's converting
// constructor captures it.
template <class S>
concept Scalar = std::is_arithmetic_v<S>;

namespace detail {
// scalar<T>(value) for a constant the library makes itself (`x * 0.5`, pow's
// gradient): the same tensor again for a value used recently on this thread,
// instead of a new one every step. Never watched or changed, so sharing it is safe.
template <class T>
TensorOf<T> constant_scalar(T value);

// A tensor operand, with the location of the expression it appears in.
template <class T>
struct Operand {
    Operand(const TensorOf<T>& t, Where where = Where::current()) : tensor(t), loc(where) {}
    const TensorOf<T>& tensor;
    Where loc;
};
// A plain number operand (`x * 0.5`, `1 - x`): computed in double by the caller,
// converted to the tensor's dtype once, as TensorFlow does with Python numbers.
struct ScalarOperand {
    template <Scalar S>
    ScalarOperand(S s, Where where = Where::current()) : value(static_cast<double>(s)), loc(where) {}
    double value;
    Where loc;
    template <class T>
    TensorOf<T> as() const { return constant_scalar<T>(static_cast<T>(value)); }
};
template <class T>
using OperandOf = Operand<std::type_identity_t<T>>;
}  // namespace detail

template <class T> TensorOf<T> operator+(const TensorOf<T>& a, detail::OperandOf<T> b) { return add(a, b.tensor, b.loc); }
template <class T> TensorOf<T> operator-(const TensorOf<T>& a, detail::OperandOf<T> b) { return sub(a, b.tensor, b.loc); }
template <class T> TensorOf<T> operator*(const TensorOf<T>& a, detail::OperandOf<T> b) { return mul(a, b.tensor, b.loc); }
template <class T> TensorOf<T> operator/(const TensorOf<T>& a, detail::OperandOf<T> b) { return div(a, b.tensor, b.loc); }
template <class T> TensorOf<T> operator-(const TensorOf<T>& x) { return neg(x); }

template <class T> TensorOf<T> operator+(const TensorOf<T>& a, detail::ScalarOperand s) { return add(a, s.as<T>(), s.loc); }
template <class T> TensorOf<T> operator+(detail::ScalarOperand s, const TensorOf<T>& a) { return add(s.as<T>(), a, s.loc); }
template <class T> TensorOf<T> operator-(const TensorOf<T>& a, detail::ScalarOperand s) { return sub(a, s.as<T>(), s.loc); }
template <class T> TensorOf<T> operator-(detail::ScalarOperand s, const TensorOf<T>& a) { return sub(s.as<T>(), a, s.loc); }
template <class T> TensorOf<T> operator*(const TensorOf<T>& a, detail::ScalarOperand s) { return mul(a, s.as<T>(), s.loc); }
template <class T> TensorOf<T> operator*(detail::ScalarOperand s, const TensorOf<T>& a) { return mul(s.as<T>(), a, s.loc); }
template <class T> TensorOf<T> operator/(const TensorOf<T>& a, detail::ScalarOperand s) { return div(a, s.as<T>(), s.loc); }
template <class T> TensorOf<T> operator/(detail::ScalarOperand s, const TensorOf<T>& a) { return div(s.as<T>(), a, s.loc); }

}  // namespace xgrad
