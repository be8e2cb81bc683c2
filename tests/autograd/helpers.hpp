// Shared helpers for the autograd tests: seeded inputs and gradient-check macros.
#pragma once

#include <catch2/catch.hpp>

#include <xtensor/xmath.hpp>
#include <xtensor/xview.hpp>

#include <xgrad/xgrad.hpp>

namespace xgrad::test {

using In = std::vector<Tensor64>;

// Seeded uniform values in [lo, hi).
inline xt::xarray<double> uniform(const Shape& shape, double lo = -1.0, double hi = 1.0,
                                  std::uint64_t seed = 7)
{
    Generator gen(seed);
    return gen.uniform<double>(shape, lo, hi);
}

// Seeded values with magnitudes in [lo, hi) and random signs: away from 0 (kinks, poles).
inline xt::xarray<double> away_from_zero(const Shape& shape, double lo = 0.2, double hi = 1.5,
                                         std::uint64_t seed = 11)
{
    Generator gen(seed);
    xt::xarray<double> mag = gen.uniform<double>(shape, lo, hi);
    const xt::xarray<double> sign = gen.uniform<double>(shape, -1.0, 1.0);
    for (std::size_t i = 0; i < mag.size(); ++i) mag.flat(i) *= sign.flat(i) < 0 ? -1.0 : 1.0;
    return mag;
}

// f's gradient, as a function: x -> d sum(f(x) * w) / d in[0] (w fixed), computed with an
// inner tape. Checking this with check_gradients tests second derivatives (nested tapes).
inline Function64 gradient_of(Function64 f)
{
    return [f](const In& in) {
        GradientTape tape;
        for (const auto& x : in) tape.watch(x);
        const Tensor64 y = f(in);
        const Tensor64 w(uniform(y.shape(), 0.5, 1.5, 99));
        return tape.gradient(reduce_sum(mul(y, w)), in[0]);
    };
}

inline Tensor64 t64(xt::xarray<double> v) { return Tensor64(std::move(v)); }

}  // namespace xgrad::test

// Finite-difference check of f at `inputs` (a braced list of arrays); reports the worst element.
#define CHECK_GRADIENTS(f, ...)                                                   \
    do {                                                                          \
        const auto check_result_ = ::xgrad::check_gradients((f), __VA_ARGS__);    \
        INFO(check_result_.report);                                               \
        CHECK(check_result_.ok);                                                  \
    } while (0)

// The same for the gradient of f (second derivatives through nested tapes).
#define CHECK_SECOND_ORDER(f, ...) CHECK_GRADIENTS(::xgrad::test::gradient_of(f), __VA_ARGS__)
