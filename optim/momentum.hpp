// Momentum: SGD with momentum mu, in one of two conventions.
//
// MomentumConvention::Keras (default; Keras's SGD, the velocity holds the lr):
//   m = mu * m - lr * g
//   w = w + m                        nesterov: w = w + mu * m - lr * g
// MomentumConvention::PyTorch (PyTorch's SGD and TF1's MomentumOptimizer; the
// buffer holds raw gradients, the lr is applied last):
//   buf = mu * buf + g
//   w = w - lr * buf                 nesterov: w = w - lr * (g + mu * buf)
// The two agree exactly only while lr stays constant: after an lr change the
// Keras velocity still carries steps taken at the old lr, PyTorch's rescales them.
// The classic tutorial form `delta = lr*g + mu*delta; w -= delta` is Keras's.
#pragma once

#include <xgrad/optim/optimizer.hpp>

namespace xgrad::optim {

enum class MomentumConvention { Keras, PyTorch };

struct MomentumOptions : OptionsBase<MomentumOptions> {
    MomentumOptions() : OptionsBase("SGD", 0.01) {}
    XGRAD_OPTION(double, momentum, 0.9, in_range(0.0, 1.0, "[]"))
    XGRAD_OPTION(bool, nesterov, false)
    XGRAD_OPTION(MomentumConvention, convention, MomentumConvention::Keras, names({"keras", "pytorch"}).xgrad_only())
};

class Momentum : public Optimizer {
public:
    using Options = MomentumOptions;
    explicit Momentum(const MomentumOptions& options = {}) : Optimizer(options, "Momentum") {}

protected:
    void build(const Variable& var) override { add_slot(var, "momentum"); }
    void update_step(UpdateContext& u) override;
    bool update_step_is_elementwise() const override { return true; }
};

}  // namespace xgrad::optim
