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

// Throws unless every argument is defined. Ops with a numpy meaning on empty
// tensors (elementwise ops, reduce_sum and reduce_mean, matmul, reshape and
// broadcasting) check only this: they map empty tensors to empty tensors, or
// to sums of nothing (0).
[[noreturn, gnu::cold]] void throw_undefined_argument(const char* op, const char* name);
template <class T>
void check_defined(const char* op, std::initializer_list<Arg<T>> args)
{
    for (const auto& a : args) {
        if (!a.tensor.defined()) [[unlikely]] throw_undefined_argument(op, a.name);
    }
}

// Throws unless both arguments are defined and of one shape (a fused backward op's
// gradient and the operand it pairs with elementwise).
template <class T>
void check_same_shape(const char* op, Arg<T> a, Arg<T> b)
{
    check_defined<T>(op, {a, b});
    if (a.tensor.shape() != b.tensor.shape()) {
        throw ShapeError(cat(op, ": arguments '", a.name, "' of shape ", to_string(a.tensor.shape()), " and '", b.name,
                             "' of shape ", to_string(b.tensor.shape()), " must have the same shape"));
    }
}

// Throws unless every argument is defined and non-empty: for ops that have no
// value on an empty tensor (reduce_max, softmax, gather, slice, ...).
template <class T>
void check_args(const char* op, std::initializer_list<Arg<T>> args)
{
    check_defined<T>(op, args);
    for (const auto& a : args) {
        if (a.tensor.size() == 0) {
            throw ShapeError(cat(op, ": argument '", a.name, "' is empty (shape ",
                                 to_string(a.tensor.shape()), ")"));
        }
    }
}

// "file.cpp:12 (in function f)"
std::string describe(const Where& where);

// The node whose backward closure runs on this thread: a NaN/Inf produced
// inside it is reported against that node (anomaly mode), and the closure may
// ask which inputs need a gradient and what their shapes are.
struct BackwardContext {
    const char* op;
    std::span<const Shape> input_shapes;
    const Where* where;
    std::uint64_t needed;  // bit j: input j needs a gradient (inputs from the 64th on always do)
};
inline thread_local const BackwardContext* current_backward_context = nullptr;
inline const BackwardContext*& current_backward() { return current_backward_context; }

// Inside a backward closure: whether input j needs a gradient. A closure may
// return an undefined tensor for one that needs none instead of computing it.
inline bool input_needed(std::size_t j)
{
    const BackwardContext* c = current_backward();
    return !c || j >= 64 || ((c->needed >> j) & 1) != 0;
}
// make() when input j needs a gradient, else an undefined tensor.
template <class Make>
auto needed(std::size_t j, Make&& make) -> decltype(make())
{
    return input_needed(j) ? make() : decltype(make())();
}
// Inside a backward closure: the shape of input j (a closure need not keep it).
inline const Shape& input_shape(std::size_t j) { return current_backward()->input_shapes[j]; }

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

// Throws NumericsError if `out` holds a NaN or Inf (anomaly mode, forward pass).
template <class T>
void check_output_numerics(const char* op, std::span<const TensorOf<T>* const> inputs,
                           const TensorOf<T>& out, const Where& where);

// Wraps the forward value `out` (a fresh tensor no one else holds), checks
// numerics if asked, and records a node on each tape that watches an input.
template <class T, class MakeBackward>
TensorOf<T> finish(const char* op, std::span<const TensorOf<T>* const> inputs,
                   TensorOf<T>&& out, const Where& where, MakeBackward&& make_backward)
{
    if (check_numerics_enabled()) check_output_numerics(op, inputs, out, where);
    // One node, shared by every tape that records the op; the first of them
    // takes the node last, by move (one tape, the common case: no count changes).
    std::shared_ptr<const Node<T>> node;
    GradientTape* first = nullptr;
    for (GradientTape* tape : active_tapes()) {
        if (!tape->should_record(inputs)) continue;
        if (!node) {
            // The closure is built in place (Node's constructor), not moved into the node.
            auto made = std::allocate_shared<Node<T>>(PoolAllocator<Node<T>>{}, op, out.id(), where,
                                                      [&] { return make_backward(out); });
            made->inputs.reserve(inputs.size());
            made->input_shapes.reserve(inputs.size());
            for (const TensorOf<T>* in : inputs) {
                made->inputs.push_back(in->id());
                made->input_shapes.push_back(in->shape());
            }
            node = std::move(made);
        }
        if (!first) first = tape;
        else tape->push<T>(node);
    }
    if (first) first->push<T>(std::move(node));
    return std::move(out);
}

template <class T, class MakeBackward>
TensorOf<T> finish(const char* op, std::span<const TensorOf<T>* const> inputs,
                   xt::xarray<T>&& value, const Where& where, MakeBackward&& make_backward)
{
    return finish<T>(op, inputs, TensorOf<T>(std::move(value)), where, std::forward<MakeBackward>(make_backward));
}

template <class T, class MakeBackward>
TensorOf<T> finish(const char* op, std::initializer_list<const TensorOf<T>*> inputs,
                   TensorOf<T>&& out, const Where& where, MakeBackward&& make_backward)
{
    return finish<T>(op, std::span<const TensorOf<T>* const>(inputs.begin(), inputs.size()),
                     std::move(out), where, std::forward<MakeBackward>(make_backward));
}

template <class T, class MakeBackward>
TensorOf<T> finish(const char* op, std::initializer_list<const TensorOf<T>*> inputs,
                   xt::xarray<T>&& value, const Where& where, MakeBackward&& make_backward)
{
    return finish<T>(op, inputs, TensorOf<T>(std::move(value)), where, std::forward<MakeBackward>(make_backward));
}

}  // namespace xgrad::detail
