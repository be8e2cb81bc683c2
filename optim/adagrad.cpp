#include <xgrad/optim/adagrad.hpp>

#include <cmath>

namespace xgrad::optim {

void Adagrad::build(const Variable& var)
{
    add_slot(var, "accumulator", static_cast<float>(options<AdagradOptions>().initial_accumulator_value()));
}

void Adagrad::update_step(UpdateContext& u)
{
    const auto& o = options<AdagradOptions>();
    float* w = u.w;
    const float* g = u.g;
    const float lr = u.learning_rate;
    const float eps = static_cast<float>(o.epsilon());
    float* acc = u.slot("accumulator");
    if (o.epsilon_placement() != EpsilonPlacement::Keras) {
        const float minus_lr = static_cast<float>(-static_cast<double>(lr));
        const bool cpu = o.epsilon_placement() == EpsilonPlacement::PyTorchCPU;
        u.elementwise([&](std::ptrdiff_t i) {
            acc[i] = cpu ? std::fma(1.0f * g[i], g[i], acc[i]) : acc[i] + (1.0f * g[i]) * g[i];
            w[i] = w[i] + (minus_lr * g[i]) / (std::sqrt(acc[i]) + eps);
        });
        return;
    }
    u.elementwise([&](std::ptrdiff_t i) {
        acc[i] = acc[i] + g[i] * g[i];
        w[i] = w[i] - (lr * g[i]) / std::sqrt(acc[i] + eps);
    });
}

}  // namespace xgrad::optim
