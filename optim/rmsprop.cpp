#include <xgrad/optim/rmsprop.hpp>

#include <cmath>

namespace xgrad::optim {

RMSpropOptions RMSpropOptions::from_config(const Config& config)
{
    RMSpropOptions o;
    ConfigReader r(config, "RMSprop");
    r.read_base(o.base());
    o.rho(r.number("rho", o.rho()))
        .momentum(r.number("momentum", o.momentum()))
        .epsilon(r.number("epsilon", o.epsilon()))
        .centered(r.flag("centered", o.centered()));
    r.finish();
    return o;
}

RMSprop::RMSprop(const RMSpropOptions& options) : Optimizer(options.base(), "RMSprop"), opts_(options)
{
    check::in_range("RMSprop", "rho", opts_.rho(), 0.0, true, 1.0, false);
    check::in_range("RMSprop", "momentum", opts_.momentum(), 0.0, true, 1.0, false);
    check::positive("RMSprop", "epsilon", opts_.epsilon());
}

void RMSprop::build(const Variable& var)
{
    add_slot(var, "velocity");
    if (opts_.momentum() > 0) add_slot(var, "momentum");
    if (opts_.centered()) add_slot(var, "average_gradient");
}

void RMSprop::update_step(float* w, const float* g, std::size_t n, Slots& slots, const StepInfo& step)
{
    const float lr = step.learning_rate;
    const float rho = static_cast<float>(opts_.rho());
    const float one_minus_rho = static_cast<float>(1.0 - opts_.rho());
    const float eps = static_cast<float>(opts_.epsilon());
    const float mu = static_cast<float>(opts_.momentum());
    float* v = slots["velocity"];
    float* mom = mu > 0 ? slots["momentum"] : nullptr;
    float* avg = opts_.centered() ? slots["average_gradient"] : nullptr;
    elementwise(n, [&](std::ptrdiff_t i) {
        v[i] = rho * v[i] + one_minus_rho * (g[i] * g[i]);
        float denom = v[i] + eps;
        if (avg) {
            avg[i] = rho * avg[i] + one_minus_rho * g[i];
            denom = (v[i] - avg[i] * avg[i]) + eps;
        }
        const float inc = (lr * g[i]) / std::sqrt(denom);
        if (mom) {
            mom[i] = mu * mom[i] + inc;
            w[i] = w[i] - mom[i];
        } else {
            w[i] = w[i] - inc;
        }
    });
}

void RMSprop::add_config(Config& config) const
{
    config.set("rho", opts_.rho())
        .set("momentum", opts_.momentum())
        .set("epsilon", opts_.epsilon())
        .set("centered", opts_.centered());
}

}  // namespace xgrad::optim
