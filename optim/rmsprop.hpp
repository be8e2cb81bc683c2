// RMSprop, Keras 3's formula (keras/src/optimizers/rmsprop.py):
//   v = rho * v + (1 - rho) * g*g
//   centered:  a = rho * a + (1 - rho) * g;  denom = v - a*a + epsilon;  else denom = v + epsilon
//   inc = lr * g / sqrt(denom)
//   momentum > 0:  mom = momentum * mom + inc;  w -= mom      else w -= inc
// EpsilonPlacement::PyTorch: torch.optim.RMSprop's step (alpha = rho), epsilon
// outside the square root, in torch's roundings (scalars as Python floats, rounded once):
//   v = v * rho + ((1 - rho) * g) * g
//   centered:  a = a * rho + (1 - rho) * g;  avg = sqrt(v + (-1 * a) * a) + epsilon;  else avg = sqrt(v) + epsilon
//   momentum > 0:  mom = mom * momentum + g / avg;  w += -lr * mom      else w += (-lr * g) / avg
// EpsilonPlacement::PyTorchCPU: the same, bit for bit with torch.optim.RMSprop on CPU
// (torch 1.13): v = fma((1 - rho) * g, g, v * rho), a = fma(1 - rho, g, a * rho),
// avg = sqrt(fma(-1 * a, a, v)) + epsilon, w = fma(-lr, mom, w).
#pragma once

#include <xgrad/optim/optimizer.hpp>

namespace xgrad::optim {

struct RMSpropOptions : OptionsBase<RMSpropOptions> {
    RMSpropOptions() : OptionsBase("rmsprop", 0.001) {}
    XGRAD_OPTION(double, rho, 0.9, in_range(0.0, 1.0, "[)"))
    XGRAD_OPTION(double, momentum, 0.0, in_range(0.0, 1.0, "[)"))
    XGRAD_OPTION(double, epsilon, 1e-7, positive())
    XGRAD_OPTION(bool, centered, false)
    XGRAD_OPTION(EpsilonPlacement, epsilon_placement, EpsilonPlacement::Keras, placements())
};

class RMSprop : public Optimizer {
public:
    using Options = RMSpropOptions;
    explicit RMSprop(const RMSpropOptions& options = {}) : Optimizer(options, "RMSprop") {}

protected:
    void build(const Variable& var) override;
    void update_step(UpdateContext& u) override;
    bool update_step_is_elementwise() const override { return true; }
};

}  // namespace xgrad::optim
