// Lion, Keras 3's formula (keras/src/optimizers/lion.py), in float32:
//   w -= lr * sign(m * beta_1 + g * (1 - beta_1))
//   m  = m * beta_2 + g * (1 - beta_2)
#pragma once

#include <xgrad/optim/optimizer.hpp>

namespace xgrad::optim {

struct LionOptions : OptionsBase<LionOptions> {
    LionOptions() : OptionsBase("lion", 0.001) {}
    XGRAD_OPTION(double, beta_1, 0.9, in_range(0.0, 1.0, "(]"))
    XGRAD_OPTION(double, beta_2, 0.99, in_range(0.0, 1.0, "[]"))
};

class Lion : public Optimizer {
public:
    using Options = LionOptions;
    explicit Lion(const LionOptions& options = {}) : Optimizer(options, "Lion") {}

protected:
    void build(const Variable& var) override { add_slot(var, "momentum"); }
    void update_step(UpdateContext& u) override;
    bool update_step_is_elementwise() const override { return true; }
};

}  // namespace xgrad::optim
