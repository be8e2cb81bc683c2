// GradientDescent: plain SGD, Keras's SGD with momentum 0.
//   w = w - g * lr
// get_config() is Keras's SGD config ('name': 'SGD', ..., 'momentum': 0.0, 'nesterov': False).
#pragma once

#include <xgrad/optim/optimizer.hpp>

namespace xgrad::optim {

struct GradientDescentOptions : OptionsBase<GradientDescentOptions> {
    using Self = GradientDescentOptions;
    GradientDescentOptions() : OptionsBase("SGD", 0.01) {}
    static GradientDescentOptions from_config(const Config& config);
};

class GradientDescent : public Optimizer {
public:
    using Options = GradientDescentOptions;
    explicit GradientDescent(const GradientDescentOptions& options = {});
    std::string kind() const override { return "gradient_descent"; }

protected:
    void update_step(float* w, const float* g, std::size_t n, Slots& slots, const StepInfo& step) override;
    bool update_step_is_elementwise() const override { return true; }
    void add_config(Config& config) const override;
};

}  // namespace xgrad::optim
