// Activation layers, as Keras's:
//   Activation(name): activation(x) for any name nn::activation knows ("relu", "softmax", ...)
//   ReLU(max_value = none, negative_slope = 0, threshold = 0):
//     f(x) = min(x, max_value)               for x >= threshold
//          = negative_slope * (x - threshold) for x < threshold
//     (Keras's: x below the threshold is 0 before the slope's part; the clip bounds [0, max_value])
//   Softmax(axis = -1): e^x / sum e^x along `axis`
//   UpSampling2D(size = 2, interpolation = "nearest"): (b, h, w, c) -> (b, h sh, w sw, c),
//     each pixel repeated sh x sw times
#pragma once

#include <optional>

#include <xgrad/nn/activations.hpp>
#include <xgrad/nn/layer.hpp>
#include <xgrad/nn/layers/window.hpp>

namespace xgrad::nn {

// Keras's Activation layer (class_name "Activation" in configs; nn::Activation is the
// activation record of nn/activations.hpp, hence the C++ name).
class ActivationLayer : public Layer {
public:
    explicit ActivationLayer(const std::string& activation, const std::string& name = "");
    XGRAD_LAYER(ActivationLayer)
    const std::string& activation() const { return activation_->name; }
    LogitsOf output_logits_of() const override { return activation_->logits_of; }
    Shape compute_output_shape(const Shape& input_shape) const override { return input_shape; }
    Json get_config() const override;
    static std::shared_ptr<ActivationLayer> from_config(const Json& config);

protected:
    Tensor call(const Tensor& x, bool training) override { return activation_->fn(x); }
    Tensor call_logits(const std::vector<Tensor>& inputs, bool training) override;

private:
    const Activation* activation_;
};

class ReLU : public Layer {
public:
    explicit ReLU(std::optional<double> max_value = std::nullopt, double negative_slope = 0.0, double threshold = 0.0,
                  const std::string& name = "");
    XGRAD_LAYER(ReLU)
    Shape compute_output_shape(const Shape& input_shape) const override { return input_shape; }
    Json get_config() const override;
    static std::shared_ptr<ReLU> from_config(const Json& config);

protected:
    Tensor call(const Tensor& x, bool training) override;

private:
    std::optional<double> max_value_;
    double negative_slope_, threshold_;
};

class Softmax : public Layer {
public:
    explicit Softmax(long axis = -1, const std::string& name = "");
    XGRAD_LAYER(Softmax)
    LogitsOf output_logits_of() const override { return axis_ == -1 ? LogitsOf::softmax : LogitsOf::none; }
    Shape compute_output_shape(const Shape& input_shape) const override { return input_shape; }
    Json get_config() const override;
    static std::shared_ptr<Softmax> from_config(const Json& config);

protected:
    Tensor call(const Tensor& x, bool training) override;
    Tensor call_logits(const std::vector<Tensor>& inputs, bool training) override;

private:
    long axis_;
};

class UpSampling2D : public Layer {
public:
    explicit UpSampling2D(Window2 size = 2, const std::string& interpolation = "nearest", const std::string& name = "");
    XGRAD_LAYER(UpSampling2D)
    Size2 size() const { return size_; }
    Shape compute_output_shape(const Shape& input_shape) const override;
    Json get_config() const override;
    static std::shared_ptr<UpSampling2D> from_config(const Json& config);

protected:
    void build_impl(const Shape& input_shape) override { compute_output_shape(input_shape); }
    void check_input(const Tensor& x) const override { compute_output_shape(x.shape()); }
    Tensor call(const Tensor& x, bool training) override;

private:
    Size2 size_;
};

}  // namespace xgrad::nn
