// Seeded random numbers that are the same on every run and every thread count:
// element i of a draw is a pure function of (seed, position in the stream), a
// counter-based generator (SplitMix64 over the counter).
//   xgrad::Generator gen(42);
//   auto w = gen.glorot_uniform<float>({784, 128});   // Keras's default kernel initializer
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include <xtensor/xarray.hpp>

#include <xgrad/core/shape.hpp>

namespace xgrad {

class Generator {
public:
    explicit Generator(std::uint64_t seed = 0) : seed_(seed) {}

    std::uint64_t seed() const { return seed_; }
    // How many counters the draws so far have used (uniform: 1 per element,
    // normal: 2, truncated normal: 128); with seed() it fixes the state.
    std::uint64_t offset() const { return offset_; }
    void set_state(std::uint64_t seed, std::uint64_t offset) { seed_ = seed; offset_ = offset; }

    // Uniform in [lo, hi).
    template <class T = float>
    xt::xarray<T> uniform(const Shape& shape, T lo = T(0), T hi = T(1));
    // Normal(mean, stddev), Box-Muller.
    template <class T = float>
    xt::xarray<T> normal(const Shape& shape, T mean = T(0), T stddev = T(1));
    // Normal(mean, stddev) redrawn beyond two standard deviations (Keras's TruncatedNormal).
    template <class T = float>
    xt::xarray<T> truncated_normal(const Shape& shape, T mean = T(0), T stddev = T(1));
    // Uniform in [-l, l], l = sqrt(6 / (fan_in + fan_out)) (Keras's GlorotUniform).
    template <class T = float>
    xt::xarray<T> glorot_uniform(const Shape& shape);
    // Uniform in [-l, l], l = sqrt(6 / fan_in) (Keras's HeUniform).
    template <class T = float>
    xt::xarray<T> he_uniform(const Shape& shape);
    // A random permutation of 0 .. n-1 (Fisher-Yates).
    std::vector<std::size_t> permutation(std::size_t n);
    // The next 64 random bits.
    std::uint64_t next_u64();

private:
    std::uint64_t bits(std::uint64_t counter) const;
    template <class T>
    T unit(std::uint64_t counter) const;  // uniform in [0, 1)
    double standard_normal(std::uint64_t counter) const;  // uses counter and counter + 1
    static constexpr std::uint64_t kTruncatedCounters = 128;  // per truncated-normal element
    std::uint64_t seed_;
    std::uint64_t offset_ = 0;
};

// Keras's fan computation: (fan_in, fan_out) of a kernel shape.
std::pair<double, double> compute_fans(const Shape& shape);

// The process-wide generator that initializers use by default.
Generator& global_generator();
// Reseeds the global generator (keras.utils.set_random_seed).
void set_seed(std::uint64_t seed);

}  // namespace xgrad
