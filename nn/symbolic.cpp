#include <xgrad/nn/symbolic.hpp>

#include <xgrad/nn/layers/input_layer.hpp>

namespace xgrad::nn {

const Shape& SymbolicTensor::shape() const
{
    if (!node_) throw ValueError("SymbolicTensor: use of an undefined symbolic tensor");
    return node_->shape;
}

std::string SymbolicTensor::shape_string() const { return batch_shape_string(shape()); }

std::string batch_shape_string(const Shape& shape)
{
    std::string out = "(None";
    for (std::size_t i = 1; i < shape.size(); ++i) out += ", " + std::to_string(shape[i]);
    return out + (shape.size() == 1 ? ",)" : ")");
}

Input::Input(std::shared_ptr<InputLayer> layer)
{
    if (!layer) throw ValueError("Input: null InputLayer");
    auto node = std::make_shared<GraphNode>();
    node->shape = layer->build_shapes().at(0);
    node->layer = std::move(layer);
    static_cast<SymbolicTensor&>(*this) = SymbolicTensor(std::move(node));
}

Input::Input(const Shape& shape, const std::string& name) : Input(std::static_pointer_cast<InputLayer>(Layer::share(InputLayer(shape, name)))) {}

Input::Input(std::initializer_list<std::size_t> dims, const std::string& name) : Input(Shape(dims), name) {}

Shape Input::sample_shape() const { return Shape(shape().begin() + 1, shape().end()); }

SymbolicTensor Layer::operator()(const SymbolicTensor& x)
{
    if (!x.defined()) throw ValueError(detail::cat(name(), ": the input is an undefined symbolic tensor"));
    auto node = std::make_shared<GraphNode>();
    node->layer = clone();
    if (!built()) build(x.shape());
    node->shape = compute_output_shape(x.shape());
    node->inputs = {x};
    node->node_index = state_->symbolic_calls++;
    return SymbolicTensor(std::move(node));
}

SymbolicTensor Layer::operator()(const std::vector<SymbolicTensor>& inputs)
{
    std::vector<Shape> shapes;
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        if (!inputs[i].defined()) throw ValueError(detail::cat(name(), ": input ", i, " is an undefined symbolic tensor"));
        shapes.push_back(inputs[i].shape());
    }
    auto node = std::make_shared<GraphNode>();
    node->layer = clone();
    if (!built()) build(shapes);
    node->shape = compute_output_shape_multi(shapes);
    node->inputs = inputs;
    node->node_index = state_->symbolic_calls++;
    node->list_call = true;
    return SymbolicTensor(std::move(node));
}

}  // namespace xgrad::nn
