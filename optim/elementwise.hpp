// The one loop every per-variable update runs: f(i) for i in [0, n), in a
// single fused pass over raw float pointers. Large tensors (>= 1<<16
// elements) are split across OpenMP threads with a static schedule; each
// element is computed independently, so results are bit-identical to the
// serial loop whatever the thread count.
//
// Inside a step the Optimizer runs over many variables at once, it opens ONE
// parallel region around the loop over variables and marks each thread as a
// member of that team (TeamSplit): elementwise() then runs only the calling
// thread's static share of [0, n) (no fork/join per variable). The share
// depends only on n, the thread's index and the team size, so every pass over
// the same variable in that region touches the same elements from the same
// thread, and each element is still computed exactly as in the serial loop.
//
// sqrt_no_errno(x) is the square root for those loops in any translation unit.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>

namespace xgrad::optim {

inline constexpr std::size_t kParallelUpdateThreshold = std::size_t{1} << 16;

namespace threading {
// The calling thread's place in the Optimizer's team (count == 0: not in one).
struct TeamSplit {
    std::size_t index = 0;
    std::size_t count = 0;
};
inline thread_local TeamSplit team_split;

// [begin, end) of [0, n) for member `index` of a team of `count`: contiguous
// blocks, cut at multiples of 16 elements (64 bytes) so no two threads share a cache line.
inline void team_range(std::size_t n, std::size_t index, std::size_t count, std::size_t& begin, std::size_t& end)
{
    const std::size_t blocks = (n + 15) / 16;
    const std::size_t per = blocks / count, extra = blocks % count;
    const std::size_t b0 = index * per + std::min(index, extra);
    const std::size_t b1 = b0 + per + (index < extra ? 1 : 0);
    begin = std::min(n, b0 * 16);
    end = std::min(n, b1 * 16);
}

// Sets the calling thread's team membership for the lifetime of the object.
class TeamMember {
public:
    TeamMember(std::size_t index, std::size_t count) : saved_(team_split) { team_split = {index, count}; }
    ~TeamMember() { team_split = saved_; }
    TeamMember(const TeamMember&) = delete;
    TeamMember& operator=(const TeamMember&) = delete;

private:
    TeamSplit saved_;
};
}  // namespace threading

namespace threading {
// f(i) for i in [begin, end) on the calling thread, vectorized. Out of line and
// with its own copy of f, as the body of an OpenMP region is: inlined into the
// caller, GCC does not if-convert bodies such as std::max(a[i], b[i]) and leaves
// the loop scalar.
template <class F>
[[gnu::noinline]] void simd_range(std::ptrdiff_t begin, std::ptrdiff_t end, F f)
{
#pragma omp simd
    for (std::ptrdiff_t i = begin; i < end; ++i) f(i);
}
}  // namespace threading

// std::sqrt(x) bit for bit (the hardware's correctly rounded square root), and it
// vectorizes (vsqrtps) in code built WITHOUT -fno-math-errno, as a user's own
// optimizer is: there std::sqrt of a negative must set errno, a call on that path
// that keeps the whole loop scalar. Here a negative x is replaced by the NaN its
// square root returns (x86's default NaN, 0xffc00000) first, so the compiler sees
// an argument that is never negative and drops the errno path. Checked against
// sqrtss for all 2^32 floats.
inline float sqrt_no_errno(float x)
{
    return __builtin_sqrtf(__builtin_isless(x, 0.0f) ? -__builtin_nanf("") : x);
}

template <class F>
inline void elementwise(std::size_t n, F&& f)
{
    if (const threading::TeamSplit team = threading::team_split; team.count != 0) {
        std::size_t begin = 0, end = 0;
        threading::team_range(n, team.index, team.count, begin, end);
        threading::simd_range(static_cast<std::ptrdiff_t>(begin), static_cast<std::ptrdiff_t>(end), f);
        return;
    }
    const auto count = static_cast<std::ptrdiff_t>(n);
    if (n >= kParallelUpdateThreshold) {
#pragma omp parallel for simd schedule(static)
        for (std::ptrdiff_t i = 0; i < count; ++i) f(i);
    } else {
        threading::simd_range(0, count, f);
    }
}

}  // namespace xgrad::optim
