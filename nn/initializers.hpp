// Weight initializers by name, as Keras's `kernel_initializer=` strings, drawn
// from the global seeded generator (xgrad::set_seed makes them reproducible):
//   glorot_uniform: U(-l, l), l = sqrt(6 / (fan_in + fan_out))   (Keras's default kernel)
//   glorot_normal:  truncated N(0, sqrt(2 / (fan_in + fan_out)) / 0.8796...)
//   he_uniform:     U(-l, l), l = sqrt(6 / fan_in)
//   he_normal:      truncated N(0, sqrt(2 / fan_in) / 0.8796...)
//   random_normal:  N(0, 0.05)      random_uniform: U(-0.05, 0.05)
//   zeros, ones                                                       (zeros: Keras's default bias)
#pragma once

#include <string>

#include <xtensor/xarray.hpp>

#include <xgrad/core/random.hpp>
#include <xgrad/core/shape.hpp>

namespace xgrad::nn {

// A float32 array of `shape` drawn by the initializer `name`; throws ValueError for an unknown name.
// Throws ValueError unless `name` is one of the initializers above (draws nothing).
void check_initializer(const std::string& name);

xt::xarray<float> initialize(const std::string& name, const Shape& shape,
                             Generator& gen = global_generator());

}  // namespace xgrad::nn
