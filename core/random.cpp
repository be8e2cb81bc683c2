#include <xgrad/core/random.hpp>

#include <algorithm>
#include <cmath>
#include <numbers>

namespace xgrad {

namespace {
std::uint64_t splitmix64(std::uint64_t x)
{
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}
}  // namespace

std::uint64_t Generator::bits(std::uint64_t counter) const
{
    return splitmix64(splitmix64(seed_) ^ counter);
}

template <class T>
T Generator::unit(std::uint64_t counter) const
{
    if constexpr (std::is_same_v<T, float>) return static_cast<float>(bits(counter) >> 40) * 0x1.0p-24f;
    else return static_cast<double>(bits(counter) >> 11) * 0x1.0p-53;
}

std::uint64_t Generator::next_u64() { return bits(offset_++); }

// Box-Muller from the two counters c and c + 1. Every draw advances offset_ past
// all the counters it used, so successive draws never share random bits.
double Generator::standard_normal(std::uint64_t c) const
{
    const double u1 = 1.0 - unit<double>(c);
    const double u2 = unit<double>(c + 1);
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

template <class T>
xt::xarray<T> Generator::uniform(const Shape& shape, T lo, T hi)
{
    num_elements(shape, "Generator.uniform");
    xt::xarray<T> out = xt::xarray<T>::from_shape(shape);
    for (std::size_t i = 0; i < out.size(); ++i) out.flat(i) = lo + (hi - lo) * unit<T>(offset_ + i);
    offset_ += out.size();
    return out;
}

template <class T>
xt::xarray<T> Generator::normal(const Shape& shape, T mean, T stddev)
{
    num_elements(shape, "Generator.normal");
    xt::xarray<T> out = xt::xarray<T>::from_shape(shape);
    for (std::size_t i = 0; i < out.size(); ++i) {
        out.flat(i) = static_cast<T>(mean + stddev * standard_normal(offset_ + 2 * i));
    }
    offset_ += 2 * out.size();  // each element used two counters
    return out;
}

template <class T>
xt::xarray<T> Generator::truncated_normal(const Shape& shape, T mean, T stddev)
{
    num_elements(shape, "Generator.truncated_normal");
    xt::xarray<T> out = xt::xarray<T>::from_shape(shape);
    const std::uint64_t n = out.size();
    for (std::size_t i = 0; i < n; ++i) {
        // Redraw from further counters of this element until within 2 stddev
        // (all 64 attempts failing has probability 0.0455^64).
        for (std::uint64_t attempt = 0;; ++attempt) {
            const double z = standard_normal(offset_ + kTruncatedCounters * i + 2 * attempt);
            if (std::abs(z) <= 2.0 || 2 * (attempt + 1) == kTruncatedCounters) {
                out.flat(i) = static_cast<T>(mean + stddev * std::clamp(z, -2.0, 2.0));
                break;
            }
        }
    }
    offset_ += kTruncatedCounters * n;  // each element owns its block of counters
    return out;
}

std::pair<double, double> compute_fans(const Shape& shape)
{
    if (shape.empty()) return {1.0, 1.0};
    if (shape.size() == 1) return {double(shape[0]), double(shape[0])};
    double receptive = 1.0;
    for (std::size_t i = 0; i + 2 < shape.size(); ++i) receptive *= double(shape[i]);
    return {double(shape[shape.size() - 2]) * receptive, double(shape.back()) * receptive};
}

template <class T>
xt::xarray<T> Generator::glorot_uniform(const Shape& shape)
{
    num_elements(shape, "Generator.glorot_uniform");
    const auto [fan_in, fan_out] = compute_fans(shape);
    const T limit = static_cast<T>(std::sqrt(6.0 / (fan_in + fan_out)));
    return uniform<T>(shape, -limit, limit);
}

template <class T>
xt::xarray<T> Generator::he_uniform(const Shape& shape)
{
    num_elements(shape, "Generator.he_uniform");
    const T limit = static_cast<T>(std::sqrt(6.0 / compute_fans(shape).first));
    return uniform<T>(shape, -limit, limit);
}

std::vector<std::size_t> Generator::permutation(std::size_t n)
{
    std::vector<std::size_t> p(n);
    for (std::size_t i = 0; i < n; ++i) p[i] = i;
    for (std::size_t i = n; i > 1; --i) {
        const std::size_t j = static_cast<std::size_t>(next_u64() % i);
        std::swap(p[i - 1], p[j]);
    }
    return p;
}

Generator& global_generator()
{
    static Generator gen(0);
    return gen;
}

void set_seed(std::uint64_t seed) { global_generator().set_state(seed, 0); }

#define XGRAD_INSTANTIATE(T)                                                        \
    template xt::xarray<T> Generator::uniform<T>(const Shape&, T, T);               \
    template xt::xarray<T> Generator::normal<T>(const Shape&, T, T);                \
    template xt::xarray<T> Generator::truncated_normal<T>(const Shape&, T, T);      \
    template xt::xarray<T> Generator::glorot_uniform<T>(const Shape&);              \
    template xt::xarray<T> Generator::he_uniform<T>(const Shape&);
XGRAD_INSTANTIATE(float)
XGRAD_INSTANTIATE(double)

}  // namespace xgrad
