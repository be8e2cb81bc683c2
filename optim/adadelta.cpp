#include <xgrad/optim/adadelta.hpp>

#include <cmath>

namespace xgrad::optim {

void Adadelta::build(const Variable& var)
{
    add_slot(var, "accumulated_grad");
    add_slot(var, "accumulated_delta_var");
}

void Adadelta::update_step(UpdateContext& u)
{
    const auto& o = options<AdadeltaOptions>();
    float* w = u.w;
    const float* g = u.g;
    const float lr = u.learning_rate;
    const float rho = static_cast<float>(o.rho());
    const float one_minus_rho = static_cast<float>(1.0 - o.rho());
    const float eps = static_cast<float>(o.epsilon());
    float* acc_g = u.slot("accumulated_grad");
    float* acc_d = u.slot("accumulated_delta_var");
    u.elementwise([&](std::ptrdiff_t i) {
        acc_g[i] = rho * acc_g[i] + one_minus_rho * (g[i] * g[i]);
        const float delta = -((std::sqrt(acc_d[i] + eps) * g[i]) / std::sqrt(acc_g[i] + eps));
        acc_d[i] = rho * acc_d[i] + one_minus_rho * (delta * delta);
        w[i] = w[i] + lr * delta;
    });
}

}  // namespace xgrad::optim
