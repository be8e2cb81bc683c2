// GradientDescent: plain SGD, Keras's SGD with momentum 0.
//   w = w - g * lr
// get_config() is Keras's SGD config ('name': 'SGD', ..., 'momentum': 0.0, 'nesterov': False).
#pragma once

#include <xgrad/optim/optimizer.hpp>

namespace xgrad::optim {

struct GradientDescentOptions : OptionsBase<GradientDescentOptions> {
    GradientDescentOptions() : OptionsBase("SGD", 0.01) {}
    // Keras's SGD keys, fixed here (Momentum is the optimizer with momentum > 0).
    XGRAD_OPTION(double, momentum, 0.0, only(0.0, "0.0 (use Momentum for momentum > 0)"))
    XGRAD_OPTION(bool, nesterov, false, only(0.0, "False (use Momentum)"))
};

class GradientDescent : public Optimizer {
public:
    using Options = GradientDescentOptions;
    explicit GradientDescent(const GradientDescentOptions& options = {}) : Optimizer(options, "GradientDescent") {}
    std::string kind() const override { return "gradient_descent"; }

protected:
    void update_step(UpdateContext& u) override;
    bool update_step_is_elementwise() const override { return true; }
};

}  // namespace xgrad::optim
