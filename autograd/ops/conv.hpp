// Convolution and pooling on channels_last images (batch, height, width, channels),
// as TensorFlow/Keras compute them.
//
// Geometry of one spatial axis (input size n, window k, stride s, dilation d,
// effective window ke = (k - 1) d + 1):
//   valid: out = floor((n - ke) / s) + 1, no padding (ke > n is an error)
//   same:  out = ceil(n / s), pad_total = max((out - 1) s + ke - n, 0),
//          pad_before = floor(pad_total / 2), pad_after = the rest (TensorFlow's split)
//
// The convolution is im2col + GEMM (core/gemm.hpp): the rows of the patch matrix
// (one per output pixel, (kh, kw, c) columns, Keras's kernel layout) are built a
// group of whole images at a time and multiplied by the (kh kw c, filters) kernel,
// bias and relu applied in the GEMM epilogue as xgrad::linear does. The groups
// depend only on the shapes, so the bits do not depend on the thread count.
// Patches of at most a few elements (a first layer on grey images: 3x3x1) skip
// im2col and the GEMM: a direct loop, SIMD over the filters, computes the forward
// and the kernel gradient (autograd/detail/conv_kernels.cpp). Pooling is in
// autograd/ops/pooling.hpp.
// Its two gradients are ops of their own, each differentiable, with backward
// rules written in terms of the three ops (higher order works):
//   conv2d_backprop_input (the transposed convolution) and
//   conv2d_backprop_kernel (the correlation of the input with the output gradient).
#pragma once

#include <array>
#include <cstddef>
#include <string>

#include <xgrad/autograd/ops/linear.hpp>
#include <xgrad/autograd/tensor.hpp>

namespace xgrad {

enum class Padding { valid, same };
using Size2 = std::array<std::size_t, 2>;

// "valid" / "same" (any case); throws ValueError naming `where` otherwise.
Padding padding_from_string(const std::string& padding, const std::string& where);
const char* to_string(Padding padding);
// The output length of one spatial axis (the formulas above); 0 when the window
// does not fit (valid padding, effective window larger than n).
std::size_t conv_output_length(std::size_t n, std::size_t k, std::size_t stride, std::size_t dilation, Padding padding);

// x: (n, h, w, c), kernel: (kh, kw, c, f), bias: (f) or an undefined tensor (no bias) -> (n, oh, ow, f):
//   z[b, i, j, o] = bias[o] + sum_{p, q, c} x[b, i s0 + p d0 - pad_top, j s1 + q d1 - pad_left, c] kernel[p, q, c, o]
//   (x outside the image is 0);  out = z (none) or max(z, 0) (relu)
//   dz = g (none) or g * (out > 0);  dx = conv2d_backprop_input(dz, kernel);  dkernel = conv2d_backprop_kernel(x, dz);
//   dbias = sum of dz over (b, i, j)
template <class T>
TensorOf<T> conv2d(const TensorOf<T>& x, const TensorOf<T>& kernel, const TensorOf<T>& bias, Size2 strides = {1, 1},
                   Padding padding = Padding::valid, Size2 dilation = {1, 1},
                   LinearActivation activation = LinearActivation::none, Where loc = Where::current());

// The gradient of conv2d with respect to x for an output gradient dy (n, oh, ow, f): an
// input-shaped (input_shape = (n, h, w, c)) sum of dy's pixels spread back over their windows:
//   dx[b, ih, iw, c] = sum over (i, j, p, q) with ih = i s0 + p d0 - pad_top, iw = j s1 + q d1 - pad_left
//                      of sum_o dy[b, i, j, o] kernel[p, q, c, o]
// Bilinear: d dy = conv2d(g, kernel) (no bias);  d kernel = conv2d_backprop_kernel(g, dy).
template <class T>
TensorOf<T> conv2d_backprop_input(const TensorOf<T>& dy, const TensorOf<T>& kernel, const Shape& input_shape,
                                  Size2 strides = {1, 1}, Padding padding = Padding::valid, Size2 dilation = {1, 1},
                                  Where loc = Where::current());

// The gradient of conv2d with respect to its kernel (kernel_shape = (kh, kw, c, f)):
//   dk[p, q, c, o] = sum_{b, i, j} x[b, i s0 + p d0 - pad_top, j s1 + q d1 - pad_left, c] dy[b, i, j, o]
// Bilinear: d x = conv2d_backprop_input(dy, g);  d dy = conv2d(x, g) (no bias).
template <class T>
TensorOf<T> conv2d_backprop_kernel(const TensorOf<T>& x, const TensorOf<T>& dy, const Shape& kernel_shape,
                                   Size2 strides = {1, 1}, Padding padding = Padding::valid, Size2 dilation = {1, 1},
                                   Where loc = Where::current());

}  // namespace xgrad
