#include <xgrad/optim/lamb.hpp>

#include <cmath>

namespace xgrad::optim {

void Lamb::build(const Variable& var)
{
    add_slot(var, "momentum");
    add_slot(var, "velocity");
}

void Lamb::update_step(UpdateContext& u)
{
    const auto& o = options<LambOptions>();
    float* w = u.w;
    const float* g = u.g;
    const float t = u.local_step();
    const float one_minus_beta_1_power = 1.0f - std::pow(static_cast<float>(o.beta_1()), t);
    const float one_minus_beta_2_power = 1.0f - std::pow(static_cast<float>(o.beta_2()), t);
    const float one_minus_beta_1 = static_cast<float>(1.0 - o.beta_1());
    const float one_minus_beta_2 = static_cast<float>(1.0 - o.beta_2());
    const float eps = static_cast<float>(o.epsilon());
    float* m = u.slot("momentum");
    float* v = u.slot("velocity");
    update_.resize(u.n);
    float* r = update_.data();
    u.elementwise([&](std::ptrdiff_t i) {
        m[i] = m[i] + (g[i] - m[i]) * one_minus_beta_1;
        v[i] = v[i] + (g[i] * g[i] - v[i]) * one_minus_beta_2;
        r[i] = (m[i] / one_minus_beta_1_power) / (std::sqrt(v[i] / one_minus_beta_2_power) + eps);
    });
    float w_sq = 0.0f, r_sq = 0.0f;
    for (std::size_t i = 0; i < u.n; ++i) {
        w_sq += w[i] * w[i];
        r_sq += r[i] * r[i];
    }
    const float w_norm = std::sqrt(w_sq), r_norm = std::sqrt(r_sq);
    const float ratio = w_norm > 0.0f && r_norm > 0.0f ? w_norm / r_norm : 1.0f;
    const float scale = ratio * u.learning_rate;
    u.elementwise([&](std::ptrdiff_t i) { w[i] = w[i] - scale * r[i]; });
}

}  // namespace xgrad::optim
