#include <xgrad/nn/activations.hpp>

#include <xgrad/autograd/ops.hpp>

namespace xgrad::nn {
namespace {
const std::vector<Activation>& table()
{
    static const std::vector<Activation> activations{
        {"linear", [](const Tensor& x) { return x; }, LinearActivation::none, true},
        {"relu", [](const Tensor& x) { return relu(x); }, LinearActivation::relu, true},
        {"sigmoid", [](const Tensor& x) { return sigmoid(x); }, LinearActivation::none, false, LogitsOf::sigmoid},
        {"tanh", [](const Tensor& x) { return xgrad::tanh(x); }},
        {"softmax", [](const Tensor& x) { return softmax(x, -1); }, LinearActivation::none, false, LogitsOf::softmax},
        {"leaky_relu", [](const Tensor& x) { return leaky_relu(x); }},
        {"gelu", [](const Tensor& x) { return gelu(x); }},
        {"elu", [](const Tensor& x) { return fn::elu(x); }},
        {"selu", [](const Tensor& x) { return fn::selu(x); }},
        {"silu", [](const Tensor& x) { return fn::silu(x); }},
        {"swish", [](const Tensor& x) { return fn::silu(x); }},
        {"softplus", [](const Tensor& x) { return fn::softplus(x); }},
        {"softsign", [](const Tensor& x) { return fn::softsign(x); }},
        {"hard_sigmoid", [](const Tensor& x) { return fn::hard_sigmoid(x); }},
        {"mish", [](const Tensor& x) { return fn::mish(x); }},
        {"exponential", [](const Tensor& x) { return fn::exponential(x); }},
        {"log_softmax", [](const Tensor& x) { return log_softmax(x, -1); }},
    };
    return activations;
}
}  // namespace

const std::vector<std::string>& activation_names()
{
    static const std::vector<std::string> names = [] {
        std::vector<std::string> out;
        for (const auto& a : table()) out.push_back(a.name);
        return out;
    }();
    return names;
}

const Activation& activation(const std::string& name)
{
    const std::string& wanted = name.empty() ? table().front().name : name;
    for (const auto& a : table())
        if (a.name == wanted) return a;
    std::string known;
    for (const auto& n : activation_names()) known += (known.empty() ? "" : ", ") + n;
    throw ValueError(detail::cat("activation: unknown name '", name, "' (known: ", known, ")"));
}

ActivationFn get_activation(const std::string& name) { return activation(name).fn; }

std::string activation_from_config(const nlohmann::ordered_json& value, const std::string& where)
{
    if (value.is_null()) return "linear";
    if (!value.is_string()) {
        throw ValueError(detail::cat(where, ": config key 'activation' must be a name, got ", value.dump().substr(0, 120)));
    }
    const std::string name = value.get<std::string>();
    try {
        return activation(name).name;
    } catch (const ValueError& e) {
        throw ValueError(detail::cat(where, ": config key 'activation': ", e.what()));
    }
}

Tensor apply_logits_activation(LogitsOf kind, const Tensor& logits)
{
    switch (kind) {
    case LogitsOf::softmax: return softmax(logits, -1);
    case LogitsOf::sigmoid: return sigmoid(logits);
    default: return logits;
    }
}

}  // namespace xgrad::nn
