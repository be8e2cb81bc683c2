// Layer: the base of every layer and model (Keras's keras.Layer, torch's nn.Module).
// A layer owns its weights (add_weight) and its sublayers (add_layer), so the
// model is a tree that names, counts, saves and configures itself:
//   class Block : public xgrad::nn::Layer {
//   public:
//       explicit Block(std::size_t units, const std::string& name = "")
//           : Layer("Block", name), inner_(add_layer(nn::Dense(units, "relu"))),
//             outer_(add_layer(nn::Dense(units))) {}
//   protected:
//       xgrad::Tensor call(const xgrad::Tensor& x, bool training) override { return x + outer_(inner_(x)); }
//   private:
//       nn::Dense inner_, outer_;
//   };
//   block.named_parameters();   // "dense.kernel", "dense.bias", "dense_1.kernel", "dense_1.bias"
// - A layer is built lazily from the shape of its first input (build_impl).
// - call(x, training): `training` is true under fit/train_on_batch. Called without
//   it, a layer inherits the mode of the layer that calls it (Keras's call context),
//   false at the top: model(x), evaluate and predict run in inference mode.
// - Copies of a layer are handles to the same layer: they share weights, sublayers and name.
// - Automatic names ("dense", "dense_1") are unique among the sublayers of one parent
//   and depend only on the code that builds the model.
// - Nothing trains silently wrong: when a top-level call under a GradientTape reads a
//   trainable variable that is not a weight of this layer's tree, the call throws,
//   naming the variable and the layer.
#pragma once

#include <concepts>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include <xgrad/autograd/tensor.hpp>
#include <xgrad/autograd/variable.hpp>
#include <xgrad/nn/activations.hpp>

namespace xgrad::nn {

using Json = nlohmann::ordered_json;
class Layer;
class SymbolicTensor;
using LayerPtr = std::shared_ptr<Layer>;

class Layer {
public:
    // `name` empty: an automatic name from the class name ("Dense" -> "dense"), made
    // unique among its siblings when the layer is added to a parent.
    explicit Layer(const std::string& class_name, const std::string& name = "");
    virtual ~Layer() = default;

    const std::string& name() const { return state_->name; }
    const std::string& class_name() const { return state_->class_name; }
    bool built() const { return state_->built; }
    // A frozen layer (false) lists no trainable variables, nor do its sublayers (Keras's layer.trainable).
    bool trainable() const { return state_->trainable; }
    void set_trainable(bool trainable) { state_->trainable = trainable; }
    // Identifies the layer: copies of a layer have the same id.
    const void* id() const { return state_.get(); }

    // ---- calling ----
    Tensor operator()(const Tensor& x, std::optional<bool> training = std::nullopt);
    Tensor operator()(const std::vector<Tensor>& inputs, std::optional<bool> training = std::nullopt);
    // The functional API: records a graph node (nn/symbolic.hpp).
    SymbolicTensor operator()(const SymbolicTensor& x);
    SymbolicTensor operator()(const std::vector<SymbolicTensor>& inputs);
    // The fused-loss capability: a layer whose output is softmax or sigmoid of some
    // logits says which (output_logits_of), and logits() returns those logits.
    virtual LogitsOf output_logits_of() const { return LogitsOf::none; }
    Tensor logits(const std::vector<Tensor>& inputs, std::optional<bool> training = std::nullopt);

    // ---- building and shapes (the batch axis included) ----
    void build(const Shape& input_shape);
    void build(const std::vector<Shape>& input_shapes);
    // The output shape for an input shape. The default runs the layer once on zeros.
    virtual Shape compute_output_shape(const Shape& input_shape) const;
    // For several inputs; the default defers one input to compute_output_shape and runs the layer for more.
    virtual Shape compute_output_shape_multi(const std::vector<Shape>& input_shapes) const;
    // The input shapes the layer was built for (empty before).
    const std::vector<Shape>& build_shapes() const { return state_->build_shapes; }

    // ---- the tree ----
    // The direct sublayers, in the order they were added.
    const std::vector<LayerPtr>& layers() const { return state_->children; }
    // Every weight of the tree with its dotted path: own weights ("kernel") first,
    // then each sublayer's under its name ("block.dense_1.kernel").
    std::vector<std::pair<std::string, Variable>> named_parameters() const;
    // This layer's own weights (not its sublayers'), in creation order, with their local names.
    const std::vector<std::pair<std::string, Variable>>& own_weights() const { return state_->params; }
    // The weights alone, in named_parameters() order.
    std::vector<Variable> weights() const;
    std::vector<Variable> trainable_variables() const;
    std::vector<Variable> non_trainable_variables() const;
    std::size_t count_params() const;
    // Copies of every weight's value, in named_parameters() order.
    std::vector<xt::xarray<float>> get_weights() const;
    // Assigns every weight; throws naming the first mismatch (nothing changes then).
    void set_weights(const std::vector<xt::xarray<float>>& weights);

    // ---- configs (Keras 3's schema, nn/serialization.hpp) ----
    // This layer's "config": {"name", "trainable", "dtype", ...its arguments}.
    virtual Json get_config() const;
    // "keras.layers" for built-in layers; where from_config finds the class.
    virtual std::string config_module() const { return "keras.layers"; }
    // A new handle to this layer with its dynamic type (what symbolic calls store).
    virtual LayerPtr clone() const;

protected:
    // Creates the weights for an input of `input_shape`.
    virtual void build_impl(const Shape& input_shape) {}
    // Several inputs; the default takes exactly one.
    virtual void build_multi(const std::vector<Shape>& input_shapes);
    // Validates an input of a built layer (throws ShapeError naming the layer).
    virtual void check_input(const Tensor& x) const {}
    virtual Tensor call(const Tensor& x, bool training);
    // Several inputs; the default takes exactly one and calls call().
    virtual Tensor call_multi(const std::vector<Tensor>& inputs, bool training);
    // The logits when output_logits_of() is not none.
    virtual Tensor call_logits(const std::vector<Tensor>& inputs, bool training);

    // Registers a weight called `name` (the Variable is named "<layer>/<name>").
    Variable add_weight(const std::string& name, xt::xarray<float> initial, bool trainable = true);
    // Registers a sublayer and returns a handle to it (the same layer):
    //   inner_(add_layer(nn::Dense(8)))
    template <std::derived_from<Layer> L>
    L add_layer(L layer)
    {
        adopt(share(layer));
        return layer;
    }
    // Registers a sublayer held by pointer (containers).
    void adopt(LayerPtr layer);
    // Registers several, in this order; automatic names are given in the order the layers were created.
    void adopt(std::vector<LayerPtr> layers);
    // Forgets that the layer was built (a container that gained a sublayer); its weights stay.
    void mark_unbuilt() { state_->built = false; state_->build_shapes.clear(); }
    // Checks that `n` inputs were given; throws naming the layer otherwise.
    void expect_inputs(std::size_t given, std::size_t wanted) const;

private:
    friend class Model;
    struct State {
        std::string class_name, name;
        bool auto_named = true;  // the name may still be made unique by a parent
        bool built = false;
        bool trainable = true;
        std::vector<std::pair<std::string, Variable>> params;
        std::vector<LayerPtr> children;
        std::vector<Shape> build_shapes;
        std::size_t symbolic_calls = 0;  // graph nodes recorded so far (Keras's node index)
        std::uint64_t created = 0;       // creation order, for naming the layers of a graph
        LayerPtr (*clone)(const Layer&) = nullptr;  // set where the dynamic type is known
    };
    template <class F>
    Tensor run(bool training, F&& body);
    Shape infer_output_shape(const std::vector<Shape>& input_shapes) const;
    void rename(const std::string& name);
    // The unique name `layer` takes among the current sublayers (and `taken`); throws on a clash.
    std::string name_for(const Layer& layer, const std::vector<std::string>& taken) const;
    // The tree's weights in order, into `named` with their dotted paths, or into `plain`
    // without (no names built: what a training step asks for).
    void collect(const std::string& prefix, bool trainable_only, bool frozen,
                 std::vector<std::pair<std::string, Variable>>* named, std::vector<Variable>* plain) const;
    template <class L>
    static LayerPtr clone_as(const Layer& layer) { return std::make_shared<L>(static_cast<const L&>(layer)); }

public:
    // Records the dynamic type of `layer` so that clone() works (used by add_layer and the containers).
    template <std::derived_from<Layer> L>
    static LayerPtr share(L layer)
    {
        if (!layer.state_->clone) layer.state_->clone = &clone_as<L>;
        return std::make_shared<L>(std::move(layer));
    }

private:
    std::shared_ptr<State> state_;
};

// Gives a layer class its clone(): put XGRAD_LAYER(MyLayer) in the class body when
// MyLayer is called on symbolic tensors without having been added with add_layer.
#define XGRAD_LAYER(Class)                                                                   \
    ::xgrad::nn::LayerPtr clone() const override { return std::make_shared<Class>(*this); }

}  // namespace xgrad::nn
