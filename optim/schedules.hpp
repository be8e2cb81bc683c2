// Learning-rate schedules with Keras 3's formulas
// (keras/src/optimizers/schedules/learning_rate_schedule.py), evaluated in
// float32 at the optimizer's step counter, as Keras does. A schedule passed as
// an optimizer's learning_rate is called with `iterations` before each update.
//   auto lr = std::make_shared<xgrad::optim::ExponentialDecay>(0.1, 1000, 0.96);
//   xgrad::optim::Adam opt(xgrad::optim::AdamOptions{}.learning_rate(lr));
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <xgrad/optim/config.hpp>

namespace xgrad::optim {

class LearningRateSchedule {
public:
    virtual ~LearningRateSchedule() = default;
    // The learning rate at optimizer step `step` (0 before the first update).
    virtual float operator()(std::int64_t step) const = 0;
    // Keras's class name, e.g. "ExponentialDecay".
    virtual std::string class_name() const = 0;
    // The schedule's own arguments, as Keras's get_config().
    virtual Config get_config() const = 0;
    // Keras's serialize(): {'module': 'keras.optimizers.schedules',
    // 'class_name': ..., 'config': get_config(), 'registered_name': None}.
    Config serialize() const;
};

// The arguments ExponentialDecay and InverseTimeDecay share (Keras's signature
// and get_config): initial_learning_rate, decay_steps, decay_rate, staircase, name.
class StepDecaySchedule : public LearningRateSchedule {
public:
    Config get_config() const override;

protected:
    // Validates the arguments; `schedule` names the class in messages.
    StepDecaySchedule(const char* schedule, double initial_learning_rate, std::int64_t decay_steps,
                      double decay_rate, bool staircase, std::string name);
    // step / decay_steps in float32, floored with staircase.
    float progress(std::int64_t step) const;

    double initial_, rate_;
    std::int64_t decay_steps_;
    bool staircase_;
    std::string name_;
};

// lr = initial * decay_rate ^ (step / decay_steps); with staircase the exponent is floored.
class ExponentialDecay : public StepDecaySchedule {
public:
    ExponentialDecay(double initial_learning_rate, std::int64_t decay_steps, double decay_rate,
                     bool staircase = false, std::string name = "ExponentialDecay");
    float operator()(std::int64_t step) const override;
    std::string class_name() const override { return "ExponentialDecay"; }
};

// lr = values[0] while step <= boundaries[0], values[i] while
// boundaries[i-1] < step <= boundaries[i], values.back() after the last boundary.
class PiecewiseConstantDecay : public LearningRateSchedule {
public:
    PiecewiseConstantDecay(std::vector<std::int64_t> boundaries, std::vector<double> values,
                           std::string name = "PiecewiseConstant");
    float operator()(std::int64_t step) const override;
    std::string class_name() const override { return "PiecewiseConstantDecay"; }
    Config get_config() const override;

private:
    std::vector<std::int64_t> boundaries_;
    std::vector<double> values_;
    std::string name_;
};

// s = min(step, decay_steps) (cycle: decay_steps *= ceil(step / decay_steps), 1 at step 0);
// lr = (initial - end) * (1 - s / decay_steps) ^ power + end.
class PolynomialDecay : public LearningRateSchedule {
public:
    PolynomialDecay(double initial_learning_rate, std::int64_t decay_steps, double end_learning_rate = 0.0001,
                    double power = 1.0, bool cycle = false, std::string name = "PolynomialDecay");
    float operator()(std::int64_t step) const override;
    std::string class_name() const override { return "PolynomialDecay"; }
    Config get_config() const override;

private:
    double initial_, end_, power_;
    std::int64_t decay_steps_;
    bool cycle_;
    std::string name_;
};

// lr = initial / (1 + decay_rate * step / decay_steps); with staircase the ratio is floored.
class InverseTimeDecay : public StepDecaySchedule {
public:
    InverseTimeDecay(double initial_learning_rate, std::int64_t decay_steps, double decay_rate,
                     bool staircase = false, std::string name = "InverseTimeDecay");
    float operator()(std::int64_t step) const override;
    std::string class_name() const override { return "InverseTimeDecay"; }
};

// Without warmup: s = min(step, decay_steps),
//   lr = initial * ((1 - alpha) * 0.5 * (1 + cos(pi * s / decay_steps)) + alpha).
// With warmup_target: s = min(step, decay_steps + warmup_steps); while s < warmup_steps
//   lr = (warmup_target - initial) * s / warmup_steps + initial, then the cosine
//   formula from warmup_target at s - warmup_steps.
class CosineDecay : public LearningRateSchedule {
public:
    CosineDecay(double initial_learning_rate, std::int64_t decay_steps, double alpha = 0.0,
                std::string name = "CosineDecay", std::optional<double> warmup_target = std::nullopt,
                std::int64_t warmup_steps = 0);
    float operator()(std::int64_t step) const override;
    std::string class_name() const override { return "CosineDecay"; }
    Config get_config() const override;

private:
    double initial_, alpha_;
    std::int64_t decay_steps_;
    std::string name_;
    std::optional<double> warmup_target_;
    std::int64_t warmup_steps_;
};

// SGDR (Loshchilov & Hutter), Keras's CosineDecayRestarts, in float32: with
// f = step / first_decay_steps, restart i and its fraction are
//   t_mul == 1:  i = floor(f), f -= i
//   else:        i = floor(log(1 - f * (1 - t_mul)) / log(t_mul)),
//                f = (f - (1 - t_mul^i) / (1 - t_mul)) / t_mul^i
//   lr = initial * ((1 - alpha) * (0.5 * m_mul^i * (1 + cos(pi * f))) + alpha)
class CosineDecayRestarts : public LearningRateSchedule {
public:
    CosineDecayRestarts(double initial_learning_rate, std::int64_t first_decay_steps, double t_mul = 2.0,
                        double m_mul = 1.0, double alpha = 0.0, std::string name = "SGDRDecay");
    float operator()(std::int64_t step) const override;
    std::string class_name() const override { return "CosineDecayRestarts"; }
    Config get_config() const override;

private:
    double initial_, t_mul_, m_mul_, alpha_;
    std::int64_t first_decay_steps_;
    std::string name_;
};

// Rebuilds a schedule from its serialized form (Keras's deserialize); throws
// ValueError naming an unknown class_name or a bad key.
std::shared_ptr<LearningRateSchedule> schedule_from_config(const Config& serialized);

}  // namespace xgrad::optim
