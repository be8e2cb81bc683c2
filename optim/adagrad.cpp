#include <xgrad/optim/adagrad.hpp>

#include <cmath>

namespace xgrad::optim {

AdagradOptions AdagradOptions::from_config(const Config& config)
{
    AdagradOptions o;
    ConfigReader r(config, "Adagrad");
    r.read_base(o.base());
    o.initial_accumulator_value(r.number("initial_accumulator_value", o.initial_accumulator_value()))
        .epsilon(r.number("epsilon", o.epsilon()));
    r.finish();
    return o;
}

Adagrad::Adagrad(const AdagradOptions& options) : Optimizer(options.base(), "Adagrad"), opts_(options)
{
    check::finite_non_negative("Adagrad", "initial_accumulator_value", opts_.initial_accumulator_value());
    check::positive("Adagrad", "epsilon", opts_.epsilon());
}

void Adagrad::build(const Variable& var)
{
    add_slot(var, "accumulator", static_cast<float>(opts_.initial_accumulator_value()));
}

void Adagrad::update_step(float* w, const float* g, std::size_t n, Slots& slots, const StepInfo& step)
{
    const float lr = step.learning_rate;
    const float eps = static_cast<float>(opts_.epsilon());
    float* acc = slots["accumulator"];
    elementwise(n, [&](std::ptrdiff_t i) {
        acc[i] = acc[i] + g[i] * g[i];
        w[i] = w[i] - (lr * g[i]) / std::sqrt(acc[i] + eps);
    });
}

void Adagrad::add_config(Config& config) const
{
    config.set("initial_accumulator_value", opts_.initial_accumulator_value()).set("epsilon", opts_.epsilon());
}

}  // namespace xgrad::optim
