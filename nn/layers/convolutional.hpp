// Convolutions, as Keras's Conv2D and Conv1D (channels_last):
//   Conv2D: (batch, h, w, c) -> (batch, oh, ow, filters), kernel (kh, kw, c, filters), bias (filters)
//   Conv1D: (batch, l, c) -> (batch, ol, filters), kernel (k, c, filters), bias (filters)
//   out = activation(conv(x, kernel) + bias)   (xgrad::conv2d: im2col + GEMM, bias and relu in its epilogue)
// Output sizes: valid: floor((n - ((k - 1) d + 1)) / s) + 1; same: ceil(n / s) (TensorFlow's padding split).
//   xgrad::nn::Conv2D conv(32, 3, "relu");                                    // 3x3, stride 1, valid
//   xgrad::nn::Conv2D down(64, {3, 3}, "linear", {.strides = 2, .padding = "same"});
// Keras's defaults: glorot_uniform kernel (fans from the receptive field), zeros bias;
// strides > 1 together with dilation_rate > 1 is an error, as in Keras.
#pragma once

#include <xgrad/nn/activations.hpp>
#include <xgrad/nn/initializers.hpp>
#include <xgrad/nn/layer.hpp>
#include <xgrad/nn/layers/window.hpp>

namespace xgrad::nn {

// Conv2D's arguments after (filters, kernel_size, activation), in Keras's order and with its defaults.
struct Conv2DOptions {
    Window2 strides = 1;
    std::string padding = "valid";
    Window2 dilation_rate = 1;
    bool use_bias = true;
    Initializer kernel_initializer = "glorot_uniform";
    Initializer bias_initializer = "zeros";
    std::string name = "";
};

class Conv2D : public Layer {
public:
    Conv2D(std::size_t filters, Window2 kernel_size, const std::string& activation = "linear",
           Conv2DOptions options = {});
    XGRAD_LAYER(Conv2D)

    std::size_t filters() const { return filters_; }
    Size2 kernel_size() const { return kernel_size_; }
    Size2 strides() const { return strides_; }
    Padding padding() const { return padding_; }
    Size2 dilation_rate() const { return dilation_; }
    const std::string& activation() const { return activation_->name; }
    bool use_bias() const { return use_bias_; }
    // Valid once built.
    const Variable& kernel() const;
    const Variable& bias() const;

    Shape compute_output_shape(const Shape& input_shape) const override;
    Json get_config() const override;
    static std::shared_ptr<Conv2D> from_config(const Json& config);

protected:
    void build_impl(const Shape& input_shape) override;
    void check_input(const Tensor& x) const override;
    Tensor call(const Tensor& x, bool training) override;

private:
    std::size_t filters_;
    Size2 kernel_size_, strides_;
    Padding padding_;
    Size2 dilation_;
    const Activation* activation_;
    bool use_bias_;
    Initializer kernel_initializer_, bias_initializer_;
};

struct Conv1DOptions {
    std::size_t strides = 1;
    std::string padding = "valid";  // "valid", "same" or "causal" (left-padded by dilation_rate * (kernel_size - 1))
    std::size_t dilation_rate = 1;
    bool use_bias = true;
    Initializer kernel_initializer = "glorot_uniform";
    Initializer bias_initializer = "zeros";
    std::string name = "";
};

// Runs as a Conv2D over (batch, 1, l, c) with a (1, k, c, filters) view of its kernel. With
// padding "causal" (Keras's), the steps are left-padded with dilation_rate * (kernel_size - 1)
// zeros and convolved "valid": output t sees inputs up to t only.
class Conv1D : public Layer {
public:
    Conv1D(std::size_t filters, std::size_t kernel_size, const std::string& activation = "linear",
           Conv1DOptions options = {});
    XGRAD_LAYER(Conv1D)

    std::size_t filters() const { return filters_; }
    std::size_t kernel_size() const { return kernel_size_; }
    const Variable& kernel() const;
    const Variable& bias() const;

    Shape compute_output_shape(const Shape& input_shape) const override;
    Json get_config() const override;
    static std::shared_ptr<Conv1D> from_config(const Json& config);

protected:
    void build_impl(const Shape& input_shape) override;
    void check_input(const Tensor& x) const override;
    Tensor call(const Tensor& x, bool training) override;

private:
    // Zeros in front of the steps: dilation * (kernel_size - 1) with causal padding, else 0.
    std::size_t causal_pad() const { return causal_ ? dilation_ * (kernel_size_ - 1) : 0; }

    std::size_t filters_, kernel_size_, strides_;
    Padding padding_;
    bool causal_ = false;
    std::size_t dilation_;
    const Activation* activation_;
    bool use_bias_;
    Initializer kernel_initializer_, bias_initializer_;
};

}  // namespace xgrad::nn
