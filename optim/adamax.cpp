#include <xgrad/optim/adamax.hpp>

#include <cmath>

namespace xgrad::optim {

void Adamax::build(const Variable& var)
{
    add_slot(var, "momentum");
    add_slot(var, "norm");
}

void Adamax::update_step(UpdateContext& u)
{
    const auto& o = options<AdamaxOptions>();
    float* w = u.w;
    const float* g = u.g;
    const float lr = u.learning_rate;
    const float one_minus_beta_1_power = 1.0f - std::pow(static_cast<float>(o.beta_1()), u.local_step());
    const float one_minus_beta_1 = static_cast<float>(1.0 - o.beta_1());
    const float beta_2 = static_cast<float>(o.beta_2());
    const float eps = static_cast<float>(o.epsilon());
    float* m = u.slot("momentum");
    float* n = u.slot("norm");
    u.elementwise([&](std::ptrdiff_t i) {
        m[i] = m[i] + (g[i] - m[i]) * one_minus_beta_1;
        n[i] = std::max(beta_2 * n[i], std::abs(g[i]));
        w[i] = w[i] - (lr * m[i]) / (one_minus_beta_1_power * (n[i] + eps));
    });
}

}  // namespace xgrad::optim
