// Lamb, Keras 3's formula (keras/src/optimizers/lamb.py), t = iterations() + 1,
// float32 powers and tensors, (1 - beta) in double rounded once:
//   m += (g - m) * (1 - beta_1);   v += (g*g - v) * (1 - beta_2)
//   r  = (m / (1 - beta_1^t)) / (sqrt(v / (1 - beta_2^t)) + epsilon)
//   ratio = |w| / |r| when both norms are > 0, else 1   (L2 norms over the whole variable)
//   w -= ratio * lr * r
// The norms are float32 sums in index order (one fixed order: the same bits at
// any thread count), so the update is not elementwise.
#pragma once

#include <vector>

#include <xgrad/optim/optimizer.hpp>

namespace xgrad::optim {

struct LambOptions : OptionsBase<LambOptions> {
    LambOptions() : OptionsBase("lamb", 0.001) {}
    XGRAD_OPTION(double, beta_1, 0.9, in_range(0.0, 1.0, "[)"))
    XGRAD_OPTION(double, beta_2, 0.999, in_range(0.0, 1.0, "[)"))
    XGRAD_OPTION(double, epsilon, 1e-7, positive())
};

class Lamb : public Optimizer {
public:
    using Options = LambOptions;
    explicit Lamb(const LambOptions& options = {}) : Optimizer(options, "Lamb") {}

protected:
    void build(const Variable& var) override;
    void update_step(UpdateContext& u) override;

private:
    std::vector<float> update_;  // r, per call
};

}  // namespace xgrad::optim
