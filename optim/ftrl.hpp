// Ftrl, Keras 3's formula (keras/src/optimizers/ftrl.py), float32 tensors,
// Python-number arithmetic in double rounded once (p = learning_rate_power):
//   l2     = l2_regularization_strength + beta / (2 * lr)
//   g2     = g + 2 * l2_shrinkage_regularization_strength * w
//   acc'   = acc + g*g
//   linear += g2 - (acc'^-p - acc^-p) / lr * w
//   quadratic = acc'^-p / lr + 2 * l2
//   w      = (clip(linear, -l1, l1) - linear) / quadratic;   acc = acc'
#pragma once

#include <xgrad/optim/optimizer.hpp>

namespace xgrad::optim {

struct FtrlOptions : OptionsBase<FtrlOptions> {
    FtrlOptions() : OptionsBase("ftrl", 0.001) {}
    XGRAD_OPTION(double, learning_rate_power, -0.5, non_positive())
    XGRAD_OPTION(double, initial_accumulator_value, 0.1, non_negative())
    XGRAD_OPTION(double, l1_regularization_strength, 0.0, non_negative())
    XGRAD_OPTION(double, l2_regularization_strength, 0.0, non_negative())
    XGRAD_OPTION(double, l2_shrinkage_regularization_strength, 0.0, non_negative())
    XGRAD_OPTION(double, beta, 0.0, non_negative())
};

class Ftrl : public Optimizer {
public:
    using Options = FtrlOptions;
    explicit Ftrl(const FtrlOptions& options = {}) : Optimizer(options, "Ftrl") {}

protected:
    void build(const Variable& var) override;
    void update_step(UpdateContext& u) override;
    bool update_step_is_elementwise() const override { return true; }
};

}  // namespace xgrad::optim
