// Weight initializers by name, as Keras's `kernel_initializer=` strings, drawn
// from the global seeded generator (xgrad::set_seed makes them reproducible), or,
// with a seed, from Generator(seed) (as a seeded Keras initializer, the same values
// at every call). fan_in/fan_out as Keras's compute_fans; the VarianceScaling ones:
//   glorot_uniform: U(-l, l), l = sqrt(6 / (fan_in + fan_out))   (Keras's default kernel)
//   glorot_normal:  truncated N(0, sqrt(2 / (fan_in + fan_out)) / 0.8796...)
//   he_uniform:     U(-l, l), l = sqrt(6 / fan_in)
//   he_normal:      truncated N(0, sqrt(2 / fan_in) / 0.8796...)
//   lecun_uniform:  U(-l, l), l = sqrt(3 / max(1, fan_in))
//   lecun_normal:   truncated N(0, sqrt(1 / max(1, fan_in)) / 0.8796...)
// (0.8796... is the stddev of a unit normal truncated at 2 sigma), and
//   random_normal:  N(mean 0, stddev 0.05)      random_uniform: U(minval -0.05, maxval 0.05)
//   truncated_normal: N(mean 0, stddev 0.05) redrawn beyond 2 stddev
//   orthogonal:     gain * Q of the QR of a normal (max(r, c), min(r, c)) matrix, signs fixed
//                   by diag(R) (Keras's Orthogonal; r = prod(shape[:-1]), c = shape[-1])
//   constant:       value (0)     zeros, ones                        (zeros: Keras's default bias)
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>
#include <xtensor/xarray.hpp>

#include <xgrad/core/random.hpp>
#include <xgrad/core/shape.hpp>

namespace xgrad::nn {

// An initializer with Keras's arguments: its name, the arguments that differ from the
// defaults (Keras's names: mean, stddev, minval, maxval, value, gain) and an optional seed.
struct Initializer {
    std::string name;
    std::map<std::string, double> args;
    std::optional<std::uint64_t> seed;

    Initializer(const char* n) : name(n) {}
    Initializer(std::string n) : name(std::move(n)) {}
    Initializer(std::string n, std::map<std::string, double> a, std::optional<std::uint64_t> s = std::nullopt)
        : name(std::move(n)), args(std::move(a)), seed(s) {}
    // The value of argument `key` (given, or Keras's default).
    double arg(const std::string& key) const;
    bool operator==(const Initializer&) const = default;
};

// Throws ValueError unless `name` is one of the initializers above (draws nothing).
void check_initializer(const std::string& name);
// The same for an initializer with arguments: each must be one the initializer takes.
void check_initializer_args(const Initializer& init);

// A float32 array of `shape` drawn by the initializer (a name, or a name with arguments);
// throws ValueError for an unknown name or argument. With init.seed, drawn from
// Generator(*init.seed) instead of gen.
xt::xarray<float> initialize(const Initializer& init, const Shape& shape, Generator& gen = global_generator());

// Keras 3's serialized initializer for `name`:
//   "glorot_uniform" -> {"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": null}, ...}
// With its arguments and seed in "config".
nlohmann::ordered_json initializer_config(const Initializer& init);
// The name for a serialized initializer (or a plain name string); throws ValueError naming `where`
// for a class xgrad lacks, a seed, or arguments other than Keras's defaults.
std::string initializer_from_config(const nlohmann::ordered_json& config, const std::string& where);
// The initializer for a serialized one, with its arguments and seed; throws ValueError naming
// `where` for a class xgrad lacks or a config key the class does not take.
Initializer initializer_with_args_from_config(const nlohmann::ordered_json& config, const std::string& where);

}  // namespace xgrad::nn
