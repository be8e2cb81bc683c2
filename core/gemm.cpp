#include <xgrad/core/gemm.hpp>

#include <xtensor-blas/xblas_config.hpp>
#include <xflens/cxxblas/cxxblas.cxx>

namespace xgrad::detail {

template <class T>
void gemm(bool transpose_a, bool transpose_b, std::size_t m, std::size_t n, std::size_t k,
          T alpha, const T* a, std::size_t lda, const T* b, std::size_t ldb, T beta, T* c,
          std::size_t ldc)
{
    using I = xt::blas_index_t;
    cxxblas::gemm<I>(cxxblas::StorageOrder::RowMajor,
                     transpose_a ? cxxblas::Transpose::Trans : cxxblas::Transpose::NoTrans,
                     transpose_b ? cxxblas::Transpose::Trans : cxxblas::Transpose::NoTrans,
                     static_cast<I>(m), static_cast<I>(n), static_cast<I>(k), alpha, a,
                     static_cast<I>(lda), b, static_cast<I>(ldb), beta, c, static_cast<I>(ldc));
}

template void gemm<float>(bool, bool, std::size_t, std::size_t, std::size_t, float, const float*,
                          std::size_t, const float*, std::size_t, float, float*, std::size_t);
template void gemm<double>(bool, bool, std::size_t, std::size_t, std::size_t, double,
                           const double*, std::size_t, const double*, std::size_t, double,
                           double*, std::size_t);

}  // namespace xgrad::detail
