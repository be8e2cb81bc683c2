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

#include <nlohmann/json.hpp>
#include <xtensor/xarray.hpp>

#include <xgrad/core/random.hpp>
#include <xgrad/core/shape.hpp>

namespace xgrad::nn {

// A float32 array of `shape` drawn by the initializer `name`; throws ValueError for an unknown name.
// Throws ValueError unless `name` is one of the initializers above (draws nothing).
void check_initializer(const std::string& name);

xt::xarray<float> initialize(const std::string& name, const Shape& shape,
                             Generator& gen = global_generator());

// Keras 3's serialized initializer for `name`:
//   "glorot_uniform" -> {"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": null}, ...}
nlohmann::ordered_json initializer_config(const std::string& name);
// The name for a serialized initializer (or a plain name string); throws ValueError naming `where`
// for a class xgrad lacks, a seed, or arguments other than Keras's defaults.
std::string initializer_from_config(const nlohmann::ordered_json& config, const std::string& where);

}  // namespace xgrad::nn
