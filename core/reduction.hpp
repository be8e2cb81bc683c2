// Reduction kernels over axes, in T and in a fixed order (so results never
// depend on the thread count). Results keep the reduced axes as length 1.
#pragma once

#include <cstdint>
#include <vector>

#include <xtensor/xarray.hpp>

#include <xgrad/core/shape.hpp>

namespace xgrad::detail {

// Sum over `axes` (sorted, normalized); accumulates in T, axis by axis. An
// empty axis sums to 0. With non_finite, the last pass also records whether the
// sums are all finite (core/finite.hpp): *non_finite receives 0 exactly when they are.
template <class T>
xt::xarray<T> sum_axes(const xt::xarray<T>& x, const AxisList& axes,
                       std::uint32_t* non_finite = nullptr);
// The same sums written to `out` (as many values as the reduced shape has; a tensor from
// the pool, say): only the passes before the last one allocate.
template <class T>
void sum_axes_into(const xt::xarray<T>& x, const AxisList& axes, T* out,
                   std::uint32_t* non_finite = nullptr);

// Maximum over `axes` (sorted, normalized); -inf over an empty axis, as TensorFlow.
template <class T>
xt::xarray<T> max_axes(const xt::xarray<T>& x, const AxisList& axes);

}  // namespace xgrad::detail
