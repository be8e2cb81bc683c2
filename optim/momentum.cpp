#include <xgrad/optim/momentum.hpp>

namespace xgrad::optim {

void Momentum::update_step(UpdateContext& u)
{
    const auto& o = options<MomentumOptions>();
    float* w = u.w;
    const float* g = u.g;
    const float lr = u.learning_rate;
    const float mu = static_cast<float>(o.momentum());
    float* m = u.slot("momentum");
    const bool nesterov = o.nesterov();
    if (o.convention() == MomentumConvention::Keras) {
        u.elementwise([&](std::ptrdiff_t i) {
            m[i] = m[i] * mu - g[i] * lr;
            w[i] = w[i] + (nesterov ? m[i] * mu - g[i] * lr : m[i]);
        });
    } else {
        u.elementwise([&](std::ptrdiff_t i) {
            m[i] = m[i] * mu + g[i];
            w[i] = w[i] - lr * (nesterov ? g[i] + mu * m[i] : m[i]);
        });
    }
}

}  // namespace xgrad::optim
