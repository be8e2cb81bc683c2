// A finite-difference gradient checker, in float64, for any function built
// from xgrad ops (yours too):
//   auto r = xgrad::check_gradients(
//       [](const std::vector<xgrad::Tensor64>& in) { return xgrad::tanh(in[0] * in[1]); },
//       {x0, y0});
//   REQUIRE(r.ok);   // r.report explains the worst element otherwise
// The tape gradient of sum(f(x) * W), W a fixed random weighting, is compared
// with central differences (f(x + eps) - f(x - eps)) / 2 eps for every element
// of every input:  |analytic - numeric| <= atol + rtol * |numeric|.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <xgrad/autograd/tensor.hpp>

namespace xgrad {

struct GradientCheckOptions {
    double eps = 1e-6;
    double atol = 1e-6;
    double rtol = 1e-5;
    std::uint64_t seed = 1234;  // for the output weighting W
};

struct GradientCheckResult {
    bool ok = true;
    double max_abs_error = 0.0;
    std::size_t worst_input = 0;
    std::size_t worst_index = 0;
    double analytic = 0.0;  // at the worst element
    double numeric = 0.0;
    std::string report;     // a readable summary
};

using Function64 = std::function<Tensor64(const std::vector<Tensor64>&)>;

GradientCheckResult check_gradients(const Function64& f, const std::vector<xt::xarray<double>>& inputs,
                                    const GradientCheckOptions& options = {});

}  // namespace xgrad
