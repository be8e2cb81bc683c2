// One recorded operation on a tape: which tensors went in, which came out, and
// the closure that maps the output's gradient to the inputs' gradients.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include <xgrad/autograd/tensor.hpp>

namespace xgrad::detail {

// Returns one gradient per input, in input order; an undefined tensor for an
// input that gets none. Written with differentiable ops, so an outer tape
// records it (higher-order gradients).
template <class T>
using BackwardFn = std::function<std::vector<TensorOf<T>>(const TensorOf<T>& grad)>;

template <class T>
struct Node {
    const char* op;
    std::vector<std::uint64_t> inputs;
    std::vector<Shape> input_shapes;
    std::uint64_t output;
    Where where;
    BackwardFn<T> backward;
};

}  // namespace xgrad::detail
