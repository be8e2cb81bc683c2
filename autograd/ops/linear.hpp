// The dense layer's affine map as one op: act(x @ kernel + bias), computed in one
// parallel GEMM whose blocks add the bias and apply the activation while still
// in cache (core/gemm.hpp's epilogue): no separate bias-add or activation pass,
// no intermediate arrays. Every element is rounded exactly as by the separate
// ops, so linear(x, k, b, relu) equals relu(add(matmul(x, k), b)) bit for bit,
// and so do the gradients (the backward runs the same ops they would), at any
// rank of x. In anomaly mode the pre-activation is checked too (relu would hide a -inf).
#pragma once

#include <xgrad/autograd/tensor.hpp>

namespace xgrad {

enum class LinearActivation { none, relu };

// x: (..., k), kernel: (k, n) (Keras's layout), bias: (n) -> (..., n).
//   z = x @ kernel + bias;  out = z (none) or max(z, 0) (relu)
//   dz = g (none) or g * (out > 0) (relu);  dx = dz kernel^T;  dkernel = x^T dz;  dbias = sum of dz over rows
template <class T>
TensorOf<T> linear(const TensorOf<T>& x, const TensorOf<T>& kernel, const TensorOf<T>& bias,
                   LinearActivation activation = LinearActivation::none, Where loc = Where::current());

}  // namespace xgrad
