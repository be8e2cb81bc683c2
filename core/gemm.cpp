#include <xgrad/core/gemm.hpp>

#include <dlfcn.h>

#include <algorithm>
#include <array>
#include <vector>

#include <xgrad/core/finite.hpp>
#include <xgrad/core/parallel.hpp>

#include <xtensor-blas/xblas_config.hpp>
#include <xflens/cxxblas/cxxblas.cxx>

namespace xgrad::detail {

namespace {
// OpenBLAS's own threads split a product differently at 1 and N threads, and
// the bits of C change with the thread count. xgrad runs OpenBLAS on one
// thread and splits C itself into blocks that depend only on the shape; OpenMP
// threads compute the blocks, so every element is computed the same way
// whatever the thread count (and OpenBLAS threads never fight OpenMP's).
// OpenBLAS (the pthread build Debian installs) starts a pool of worker threads
// when it loads; those spin on sched_yield for a while after every call and
// would compete with OpenMP's threads for the cores, so the pool is shut down
// too: with one thread OpenBLAS computes on the caller (a later
// openblas_set_num_threads call elsewhere in the process would restart it).
// Done once: when this library loads, or at the first product if another static
// initializer runs one before that; dlsym keeps any other BLAS working.
bool use_single_threaded_blas()
{
    static const bool done = [] {
        using SetFn = void (*)(int);
        using ShutdownFn = int (*)();
        if (auto set = reinterpret_cast<SetFn>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) set(1);
        if (auto shutdown = reinterpret_cast<ShutdownFn>(dlsym(RTLD_DEFAULT, "blas_thread_shutdown_"))) shutdown();
        return true;
    }();
    return done;
}
[[maybe_unused]] const bool blas_single_threaded_at_load = use_single_threaded_blas();

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

// The epilogue over rows x [col_begin, col_begin + cols) of C; with Check, also
// the OR of non_finite_bit over the block's final values, in the same pass.
template <bool Check, class T>
std::uint32_t epilogue_rows(const GemmEpilogue<T>& e, T* c, std::size_t ldc, std::size_t rows, std::size_t col_begin,
                            std::size_t cols)
{
    std::uint32_t bad = 0;
    // (A lambda capturing `bad` by reference would keep the loops from vectorizing
    // as contiguous loads: the bit is ORed in place instead.)
#define XGRAD_NOTE(v)                                   \
    do {                                                \
        if constexpr (Check) bad |= non_finite_bit(v);  \
    } while (0)
    for (std::size_t i = 0; i < rows; ++i) {
        T* row = c + i * ldc + col_begin;
        const T* bias = e.bias ? e.bias + col_begin : nullptr;
        if (bias && e.relu) {
#pragma omp simd reduction(| : bad)
            for (std::size_t j = 0; j < cols; ++j) {
                const T v = std::max(row[j] + bias[j], T(0));
                row[j] = v;
                XGRAD_NOTE(v);
            }
        } else if (bias) {
#pragma omp simd reduction(| : bad)
            for (std::size_t j = 0; j < cols; ++j) {
                const T v = row[j] + bias[j];
                row[j] = v;
                XGRAD_NOTE(v);
            }
        } else if (e.relu) {
#pragma omp simd reduction(| : bad)
            for (std::size_t j = 0; j < cols; ++j) {
                const T v = std::max(row[j], T(0));
                row[j] = v;
                XGRAD_NOTE(v);
            }
        } else {
#pragma omp simd reduction(| : bad)
            for (std::size_t j = 0; j < cols; ++j) XGRAD_NOTE(row[j]);
        }
    }
#undef XGRAD_NOTE
    return bad;
}
}  // namespace

// The epilogue of one block; its finiteness bits when e.non_finite is set, else 0.
template <class T>
std::uint32_t apply_epilogue(const GemmEpilogue<T>& e, T* c, std::size_t ldc, std::size_t rows, std::size_t col_begin,
                             std::size_t cols)
{
    if (e.non_finite) return epilogue_rows<true>(e, c, ldc, rows, col_begin, cols);
    if (e.bias || e.relu) epilogue_rows<false>(e, c, ldc, rows, col_begin, cols);
    return 0;
}

template <class T>
void gemm(bool transpose_a, bool transpose_b, std::size_t m, std::size_t n, std::size_t k,
          T alpha, const T* a, std::size_t lda, const T* b, std::size_t ldb, T beta, T* c,
          std::size_t ldc, const GemmEpilogue<T>& epilogue)
{
    use_single_threaded_blas();
    // Blocks of rows of C (rows of op(A)) when C is tall, else blocks of columns (columns of op(B)).
    const bool by_rows = m >= n;
    const std::size_t dim = by_rows ? m : n;
    const std::size_t block = block_size(dim);
    const std::size_t blocks = (dim + block - 1) / block;
    // Each block's finiteness bits, written by the thread that computed the block.
    std::array<std::uint32_t, 8> small_bad{};
    std::vector<std::uint32_t> large_bad(blocks > small_bad.size() ? blocks : 0);
    std::uint32_t* bad = blocks > small_bad.size() ? large_bad.data() : small_bad.data();
    auto run = [&](std::size_t i) {
        const std::size_t begin = i * block, size = std::min(block, dim - begin);
        if (by_rows) {
            const T* ai = transpose_a ? a + begin : a + begin * lda;
            blas_gemm(transpose_a, transpose_b, size, n, k, alpha, ai, lda, b, ldb, beta, c + begin * ldc, ldc);
            bad[i] = apply_epilogue(epilogue, c + begin * ldc, ldc, size, 0, n);
        } else {
            const T* bj = transpose_b ? b + begin * ldb : b + begin;
            blas_gemm(transpose_a, transpose_b, m, size, k, alpha, a, lda, bj, ldb, beta, c + begin, ldc);
            bad[i] = apply_epilogue(epilogue, c, ldc, m, begin, size);
        }
    };
    for_each_index(blocks, m * n * k >= kParallelMacs, run);
    if (epilogue.non_finite) {
        std::uint32_t any = 0;
        for (std::size_t i = 0; i < blocks; ++i) any |= bad[i];
        *epilogue.non_finite = any;
    }
}

template <class T>
void gemm_serial(bool transpose_a, bool transpose_b, std::size_t m, std::size_t n, std::size_t k,
                 T alpha, const T* a, std::size_t lda, const T* b, std::size_t ldb, T beta, T* c,
                 std::size_t ldc, const GemmEpilogue<T>& epilogue)
{
    use_single_threaded_blas();
    blas_gemm(transpose_a, transpose_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    const std::uint32_t bad = apply_epilogue(epilogue, c, ldc, m, 0, n);
    if (epilogue.non_finite) *epilogue.non_finite = bad;
}

template std::uint32_t apply_epilogue<float>(const GemmEpilogue<float>&, float*, std::size_t, std::size_t,
                                             std::size_t, std::size_t);
template std::uint32_t apply_epilogue<double>(const GemmEpilogue<double>&, double*, std::size_t, std::size_t,
                                              std::size_t, std::size_t);
template void gemm<float>(bool, bool, std::size_t, std::size_t, std::size_t, float, const float*,
                          std::size_t, const float*, std::size_t, float, float*, std::size_t,
                          const GemmEpilogue<float>&);
template void gemm_serial<float>(bool, bool, std::size_t, std::size_t, std::size_t, float, const float*,
                                 std::size_t, const float*, std::size_t, float, float*, std::size_t,
                                 const GemmEpilogue<float>&);
template void gemm_serial<double>(bool, bool, std::size_t, std::size_t, std::size_t, double,
                                  const double*, std::size_t, const double*, std::size_t, double,
                                  double*, std::size_t, const GemmEpilogue<double>&);
template void gemm<double>(bool, bool, std::size_t, std::size_t, std::size_t, double,
                           const double*, std::size_t, const double*, std::size_t, double,
                           double*, std::size_t, const GemmEpilogue<double>&);

}  // namespace xgrad::detail
