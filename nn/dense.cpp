#include <xgrad/nn/dense.hpp>

#include <xgrad/autograd/ops.hpp>
#include <xgrad/nn/initializers.hpp>

namespace xgrad::nn {

Dense::Dense(std::size_t units, const std::string& activation, bool use_bias,
             const std::string& kernel_initializer, const std::string& bias_initializer,
             const std::string& name)
    : Layer("Dense", name), units_(units), activation_name_(activation.empty() ? "linear" : activation),
      activation_(get_activation(activation)), use_bias_(use_bias),
      kernel_initializer_(kernel_initializer), bias_initializer_(bias_initializer)
{
    if (units == 0) throw ValueError(detail::cat(this->name(), ": argument 'units' must be positive, got 0"));
    // Fail at construction, not at the first call, on an unknown initializer name.
    check_initializer(kernel_initializer_);
    check_initializer(bias_initializer_);
}

const Variable& Dense::kernel() const
{
    if (!built()) throw Error(detail::cat(name(), ": the layer is not built yet (call it once or build it)"));
    return named_parameters()[0].second;
}

const Variable& Dense::bias() const
{
    if (!built() || !use_bias_) throw Error(detail::cat(name(), ": the layer has no bias (unbuilt or use_bias=false)"));
    return named_parameters()[1].second;
}

void Dense::build_impl(const Shape& input_shape)
{
    if (input_shape.size() < 2) {
        throw ShapeError(detail::cat(name(), ": expects inputs of rank >= 2 (batch, ..., features), got shape ",
                                     to_string(input_shape)));
    }
    const std::size_t in = input_shape.back();
    add_weight("kernel", initialize(kernel_initializer_, {in, units_}));
    if (use_bias_) add_weight("bias", initialize(bias_initializer_, {units_}));
}

void Dense::check_input(const Tensor& x) const
{
    if (x.rank() < 2) {
        throw ShapeError(detail::cat(name(), ": expects inputs of rank >= 2 (batch, ..., features), got shape ",
                                     to_string(x.shape())));
    }
    const std::size_t expected = kernel().shape()[0];
    if (x.shape().back() != expected) {
        throw ShapeError(detail::cat(name(), " expects ", expected, " features, got ", x.shape().back(),
                                     " (input shape ", to_string(x.shape()), ")"));
    }
}

Tensor Dense::affine(const Tensor& x, LinearActivation activation)
{
    if (!built()) build(x.shape());
    check_input(x);
    const auto& params = named_parameters();
    const Tensor& kernel = params[0].second;
    if (!use_bias_) return activation == LinearActivation::relu ? relu(matmul(x, kernel)) : matmul(x, kernel);
    return xgrad::linear(x, kernel, static_cast<const Tensor&>(params[1].second), activation);
}

Tensor Dense::linear(const Tensor& x) { return affine(x, LinearActivation::none); }

Tensor Dense::call(const Tensor& x)
{
    // relu runs inside the product's pass over the output; other activations after it.
    if (activation_name_ == "relu") return affine(x, LinearActivation::relu);
    return activation_(affine(x, LinearActivation::none));
}

Shape Dense::compute_output_shape(const Shape& input_shape) const
{
    Shape out = input_shape;
    if (out.empty()) out.push_back(units_);
    else out.back() = units_;
    return out;
}

std::map<std::string, std::string> Dense::get_config() const
{
    auto config = Layer::get_config();
    config["units"] = std::to_string(units_);
    config["activation"] = activation_name_;
    config["use_bias"] = use_bias_ ? "true" : "false";
    config["kernel_initializer"] = kernel_initializer_;
    config["bias_initializer"] = bias_initializer_;
    return config;
}

}  // namespace xgrad::nn
