// Layer: the base of every layer. A layer owns named parameters (Variables)
// registered with add_weight, is built lazily from the shape of its first
// input, and is called like a function:
//   xgrad::nn::Dense dense(4, "relu");
//   xgrad::Tensor y = dense(x);                  // builds on first call
//   for (auto& [name, v] : dense.named_parameters()) ...   // "kernel", "bias"
// Copies of a layer share its parameters (they are the same layer).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <xgrad/autograd/tensor.hpp>
#include <xgrad/autograd/variable.hpp>

namespace xgrad::nn {

class Layer {
public:
    // `name` empty: an automatic Keras-style name from the class name ("dense", "dense_1", ...).
    Layer(const std::string& class_name, const std::string& name);
    virtual ~Layer() = default;

    const std::string& name() const { return state_->name; }
    const std::string& class_name() const { return state_->class_name; }
    bool built() const { return state_->built; }

    // Builds on the first call, checks the input, then applies the layer.
    Tensor operator()(const Tensor& x);
    // Creates the parameters for inputs of `input_shape` (the batch axis included); idempotent.
    void build(const Shape& input_shape);
    // The output shape for `input_shape` (the batch axis included) without computing anything.
    virtual Shape compute_output_shape(const Shape& input_shape) const = 0;

    // Parameters in registration order, with their local names ("kernel", "bias").
    const std::vector<std::pair<std::string, Variable>>& named_parameters() const { return state_->params; }
    std::vector<Variable> trainable_variables() const;
    // The number of scalars in every parameter.
    std::size_t count_params() const;
    // Layer settings as strings, like Keras's get_config: {"units": "10", "activation": "relu", ...}.
    virtual std::map<std::string, std::string> get_config() const;

protected:
    // Creates the parameters; `input_shape` includes the batch axis.
    virtual void build_impl(const Shape& input_shape) = 0;
    // Validates an input for a built layer (throws ShapeError naming the layer).
    virtual void check_input(const Tensor& x) const {}
    virtual Tensor call(const Tensor& x) = 0;
    // Registers a parameter called `name` (the Variable is named "<layer>/<name>").
    Variable add_weight(const std::string& name, xt::xarray<float> initial, bool trainable = true);

private:
    struct State {
        std::string class_name;
        std::string name;
        bool built = false;
        std::vector<std::pair<std::string, Variable>> params;
    };
    std::shared_ptr<State> state_;
};

}  // namespace xgrad::nn
