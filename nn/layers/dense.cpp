#include <xgrad/nn/layers/dense.hpp>

#include <xgrad/autograd/ops.hpp>
#include <xgrad/nn/initializers.hpp>
#include <xgrad/nn/serialization.hpp>

namespace xgrad::nn {

Dense::Dense(std::size_t units, const std::string& activation, bool use_bias,
             const Initializer& kernel_initializer, const Initializer& bias_initializer,
             const std::string& name)
    : Layer("Dense", name), units_(units), activation_(&nn::activation(activation)), use_bias_(use_bias),
      kernel_initializer_(kernel_initializer), bias_initializer_(bias_initializer)
{
    if (units == 0) throw ValueError(detail::cat(this->name(), ": argument 'units' must be positive, got 0"));
    // Fail at construction, not at the first call, on an unknown initializer name.
    check_initializer_args(kernel_initializer_);
    check_initializer_args(bias_initializer_);
}

const Variable& Dense::kernel() const
{
    if (!built()) throw Error(detail::cat(name(), ": the layer is not built yet (call it once or build it)"));
    return own_weights()[0].second;
}

const Variable& Dense::bias() const
{
    if (!built() || !use_bias_) throw Error(detail::cat(name(), ": the layer has no bias (unbuilt or use_bias=false)"));
    return own_weights()[1].second;
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
    const auto& params = own_weights();
    const Tensor& kernel = params[0].second;
    if (!use_bias_) return activation == LinearActivation::relu ? relu(matmul(x, kernel)) : matmul(x, kernel);
    return xgrad::linear(x, kernel, static_cast<const Tensor&>(params[1].second), activation);
}

Tensor Dense::linear(const Tensor& x)
{
    if (!built()) build(x.shape());
    check_input(x);
    return affine(x, LinearActivation::none);
}

Tensor Dense::call(const Tensor& x, bool)
{
    // relu (or nothing) runs inside the product's pass over the output; other activations after it.
    const Tensor z = affine(x, activation_->in_linear);
    return activation_->identity_after_linear ? z : activation_->fn(z);
}

Tensor Dense::call_logits(const std::vector<Tensor>& inputs, bool)
{
    expect_inputs(inputs.size(), 1);
    return affine(inputs[0], LinearActivation::none);
}

Shape Dense::compute_output_shape(const Shape& input_shape) const
{
    Shape out = input_shape;
    if (out.empty()) out.push_back(units_);
    else out.back() = units_;
    return out;
}

Json Dense::get_config() const
{
    Json config = Layer::get_config();
    config["units"] = units_;
    config["activation"] = activation_->name;
    config["use_bias"] = use_bias_;
    config["kernel_initializer"] = initializer_config(kernel_initializer_);
    config["bias_initializer"] = initializer_config(bias_initializer_);
    for (const char* key : {"kernel_regularizer", "bias_regularizer", "kernel_constraint", "bias_constraint"})
        config[key] = nullptr;
    return config;
}

std::shared_ptr<Dense> Dense::from_config(const Json& config)
{
    ConfigReader r(config, "Dense");
    const std::string name = r.read_name();
    const std::size_t units = r.get_size("units");
    const std::string activation = activation_from_config(r.get_json("activation", "linear"), "Dense '" + name + "'");
    const bool use_bias = r.get_bool("use_bias", true);
    const Initializer kernel = initializer_with_args_from_config(r.get_json("kernel_initializer", "glorot_uniform"),
                                                                 "Dense '" + name + "' kernel_initializer");
    const Initializer bias = initializer_with_args_from_config(r.get_json("bias_initializer", "zeros"),
                                                               "Dense '" + name + "' bias_initializer");
    r.require_null({"kernel_regularizer", "bias_regularizer", "activity_regularizer", "kernel_constraint",
                    "bias_constraint"});
    r.ignore({"lora_rank", "lora_alpha", "quantization_config"});
    r.finish();
    return std::make_shared<Dense>(units, activation, use_bias, kernel, bias, name);
}

}  // namespace xgrad::nn
