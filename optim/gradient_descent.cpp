#include <xgrad/optim/gradient_descent.hpp>

namespace xgrad::optim {

GradientDescentOptions GradientDescentOptions::from_config(const Config& config)
{
    GradientDescentOptions o;
    ConfigReader r(config, "GradientDescent");
    r.read_base(o.base());
    if (r.number("momentum", 0.0) != 0.0) {
        throw ValueError("GradientDescent: config key 'momentum' must be 0.0 (use Momentum for momentum > 0)");
    }
    if (r.flag("nesterov", false)) throw ValueError("GradientDescent: config key 'nesterov' must be False");
    r.finish();
    return o;
}

GradientDescent::GradientDescent(const GradientDescentOptions& options) : Optimizer(options.base(), "GradientDescent") {}

void GradientDescent::update_step(float* w, const float* g, std::size_t n, Slots&, const StepInfo& step)
{
    const float lr = step.learning_rate;
    elementwise(n, [&](std::ptrdiff_t i) { w[i] = w[i] - g[i] * lr; });
}

void GradientDescent::add_config(Config& config) const
{
    config.set("momentum", 0.0).set("nesterov", false);
}

}  // namespace xgrad::optim
