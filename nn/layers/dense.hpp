// Dense: y = activation(x @ kernel + bias) on the last axis of x, as Keras's
// Dense. kernel: (in, units), bias: (units,). Built on the first call from
// x's last axis; inputs of any rank >= 2: (batch, 10, 10) -> (batch, 10, units).
//   xgrad::nn::Dense hidden(128, "relu");                     // glorot_uniform kernel, zeros bias
//   xgrad::nn::Dense out(10, "softmax", true, "he_uniform", "zeros", "logits");
//   xgrad::nn::Dense seeded(64, "selu", true, {"lecun_normal", {}, 42});   // an initializer with a seed
// relu (or no activation) runs inside the product (xgrad::linear); a softmax or
// sigmoid output offers its logits to the loss (output_logits_of).
#pragma once

#include <xgrad/autograd/ops/linear.hpp>
#include <xgrad/nn/activations.hpp>
#include <xgrad/nn/initializers.hpp>
#include <xgrad/nn/layer.hpp>

namespace xgrad::nn {

class Dense : public Layer {
public:
    explicit Dense(std::size_t units, const std::string& activation = "linear", bool use_bias = true,
                   const Initializer& kernel_initializer = "glorot_uniform",
                   const Initializer& bias_initializer = "zeros", const std::string& name = "");
    XGRAD_LAYER(Dense)

    std::size_t units() const { return units_; }
    const std::string& activation() const { return activation_->name; }
    bool use_bias() const { return use_bias_; }
    // Valid once built.
    const Variable& kernel() const;
    const Variable& bias() const;

    // x @ kernel + bias, before the activation (the logits of a softmax layer).
    Tensor linear(const Tensor& x);

    Shape compute_output_shape(const Shape& input_shape) const override;
    LogitsOf output_logits_of() const override { return activation_->logits_of; }
    Json get_config() const override;
    static std::shared_ptr<Dense> from_config(const Json& config);

protected:
    void build_impl(const Shape& input_shape) override;
    void check_input(const Tensor& x) const override;
    Tensor call(const Tensor& x, bool training) override;
    Tensor call_logits(const std::vector<Tensor>& inputs, bool training) override;

private:
    // x @ kernel + bias with relu or no activation fused into the product (autograd/ops/linear.hpp).
    Tensor affine(const Tensor& x, LinearActivation activation);

    std::size_t units_;
    const Activation* activation_;
    bool use_bias_;
    Initializer kernel_initializer_, bias_initializer_;
};

}  // namespace xgrad::nn
