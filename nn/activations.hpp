// Activations by name, as Keras's `activation=` strings:
//   linear(x) = x                     relu(x) = max(x, 0)
//   sigmoid(x) = 1 / (1 + e^-x)       tanh(x)
//   softmax(x) = e^x / sum e^x (last axis, max-shifted)
//   leaky_relu(x) = x > 0 ? x : 0.2 x  gelu(x) = x Phi(x) (exact, erf form)
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <xgrad/autograd/tensor.hpp>

namespace xgrad::nn {

using ActivationFn = std::function<Tensor(const Tensor&)>;

// The activation called `name`; throws ValueError listing the known names.
ActivationFn get_activation(const std::string& name);
// The names get_activation knows.
const std::vector<std::string>& activation_names();

}  // namespace xgrad::nn
