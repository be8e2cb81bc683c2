// Layers that change only the shape, as Keras's:
//   Flatten: (batch, d1, d2, ...) -> (batch, d1 * d2 * ...)
//   Reshape(target_shape): (batch, ...) -> (batch, *target_shape); one entry may be -1 (inferred)
#pragma once

#include <vector>

#include <xgrad/nn/layer.hpp>

namespace xgrad::nn {

class Flatten : public Layer {
public:
    explicit Flatten(const std::string& name = "") : Layer("Flatten", name) {}
    XGRAD_LAYER(Flatten)
    Shape compute_output_shape(const Shape& input_shape) const override;
    Json get_config() const override;
    static std::shared_ptr<Flatten> from_config(const Json& config);

protected:
    void build_impl(const Shape& input_shape) override;
    Tensor call(const Tensor& x, bool) override;
};

class Reshape : public Layer {
public:
    explicit Reshape(std::vector<long> target_shape, const std::string& name = "");
    XGRAD_LAYER(Reshape)
    const std::vector<long>& target_shape() const { return target_shape_; }
    Shape compute_output_shape(const Shape& input_shape) const override;
    Json get_config() const override;
    static std::shared_ptr<Reshape> from_config(const Json& config);

protected:
    void build_impl(const Shape& input_shape) override { compute_output_shape(input_shape); }
    void check_input(const Tensor& x) const override { compute_output_shape(x.shape()); }
    Tensor call(const Tensor& x, bool) override;

private:
    std::vector<long> target_shape_;
};

}  // namespace xgrad::nn
