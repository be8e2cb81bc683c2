// Elementwise kernels with numpy broadcasting, without xtensor's generic stepper
// for the shapes that matter: same shape, a scalar operand, a row broadcast
// ((batch, n) op (n), the bias add) and a column broadcast ((m, n) op (m, 1),
// softmax's shift). Each is one contiguous loop SIMD-vectorized by the
// compiler; arrays of at least kParallelElements elements are split over
// OpenMP threads with a static schedule (each element is computed by the same
// expression whatever the thread count, so results are bit-identical at 1 and
// N threads). Other broadcasts fall back to xtensor.
#pragma once

#include <cstddef>
#include <cstdint>

#include <xtensor/xarray.hpp>

#include <xgrad/core/shape.hpp>

namespace xgrad::detail {

// Below this many elements a kernel runs on the calling thread only.
inline constexpr std::size_t kParallelElements = std::size_t{1} << 16;

enum class BinaryOp {
    add,            // a + b
    sub,            // a - b
    mul,            // a * b
    div,            // a / b
    greater,        // a > b ? 1 : 0
    greater_equal,  // a >= b ? 1 : 0
    less,           // a < b ? 1 : 0
    less_equal,     // a <= b ? 1 : 0
    equal,          // a == b ? 1 : 0
    relu_grad,      // a * (b > 0 ? 1 : 0): relu's backward, as mul(a, greater(b, 0)) computes it
    tanh_grad,      // a * (1 - b * b): tanh's backward from its output b, as mul(a, sub(1, square(b)))
    sigmoid_grad,   // a * (b * (1 - b)): sigmoid's backward from its output b, as mul(a, mul(b, sub(1, b)))
};

// out = a (op) b, broadcast to broadcast_shapes(a, b). The shapes must be
// broadcast-compatible (check them first: this function does not name the op).
// With non_finite, the loop that writes `out` also records whether every value
// is finite (core/finite.hpp): *non_finite receives 0 exactly when they all are.
template <class T>
xt::xarray<T> binary(BinaryOp op, const xt::xarray<T>& a, const xt::xarray<T>& b,
                     std::uint32_t* non_finite = nullptr);

// x repeated to `shape` (numpy's broadcast_to, materialized) into `out`, which holds
// num_elements(shape) values (a tensor from the pool, say). The shapes must be
// broadcast-compatible with broadcast_shapes(x.shape(), shape) == shape.
template <class T>
void broadcast_into(const xt::xarray<T>& x, const Shape& shape, T* out);

}  // namespace xgrad::detail
