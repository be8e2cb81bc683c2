// Adagrad, Keras 3's formula (keras/src/optimizers/adagrad.py):
//   acc += g*g                 (acc starts at initial_accumulator_value)
//   w   -= lr * g / sqrt(acc + epsilon)
#pragma once

#include <xgrad/optim/optimizer.hpp>

namespace xgrad::optim {

struct AdagradOptions : OptionsBase<AdagradOptions> {
    using Self = AdagradOptions;
    AdagradOptions() : OptionsBase("adagrad", 0.001) {}
    XGRAD_OPTIM_ARG(double, initial_accumulator_value, 0.1)  // >= 0
    XGRAD_OPTIM_ARG(double, epsilon, 1e-7)                    // > 0
    static AdagradOptions from_config(const Config& config);
};

class Adagrad : public Optimizer {
public:
    using Options = AdagradOptions;
    explicit Adagrad(const AdagradOptions& options = {});
    std::string kind() const override { return "adagrad"; }

protected:
    void build(const Variable& var) override;
    void update_step(float* w, const float* g, std::size_t n, Slots& slots, const StepInfo& step) override;
    bool update_step_is_elementwise() const override { return true; }
    void add_config(Config& config) const override;

private:
    AdagradOptions opts_;
};

}  // namespace xgrad::optim
