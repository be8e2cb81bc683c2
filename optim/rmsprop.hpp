// RMSprop, Keras 3's formula (keras/src/optimizers/rmsprop.py):
//   v = rho * v + (1 - rho) * g*g
//   centered:  a = rho * a + (1 - rho) * g;  denom = v - a*a + epsilon;  else denom = v + epsilon
//   inc = lr * g / sqrt(denom)
//   momentum > 0:  mom = momentum * mom + inc;  w -= mom      else w -= inc
#pragma once

#include <xgrad/optim/optimizer.hpp>

namespace xgrad::optim {

struct RMSpropOptions : OptionsBase<RMSpropOptions> {
    using Self = RMSpropOptions;
    RMSpropOptions() : OptionsBase("rmsprop", 0.001) {}
    XGRAD_OPTIM_ARG(double, rho, 0.9)       // in [0, 1)
    XGRAD_OPTIM_ARG(double, momentum, 0.0)  // in [0, 1)
    XGRAD_OPTIM_ARG(double, epsilon, 1e-7)  // > 0
    XGRAD_OPTIM_ARG(bool, centered, false)
    static RMSpropOptions from_config(const Config& config);
};

class RMSprop : public Optimizer {
public:
    using Options = RMSpropOptions;
    explicit RMSprop(const RMSpropOptions& options = {});
    std::string kind() const override { return "rmsprop"; }

protected:
    void build(const Variable& var) override;
    void update_step(float* w, const float* g, std::size_t n, Slots& slots, const StepInfo& step) override;
    bool update_step_is_elementwise() const override { return true; }
    void add_config(Config& config) const override;

private:
    RMSpropOptions opts_;
};

}  // namespace xgrad::optim
