#include <xgrad/nn/initializers.hpp>

#include <cmath>

#include <xgrad/core/error.hpp>

namespace xgrad::nn {

namespace {
const char* const known_names[] = {"zeros", "ones", "glorot_uniform", "glorot_normal", "he_uniform",
                                   "he_normal", "random_normal", "random_uniform"};
}  // namespace

void check_initializer(const std::string& name)
{
    std::string known;
    for (const char* n : known_names) {
        if (name == n) return;
        known += (known.empty() ? "" : ", ") + std::string(n);
    }
    throw ValueError(detail::cat("initializer: unknown name '", name, "' (known: ", known, ")"));
}

xt::xarray<float> initialize(const std::string& name, const Shape& shape, Generator& gen)
{
    if (name == "zeros") return xt::xarray<float>(shape, 0.0f);
    if (name == "ones") return xt::xarray<float>(shape, 1.0f);
    if (name == "glorot_uniform") return gen.glorot_uniform<float>(shape);
    if (name == "he_uniform") return gen.he_uniform<float>(shape);
    const auto [fan_in, fan_out] = compute_fans(shape);
    // Keras's VarianceScaling divides by the stddev of a unit normal truncated at 2 sigma.
    constexpr double truncation = 0.87962566103423978;
    if (name == "glorot_normal")
        return gen.truncated_normal<float>(shape, 0.0f, static_cast<float>(std::sqrt(2.0 / (fan_in + fan_out)) / truncation));
    if (name == "he_normal")
        return gen.truncated_normal<float>(shape, 0.0f, static_cast<float>(std::sqrt(2.0 / fan_in) / truncation));
    if (name == "random_normal") return gen.normal<float>(shape, 0.0f, 0.05f);
    if (name == "random_uniform") return gen.uniform<float>(shape, -0.05f, 0.05f);
    check_initializer(name);
    throw ValueError(detail::cat("initializer: '", name, "' is not implemented"));
}

}  // namespace xgrad::nn
