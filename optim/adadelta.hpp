// Adadelta, Keras 3's formula (keras/src/optimizers/adadelta.py), float32 tensors,
// Python-number arithmetic (1 - rho) in double, rounded once:
//   acc_g     = rho * acc_g + (1 - rho) * g*g
//   delta     = -(sqrt(acc_delta + epsilon) * g) / sqrt(acc_g + epsilon)
//   acc_delta = rho * acc_delta + (1 - rho) * delta*delta
//   w        += lr * delta
#pragma once

#include <xgrad/optim/optimizer.hpp>

namespace xgrad::optim {

struct AdadeltaOptions : OptionsBase<AdadeltaOptions> {
    AdadeltaOptions() : OptionsBase("adadelta", 0.001) {}
    XGRAD_OPTION(double, rho, 0.95, in_range(0.0, 1.0, "[)"))
    XGRAD_OPTION(double, epsilon, 1e-7, positive())
};

class Adadelta : public Optimizer {
public:
    using Options = AdadeltaOptions;
    explicit Adadelta(const AdadeltaOptions& options = {}) : Optimizer(options, "Adadelta") {}

protected:
    void build(const Variable& var) override;
    void update_step(UpdateContext& u) override;
    bool update_step_is_elementwise() const override { return true; }
};

}  // namespace xgrad::optim
