#include <xgrad/optim/momentum.hpp>

#include <xgrad/core/error.hpp>

namespace xgrad::optim {

MomentumOptions MomentumOptions::from_config(const Config& config)
{
    MomentumOptions o;
    ConfigReader r(config, "Momentum");
    r.read_base(o.base());
    o.momentum(r.number("momentum", o.momentum())).nesterov(r.flag("nesterov", o.nesterov()));
    const std::string convention = r.text("convention", "keras");
    if (convention != "keras" && convention != "pytorch") {
        throw ValueError(detail::cat("Momentum: config key 'convention' must be 'keras' or 'pytorch', got '",
                                     convention, "'"));
    }
    o.convention(convention == "pytorch" ? MomentumConvention::PyTorch : MomentumConvention::Keras);
    r.finish();
    return o;
}

Momentum::Momentum(const MomentumOptions& options) : Optimizer(options.base(), "Momentum"), opts_(options)
{
    check::in_range("Momentum", "momentum", options.momentum(), 0.0, true, 1.0, true);
}

void Momentum::build(const Variable& var) { add_slot(var, "momentum"); }

void Momentum::update_step(float* w, const float* g, std::size_t n, Slots& slots, const StepInfo& step)
{
    const float lr = step.learning_rate;
    const float mu = static_cast<float>(opts_.momentum());
    float* m = slots["momentum"];
    const bool nesterov = opts_.nesterov();
    if (opts_.convention() == MomentumConvention::Keras) {
        elementwise(n, [&](std::ptrdiff_t i) {
            m[i] = m[i] * mu - g[i] * lr;
            w[i] = w[i] + (nesterov ? m[i] * mu - g[i] * lr : m[i]);
        });
    } else {
        elementwise(n, [&](std::ptrdiff_t i) {
            m[i] = m[i] * mu + g[i];
            w[i] = w[i] - lr * (nesterov ? g[i] + mu * m[i] : m[i]);
        });
    }
}

void Momentum::add_config(Config& config) const
{
    config.set("momentum", opts_.momentum()).set("nesterov", opts_.nesterov());
    if (opts_.convention() == MomentumConvention::PyTorch) config.set("convention", "pytorch");
}

}  // namespace xgrad::optim
