// Merge layers: several inputs, one output (Keras's keras.layers.Add, Concatenate).
//   Add:                  inputs[0] + inputs[1] + ... (numpy broadcasting, summed left to right)
//   Concatenate(axis=-1): the inputs joined along `axis`; the other axes must agree
#pragma once

#include <xgrad/nn/layer.hpp>

namespace xgrad::nn {

class Add : public Layer {
public:
    explicit Add(const std::string& name = "") : Layer("Add", name) {}
    XGRAD_LAYER(Add)
    Shape compute_output_shape_multi(const std::vector<Shape>& input_shapes) const override;
    static std::shared_ptr<Add> from_config(const Json& config);

protected:
    void build_multi(const std::vector<Shape>& input_shapes) override { compute_output_shape_multi(input_shapes); }
    Tensor call_multi(const std::vector<Tensor>& inputs, bool) override;
};

class Concatenate : public Layer {
public:
    explicit Concatenate(long axis = -1, const std::string& name = "");
    XGRAD_LAYER(Concatenate)
    long axis() const { return axis_; }
    Shape compute_output_shape_multi(const std::vector<Shape>& input_shapes) const override;
    Json get_config() const override;
    static std::shared_ptr<Concatenate> from_config(const Json& config);

protected:
    void build_multi(const std::vector<Shape>& input_shapes) override { compute_output_shape_multi(input_shapes); }
    Tensor call_multi(const std::vector<Tensor>& inputs, bool) override;

private:
    long axis_;
};

}  // namespace xgrad::nn
