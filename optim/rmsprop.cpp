#include <xgrad/optim/rmsprop.hpp>

#include <cmath>

namespace xgrad::optim {

void RMSprop::build(const Variable& var)
{
    add_slot(var, "velocity");
    if (options<RMSpropOptions>().momentum() > 0) add_slot(var, "momentum");
    if (options<RMSpropOptions>().centered()) add_slot(var, "average_gradient");
}

void RMSprop::update_step(UpdateContext& u)
{
    const auto& o = options<RMSpropOptions>();
    float* w = u.w;
    const float* g = u.g;
    const float lr = u.learning_rate;
    const float rho = static_cast<float>(o.rho());
    const float one_minus_rho = static_cast<float>(1.0 - o.rho());
    const float eps = static_cast<float>(o.epsilon());
    const float mu = static_cast<float>(o.momentum());
    float* v = u.slot("velocity");
    float* mom = mu > 0 ? u.slot("momentum") : nullptr;
    float* avg = o.centered() ? u.slot("average_gradient") : nullptr;
    if (o.epsilon_placement() != EpsilonPlacement::Keras) {
        const float minus_lr = static_cast<float>(-static_cast<double>(lr));
        const bool cpu = o.epsilon_placement() == EpsilonPlacement::PyTorchCPU;  // a * b + c as torch's fma
        const auto mul_add = [cpu](float a, float b, float c) { return cpu ? std::fma(a, b, c) : c + a * b; };
        u.elementwise([&](std::ptrdiff_t i) {
            v[i] = mul_add(one_minus_rho * g[i], g[i], v[i] * rho);
            float denom;
            if (avg) {
                avg[i] = mul_add(one_minus_rho, g[i], avg[i] * rho);
                denom = std::sqrt(mul_add(-1.0f * avg[i], avg[i], v[i])) + eps;
            } else {
                denom = std::sqrt(v[i]) + eps;
            }
            if (mom) {
                mom[i] = mom[i] * mu + g[i] / denom;
                w[i] = mul_add(minus_lr, mom[i], w[i]);
            } else {
                w[i] = w[i] + (minus_lr * g[i]) / denom;
            }
        });
        return;
    }
    u.elementwise([&](std::ptrdiff_t i) {
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

}  // namespace xgrad::optim
