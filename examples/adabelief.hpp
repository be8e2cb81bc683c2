// AdaBelief (Zhuang et al., 2020), written outside the library in one short
// file: Adam whose second moment tracks the "belief" (g - m)^2 instead of g^2.
//   m = b1 m + (1 - b1) g
//   s = b2 s + (1 - b2) (g - m)^2 + eps
//   w -= lr * (m / (1 - b1^t)) / (sqrt(s / (1 - b2^t)) + eps)
// The xgrad::optim::Optimizer base supplies everything else: the loop over
// variables, iterations(), slots, clipping, weight decay, EMA, get_config()
// and save/load of the state. The loop's square root is sqrt_no_errno (bit for
// bit std::sqrt) so it vectorizes in a user's build without -fno-math-errno.
#pragma once

#include <cmath>

#include <xgrad/optim/optimizer.hpp>

struct AdaBeliefOptions : xgrad::optim::OptionsBase<AdaBeliefOptions> {
    using Self = AdaBeliefOptions;
    AdaBeliefOptions() : OptionsBase("adabelief", 0.001) {}
    XGRAD_OPTIM_ARG(double, beta_1, 0.9)
    XGRAD_OPTIM_ARG(double, beta_2, 0.999)
    XGRAD_OPTIM_ARG(double, epsilon, 1e-16)
};

class AdaBelief : public xgrad::optim::Optimizer {
public:
    explicit AdaBelief(const AdaBeliefOptions& o = {})
        : Optimizer(o.base(), "AdaBelief"), b1_(o.beta_1()), b2_(o.beta_2()), eps_(o.epsilon()) {}
    std::string kind() const override { return "adabelief"; }

protected:
    void build(const xgrad::Variable& var) override
    {
        add_slot(var, "m");
        add_slot(var, "s");
    }
    void update_step(float* w, const float* g, std::size_t n, xgrad::optim::Slots& slots,
                     const xgrad::optim::StepInfo& step) override
    {
        float* m = slots["m"];
        float* s = slots["s"];
        const float b1 = float(b1_), b2 = float(b2_), eps = float(eps_), t = step.local_step();
        const float step_size = step.learning_rate / (1.0f - std::pow(b1, t));
        const float correction_2 = 1.0f - std::pow(b2, t);
        xgrad::optim::elementwise(n, [&](std::ptrdiff_t i) {
            m[i] = b1 * m[i] + (1.0f - b1) * g[i];
            const float belief = g[i] - m[i];
            s[i] = b2 * s[i] + (1.0f - b2) * belief * belief + eps;
            w[i] -= step_size * m[i] / (xgrad::optim::sqrt_no_errno(s[i] / correction_2) + eps);
        });
    }
    void add_config(xgrad::optim::Config& c) const override
    {
        c.set("beta_1", b1_).set("beta_2", b2_).set("epsilon", eps_);
    }

private:
    double b1_, b2_, eps_;
};
