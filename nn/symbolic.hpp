// The functional API's symbolic tensors (Keras's KerasTensor): calling a layer
// on one records a graph node instead of computing anything.
//   auto in = xgrad::nn::Input({28, 28});          // one sample's shape
//   auto x  = xgrad::nn::Flatten()(in);            // a node: Flatten of in, shape (None, 784)
//   auto out = xgrad::nn::Dense(10, "softmax")(x);
//   xgrad::nn::Model model(in, out);
// A node holds the layer, its input tensors and its output shape; shapes carry
// the batch axis first, as 1 (printed None).
#pragma once

#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include <xgrad/core/shape.hpp>
#include <xgrad/nn/layer.hpp>

namespace xgrad::nn {

struct GraphNode;

class SymbolicTensor {
public:
    SymbolicTensor() = default;
    explicit SymbolicTensor(std::shared_ptr<const GraphNode> node) : node_(std::move(node)) {}
    // The shape with the batch axis first (held as 1).
    const Shape& shape() const;
    // "(None, 784)".
    std::string shape_string() const;
    const std::shared_ptr<const GraphNode>& node() const { return node_; }
    bool defined() const { return node_ != nullptr; }

private:
    std::shared_ptr<const GraphNode> node_;
};

struct GraphNode {
    LayerPtr layer;                       // for an Input: its InputLayer
    std::vector<SymbolicTensor> inputs;   // empty for an Input
    Shape shape;                          // the output shape, batch axis first
    std::size_t node_index = 0;           // which call of `layer` this is (Keras's node index)
    bool list_call = false;               // the layer was called on a list of tensors
};

// keras.Input(shape): a symbolic input of one sample's `shape` (no batch axis).
// In a Sequential's layer list it sets the input shape.
class Input : public SymbolicTensor {
public:
    explicit Input(const Shape& shape, const std::string& name = "");
    Input(std::initializer_list<std::size_t> dims, const std::string& name = "");
    // The input of an existing InputLayer (model configs).
    explicit Input(std::shared_ptr<class InputLayer> layer);
    // One sample's shape.
    Shape sample_shape() const;
};

// "(None, 28, 28)" for a shape whose first axis is the batch.
std::string batch_shape_string(const Shape& shape);

}  // namespace xgrad::nn
