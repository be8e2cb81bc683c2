#include <xgrad/optim/lion.hpp>

namespace xgrad::optim {

void Lion::update_step(UpdateContext& u)
{
    const auto& o = options<LionOptions>();
    float* w = u.w;
    const float* g = u.g;
    const float lr = u.learning_rate;
    const float beta_1 = static_cast<float>(o.beta_1());
    const float beta_2 = static_cast<float>(o.beta_2());
    const float one_minus_beta_1 = 1.0f - beta_1;
    const float one_minus_beta_2 = 1.0f - beta_2;
    float* m = u.slot("momentum");
    u.elementwise([&](std::ptrdiff_t i) {
        const float c = m[i] * beta_1 + g[i] * one_minus_beta_1;
        const float sign = static_cast<float>((c > 0.0f) - (c < 0.0f));
        w[i] = w[i] - lr * sign;
        m[i] = m[i] * beta_2 + g[i] * one_minus_beta_2;
    });
}

}  // namespace xgrad::optim
