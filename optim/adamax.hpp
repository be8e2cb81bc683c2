// Adamax, Keras 3's formula (keras/src/optimizers/adamax.py), t = iterations() + 1:
//   m += (g - m) * (1 - beta_1)
//   u  = max(beta_2 * u, |g|)
//   w -= lr * m / ((1 - beta_1^t) * (u + epsilon))
#pragma once

#include <xgrad/optim/optimizer.hpp>

namespace xgrad::optim {

struct AdamaxOptions : OptionsBase<AdamaxOptions> {
    using Self = AdamaxOptions;
    AdamaxOptions() : OptionsBase("adamax", 0.001) {}
    XGRAD_OPTIM_ARG(double, beta_1, 0.9)    // in [0, 1)
    XGRAD_OPTIM_ARG(double, beta_2, 0.999)  // in [0, 1)
    XGRAD_OPTIM_ARG(double, epsilon, 1e-7)  // > 0
    static AdamaxOptions from_config(const Config& config);
};

class Adamax : public Optimizer {
public:
    using Options = AdamaxOptions;
    explicit Adamax(const AdamaxOptions& options = {});
    std::string kind() const override { return "adamax"; }

protected:
    void build(const Variable& var) override;
    void update_step(float* w, const float* g, std::size_t n, Slots& slots, const StepInfo& step) override;
    bool update_step_is_elementwise() const override { return true; }
    void add_config(Config& config) const override;

private:
    AdamaxOptions opts_;
};

}  // namespace xgrad::optim
