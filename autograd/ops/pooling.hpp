// Max and average pooling on channels_last images (batch, height, width, channels),
// as TensorFlow/Keras compute them; the window geometry (valid / same padding) is the
// convolution's (autograd/ops/conv.hpp).
#pragma once

#include <xgrad/autograd/ops/conv.hpp>

namespace xgrad {

// Max pooling over (pool_size) windows, padded positions ignored (TensorFlow's):
//   out[b, i, j, c] = max over the window's valid pixels of x
// The gradient goes to the (first, in row-major window order) argmax of each window;
// the routing is linear, and its own gradient is the same routing read the other way,
// so second derivatives work (they are zero through the max itself).
template <class T>
TensorOf<T> max_pool2d(const TensorOf<T>& x, Size2 pool_size, Size2 strides, Padding padding = Padding::valid,
                       Where loc = Where::current());

// Average pooling: out = (sum of the window's valid pixels) / (their number) (Keras:
// with same padding the padded positions are not counted). Linear: the backward is
// avg_pool2d_backprop, whose backward is avg_pool2d again.
template <class T>
TensorOf<T> avg_pool2d(const TensorOf<T>& x, Size2 pool_size, Size2 strides, Padding padding = Padding::valid,
                       Where loc = Where::current());
// The adjoint of avg_pool2d: dx[b, ih, iw, c] = sum over the windows w containing (ih, iw) of g[w, c] / count(w).
template <class T>
TensorOf<T> avg_pool2d_backprop(const TensorOf<T>& g, const Shape& input_shape, Size2 pool_size, Size2 strides,
                                Padding padding = Padding::valid, Where loc = Where::current());

}  // namespace xgrad
