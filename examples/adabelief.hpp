// AdaBelief (Zhuang et al., 2020), written outside the library in one short
// file: Adam whose second moment tracks the "belief" (g - m)^2 instead of g^2.
//   m = b1 m + (1 - b1) g
//   s = b2 s + (1 - b2) (g - m)^2 + eps
//   w -= lr * (m / (1 - b1^t)) / (sqrt(s / (1 - b2^t)) + eps)
// Each option is declared once (name, type, default, rule): setters, checks,
// get_config() and from_config follow. The xgrad::optim::Optimizer base supplies
// the rest: the loop over variables, iterations(), slots, clipping, weight
// decay, EMA and save/load of the state; the last line registers it by name
// (make_optimizer("adabelief"), compile("adabelief")). The loop's square root is
// sqrt_no_errno (bit for bit std::sqrt) so it vectorizes without -fno-math-errno.
#pragma once

#include <xgrad/optim/factory.hpp>

struct AdaBeliefOptions : xgrad::optim::OptionsBase<AdaBeliefOptions> {
    AdaBeliefOptions() : OptionsBase("adabelief", 0.001) {}
    XGRAD_OPTION(double, beta_1, 0.9, in_range(0.0, 1.0, "[)"))
    XGRAD_OPTION(double, beta_2, 0.999, in_range(0.0, 1.0, "[)"))
    XGRAD_OPTION(double, epsilon, 1e-16, positive())
};

struct AdaBelief : xgrad::optim::Optimizer {  // kind() "adabelief": the class name in lower case
    using Options = AdaBeliefOptions;
    explicit AdaBelief(const AdaBeliefOptions& o = {}) : Optimizer(o, "AdaBelief") {}
    bool update_step_is_elementwise() const override { return true; }  // one parallel region per step
    void build(const xgrad::Variable& var) override { add_slot(var, "m"), add_slot(var, "s"); }
    void update_step(xgrad::optim::UpdateContext& u) override {
        const auto& o = options<AdaBeliefOptions>();
        const float b1 = float(o.beta_1()), b2 = float(o.beta_2()), eps = float(o.epsilon()), t = u.local_step();
        const float step_size = u.learning_rate / (1.0f - std::pow(b1, t)), correction_2 = 1.0f - std::pow(b2, t);
        u.elementwise([&, w = u.w, g = u.g, m = u.slot("m"), s = u.slot("s")](std::ptrdiff_t i) {
            m[i] = b1 * m[i] + (1.0f - b1) * g[i];
            s[i] = b2 * s[i] + (1.0f - b2) * (g[i] - m[i]) * (g[i] - m[i]) + eps;
            w[i] -= step_size * m[i] / (xgrad::optim::sqrt_no_errno(s[i] / correction_2) + eps);
        });
    }
};
XGRAD_REGISTER_OPTIMIZER(AdaBelief, "adabelief");  // make_optimizer("adabelief", config), compile("adabelief")
