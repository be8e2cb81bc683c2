// Matrix products and transposes. GEMM runs in OpenBLAS with transposes passed
// as flags, never as copies.
#pragma once

#include <vector>

#include <xgrad/autograd/tensor.hpp>

namespace xgrad {

// op(a) @ op(b) with op = transpose when the flag is set.
// a: (m, k), b: (k, n) -> (m, n). A rank > 2 `a` of shape (..., k) is
// multiplied on its last axis by a 2-D b, as Keras's Dense does: (..., n).
//   d/da = g op(b)^T, d/db = op(a)^T g (with the flags carried through).
template <class T>
TensorOf<T> matmul(const TensorOf<T>& a, const TensorOf<T>& b, bool transpose_a = false,
                   bool transpose_b = false, Where loc = Where::current());

// Permutes the axes: out.shape[i] = x.shape[perm[i]]; an empty perm reverses them.
template <class T>
TensorOf<T> transpose(const TensorOf<T>& x, std::vector<std::size_t> perm = {},
                      Where loc = Where::current());

}  // namespace xgrad
