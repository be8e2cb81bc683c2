// The one path every op takes: validate the arguments, wrap the forward value,
// check numerics if asked, and record a node on each tape that watches an input.
#pragma once

#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <xgrad/autograd/check_numerics.hpp>
#include <xgrad/autograd/gradient_tape.hpp>

namespace xgrad::detail {

// A named argument, for error messages: {"x", &x}.
template <class T>
struct Arg {
    const char* name;
    const TensorOf<T>& tensor;
};

// Throws unless every argument is defined and non-empty.
template <class T>
void check_args(const char* op, std::initializer_list<Arg<T>> args)
{
    for (const auto& a : args) {
        if (!a.tensor.defined()) {
            throw ShapeError(cat(op, ": argument '", a.name,
                                 "' is an undefined tensor (an unconnected gradient?)"));
        }
        if (a.tensor.size() == 0) {
            throw ShapeError(cat(op, ": argument '", a.name, "' is empty (shape ",
                                 to_string(a.tensor.shape()), ")"));
        }
    }
}

// "file.cpp:12 (in function f)"
std::string describe(const Where& where);

// The node whose backward closure runs on this thread while anomaly mode is on,
// so a NaN/Inf produced inside it is reported against that node.
struct BackwardContext {
    const char* op;
    std::span<const Shape> input_shapes;
    const Where* where;
};
const BackwardContext*& current_backward();

// Sets current_backward() for its lifetime.
class BackwardScope {
public:
    explicit BackwardScope(const BackwardContext* context) : previous_(current_backward())
    {
        current_backward() = context;
    }
    ~BackwardScope() { current_backward() = previous_; }
    BackwardScope(const BackwardScope&) = delete;
    BackwardScope& operator=(const BackwardScope&) = delete;

private:
    const BackwardContext* previous_;
};

// Which inputs of the node whose backward closure is running need a gradient:
// bit j for input j (inputs from the 64th on always do). A closure may return
// an undefined tensor for an input that needs none instead of computing it.
std::uint64_t& needed_inputs_mask();
inline bool input_needed(std::size_t j) { return j >= 64 || ((needed_inputs_mask() >> j) & 1) != 0; }

// make() when input j needs a gradient, else an undefined tensor.
template <class Make>
auto needed(std::size_t j, Make&& make) -> decltype(make())
{
    return input_needed(j) ? make() : decltype(make())();
}

// Sets needed_inputs_mask() for its lifetime.
class NeededInputs {
public:
    explicit NeededInputs(std::uint64_t mask) : previous_(needed_inputs_mask()) { needed_inputs_mask() = mask; }
    ~NeededInputs() { needed_inputs_mask() = previous_; }
    NeededInputs(const NeededInputs&) = delete;
    NeededInputs& operator=(const NeededInputs&) = delete;

private:
    std::uint64_t previous_;
};

// Throws NumericsError if `out` holds a NaN or Inf (anomaly mode, forward pass).
template <class T>
void check_output_numerics(const char* op, std::span<const TensorOf<T>* const> inputs,
                           const TensorOf<T>& out, const Where& where);

template <class T, class MakeBackward>
TensorOf<T> finish(const char* op, std::span<const TensorOf<T>* const> inputs,
                   xt::xarray<T>&& value, const Where& where, MakeBackward&& make_backward)
{
    TensorOf<T> out(std::move(value));
    if (check_numerics_enabled()) check_output_numerics(op, inputs, out, where);
    std::shared_ptr<Node<T>> node;
    for (GradientTape* tape : active_tapes()) {
        if (!tape->should_record(inputs)) continue;
        if (!node) {
            node = std::allocate_shared<Node<T>>(PoolAllocator<Node<T>>{});
            node->op = op;
            node->inputs.reserve(inputs.size());
            node->input_shapes.reserve(inputs.size());
            for (const TensorOf<T>* in : inputs) {
                node->inputs.push_back(in->id());
                node->input_shapes.push_back(in->shape());
            }
            node->output = out.id();
            node->where = where;
            node->backward = make_backward(out);
        }
        tape->push<T>(node);
    }
    return out;
}

template <class T, class MakeBackward>
TensorOf<T> finish(const char* op, std::initializer_list<const TensorOf<T>*> inputs,
                   xt::xarray<T>&& value, const Where& where, MakeBackward&& make_backward)
{
    return finish<T>(op, std::span<const TensorOf<T>* const>(inputs.begin(), inputs.size()),
                     std::move(value), where, std::forward<MakeBackward>(make_backward));
}

}  // namespace xgrad::detail
