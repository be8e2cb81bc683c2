// Activations by name, as Keras's `activation=` strings:
//   linear(x) = x                     relu(x) = max(x, 0)
//   sigmoid(x) = 1 / (1 + e^-x)       tanh(x)
//   softmax(x) = e^x / sum e^x (last axis, max-shifted)
//   leaky_relu(x) = x > 0 ? x : 0.2 x  gelu(x) = x Phi(x) (exact, erf form)
// Each also declares what the fused paths may do with it: `in_linear` is the
// part a dense layer can apply inside its GEMM (relu, or nothing), `logits_of`
// says that its input is the logits a cross-entropy can take directly.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <xgrad/autograd/ops/linear.hpp>
#include <xgrad/autograd/tensor.hpp>

namespace xgrad::nn {

using ActivationFn = std::function<Tensor(const Tensor&)>;

// The output activation whose input (the logits) a loss can use instead of its output.
enum class LogitsOf { none, softmax, sigmoid };

struct Activation {
    std::string name;
    ActivationFn fn;
    // What xgrad::linear can apply in its GEMM epilogue; fn is then the identity after it.
    LinearActivation in_linear = LinearActivation::none;
    bool identity_after_linear = false;
    LogitsOf logits_of = LogitsOf::none;
};

// The activation called `name` ("" is linear); throws ValueError listing the known names.
const Activation& activation(const std::string& name);
// Its function alone.
ActivationFn get_activation(const std::string& name);
// The names activation() knows.
const std::vector<std::string>& activation_names();
// The activation name in a layer config: a string or null (linear); throws ValueError naming `where`.
std::string activation_from_config(const nlohmann::ordered_json& value, const std::string& where);
// softmax or sigmoid of the logits (identity for LogitsOf::none).
Tensor apply_logits_activation(LogitsOf kind, const Tensor& logits);

}  // namespace xgrad::nn
