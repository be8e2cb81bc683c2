// Shapes, numpy broadcasting and axis handling, with errors that name the op.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <xtensor/xarray.hpp>

namespace xgrad {

// A tensor shape; the same type xt::xarray uses.
using Shape = xt::xarray<float>::shape_type;
// A list of axes; negative values count from the end as in numpy.
using Axes = std::vector<long>;
// Normalized axes (sorted, distinct, in [0, rank)): inline up to 4, no allocation.
using AxisList = xt::svector<std::size_t, 4>;

// "(2, 3)"; "()" for a scalar.
std::string to_string(const Shape& shape);

// The most elements a tensor may have: its size in bytes, as float64, fits in
// std::ptrdiff_t (xtensor's strides and iterator distances are signed).
inline constexpr std::size_t kMaxElements = static_cast<std::size_t>(PTRDIFF_MAX) / sizeof(double);

// Product of the dimensions (1 for a scalar). Throws ShapeError naming `op` and
// the shape when the product of the non-zero dimensions (which the strides
// are made of, as in numpy) exceeds kMaxElements, instead of wrapping around.
std::size_t num_elements(const Shape& shape, const char* op = "num_elements");

// numpy broadcasting of two shapes. Throws ShapeError naming `op` and both
// arguments when a dimension pair is neither equal nor 1, or when the result
// has too many elements (see num_elements).
Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op,
                       const char* name_a = "a", const char* name_b = "b");

// Maps `axis` (possibly negative) into [0, rank). Throws ShapeError naming the op.
std::size_t normalize_axis(long axis, std::size_t rank, const char* op, const Shape& shape);

// Sorted, de-duplicated, normalized axes; an empty list means every axis.
AxisList normalize_axes(const Axes& axes, std::size_t rank, const char* op, const Shape& shape);

// The shape after reducing `axes` (already normalized), keeping them as 1 or dropping them.
Shape reduced_shape(const Shape& shape, const AxisList& axes, bool keepdims);

}  // namespace xgrad
