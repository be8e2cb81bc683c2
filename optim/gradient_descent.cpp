#include <xgrad/optim/gradient_descent.hpp>

namespace xgrad::optim {

void GradientDescent::update_step(UpdateContext& u)
{
    float* w = u.w;
    const float* g = u.g;
    const float lr = u.learning_rate;
    u.elementwise([&](std::ptrdiff_t i) { w[i] = w[i] - g[i] * lr; });
}

}  // namespace xgrad::optim
