// GEMM through OpenBLAS (xtensor-blas's cxxblas bindings), row-major:
//   C = alpha * op(A) * op(B) + beta * C,  op(X) = X or X^T (a flag, never a copy).
// op(A) is m x k, op(B) is k x n, C is m x n; lda/ldb/ldc are row strides.
#pragma once

#include <cstddef>

namespace xgrad::detail {

template <class T>
void gemm(bool transpose_a, bool transpose_b, std::size_t m, std::size_t n, std::size_t k,
          T alpha, const T* a, std::size_t lda, const T* b, std::size_t ldb, T beta, T* c,
          std::size_t ldc);

}  // namespace xgrad::detail
