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

// Applies `epilogue` to rows [0, rows) x columns [col_begin, col_begin + cols) of c (row stride ldc),
// for callers that compute such a block themselves. Returns the OR of non_finite_bit over the
// block's final values when epilogue.non_finite is set (the caller combines blocks), else 0.
template <class T>
std::uint32_t apply_epilogue(const GemmEpilogue<T>& epilogue, T* c, std::size_t ldc, std::size_t rows, std::size_t col_begin,
                    std::size_t cols);

template <class T>
void gemm(bool transpose_a, bool transpose_b, std::size_t m, std::size_t n, std::size_t k,
          T alpha, const T* a, std::size_t lda, const T* b, std::size_t ldb, T beta, T* c,
          std::size_t ldc, const GemmEpilogue<T>& epilogue = {});

// The same product as one OpenBLAS call on the calling thread (C is not split into
// blocks), then the epilogue: for callers that already split their work into groups that
// depend only on the shapes and run the groups on OpenMP threads (the convolution's
// groups of images). Splitting C again would repack op(B) for every block.
template <class T>
void gemm_serial(bool transpose_a, bool transpose_b, std::size_t m, std::size_t n, std::size_t k,
                 T alpha, const T* a, std::size_t lda, const T* b, std::size_t ldb, T beta, T* c,
                 std::size_t ldc, const GemmEpilogue<T>& epilogue = {});

}  // namespace xgrad::detail
