#include <xgrad/optim/nadam.hpp>

#include <cmath>

namespace xgrad::optim {

namespace {
constexpr float kDecay = 0.96f;
}

NadamOptions NadamOptions::from_config(const Config& config)
{
    NadamOptions o;
    ConfigReader r(config, "Nadam");
    r.read_base(o.base());
    o.beta_1(r.number("beta_1", o.beta_1())).beta_2(r.number("beta_2", o.beta_2())).epsilon(r.number("epsilon", o.epsilon()));
    r.finish();
    return o;
}

Nadam::Nadam(const NadamOptions& options) : Optimizer(options.base(), "Nadam"), opts_(options)
{
    check::in_range("Nadam", "beta_1", opts_.beta_1(), 0.0, true, 1.0, false);
    check::in_range("Nadam", "beta_2", opts_.beta_2(), 0.0, true, 1.0, false);
    check::positive("Nadam", "epsilon", opts_.epsilon());
}

void Nadam::build(const Variable& var)
{
    add_slot(var, "momentum");
    add_slot(var, "velocity");
}

void Nadam::begin_update(const StepInfo& step)
{
    float& u_product = scalar_state("u_product", 1.0f);
    u_product = u_product * static_cast<float>(opts_.beta_1()) * (1.0f - 0.5f * std::pow(kDecay, step.local_step()));
}

void Nadam::update_step(float* w, const float* g, std::size_t n, Slots& slots, const StepInfo& step)
{
    const float lr = step.learning_rate;
    const float t = step.local_step();
    const float beta_1 = static_cast<float>(opts_.beta_1());
    const float beta_2 = static_cast<float>(opts_.beta_2());
    const float eps = static_cast<float>(opts_.epsilon());
    const float u_t = beta_1 * (1.0f - 0.5f * std::pow(kDecay, t));
    const float u_t1 = beta_1 * (1.0f - 0.5f * std::pow(kDecay, t + 1.0f));
    const float u_product = scalar_state("u_product", 1.0f);
    const float one_minus_u_product_t1 = 1.0f - u_product * u_t1;
    const float one_minus_u_product = 1.0f - u_product;
    const float one_minus_u_t = 1.0f - u_t;
    const float one_minus_beta_2_power = 1.0f - std::pow(beta_2, t);
    const float one_minus_beta_1 = 1.0f - beta_1;
    const float one_minus_beta_2 = 1.0f - beta_2;
    float* m = slots["momentum"];
    float* v = slots["velocity"];
    elementwise(n, [&](std::ptrdiff_t i) {
        m[i] = m[i] + (g[i] - m[i]) * one_minus_beta_1;
        v[i] = v[i] + (g[i] * g[i] - v[i]) * one_minus_beta_2;
        const float m_hat = (u_t1 * m[i]) / one_minus_u_product_t1 + (one_minus_u_t * g[i]) / one_minus_u_product;
        const float v_hat = v[i] / one_minus_beta_2_power;
        w[i] = w[i] - (m_hat * lr) / (std::sqrt(v_hat) + eps);
    });
}

void Nadam::add_config(Config& config) const
{
    config.set("beta_1", opts_.beta_1()).set("beta_2", opts_.beta_2()).set("epsilon", opts_.epsilon());
}

}  // namespace xgrad::optim
