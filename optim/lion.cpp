#include <xgrad/optim/lion.hpp>

namespace xgrad::optim {

LionOptions LionOptions::from_config(const Config& config)
{
    LionOptions o;
    ConfigReader r(config, "Lion");
    r.read_base(o.base());
    o.beta_1(r.number("beta_1", o.beta_1())).beta_2(r.number("beta_2", o.beta_2()));
    r.finish();
    return o;
}

Lion::Lion(const LionOptions& options) : Optimizer(options.base(), "Lion"), opts_(options)
{
    check::in_range("Lion", "beta_1", opts_.beta_1(), 0.0, false, 1.0, true);
    check::in_range("Lion", "beta_2", opts_.beta_2(), 0.0, true, 1.0, true);
}

void Lion::build(const Variable& var) { add_slot(var, "momentum"); }

void Lion::update_step(float* w, const float* g, std::size_t n, Slots& slots, const StepInfo& step)
{
    const float lr = step.learning_rate;
    const float beta_1 = static_cast<float>(opts_.beta_1());
    const float beta_2 = static_cast<float>(opts_.beta_2());
    const float one_minus_beta_1 = 1.0f - beta_1;
    const float one_minus_beta_2 = 1.0f - beta_2;
    float* m = slots["momentum"];
    elementwise(n, [&](std::ptrdiff_t i) {
        const float c = m[i] * beta_1 + g[i] * one_minus_beta_1;
        const float sign = static_cast<float>((c > 0.0f) - (c < 0.0f));
        w[i] = w[i] - lr * sign;
        m[i] = m[i] * beta_2 + g[i] * one_minus_beta_2;
    });
}

void Lion::add_config(Config& config) const
{
    config.set("beta_1", opts_.beta_1()).set("beta_2", opts_.beta_2());
}

}  // namespace xgrad::optim
