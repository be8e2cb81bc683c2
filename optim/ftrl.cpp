#include <xgrad/optim/ftrl.hpp>

#include <algorithm>
#include <cmath>

namespace xgrad::optim {

void Ftrl::build(const Variable& var)
{
    add_slot(var, "accumulator", static_cast<float>(options<FtrlOptions>().initial_accumulator_value()));
    add_slot(var, "linear");
}

void Ftrl::update_step(UpdateContext& u)
{
    const auto& o = options<FtrlOptions>();
    float* w = u.w;
    const float* g = u.g;
    const float lr = u.learning_rate;
    const float l2 = static_cast<float>(o.l2_regularization_strength()) +
                     static_cast<float>(o.beta()) / (2.0f * lr);
    const float two_l2 = 2.0f * l2;
    const float shrinkage = static_cast<float>(2.0 * o.l2_shrinkage_regularization_strength());
    const float minus_p = static_cast<float>(-o.learning_rate_power());
    const float l1 = static_cast<float>(o.l1_regularization_strength());
    float* acc = u.slot("accumulator");
    float* linear = u.slot("linear");
    u.elementwise([&](std::ptrdiff_t i) {
        const float g2 = g[i] + shrinkage * w[i];
        const float new_acc = acc[i] + g[i] * g[i];
        const float new_pow = std::pow(new_acc, minus_p);
        linear[i] = linear[i] + (g2 - ((new_pow - std::pow(acc[i], minus_p)) / lr) * w[i]);
        const float quadratic = new_pow / lr + two_l2;
        const float clipped = std::min(std::max(linear[i], -l1), l1);
        w[i] = (clipped - linear[i]) / quadratic;
        acc[i] = new_acc;
    });
}

}  // namespace xgrad::optim
