// Normalization layers, as Keras's:
//   BatchNormalization(axis = -1, momentum = 0.99, epsilon = 1e-3, center, scale):
//     weights, in Keras's order: gamma (ones), beta (zeros) (trainable, when scale / center),
//     moving_mean (zeros), moving_variance (ones) (non-trainable).
//     training (and the layer trainable): mean, var = the batch's moments over every axis but `axis`
//       (biased variance: mean((x - mean)^2)), and then
//       moving_mean = moving_mean * momentum + mean * (1 - momentum)  (float32, as TensorFlow;
//       moving_variance likewise); inference: mean, var = the moving statistics.
//     out = x * inv + (beta - mean * inv),  inv = gamma / sqrt(var + epsilon)   (tf.nn.batch_normalization)
//   LayerNormalization(axis = -1, epsilon = 1e-3, center, scale): the moments over the last axis of
//     each sample, out = x * inv + (beta - mean * inv), inv = gamma / sqrt(var + epsilon).
#pragma once

#include <xgrad/nn/initializers.hpp>
#include <xgrad/nn/layer.hpp>

namespace xgrad::nn {

class BatchNormalization : public Layer {
public:
    explicit BatchNormalization(long axis = -1, double momentum = 0.99, double epsilon = 1e-3, bool center = true,
                                bool scale = true, const Initializer& beta_initializer = "zeros",
                                const Initializer& gamma_initializer = "ones",
                                const Initializer& moving_mean_initializer = "zeros",
                                const Initializer& moving_variance_initializer = "ones", const std::string& name = "");
    XGRAD_LAYER(BatchNormalization)

    long axis() const { return axis_; }
    double momentum() const { return momentum_; }
    double epsilon() const { return epsilon_; }
    // Valid once built.
    const Variable& moving_mean() const;
    const Variable& moving_variance() const;

    Shape compute_output_shape(const Shape& input_shape) const override;
    Json get_config() const override;
    static std::shared_ptr<BatchNormalization> from_config(const Json& config);

protected:
    void build_impl(const Shape& input_shape) override;
    void check_input(const Tensor& x) const override;
    Tensor call(const Tensor& x, bool training) override;

private:
    std::size_t resolved_axis(const Shape& shape) const;
    long axis_;
    double momentum_, epsilon_;
    bool center_, scale_;
    Initializer beta_init_, gamma_init_, mean_init_, var_init_;
};

class LayerNormalization : public Layer {
public:
    explicit LayerNormalization(long axis = -1, double epsilon = 1e-3, bool center = true, bool scale = true,
                                const Initializer& beta_initializer = "zeros",
                                const Initializer& gamma_initializer = "ones", const std::string& name = "");
    XGRAD_LAYER(LayerNormalization)

    double epsilon() const { return epsilon_; }
    Shape compute_output_shape(const Shape& input_shape) const override;
    Json get_config() const override;
    static std::shared_ptr<LayerNormalization> from_config(const Json& config);

protected:
    void build_impl(const Shape& input_shape) override;
    void check_input(const Tensor& x) const override;
    Tensor call(const Tensor& x, bool training) override;

private:
    long axis_;
    double epsilon_;
    bool center_, scale_;
    Initializer beta_init_, gamma_init_;
};

}  // namespace xgrad::nn
