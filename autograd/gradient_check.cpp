#include <xgrad/autograd/gradient_check.hpp>

#include <cmath>

#include <xgrad/autograd/gradient_tape.hpp>
#include <xgrad/autograd/ops.hpp>
#include <xgrad/core/random.hpp>

namespace xgrad {

namespace {
double weighted_sum(const Tensor64& y, const xt::xarray<double>& w)
{
    double s = 0.0;
    for (std::size_t i = 0; i < y.size(); ++i) s += y.value().flat(i) * w.flat(i);
    return s;
}

std::vector<Tensor64> constants(const std::vector<xt::xarray<double>>& inputs)
{
    std::vector<Tensor64> out;
    for (const auto& x : inputs) out.emplace_back(x);
    return out;
}
}  // namespace

GradientCheckResult check_gradients(const Function64& f, const std::vector<xt::xarray<double>>& inputs,
                                    const GradientCheckOptions& options)
{
    GradientCheckResult result;
    const auto xs = constants(inputs);
    std::vector<Tensor64> analytic;
    xt::xarray<double> weights;
    {
        GradientTape tape;
        for (const auto& x : xs) tape.watch(x);
        const Tensor64 y = f(xs);
        Generator gen(options.seed);
        weights = gen.uniform<double>(y.shape(), 0.5, 1.5);
        const Tensor64 loss = reduce_sum(mul(y, Tensor64(weights)));
        analytic = tape.gradient(loss, xs, {}, UnconnectedGradients::Zero);
    }
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        for (std::size_t j = 0; j < inputs[i].size(); ++j) {
            auto shifted = inputs;
            shifted[i].flat(j) = inputs[i].flat(j) + options.eps;
            const double plus = weighted_sum(f(constants(shifted)), weights);
            shifted[i].flat(j) = inputs[i].flat(j) - options.eps;
            const double minus = weighted_sum(f(constants(shifted)), weights);
            const double numeric = (plus - minus) / (2 * options.eps);
            const double a = analytic[i].value().flat(j);
            const double err = std::abs(a - numeric);
            const bool bad = !(err <= options.atol + options.rtol * std::abs(numeric));
            // Report the first failing element, or else the largest error seen.
            if (result.ok && (bad || err > result.max_abs_error)) {
                result.ok = !bad;
                result.max_abs_error = err;
                result.worst_input = i;
                result.worst_index = j;
                result.analytic = a;
                result.numeric = numeric;
            }
        }
    }
    result.report = detail::cat(result.ok ? "gradient check passed" : "gradient check FAILED",
                                ": worst |analytic - numeric| = ", result.max_abs_error, " at input ",
                                result.worst_input, ", flat index ", result.worst_index, " (analytic ",
                                result.analytic, ", numeric ", result.numeric, ")");
    return result;
}

}  // namespace xgrad
