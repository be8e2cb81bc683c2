// Lion, Keras 3's formula (keras/src/optimizers/lion.py), in float32:
//   w -= lr * sign(m * beta_1 + g * (1 - beta_1))
//   m  = m * beta_2 + g * (1 - beta_2)
#pragma once

#include <xgrad/optim/optimizer.hpp>

namespace xgrad::optim {

struct LionOptions : OptionsBase<LionOptions> {
    using Self = LionOptions;
    LionOptions() : OptionsBase("lion", 0.001) {}
    XGRAD_OPTIM_ARG(double, beta_1, 0.9)   // in (0, 1]
    XGRAD_OPTIM_ARG(double, beta_2, 0.99)  // in [0, 1]
    static LionOptions from_config(const Config& config);
};

class Lion : public Optimizer {
public:
    using Options = LionOptions;
    explicit Lion(const LionOptions& options = {});
    std::string kind() const override { return "lion"; }

protected:
    void build(const Variable& var) override;
    void update_step(float* w, const float* g, std::size_t n, Slots& slots, const StepInfo& step) override;
    bool update_step_is_elementwise() const override { return true; }
    void add_config(Config& config) const override;

private:
    LionOptions opts_;
};

}  // namespace xgrad::optim
