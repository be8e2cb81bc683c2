#include <xgrad/optim/nadam.hpp>

#include <cmath>

namespace xgrad::optim {

namespace {
constexpr float kDecay = 0.96f;
}

void Nadam::build(const Variable& var)
{
    add_slot(var, "momentum");
    add_slot(var, "velocity");
}

void Nadam::begin_update(const StepInfo& step)
{
    float& u_product = scalar_state("u_product", 1.0f);
    const float beta_1 = static_cast<float>(options<NadamOptions>().beta_1());
    u_product = u_product * beta_1 * (1.0f - 0.5f * std::pow(kDecay, step.local_step()));
}

void Nadam::update_step(UpdateContext& u)
{
    const auto& o = options<NadamOptions>();
    float* w = u.w;
    const float* g = u.g;
    const float lr = u.learning_rate;
    const float t = u.local_step();
    const float beta_1 = static_cast<float>(o.beta_1());
    const float beta_2 = static_cast<float>(o.beta_2());
    const float eps = static_cast<float>(o.epsilon());
    const float u_t = beta_1 * (1.0f - 0.5f * std::pow(kDecay, t));
    const float u_t1 = beta_1 * (1.0f - 0.5f * std::pow(kDecay, t + 1.0f));
    const float u_product = scalar_state("u_product", 1.0f);
    const float one_minus_u_product_t1 = 1.0f - u_product * u_t1;
    const float one_minus_u_product = 1.0f - u_product;
    const float one_minus_u_t = 1.0f - u_t;
    const float one_minus_beta_2_power = 1.0f - std::pow(beta_2, t);
    const float one_minus_beta_1 = 1.0f - beta_1;
    const float one_minus_beta_2 = 1.0f - beta_2;
    float* m = u.slot("momentum");
    float* v = u.slot("velocity");
    u.elementwise([&](std::ptrdiff_t i) {
        m[i] = m[i] + (g[i] - m[i]) * one_minus_beta_1;
        v[i] = v[i] + (g[i] * g[i] - v[i]) * one_minus_beta_2;
        const float m_hat = (u_t1 * m[i]) / one_minus_u_product_t1 + (one_minus_u_t * g[i]) / one_minus_u_product;
        const float v_hat = v[i] / one_minus_beta_2_power;
        w[i] = w[i] - (m_hat * lr) / (std::sqrt(v_hat) + eps);
    });
}

}  // namespace xgrad::optim
