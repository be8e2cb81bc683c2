// Activations by name, as Keras's `activation=` strings:
//   linear(x) = x                     relu(x) = max(x, 0)
//   sigmoid(x) = 1 / (1 + e^-x)       tanh(x)
//   softmax(x) = e^x / sum e^x (last axis, max-shifted)
//   leaky_relu(x) = x > 0 ? x : 0.2 x  gelu(x) = x Phi(x) (exact, erf form)
//   elu(x) = x > 0 ? x : e^x - 1      selu(x) = 1.0507... elu_1.6732...(x)
//   silu(x) = swish(x) = x sigmoid(x)  softplus(x) = log(1 + e^x) (stable form)
//   softsign(x) = x / (1 + |x|)        hard_sigmoid(x) = relu6(x + 3) / 6 (Keras 3)
//   mish(x) = x tanh(softplus(x))      exponential(x) = e^x
//   log_softmax(x) = x - logsumexp(x) (last axis)
// They are written with differentiable ops (templates below, for float and double),
// so gradients of any order follow.
// Each also declares what the fused paths may do with it: `in_linear` is the
// part a dense layer can apply inside its GEMM (relu, or nothing), `logits_of`
// says that its input is the logits a cross-entropy can take directly.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <xgrad/autograd/ops.hpp>
#include <xgrad/autograd/ops/linear.hpp>
#include <xgrad/autograd/tensor.hpp>

namespace xgrad::nn {

// Keras's activations beyond the autograd ops, for any dtype. The branches of elu and
// softplus each see only their own side of 0 (where(x > 0, x, 0)), so neither overflows
// nor sends a NaN gradient from the branch not taken.
namespace fn {
template <class T> TensorOf<T> elu(const TensorOf<T>& x, double alpha = 1.0)
{
    const TensorOf<T> zero = zeros_like(x), pos = greater(x, zero);
    return where(pos, x, (exp(where(pos, zero, x)) - 1.0) * alpha);
}
template <class T> TensorOf<T> selu(const TensorOf<T>& x)
{
    return elu(x, 1.6732632423543772848170429916717) * 1.0507009873554804934193349852946;
}
template <class T> TensorOf<T> silu(const TensorOf<T>& x) { return mul(x, sigmoid(x)); }
// log(1 + e^x) as x + log(1 + e^-x) for x > 0
template <class T> TensorOf<T> softplus(const TensorOf<T>& x)
{
    const TensorOf<T> zero = zeros_like(x), pos = greater(x, zero);
    const TensorOf<T> xp = where(pos, x, zero), xn = where(pos, zero, x);
    return where(pos, xp + log(1.0 + exp(neg(xp))), log(1.0 + exp(xn)));
}
template <class T> TensorOf<T> softsign(const TensorOf<T>& x) { return div(x, 1.0 + abs(x)); }
template <class T> TensorOf<T> hard_sigmoid(const TensorOf<T>& x) { return clip(x + 3.0, T(0), T(6)) / 6.0; }
template <class T> TensorOf<T> mish(const TensorOf<T>& x) { return mul(x, xgrad::tanh(softplus(x))); }
template <class T> TensorOf<T> exponential(const TensorOf<T>& x) { return exp(x); }
}  // namespace fn

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
