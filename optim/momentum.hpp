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
    using Self = MomentumOptions;
    MomentumOptions() : OptionsBase("SGD", 0.01) {}
    XGRAD_OPTIM_ARG(double, momentum, 0.9)  // in [0, 1]
    XGRAD_OPTIM_ARG(bool, nesterov, false)
    XGRAD_OPTIM_ARG(MomentumConvention, convention, MomentumConvention::Keras)
    static MomentumOptions from_config(const Config& config);
};

class Momentum : public Optimizer {
public:
    using Options = MomentumOptions;
    explicit Momentum(const MomentumOptions& options = {});
    std::string kind() const override { return "momentum"; }

protected:
    void build(const Variable& var) override;
    void update_step(float* w, const float* g, std::size_t n, Slots& slots, const StepInfo& step) override;
    bool update_step_is_elementwise() const override { return true; }
    void add_config(Config& config) const override;

private:
    MomentumOptions opts_;
};

}  // namespace xgrad::optim
