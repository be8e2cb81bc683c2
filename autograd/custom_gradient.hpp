// custom_gradient: a differentiable function with a backward rule of your own
// (TensorFlow's tf.custom_gradient). `forward` computes y = f(inputs) and is not
// recorded; the tapes record one op named `name` whose backward is
//   backward(inputs, y, dy) -> {d loss / d inputs[i]}      (dy = d loss / d y)
// one gradient per input, of that input's shape (an undefined tensor for none).
// Written with xgrad ops, backward is recorded by outer tapes like any op's,
// so nested tapes differentiate it (second-order gradients through your rule).
//
// Straight-through estimator: round in the forward pass, identity backward.
//   auto y = xgrad::custom_gradient("straight_through_round", x,
//       [](const xgrad::Tensor& x) { return xgrad::Tensor(xt::round(x.value())); },
//       [](const xgrad::Tensor& x, const xgrad::Tensor& y, const xgrad::Tensor& dy) { return dy; });
// Gradient clipping inside backward: identity forward, dy clipped to [-1, 1].
//   auto y = xgrad::custom_gradient("clip_gradient", x,
//       [](const xgrad::Tensor& x) { return x; },
//       [](const xgrad::Tensor&, const xgrad::Tensor&, const xgrad::Tensor& dy) { return xgrad::clip(dy, -1.0f, 1.0f); });
// Several inputs: the std::vector forms. float32 (Tensor) and float64 (Tensor64).
// The forward value is copied into a new tensor (the output is never one of the inputs).
// Errors name the op: an undefined input or forward value (ShapeError/ValueError), a
// backward that returns the wrong number of gradients (TapeError) or a wrong shape (ShapeError).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <xgrad/autograd/tensor.hpp>

namespace xgrad {

template <class T>
using CustomForward = std::function<TensorOf<T>(const std::vector<TensorOf<T>>& inputs)>;
template <class T>
using CustomBackward = std::function<std::vector<TensorOf<T>>(
    const std::vector<TensorOf<T>>& inputs, const TensorOf<T>& y, const TensorOf<T>& dy)>;
// One input.
template <class T>
using CustomForward1 = std::function<TensorOf<T>(const TensorOf<T>& x)>;
template <class T>
using CustomBackward1 = std::function<TensorOf<T>(const TensorOf<T>& x, const TensorOf<T>& y, const TensorOf<T>& dy)>;

Tensor custom_gradient(const std::string& name, const std::vector<Tensor>& inputs, const CustomForward<float>& forward,
                       const CustomBackward<float>& backward, Where loc = Where::current());
Tensor64 custom_gradient(const std::string& name, const std::vector<Tensor64>& inputs,
                         const CustomForward<double>& forward, const CustomBackward<double>& backward,
                         Where loc = Where::current());
Tensor custom_gradient(const std::string& name, const Tensor& x, const CustomForward1<float>& forward,
                       const CustomBackward1<float>& backward, Where loc = Where::current());
Tensor64 custom_gradient(const std::string& name, const Tensor64& x, const CustomForward1<double>& forward,
                         const CustomBackward1<double>& backward, Where loc = Where::current());

}  // namespace xgrad
