// Adagrad, Keras 3's formula (keras/src/optimizers/adagrad.py):
//   acc += g*g                 (acc starts at initial_accumulator_value)
//   w   -= lr * g / sqrt(acc + epsilon)
// EpsilonPlacement::PyTorch: torch.optim.Adagrad's step (lr_decay 0), epsilon
// outside the square root (torch's defaults: initial_accumulator_value 0, epsilon 1e-10):
//   acc += (1 * g) * g;   w += (-lr * g) / (sqrt(acc) + epsilon)
// EpsilonPlacement::PyTorchCPU: bit for bit with torch.optim.Adagrad on CPU (torch 1.13):
//   acc = fma(1 * g, g, acc)   (addcmul_ fused), then the same w update.
#pragma once

#include <xgrad/optim/optimizer.hpp>

namespace xgrad::optim {

struct AdagradOptions : OptionsBase<AdagradOptions> {
    AdagradOptions() : OptionsBase("adagrad", 0.001) {}
    XGRAD_OPTION(double, initial_accumulator_value, 0.1, non_negative())
    XGRAD_OPTION(double, epsilon, 1e-7, positive())
    XGRAD_OPTION(EpsilonPlacement, epsilon_placement, EpsilonPlacement::Keras, placements())
};

class Adagrad : public Optimizer {
public:
    using Options = AdagradOptions;
    explicit Adagrad(const AdagradOptions& options = {}) : Optimizer(options, "Adagrad") {}

protected:
    void build(const Variable& var) override;
    void update_step(UpdateContext& u) override;
    bool update_step_is_elementwise() const override { return true; }
};

}  // namespace xgrad::optim
