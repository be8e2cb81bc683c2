// Finiteness bits for kernels that record, while their output is still in cache,
// whether every value they wrote is finite (see autograd/detail/finiteness.hpp):
//   std::uint32_t bad = 0;
//   #pragma omp simd reduction(| : bad)
//   for (...) { out[i] = ...; bad |= non_finite_bit(out[i]); }
// The OR of the bits is 0 exactly when every value is finite, in any order, so
// the result never depends on the thread count or the vector width. The test is
// on the exponent bits (all ones: Inf or NaN), as std::isfinite, and does not
// depend on the rounding mode or on flush-to-zero.
#pragma once

#include <bit>
#include <cstdint>

namespace xgrad::detail {

inline std::uint32_t non_finite_bit(float x)
{
    return (std::bit_cast<std::uint32_t>(x) & 0x7f800000u) == 0x7f800000u;
}
inline std::uint32_t non_finite_bit(double x)
{
    return (std::bit_cast<std::uint64_t>(x) & 0x7ff0000000000000ull) == 0x7ff0000000000000ull;
}

}  // namespace xgrad::detail
