#include <xgrad/optim/adamax.hpp>

#include <cmath>

namespace xgrad::optim {

AdamaxOptions AdamaxOptions::from_config(const Config& config)
{
    AdamaxOptions o;
    ConfigReader r(config, "Adamax");
    r.read_base(o.base());
    o.beta_1(r.number("beta_1", o.beta_1())).beta_2(r.number("beta_2", o.beta_2())).epsilon(r.number("epsilon", o.epsilon()));
    r.finish();
    return o;
}

Adamax::Adamax(const AdamaxOptions& options) : Optimizer(options.base(), "Adamax"), opts_(options)
{
    check::in_range("Adamax", "beta_1", opts_.beta_1(), 0.0, true, 1.0, false);
    check::in_range("Adamax", "beta_2", opts_.beta_2(), 0.0, true, 1.0, false);
    check::positive("Adamax", "epsilon", opts_.epsilon());
}

void Adamax::build(const Variable& var)
{
    add_slot(var, "momentum");
    add_slot(var, "norm");
}

void Adamax::update_step(float* w, const float* g, std::size_t n, Slots& slots, const StepInfo& step)
{
    const float lr = step.learning_rate;
    const float one_minus_beta_1_power = 1.0f - std::pow(static_cast<float>(opts_.beta_1()), step.local_step());
    const float one_minus_beta_1 = static_cast<float>(1.0 - opts_.beta_1());
    const float beta_2 = static_cast<float>(opts_.beta_2());
    const float eps = static_cast<float>(opts_.epsilon());
    float* m = slots["momentum"];
    float* u = slots["norm"];
    elementwise(n, [&](std::ptrdiff_t i) {
        m[i] = m[i] + (g[i] - m[i]) * one_minus_beta_1;
        u[i] = std::max(beta_2 * u[i], std::abs(g[i]));
        w[i] = w[i] - (lr * m[i]) / (one_minus_beta_1_power * (u[i] + eps));
    });
}

void Adamax::add_config(Config& config) const
{
    config.set("beta_1", opts_.beta_1()).set("beta_2", opts_.beta_2()).set("epsilon", opts_.epsilon());
}

}  // namespace xgrad::optim
