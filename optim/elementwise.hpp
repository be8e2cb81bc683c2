// The one loop every per-variable update runs: f(i) for i in [0, n), in a
// single fused pass over raw float pointers. Large tensors (>= 1<<16
// elements) are split across OpenMP threads with a static schedule; each
// element is computed independently, so results are bit-identical to the
// serial loop whatever the thread count.
#pragma once

#include <cstddef>

namespace xgrad::optim {

inline constexpr std::size_t kParallelUpdateThreshold = std::size_t{1} << 16;

template <class F>
inline void elementwise(std::size_t n, F&& f)
{
    const auto count = static_cast<std::ptrdiff_t>(n);
    if (n >= kParallelUpdateThreshold) {
#pragma omp parallel for simd schedule(static)
        for (std::ptrdiff_t i = 0; i < count; ++i) f(i);
    } else {
#pragma omp simd
        for (std::ptrdiff_t i = 0; i < count; ++i) f(i);
    }
}

}  // namespace xgrad::optim
