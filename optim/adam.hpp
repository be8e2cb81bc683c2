// Adam and AdamW, Keras 3's formulas (keras/src/optimizers/adam.py, TF1's
// ApplyAdam), with t = iterations() + 1 and float32 powers:
//   alpha = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t)
//   m    += (g - m) * (1 - beta_1)
//   v    += (g*g - v) * (1 - beta_2)          amsgrad: vhat = max(vhat, v), used for v below
//   w    -= m * alpha / (sqrt(v) + epsilon)    (epsilon defaults to 1e-7)
// AdamEpsilon::PyTorch: torch.optim.Adam's whole single-tensor step, in its
// roundings (PyTorch's default epsilon is 1e-8, set it yourself):
//   m    = m.lerp(g, 1 - beta_1)               (float32: m + w*(g - m), or g - (g - m)*(1 - w) for w >= 0.5)
//   v    = v * beta_2 + ((1 - beta_2) * g) * g
//   bc1  = 1 - beta_1^t, bc2 = 1 - beta_2^t   (double, as Python floats; t = iterations() + 1)
//   w   += (-(lr / bc1) * m) / (sqrt(v) / sqrt(bc2) + epsilon)   (scalars rounded to float32 once)
// lr is the float32 learning rate widened to double (torch uses the Python float).
// The two differ for any constant epsilon on small gradients.
// AdamW is Adam with decoupled weight decay on by default (0.004, Keras's
// AdamW): w -= w * weight_decay * lr before the Adam step.
#pragma once

#include <xgrad/optim/optimizer.hpp>

namespace xgrad::optim {

enum class AdamEpsilon { Keras, PyTorch };

template <class Derived>
struct AdamOptionsT : OptionsBase<Derived> {
    using Self = Derived;
    XGRAD_OPTIM_ARG(double, beta_1, 0.9)    // in [0, 1)
    XGRAD_OPTIM_ARG(double, beta_2, 0.999)  // in [0, 1)
    XGRAD_OPTIM_ARG(double, epsilon, 1e-7)  // > 0
    XGRAD_OPTIM_ARG(bool, amsgrad, false)
    XGRAD_OPTIM_ARG(AdamEpsilon, epsilon_placement, AdamEpsilon::Keras)
protected:
    AdamOptionsT(const char* name) : OptionsBase<Derived>(name, 0.001) {}
};

struct AdamOptions : AdamOptionsT<AdamOptions> {
    AdamOptions() : AdamOptionsT("adam") {}
    static AdamOptions from_config(const Config& config);
};

struct AdamWOptions : AdamOptionsT<AdamWOptions> {
    AdamWOptions() : AdamOptionsT("adamw") { weight_decay(0.004); }
    static AdamWOptions from_config(const Config& config);
};

class Adam : public Optimizer {
public:
    using Options = AdamOptions;
    explicit Adam(const AdamOptions& options = {});
    std::string kind() const override { return "adam"; }

protected:
    struct Params {
        double beta_1, beta_2, epsilon;
        bool amsgrad;
        AdamEpsilon placement;
    };
    Adam(const BaseOptions& base, const Params& params, const std::string& display_name);
    void build(const Variable& var) override;
    void update_step(float* w, const float* g, std::size_t n, Slots& slots, const StepInfo& step) override;
    bool update_step_is_elementwise() const override { return true; }
    void update_step_pytorch(float* w, const float* g, std::size_t n, float* m, float* v, float* vhat,
                             const StepInfo& step) const;
    void add_config(Config& config) const override;

private:
    Params p_;
};

class AdamW : public Adam {
public:
    using Options = AdamWOptions;
    explicit AdamW(const AdamWOptions& options = {});
    std::string kind() const override { return "adamw"; }
};

}  // namespace xgrad::optim
