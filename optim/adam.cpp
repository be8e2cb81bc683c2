#include <xgrad/optim/adam.hpp>

#include <cmath>

#include <xgrad/core/error.hpp>

namespace xgrad::optim {

namespace {

template <class O>
O adam_options_from_config(const Config& config, const char* optimizer)
{
    O o;
    ConfigReader r(config, optimizer);
    r.read_base(o.base());
    o.beta_1(r.number("beta_1", o.beta_1()))
        .beta_2(r.number("beta_2", o.beta_2()))
        .epsilon(r.number("epsilon", o.epsilon()))
        .amsgrad(r.flag("amsgrad", o.amsgrad()));
    const std::string placement = r.text("epsilon_placement", "keras");
    if (placement != "keras" && placement != "pytorch") {
        throw ValueError(detail::cat(optimizer, ": config key 'epsilon_placement' must be 'keras' or 'pytorch', got '",
                                     placement, "'"));
    }
    o.epsilon_placement(placement == "pytorch" ? AdamEpsilon::PyTorch : AdamEpsilon::Keras);
    r.finish();
    return o;
}

}  // namespace

AdamOptions AdamOptions::from_config(const Config& config) { return adam_options_from_config<AdamOptions>(config, "Adam"); }
AdamWOptions AdamWOptions::from_config(const Config& config)
{
    return adam_options_from_config<AdamWOptions>(config, "AdamW");
}

Adam::Adam(const BaseOptions& base, const Params& params, const std::string& display_name)
    : Optimizer(base, display_name), p_(params)
{
    check::in_range(display_name, "beta_1", p_.beta_1, 0.0, true, 1.0, false);
    check::in_range(display_name, "beta_2", p_.beta_2, 0.0, true, 1.0, false);
    check::positive(display_name, "epsilon", p_.epsilon);
}

Adam::Adam(const AdamOptions& o)
    : Adam(o.base(), Params{o.beta_1(), o.beta_2(), o.epsilon(), o.amsgrad(), o.epsilon_placement()}, "Adam")
{
}

AdamW::AdamW(const AdamWOptions& o)
    : Adam(o.base(), Params{o.beta_1(), o.beta_2(), o.epsilon(), o.amsgrad(), o.epsilon_placement()}, "AdamW")
{
    if (!o.base().weight_decay) throw ValueError("AdamW: option 'weight_decay' must be set (a float), got None");
}

void Adam::build(const Variable& var)
{
    add_slot(var, "momentum");
    add_slot(var, "velocity");
    if (p_.amsgrad) add_slot(var, "velocity_hat");
}

void Adam::update_step(float* w, const float* g, std::size_t n, Slots& slots, const StepInfo& step)
{
    float* m = slots["momentum"];
    float* v = slots["velocity"];
    float* vhat = p_.amsgrad ? slots["velocity_hat"] : v;  // without amsgrad vhat aliases v: max(v, v) = v
    if (p_.placement == AdamEpsilon::PyTorch) return update_step_pytorch(w, g, n, m, v, vhat, step);
    const float t = step.local_step();
    const float beta_1_power = std::pow(static_cast<float>(p_.beta_1), t);
    const float beta_2_power = std::pow(static_cast<float>(p_.beta_2), t);
    const float one_minus_beta_1 = static_cast<float>(1.0 - p_.beta_1);
    const float one_minus_beta_2 = static_cast<float>(1.0 - p_.beta_2);
    const float eps = static_cast<float>(p_.epsilon);
    const float alpha = step.learning_rate * std::sqrt(1.0f - beta_2_power) / (1.0f - beta_1_power);
    elementwise(n, [&](std::ptrdiff_t i) {
        m[i] = m[i] + (g[i] - m[i]) * one_minus_beta_1;
        v[i] = v[i] + (g[i] * g[i] - v[i]) * one_minus_beta_2;
        vhat[i] = std::max(vhat[i], v[i]);
        w[i] = w[i] - (m[i] * alpha) / (std::sqrt(vhat[i]) + eps);
    });
}

// torch.optim.Adam's single-tensor step (_single_tensor_adam) in its own roundings:
// bias corrections and step size in double (Python floats), rounded to float32
// where they meet a tensor; m.lerp_(g, 1 - beta_1); v.mul_(beta_2).addcmul_(g, g,
// value = 1 - beta_2); w.addcdiv_(m, sqrt(v) / bc2_sqrt + eps, value = -step_size).
void Adam::update_step_pytorch(float* w, const float* g, std::size_t n, float* m, float* v, float* vhat,
                               const StepInfo& step) const
{
    const double t = static_cast<double>(step.iterations + 1);
    const float step_size = static_cast<float>(static_cast<double>(step.learning_rate) / (1.0 - std::pow(p_.beta_1, t)));
    const float bc2_sqrt = static_cast<float>(std::sqrt(1.0 - std::pow(p_.beta_2, t)));
    const float weight = static_cast<float>(1.0 - p_.beta_1);  // lerp's weight; torch's lerp has two forms
    const float one_minus_weight = 1.0f - weight;
    const float beta_2 = static_cast<float>(p_.beta_2);
    const float one_minus_beta_2 = static_cast<float>(1.0 - p_.beta_2);
    const float eps = static_cast<float>(p_.epsilon);
    elementwise(n, [&](std::ptrdiff_t i) {
        m[i] = weight < 0.5f ? m[i] + weight * (g[i] - m[i]) : g[i] - (g[i] - m[i]) * one_minus_weight;
        v[i] = v[i] * beta_2 + (one_minus_beta_2 * g[i]) * g[i];
        vhat[i] = std::max(vhat[i], v[i]);
        w[i] = w[i] + (-step_size * m[i]) / (std::sqrt(vhat[i]) / bc2_sqrt + eps);
    });
}

void Adam::add_config(Config& config) const
{
    config.set("beta_1", p_.beta_1).set("beta_2", p_.beta_2).set("epsilon", p_.epsilon).set("amsgrad", p_.amsgrad);
    if (p_.placement == AdamEpsilon::PyTorch) config.set("epsilon_placement", "pytorch");
}

}  // namespace xgrad::optim
