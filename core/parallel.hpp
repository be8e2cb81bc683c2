// The one "split a loop over the threads, or not" of the kernels.
#pragma once

#include <cstddef>

namespace xgrad::detail {

// Runs body(i) for every i in [0, n): over the OpenMP threads (static schedule)
// when `parallel` and there is more than one iteration, else in order on the
// calling thread. For loops whose iterations write disjoint outputs, so the
// result is the same either way.
template <class F>
void for_each_index(std::size_t n, bool parallel, F&& body)
{
    if (parallel && n > 1) {
#pragma omp parallel for schedule(static)
        for (std::size_t i = 0; i < n; ++i) body(i);
    } else {
        for (std::size_t i = 0; i < n; ++i) body(i);
    }
}

}  // namespace xgrad::detail
