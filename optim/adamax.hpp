// Adamax, Keras 3's formula (keras/src/optimizers/adamax.py), t = iterations() + 1:
//   m += (g - m) * (1 - beta_1)
//   u  = max(beta_2 * u, |g|)
//   w -= lr * m / ((1 - beta_1^t) * (u + epsilon))
#pragma once

#include <xgrad/optim/optimizer.hpp>

namespace xgrad::optim {

struct AdamaxOptions : OptionsBase<AdamaxOptions> {
    AdamaxOptions() : OptionsBase("adamax", 0.001) {}
    XGRAD_OPTION(double, beta_1, 0.9, in_range(0.0, 1.0, "[)"))
    XGRAD_OPTION(double, beta_2, 0.999, in_range(0.0, 1.0, "[)"))
    XGRAD_OPTION(double, epsilon, 1e-7, positive())
};

class Adamax : public Optimizer {
public:
    using Options = AdamaxOptions;
    explicit Adamax(const AdamaxOptions& options = {}) : Optimizer(options, "Adamax") {}

protected:
    void build(const Variable& var) override;
    void update_step(UpdateContext& u) override;
    bool update_step_is_elementwise() const override { return true; }
};

}  // namespace xgrad::optim
