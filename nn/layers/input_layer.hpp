// InputLayer: the layer behind nn::Input, as Keras's. It passes its input
// through and checks its shape: (batch, *shape).
#pragma once

#include <xgrad/nn/layer.hpp>

namespace xgrad::nn {

class InputLayer : public Layer {
public:
    // `shape`: one sample's shape (no batch axis).
    explicit InputLayer(Shape shape, const std::string& name = "");
    XGRAD_LAYER(InputLayer)

    const Shape& sample_shape() const { return shape_; }
    Shape compute_output_shape(const Shape& input_shape) const override { return input_shape; }
    // {"batch_shape": [null, ...], "dtype": "float32", "sparse": false, "ragged": false, "name": ...}
    Json get_config() const override;
    static std::shared_ptr<InputLayer> from_config(const Json& config);

protected:
    void check_input(const Tensor& x) const override;
    Tensor call(const Tensor& x, bool) override { return x; }

private:
    Shape shape_;
};

}  // namespace xgrad::nn
