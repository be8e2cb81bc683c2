// Nadam, Keras 3's formula (keras/src/optimizers/nadam.py), t = iterations() + 1,
// everything in float32 (beta_1, beta_2 cast first, so 1 - beta_1 is a float32 op):
//   u_t   = beta_1 * (1 - 0.5 * 0.96^t),   u_t1 = beta_1 * (1 - 0.5 * 0.96^(t+1))
//   u_product *= u_t                        (once per step, optimizer-wide; starts at 1)
//   m += (g - m) * (1 - beta_1);   v += (g*g - v) * (1 - beta_2)
//   m_hat = u_t1 * m / (1 - u_product * u_t1) + (1 - u_t) * g / (1 - u_product)
//   v_hat = v / (1 - beta_2^t)
//   w -= m_hat * lr / (sqrt(v_hat) + epsilon)
#pragma once

#include <xgrad/optim/optimizer.hpp>

namespace xgrad::optim {

struct NadamOptions : OptionsBase<NadamOptions> {
    NadamOptions() : OptionsBase("nadam", 0.001) {}
    XGRAD_OPTION(double, beta_1, 0.9, in_range(0.0, 1.0, "[)"))
    XGRAD_OPTION(double, beta_2, 0.999, in_range(0.0, 1.0, "[)"))
    XGRAD_OPTION(double, epsilon, 1e-7, positive())
};

class Nadam : public Optimizer {
public:
    using Options = NadamOptions;
    explicit Nadam(const NadamOptions& options = {}) : Optimizer(options, "Nadam") {}

protected:
    void build(const Variable& var) override;
    void begin_update(const StepInfo& step) override;
    void update_step(UpdateContext& u) override;
    bool update_step_is_elementwise() const override { return true; }
};

}  // namespace xgrad::optim
