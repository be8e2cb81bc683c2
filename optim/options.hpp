// Options shared by every optimizer (Keras 3's base-optimizer arguments),
// set with chained setters in the LibTorch style and validated when the
// optimizer is constructed:
//   xgrad::optim::AdamOptions{}.learning_rate(0.01).epsilon(1e-7).clipnorm(1.0)
// Unset optional options are Python's None in get_config().
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include <xgrad/optim/config.hpp>
#include <xgrad/optim/schedules.hpp>

namespace xgrad::optim {

// What apply_gradients does when a gradient holds NaN or Inf: skip the whole
// step (nothing changes, not even iterations) with a warning on stderr, or
// throw NumericsError; either way no state is corrupted. Apply does what Keras
// does: no check, the non-finite values flow into the update (for code that
// watches for NaN itself, like the optimizers tutorial's convergence test).
enum class NanGradientPolicy { SkipStep, Throw, Apply };

// A learning rate computed by the user from the optimizer's iterations.
using LearningRateFn = std::function<float(std::int64_t iterations)>;
using LearningRate = std::variant<double, std::shared_ptr<const LearningRateSchedule>, LearningRateFn>;

struct BaseOptions {
    std::string name;
    LearningRate learning_rate = 0.001;
    std::optional<double> weight_decay;     // w -= w * weight_decay * lr, before the update
    std::optional<double> clipnorm;         // g *= clipnorm / max(|g|, clipnorm), per gradient
    std::optional<double> clipvalue;        // g = clip(g, -clipvalue, clipvalue)
    std::optional<double> global_clipnorm;  // g *= c * min(1/|all g|, 1/c), all gradients together
    bool use_ema = false;
    double ema_momentum = 0.99;  // average = m * average + (1 - m) * w (m = 0 on the first step)
    std::optional<std::int64_t> ema_overwrite_frequency;
    std::optional<double> loss_scale_factor;              // g /= loss_scale_factor
    std::optional<std::int64_t> gradient_accumulation_steps;
    NanGradientPolicy on_nan_gradient = NanGradientPolicy::SkipStep;
};

// CRTP base of every XxxOptions: the chained setters return the derived type.
template <class Derived>
class OptionsBase {
public:
    Derived& name(std::string v) { base_.name = std::move(v); return self(); }
    // A number, a LearningRateSchedule, or a callable of iterations.
    Derived& learning_rate(double v) { base_.learning_rate = v; return self(); }
    Derived& learning_rate(std::shared_ptr<const LearningRateSchedule> v) { base_.learning_rate = std::move(v); return self(); }
    Derived& learning_rate(LearningRateFn v) { base_.learning_rate = std::move(v); return self(); }
    Derived& weight_decay(std::optional<double> v) { base_.weight_decay = v; return self(); }
    Derived& clipnorm(std::optional<double> v) { base_.clipnorm = v; return self(); }
    Derived& clipvalue(std::optional<double> v) { base_.clipvalue = v; return self(); }
    Derived& global_clipnorm(std::optional<double> v) { base_.global_clipnorm = v; return self(); }
    Derived& use_ema(bool v) { base_.use_ema = v; return self(); }
    Derived& ema_momentum(double v) { base_.ema_momentum = v; return self(); }
    Derived& ema_overwrite_frequency(std::optional<std::int64_t> v) { base_.ema_overwrite_frequency = v; return self(); }
    Derived& loss_scale_factor(std::optional<double> v) { base_.loss_scale_factor = v; return self(); }
    Derived& gradient_accumulation_steps(std::optional<std::int64_t> v) { base_.gradient_accumulation_steps = v; return self(); }
    Derived& on_nan_gradient(NanGradientPolicy v) { base_.on_nan_gradient = v; return self(); }

    const BaseOptions& base() const { return base_; }
    BaseOptions& base() { return base_; }

protected:
    OptionsBase(std::string default_name, double default_learning_rate)
    {
        base_.name = std::move(default_name);
        base_.learning_rate = default_learning_rate;
    }

private:
    Derived& self() { return static_cast<Derived&>(*this); }
    BaseOptions base_;
};

// Declares an option of an XxxOptions struct (which names itself `Self`): a
// chained setter name(value), a getter name(), and its default value.
#define XGRAD_OPTIM_ARG(T, name, ...)                                        \
public:                                                                      \
    Self& name(T value) { name##_ = std::move(value); return static_cast<Self&>(*this); } \
    const T& name() const { return name##_; }                                \
                                                                             \
private:                                                                     \
    T name##_ = __VA_ARGS__;                                                 \
                                                                             \
public:

// ---- validation, used by optimizer constructors --------------------------------
// Each throws ValueError "<optimizer>: option '<option>' must be ..., got <value>".
// The rule holds for the value and for its float32 rounding, which is what the
// update kernels use: epsilon = 1e-50 is 0 there, learning_rate = 1e39 is inf.
namespace check {
void finite_non_negative(const std::string& optimizer, const char* option, double v);  // 0 <= v < inf
void positive(const std::string& optimizer, const char* option, double v);             // 0 < v < inf
void in_range(const std::string& optimizer, const char* option, double v, double lo, bool lo_closed,
              double hi, bool hi_closed);
void base_options(const std::string& optimizer, const BaseOptions& o);
// The learning rate a schedule or callable produced for a step: ValueError
// "<optimizer>.apply_gradients: 'learning_rate' ... got <lr> at iterations = <n>" unless 0 <= lr < inf.
void step_learning_rate(const std::string& optimizer, float lr, std::int64_t iterations);
}  // namespace check

// Reads an optimizer's (or a schedule's) options back from get_config()
// output; finish() throws ValueError naming any key it does not recognise.
// The reads without a fallback are of required keys: ValueError when missing;
// every read throws ValueError naming the key when its value has another type.
class ConfigReader {
public:
    ConfigReader(const Config& config, std::string optimizer);
    double number(const std::string& key);
    double number(const std::string& key, double fallback);
    std::int64_t integer(const std::string& key);
    std::int64_t integer(const std::string& key, std::int64_t fallback);
    std::string text(const std::string& key);
    const Config& dict(const std::string& key);
    const ConfigValue::List& list(const std::string& key);
    // A recognised key whose value is not needed.
    void allow(const std::string& key);
    std::optional<double> optional_number(const std::string& key, std::optional<double> fallback);
    std::optional<std::int64_t> optional_integer(const std::string& key, std::optional<std::int64_t> fallback);
    bool flag(const std::string& key, bool fallback);
    std::string text(const std::string& key, const std::string& fallback);
    // Fills the Keras base-optimizer keys (and xgrad's on_nan_gradient).
    void read_base(BaseOptions& base);
    void finish() const;

private:
    bool take(const std::string& key);
    const Config& config_;
    std::string optimizer_;
    std::vector<std::string> used_;
};

// The Keras base-optimizer keys of get_config(), in Keras's order; the
// learning rate is the float32 value widened to double (Keras prints
// 0.0010000000474974513 for 0.001), or a serialized schedule.
Config base_config(const BaseOptions& base, float current_learning_rate);

}  // namespace xgrad::optim
