// Adafactor, Keras 3's formula (keras/src/optimizers/adafactor.py), float32,
// t = iterations() + 1. Variables of 2 or more dimensions keep factored second
// moments: r over the last axis (shape[:-1]) and c over the second-to-last
// (shape[:-2] + shape[-1:]); others keep a full v.
//   lr     = min(lr, 1/sqrt(t))         with relative_step and a numeric learning rate
//   rho    = min(lr, 1/sqrt(t));  alpha = max(epsilon_2, rms(w)) * rho
//   beta   = 1 - t^beta_2_decay;  G = g*g + epsilon_1
//   >= 2-D: r = beta*r + (1 - beta)*mean(G, -1);  c = beta*c + (1 - beta)*mean(G, -2)
//           v = (r / mean(r, -1))[..., None] * c[..., None, :]
//   else:   v = beta*v + (1 - beta)*G
//   u = g / sqrt(v);  u /= max(1, rms(u) / clip_threshold);  w -= alpha * u
// rms(x) = sqrt(mean(x*x)); means are float32 sums in index order divided by the count.
#pragma once

#include <vector>

#include <xgrad/optim/optimizer.hpp>

namespace xgrad::optim {

struct AdafactorOptions : OptionsBase<AdafactorOptions> {
    AdafactorOptions() : OptionsBase("adafactor", 0.001) {}
    XGRAD_OPTION(double, beta_2_decay, -0.8, non_positive())
    XGRAD_OPTION(double, epsilon_1, 1e-30, non_negative())
    XGRAD_OPTION(double, epsilon_2, 1e-3, non_negative())
    XGRAD_OPTION(double, clip_threshold, 1.0, positive())
    XGRAD_OPTION(bool, relative_step, true)
};

class Adafactor : public Optimizer {
public:
    using Options = AdafactorOptions;
    explicit Adafactor(const AdafactorOptions& options = {}) : Optimizer(options, "Adafactor") {}

protected:
    void build(const Variable& var) override;
    void update_step(UpdateContext& u) override;

private:
    std::vector<float> scratch_;
};

}  // namespace xgrad::optim
