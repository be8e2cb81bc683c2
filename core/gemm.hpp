// GEMM through OpenBLAS (xtensor-blas's cxxblas bindings), row-major:
//   C = alpha * op(A) * op(B) + beta * C,  op(X) = X or X^T (a flag, never a copy).
// op(A) is m x k, op(B) is k x n, C is m x n; lda/ldb/ldc are row strides.
#pragma once

#include <cstddef>
#include <cstdint>

namespace xgrad::detail {

// Work done on each block of C right after the block's product, while the block
// is still in cache: C[i, j] = C[i, j] + bias[j] (when bias is set), then
// max(C[i, j], 0) (when relu is set). Each element gets exactly the two
// roundings of a separate product, bias add and relu. With non_finite set, the
// same pass records whether the block's final values are all finite
// (core/finite.hpp): *non_finite receives 0 exactly when every element of C is.
template <class T>
struct GemmEpilogue {
    const T* bias = nullptr;
    bool relu = false;
    std::uint32_t* non_finite = nullptr;
};

template <class T>
void gemm(bool transpose_a, bool transpose_b, std::size_t m, std::size_t n, std::size_t k,
          T alpha, const T* a, std::size_t lda, const T* b, std::size_t ldb, T beta, T* c,
          std::size_t ldc, const GemmEpilogue<T>& epilogue = {});

}  // namespace xgrad::detail
