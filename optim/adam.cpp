#include <xgrad/optim/adam.hpp>

#include <cmath>

#include <xgrad/core/error.hpp>

namespace xgrad::optim {

AdamW::AdamW(const AdamOptions& o) : Adam(o, "AdamW")
{
    if (!o.weight_decay()) throw ValueError("AdamW: option 'weight_decay' must be set (a float), got None");
}

void Adam::build(const Variable& var)
{
    add_slot(var, "momentum");
    add_slot(var, "velocity");
    if (options<AdamOptions>().amsgrad()) add_slot(var, "velocity_hat");
}

bool Adam::decays_weights_itself() const
{
    return options<AdamOptions>().epsilon_placement() != EpsilonPlacement::Keras;
}

void Adam::update_step(UpdateContext& u)
{
    const auto& o = options<AdamOptions>();
    float* m = u.slot("momentum");
    float* v = u.slot("velocity");
    float* vhat = o.amsgrad() ? u.slot("velocity_hat") : v;  // without amsgrad vhat aliases v: max(v, v) = v
    if (o.epsilon_placement() != EpsilonPlacement::Keras) {
        return update_step_pytorch(u, m, v, vhat, o.epsilon_placement() == EpsilonPlacement::PyTorchCPU);
    }
    float* w = u.w;
    const float* g = u.g;
    const float t = u.local_step();
    const float beta_1_power = std::pow(static_cast<float>(o.beta_1()), t);
    const float beta_2_power = std::pow(static_cast<float>(o.beta_2()), t);
    const float one_minus_beta_1 = static_cast<float>(1.0 - o.beta_1());
    const float one_minus_beta_2 = static_cast<float>(1.0 - o.beta_2());
    const float eps = static_cast<float>(o.epsilon());
    const float alpha = u.learning_rate * std::sqrt(1.0f - beta_2_power) / (1.0f - beta_1_power);
    u.elementwise([&](std::ptrdiff_t i) {
        m[i] = m[i] + (g[i] - m[i]) * one_minus_beta_1;
        v[i] = v[i] + (g[i] * g[i] - v[i]) * one_minus_beta_2;
        vhat[i] = std::max(vhat[i], v[i]);
        w[i] = w[i] - (m[i] * alpha) / (std::sqrt(vhat[i]) + eps);
    });
}

// torch.optim.Adam's single-tensor step (_single_tensor_adam) in its own roundings:
// bias corrections and step size in double (Python floats), rounded to float32
// where they meet a tensor; m.lerp_(g, 1 - beta_1); v.mul_(beta_2).addcmul_(g, g,
// value = 1 - beta_2); w.addcdiv_(m, sqrt(v) / bc2_sqrt + eps, value = -step_size).
// Weight decay as torch.optim.AdamW: w.mul_(1 - lr * weight_decay), first.
void Adam::update_step_pytorch(UpdateContext& u, float* m, float* v, float* vhat, bool cpu) const
{
    const auto& o = options<AdamOptions>();
    float* w = u.w;
    const float* g = u.g;
    const double lr = static_cast<double>(u.learning_rate);
    const double t = static_cast<double>(u.iterations + 1);
    const float step_size = static_cast<float>(lr / (1.0 - std::pow(o.beta_1(), t)));
    const float bc2_sqrt = static_cast<float>(std::sqrt(1.0 - std::pow(o.beta_2(), t)));
    const float weight = static_cast<float>(1.0 - o.beta_1());  // lerp's weight; torch's lerp has two forms
    const float one_minus_weight = 1.0f - weight;
    const float beta_2 = static_cast<float>(o.beta_2());
    const float one_minus_beta_2 = static_cast<float>(1.0 - o.beta_2());
    const float eps = static_cast<float>(o.epsilon());
    if (u.weight_decay) {
        const float keep = static_cast<float>(1.0 - lr * *u.weight_decay);
        u.elementwise([&](std::ptrdiff_t i) { w[i] = w[i] * keep; });
    }
    if (cpu) {  // torch 1.13's CPU kernels: mul_().add_(alpha) and addcmul_ as fused multiply-adds
        const float beta_1 = static_cast<float>(o.beta_1());
        u.elementwise([&](std::ptrdiff_t i) {
            m[i] = std::fma(weight, g[i], m[i] * beta_1);
            v[i] = std::fma(one_minus_beta_2 * g[i], g[i], v[i] * beta_2);
            vhat[i] = std::max(vhat[i], v[i]);
            w[i] = w[i] + (-step_size * m[i]) / (std::sqrt(vhat[i]) / bc2_sqrt + eps);
        });
        return;
    }
    u.elementwise([&](std::ptrdiff_t i) {
        m[i] = weight < 0.5f ? m[i] + weight * (g[i] - m[i]) : g[i] - (g[i] - m[i]) * one_minus_weight;
        v[i] = v[i] * beta_2 + (one_minus_beta_2 * g[i]) * g[i];
        vhat[i] = std::max(vhat[i], v[i]);
        w[i] = w[i] + (-step_size * m[i]) / (std::sqrt(vhat[i]) / bc2_sqrt + eps);
    });
}

}  // namespace xgrad::optim
