// Adam and AdamW, Keras 3's formulas (keras/src/optimizers/adam.py, TF1's
// ApplyAdam), with t = iterations() + 1 and float32 powers:
//   alpha = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t)
//   m    += (g - m) * (1 - beta_1)
//   v    += (g*g - v) * (1 - beta_2)          amsgrad: vhat = max(vhat, v), used for v below
//   w    -= m * alpha / (sqrt(v) + epsilon)    (epsilon defaults to 1e-7)
// EpsilonPlacement::PyTorch: torch.optim.Adam's whole single-tensor step, in its
// roundings (PyTorch's default epsilon is 1e-8, set it yourself):
//   m    = m.lerp(g, 1 - beta_1)               (float32: m + w*(g - m), or g - (g - m)*(1 - w) for w >= 0.5)
//   v    = v * beta_2 + ((1 - beta_2) * g) * g
//   bc1  = 1 - beta_1^t, bc2 = 1 - beta_2^t   (double, as Python floats; t = iterations() + 1)
//   w   += (-(lr / bc1) * m) / (sqrt(v) / sqrt(bc2) + epsilon)   (scalars rounded to float32 once)
// and weight decay as torch.optim.AdamW applies it, before the step:
//   w   *= 1 - lr * weight_decay               (in double, rounded to float32 once)
// EpsilonPlacement::PyTorchCPU: torch.optim.Adam/AdamW bit for bit on CPU (torch 1.13):
//   m    = fma(1 - beta_1, g, m * beta_1)      (mul_(beta_1).add_(g, alpha = 1 - beta_1))
//   v    = fma((1 - beta_2) * g, g, v * beta_2)
// then the same decay, bias corrections and w update as PyTorch.
// lr is the float32 learning rate widened to double (torch uses the Python float).
// The two differ for any constant epsilon on small gradients.
// AdamW is Adam with decoupled weight decay on by default (0.004, Keras's
// AdamW): w -= w * weight_decay * lr before the Adam step.
#pragma once

#include <xgrad/optim/optimizer.hpp>

namespace xgrad::optim {

using AdamEpsilon = EpsilonPlacement;

struct AdamOptions : OptionsBase<AdamOptions> {
    AdamOptions() : OptionsBase("adam", 0.001) {}
    XGRAD_OPTION(double, beta_1, 0.9, in_range(0.0, 1.0, "[)"))
    XGRAD_OPTION(double, beta_2, 0.999, in_range(0.0, 1.0, "[)"))
    XGRAD_OPTION(double, epsilon, 1e-7, positive())
    XGRAD_OPTION(bool, amsgrad, false)
    XGRAD_OPTION(EpsilonPlacement, epsilon_placement, EpsilonPlacement::Keras, placements())
protected:
    explicit AdamOptions(const char* name) : OptionsBase(name, 0.001) {}
};

// AdamOptions with Keras's AdamW defaults (name 'adamw', weight_decay 0.004).
struct AdamWOptions : AdamOptions {
    AdamWOptions() : AdamOptions("adamw") { weight_decay(0.004); }
    static AdamWOptions from_config(const Config& c, const std::string& who = "AdamW")
    {
        AdamWOptions o;
        o.read_config(c, who);
        return o;
    }
};

class Adam : public Optimizer {
public:
    using Options = AdamOptions;
    explicit Adam(const AdamOptions& options = {}) : Adam(options, "Adam") {}

protected:
    Adam(const AdamOptions& options, const char* display_name) : Optimizer(options, display_name) {}
    void build(const Variable& var) override;
    void update_step(UpdateContext& u) override;
    bool update_step_is_elementwise() const override { return true; }
    bool decays_weights_itself() const override;

private:
    void update_step_pytorch(UpdateContext& u, float* m, float* v, float* vhat, bool cpu) const;
};

class AdamW : public Adam {
public:
    using Options = AdamWOptions;
    explicit AdamW(const AdamOptions& options = AdamWOptions{});
};

}  // namespace xgrad::optim
