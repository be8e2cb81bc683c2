#include <xgrad/core/gemm.hpp>

#include <dlfcn.h>

#include <algorithm>
#include <mutex>

#include <xtensor-blas/xblas_config.hpp>
#include <xflens/cxxblas/cxxblas.cxx>

namespace xgrad::detail {

namespace {
// OpenBLAS's own threads split a product differently at 1 and N threads, and
// the bits of C change with the thread count. xgrad runs OpenBLAS on one
// thread and splits C itself into blocks that depend only on the shape; OpenMP
// threads compute the blocks, so every element is computed the same way
// whatever the thread count (and OpenBLAS threads never fight OpenMP's).
void use_single_threaded_blas()
{
    static std::once_flag once;
    std::call_once(once, [] {
        using SetFn = void (*)(int);
        if (auto set = reinterpret_cast<SetFn>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) set(1);
    });
}

// Splits `dim` into at most 8 blocks of at least 64, rounded to multiples of 16.
std::size_t block_size(std::size_t dim)
{
    const std::size_t blocks = std::clamp<std::size_t>(dim / 64, 1, 8);
    return ((dim + blocks - 1) / blocks + 15) & ~std::size_t{15};
}

// Below this many multiply-adds a product runs on the calling thread.
constexpr std::size_t kParallelMacs = std::size_t{1} << 20;

template <class T>
void blas_gemm(bool transpose_a, bool transpose_b, std::size_t m, std::size_t n, std::size_t k, T alpha,
               const T* a, std::size_t lda, const T* b, std::size_t ldb, T beta, T* c, std::size_t ldc)
{
    using I = xt::blas_index_t;
    cxxblas::gemm<I>(cxxblas::StorageOrder::RowMajor,
                     transpose_a ? cxxblas::Transpose::Trans : cxxblas::Transpose::NoTrans,
                     transpose_b ? cxxblas::Transpose::Trans : cxxblas::Transpose::NoTrans,
                     static_cast<I>(m), static_cast<I>(n), static_cast<I>(k), alpha, a,
                     static_cast<I>(lda), b, static_cast<I>(ldb), beta, c, static_cast<I>(ldc));
}
}  // namespace

template <class T>
void gemm(bool transpose_a, bool transpose_b, std::size_t m, std::size_t n, std::size_t k,
          T alpha, const T* a, std::size_t lda, const T* b, std::size_t ldb, T beta, T* c,
          std::size_t ldc)
{
    use_single_threaded_blas();
    // Blocks of rows of C (rows of op(A)) when C is tall, else blocks of columns (columns of op(B)).
    const bool by_rows = m >= n;
    const std::size_t dim = by_rows ? m : n;
    const std::size_t block = block_size(dim);
    const std::size_t blocks = (dim + block - 1) / block;
    auto run = [&](std::size_t i) {
        const std::size_t begin = i * block, size = std::min(block, dim - begin);
        if (by_rows) {
            const T* ai = transpose_a ? a + begin : a + begin * lda;
            blas_gemm(transpose_a, transpose_b, size, n, k, alpha, ai, lda, b, ldb, beta, c + begin * ldc, ldc);
        } else {
            const T* bj = transpose_b ? b + begin * ldb : b + begin;
            blas_gemm(transpose_a, transpose_b, m, size, k, alpha, a, lda, bj, ldb, beta, c + begin, ldc);
        }
    };
    if (blocks > 1 && m * n * k >= kParallelMacs) {
#pragma omp parallel for schedule(static)
        for (std::size_t i = 0; i < blocks; ++i) run(i);
    } else {
        for (std::size_t i = 0; i < blocks; ++i) run(i);
    }
}

template void gemm<float>(bool, bool, std::size_t, std::size_t, std::size_t, float, const float*,
                          std::size_t, const float*, std::size_t, float, float*, std::size_t);
template void gemm<double>(bool, bool, std::size_t, std::size_t, std::size_t, double,
                           const double*, std::size_t, const double*, std::size_t, double,
                           double*, std::size_t);

}  // namespace xgrad::detail
