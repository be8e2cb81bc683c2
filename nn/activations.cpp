#include <xgrad/nn/activations.hpp>

#include <xgrad/autograd/ops.hpp>

namespace xgrad::nn {

const std::vector<std::string>& activation_names()
{
    static const std::vector<std::string> names{"linear", "relu", "sigmoid", "tanh",
                                                "softmax", "leaky_relu", "gelu"};
    return names;
}

ActivationFn get_activation(const std::string& name)
{
    if (name == "linear" || name.empty()) return [](const Tensor& x) { return x; };
    if (name == "relu") return [](const Tensor& x) { return relu(x); };
    if (name == "sigmoid") return [](const Tensor& x) { return sigmoid(x); };
    if (name == "tanh") return [](const Tensor& x) { return xgrad::tanh(x); };
    if (name == "softmax") return [](const Tensor& x) { return softmax(x, -1); };
    if (name == "leaky_relu") return [](const Tensor& x) { return leaky_relu(x); };
    if (name == "gelu") return [](const Tensor& x) { return gelu(x); };
    std::string known;
    for (const auto& n : activation_names()) known += (known.empty() ? "" : ", ") + n;
    throw ValueError(detail::cat("activation: unknown name '", name, "' (known: ", known, ")"));
}

}  // namespace xgrad::nn
