// Sequential: a stack of layers applied in order, a Model (so it trains with
// fit) and a Layer (so it nests in other models).
//   xgrad::nn::Sequential model({xgrad::nn::Input({784}),
//                                xgrad::nn::Dense(128, "relu"),
//                                xgrad::nn::Dense(10, "softmax")});
//   model.summary();
//   model.compile("adam", "sparse_categorical_crossentropy", {"accuracy"});
//   auto history = model.fit(x, y, {.epochs = 5, .batch_size = 32, .validation_split = 0.1});
//   auto logs = model.evaluate(x_test, y_test);          // logs["accuracy"]
//   xgrad::Tensor p = model.predict(x_test);
// A hand-written step works side by side with fit:
//   xgrad::GradientTape tape;
//   auto loss = (*model.loss())(y, model(x));
//   auto grads = tape.gradient(loss, model.trainable_variables());
//   model.optimizer()->apply_gradients(grads, model.trainable_variables());
#pragma once

#include <concepts>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <xgrad/nn/model.hpp>

namespace xgrad::nn {

// A layer or an Input, as an element of Sequential's list.
class LayerRef {
public:
    template <std::derived_from<Layer> L>
    LayerRef(L layer) : layer_(Layer::share(std::move(layer))) {}
    template <std::derived_from<Layer> L>
    LayerRef(std::shared_ptr<L> layer) : layer_(std::move(layer)) {}
    LayerRef(const Input& input) : input_(input) {}
    const LayerPtr& layer() const { return layer_; }
    const std::optional<Input>& input() const { return input_; }

private:
    LayerPtr layer_;
    std::optional<Input> input_;
};

class Sequential : public Model {
public:
    explicit Sequential(std::vector<LayerRef> layers = {}, const std::string& name = "");
    XGRAD_LAYER(Sequential)

    // Appends a layer (or sets the input shape when given an Input first).
    void add(LayerRef layer);
    // One sample's input shape, when an Input was given.
    const std::optional<Shape>& input_shape() const { return input_shape_; }

    Shape compute_output_shape(const Shape& input_shape) const override;
    LogitsOf output_logits_of() const override;
    // {"name", "trainable", "dtype", "layers": [InputLayer, ...], "build_input_shape"}
    Json get_config() const override;
    std::string config_module() const override { return "keras"; }
    static std::shared_ptr<Sequential> from_config(const Json& config);

protected:
    void build_impl(const Shape& input_shape) override;
    Tensor call(const Tensor& x, bool training) override;
    Tensor call_logits(const std::vector<Tensor>& inputs, bool training) override;
    std::vector<std::pair<const Layer*, std::optional<Shape>>> summary_rows() const override;

private:
    void require_layers() const;
    std::optional<Shape> input_shape_;
    std::string input_name_ = "input_layer";
};

}  // namespace xgrad::nn
