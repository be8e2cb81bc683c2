// The raw loops of conv2d and its two gradients (autograd/ops/conv.cpp), on row-major
// channels_last buffers; kernel is (kh, kw, c, f), out / dy are (n, oh, ow, f).
// Patches larger than kConvDirectMaxPatch go through im2col + GEMM (core/gemm.hpp) in
// groups of whole images; smaller ones through a direct loop, SIMD over the f filters.
// Either way every sum has a fixed order that depends only on the shapes, so the bits
// do not depend on the thread count.
#pragma once

#include <cstddef>

#include <xgrad/autograd/detail/conv_geometry.hpp>
#include <xgrad/core/gemm.hpp>

namespace xgrad::detail {

// out = patches(x) @ kernel, then the epilogue (bias add, relu) on each element.
template <class T>
void conv_forward(const ConvGeometry& g, const T* x, const T* kernel, std::size_t f, const GemmEpilogue<T>& e, T* out);

// dx (zeros on entry) = the sum of dy @ kernel^T's patch rows over their pixels.
template <class T>
void conv_backprop_input(const ConvGeometry& g, const T* dy, const T* kernel, std::size_t f, T* dx);

// dk (kh kw c, f) = patches(x)^T @ dy, summed over at most 8 parts of consecutive images, in order.
template <class T>
void conv_backprop_kernel(const ConvGeometry& g, const T* x, const T* dy, std::size_t f, T* dk);

}  // namespace xgrad::detail
