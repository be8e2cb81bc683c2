// Optimizer options, each declared ONCE with its name, type, default and rule;
// the chained setter, the getter, from_config, the validation (and its
// message), get_config() and the state file all follow from that declaration:
//
//   struct AdaBeliefOptions : xgrad::optim::OptionsBase<AdaBeliefOptions> {
//       AdaBeliefOptions() : OptionsBase("adabelief", 0.001) {}
//       XGRAD_OPTION(double, beta_1, 0.9, in_range(0.0, 1.0, "[)"))
//       XGRAD_OPTION(double, epsilon, 1e-16, positive())
//       XGRAD_OPTION(AdamEpsilon, epsilon_placement, AdamEpsilon::Keras, names({"keras", "pytorch"}).xgrad_only())
//   };
//   AdaBeliefOptions{}.learning_rate(0.01).beta_1(0.8)     // chained setters
//   AdaBeliefOptions::from_config(config)                  // Keras's cls(**config): unknown keys are an error
//
// Rules (static functions of every options struct): positive(), non_negative(),
// non_positive(), in_range(lo, hi, "[)"), at_least(n) (integers), only(v, "text"),
// names({...}) (an enum's strings, in enum order; from_config and get_config use
// them). A rule holds for the value and for its float32 rounding, the value the
// kernels compute with (1e-50 > 0, but it is 0 in float32). xgrad_only(): a key
// Keras does not have, printed by get_config() only when not the default.
// Types: double, bool, std::int64_t, std::string, std::optional<double>,
// std::optional<std::int64_t>, enums. Unset optional options are Python's None.
//
// Keras 3's base-optimizer options (XGRAD_OPTIM_BASE_OPTIONS below, plus name and
// learning_rate) are declared the same way, once, and every XxxOptions has them.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <typeinfo>
#include <variant>
#include <vector>

#include <xgrad/optim/config.hpp>
#include <xgrad/optim/schedules.hpp>

namespace xgrad::optim {

// What apply_gradients does when a gradient holds NaN or Inf: skip the whole
// step (nothing changes, not even iterations) with a warning on stderr, or
// throw NumericsError; either way no state is corrupted. Apply does what Keras
// does: no check, the non-finite values flow into the update (for code that
// watches for NaN itself, like the optimizers tutorial's convergence test).
enum class NanGradientPolicy { SkipStep, Throw, Apply };

// Where an optimizer adds epsilon, and whose step it computes (Adam, RMSprop, Adagrad):
// Keras's formula; PyTorch: torch.optim's (sqrt(v) + eps outside the bias correction)
// in its scalar roundings, each tensor op rounded on its own ('pytorch'); PyTorchCPU:
// torch.optim bit for bit as its CPU kernels compute it (checked against torch 1.13):
// the multiply-adds those kernels fuse (add_(x, alpha), addcmul_) rounded once (fma).
enum class EpsilonPlacement { Keras, PyTorch, PyTorchCPU };

// A learning rate computed by the user from the optimizer's iterations.
using LearningRateFn = std::function<float(std::int64_t iterations)>;
using LearningRate = std::variant<double, std::shared_ptr<const LearningRateSchedule>, LearningRateFn>;

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
    bool contains(const std::string& key) const { return config_.contains(key); }
    const ConfigValue& at(const std::string& key) { allow(key); return config_.at(key); }
    const std::string& who() const { return optimizer_; }
    void finish() const;

private:
    bool take(const std::string& key);
    const Config& config_;
    std::string optimizer_;
    std::vector<std::string> used_;
};

// ---- validation helpers (also used by the schedules) ------------------------------
// Each throws ValueError "<optimizer>: option '<option>' must be ..., got <value>".
namespace check {
void finite_non_negative(const std::string& optimizer, const char* option, double v);  // 0 <= v < inf
void positive(const std::string& optimizer, const char* option, double v);             // 0 < v < inf
void in_range(const std::string& optimizer, const char* option, double v, double lo, bool lo_closed,
              double hi, bool hi_closed);
// The learning rate a schedule or callable produced for a step: ValueError
// "<optimizer>.apply_gradients: 'learning_rate' ... got <lr> at iterations = <n>" unless 0 <= lr < inf.
void step_learning_rate(const std::string& optimizer, float lr, std::int64_t iterations);
// `ok` must hold for v and for float(v); else ValueError "... must be <what>, got v".
void require(const std::string& optimizer, const char* option, const std::string& what, double v,
             const std::function<bool(double)>& ok);
}  // namespace check

// The rule of one option: the values it accepts and how messages describe them.
struct OptionRule {
    std::function<bool(double)> ok;   // numbers (and bools as 0/1): empty = every value
    std::string what;                 // "a finite number > 0", "in [0.0, 1.0)", ...
    std::vector<std::string> names;   // an enum's strings, in the enum's order
    bool xgrad_key = false;           // not a Keras key: get_config() prints it only when not the default
    OptionRule xgrad_only() const
    {
        OptionRule r = *this;
        r.xgrad_key = true;
        return r;
    }
};

// The type-erased declaration of one option (one static object per XGRAD_OPTION).
struct OptionInfo {
    const char* name;
    OptionRule rule;
    OptionInfo(const char* n, OptionRule r) : name(n), rule(std::move(r)) {}
    virtual ~OptionInfo() = default;
    virtual void write(const void* value, Config& config) const = 0;
    virtual void read(void* value, ConfigReader& reader) const = 0;
    virtual void check(const void* value, const std::string& who) const = 0;
};

namespace options_detail {
template <class T> struct is_optional : std::false_type {};
template <class T> struct is_optional<std::optional<T>> : std::true_type {};

ConfigValue learning_rate_value(const LearningRate& lr);
void read_learning_rate(ConfigReader& r, const char* key, LearningRate& lr);
void check_learning_rate(const LearningRate& lr, const std::string& who);
std::string enum_choices(const std::vector<std::string>& names);  // "'a', 'b' or 'c'"
[[noreturn]] void bad_option(const std::string& who, const char* key, const std::string& what, const std::string& got);
[[noreturn]] void bad_enum_key(const std::string& who, const char* key, const std::vector<std::string>& names,
                               const std::string& got);

template <class T>
ConfigValue to_value(const T& v, const OptionRule& rule)
{
    if constexpr (std::is_same_v<T, LearningRate>) return learning_rate_value(v);
    else if constexpr (std::is_enum_v<T>) return rule.names.at(static_cast<std::size_t>(v));
    else return ConfigValue(v);
}

template <class T>
void read_value(ConfigReader& r, const char* key, T& v, const OptionRule& rule)
{
    if constexpr (std::is_same_v<T, LearningRate>) read_learning_rate(r, key, v);
    else if constexpr (std::is_same_v<T, double>) v = r.number(key, v);
    else if constexpr (std::is_same_v<T, bool>) v = r.flag(key, v);
    else if constexpr (std::is_same_v<T, std::int64_t>) v = r.integer(key, v);
    else if constexpr (std::is_same_v<T, std::string>) v = r.text(key, v);
    else if constexpr (std::is_same_v<T, std::optional<double>>) v = r.optional_number(key, v);
    else if constexpr (std::is_same_v<T, std::optional<std::int64_t>>) v = r.optional_integer(key, v);
    else {
        static_assert(std::is_enum_v<T>, "XGRAD_OPTION: unsupported option type");
        const std::string text = r.text(key, rule.names.at(static_cast<std::size_t>(v)));
        for (std::size_t i = 0; i < rule.names.size(); ++i) {
            if (rule.names[i] == text) {
                v = static_cast<T>(i);
                return;
            }
        }
        bad_enum_key(r.who(), key, rule.names, text);
    }
}

template <class T>
void check_value(const T& v, const char* key, const OptionRule& rule, const std::string& who)
{
    if constexpr (std::is_same_v<T, LearningRate>) {
        check_learning_rate(v, who);
    } else if constexpr (is_optional<T>::value) {
        if (!v || !rule.ok) return;
        if constexpr (std::is_integral_v<typename T::value_type>) {
            if (!rule.ok(static_cast<double>(*v))) bad_option(who, key, rule.what + " or unset", std::to_string(*v));
        } else {
            check::require(who, key, rule.what, *v, rule.ok);
        }
    } else if constexpr (std::is_same_v<T, double>) {
        if (rule.ok) check::require(who, key, rule.what, v, rule.ok);
    } else if constexpr (std::is_same_v<T, bool> || std::is_integral_v<T>) {
        if (rule.ok && !rule.ok(static_cast<double>(v))) bad_option(who, key, rule.what, ConfigValue(v).repr());
    } else if constexpr (std::is_enum_v<T>) {
        if (static_cast<std::size_t>(v) >= rule.names.size()) {
            bad_option(who, key, "one of " + enum_choices(rule.names), std::to_string(static_cast<long long>(v)));
        }
    }
}
}  // namespace options_detail

template <class T>
struct OptionSpec final : OptionInfo {
    T default_value;
    OptionSpec(const char* n, T d, OptionRule r = {}) : OptionInfo(n, std::move(r)), default_value(std::move(d)) {}
    void write(const void* value, Config& config) const override
    {
        const T& v = *static_cast<const T*>(value);
        if constexpr (!std::is_same_v<T, LearningRate> && std::equality_comparable<T>) {
            if (rule.xgrad_key && v == default_value) return;
        }
        config.set(name, options_detail::to_value(v, rule));
    }
    void read(void* value, ConfigReader& reader) const override
    {
        options_detail::read_value(reader, name, *static_cast<T*>(value), rule);
    }
    void check(const void* value, const std::string& who) const override
    {
        options_detail::check_value(*static_cast<const T*>(value), name, rule, who);
    }
};

class OptionSet;

// The storage of one declared option; registers itself with its options struct.
template <class T>
struct Field {
    T value;
    Field(OptionSet* owner, const OptionInfo& info);
    Field(const Field&) = default;
    Field& operator=(const Field&) = default;
};

// Every options struct: its declared options, in declaration order (base options first).
class OptionSet {
public:
    virtual ~OptionSet() = default;
    virtual std::unique_ptr<OptionSet> clone() const = 0;

    // get_config()'s dict: every option in declaration order (xgrad-only keys when set).
    Config to_config() const;
    // Reads every declared option present in `config` (others keep their value);
    // unknown keys: ValueError "<who>: config key(s) not recognized: ...".
    void read_config(const Config& config, const std::string& who);
    // Every option's rule, then the rules across options; ValueError naming the option and value.
    void check(const std::string& who) const;
    // The declared option names, in order.
    std::vector<std::string> option_names() const;

    // ---- rules for XGRAD_OPTION ----
    static OptionRule positive();                                       // 0 < v < inf
    static OptionRule non_negative();                                   // 0 <= v < inf
    static OptionRule non_positive();                                   // -inf < v <= 0
    static OptionRule in_range(double lo, double hi, const char* brackets);  // "[)", "(]", "[]", "()"
    static OptionRule at_least(std::int64_t n);                         // integers >= n
    static OptionRule only(double v, std::string what);                 // exactly v
    static OptionRule names(std::vector<std::string> names);            // an enum's strings
    static OptionRule placements() { return names({"keras", "pytorch", "pytorch_cpu"}).xgrad_only(); }

protected:
    OptionSet() = default;
    OptionSet(const OptionSet&) = default;
    OptionSet& operator=(const OptionSet&) = default;
    // Rules that involve several options (e.g. at most one clipping option).
    virtual void check_together(const std::string& who) const {}
    // Throws unless every registered option lies inside an object of `size` bytes
    // (an options struct that derives from another and adds options cannot be copied as the base).
    void check_layout(std::size_t size, const char* type) const;

private:
    template <class T>
    friend struct Field;
    void add(const void* value, std::size_t size, const OptionInfo& info);
    struct Entry {
        const OptionInfo* info;
        std::ptrdiff_t offset;
        std::size_t size;
    };
    std::vector<Entry> entries_;
};

template <class T>
Field<T>::Field(OptionSet* owner, const OptionInfo& info) : value(static_cast<const OptionSpec<T>&>(info).default_value)
{
    owner->add(&value, sizeof(T), info);
}

// Declares an option of an options struct: setter name(v) (chained, returns Self&),
// getter name(), and its one declaration (name, type, default, rule).
#define XGRAD_OPTION(T, name, ...)                                                                   \
public:                                                                                              \
    Self& name(T value) { name##_.value = std::move(value); return static_cast<Self&>(*this); }     \
    const T& name() const { return name##_.value; }                                                  \
                                                                                                     \
private:                                                                                             \
    static const ::xgrad::optim::OptionInfo& name##_spec_()                                          \
    {                                                                                                \
        static const ::xgrad::optim::OptionSpec<T> spec(#name, __VA_ARGS__);                         \
        return spec;                                                                                 \
    }                                                                                                \
    ::xgrad::optim::Field<T> name##_{this, name##_spec_()};                                          \
                                                                                                     \
public:

// Keras 3's base-optimizer options after name and learning_rate, in get_config()'s order:
// X(type, name, default, rule).
#define XGRAD_OPTIM_BASE_OPTIONS(X)                                                                 \
    X(std::optional<double>, weight_decay, std::nullopt, non_negative())  /* w -= w * wd * lr */    \
    X(std::optional<double>, clipnorm, std::nullopt, positive())          /* each gradient */        \
    X(std::optional<double>, global_clipnorm, std::nullopt, positive())   /* all gradients */        \
    X(std::optional<double>, clipvalue, std::nullopt, positive())         /* elementwise */          \
    X(bool, use_ema, false, OptionRule{})                                                            \
    X(double, ema_momentum, 0.99, in_range(0.0, 1.0, "[]"))                                          \
    X(std::optional<std::int64_t>, ema_overwrite_frequency, std::nullopt, at_least(1))               \
    X(std::optional<double>, loss_scale_factor, std::nullopt, positive()) /* g /= factor */         \
    X(std::optional<std::int64_t>, gradient_accumulation_steps, std::nullopt, at_least(2))           \
    X(NanGradientPolicy, on_nan_gradient, NanGradientPolicy::SkipStep,                               \
      names({"skip", "raise", "apply"}).xgrad_only())

// The base options every optimizer has (getters; the setters are in OptionsBase).
class BaseOptions : public OptionSet {
public:
    BaseOptions() = default;
    BaseOptions(const BaseOptions&) = default;
    BaseOptions& operator=(const BaseOptions&) = default;
    std::unique_ptr<OptionSet> clone() const override;

    const std::string& name() const { return name_.value; }
    // A number, a LearningRateSchedule (called with raw_iterations) or a callable of iterations.
    const LearningRate& learning_rate() const { return learning_rate_.value; }
#define XGRAD_BASE_GETTER(T, n, ...) const T& n() const { return n##_.value; }
    XGRAD_OPTIM_BASE_OPTIONS(XGRAD_BASE_GETTER)
#undef XGRAD_BASE_GETTER

    const BaseOptions& base() const { return *this; }
    BaseOptions& base() { return *this; }

protected:
    void check_together(const std::string& who) const override;  // at most one of the clipping options
    void set_name(std::string v) { name_.value = std::move(v); }
    void set_learning_rate(LearningRate v) { learning_rate_.value = std::move(v); }
    friend class Optimizer;
    friend class LossScaleOptimizer;

    static const OptionInfo& name_spec_()
    {
        static const OptionSpec<std::string> spec("name", "");
        return spec;
    }
    Field<std::string> name_{this, name_spec_()};
    static const OptionInfo& learning_rate_spec_()
    {
        static const OptionSpec<LearningRate> spec("learning_rate", 0.001);
        return spec;
    }
    Field<LearningRate> learning_rate_{this, learning_rate_spec_()};
#define XGRAD_BASE_FIELD(T, n, d, ...)                                  \
    static const OptionInfo& n##_spec_()                                \
    {                                                                   \
        static const OptionSpec<T> spec(#n, d, __VA_ARGS__);            \
        return spec;                                                    \
    }                                                                   \
    Field<T> n##_{this, n##_spec_()};
    XGRAD_OPTIM_BASE_OPTIONS(XGRAD_BASE_FIELD)
#undef XGRAD_BASE_FIELD
};

// CRTP base of every XxxOptions: the base options' chained setters return the
// derived type, and from_config builds it.
template <class Derived>
class OptionsBase : public BaseOptions {
public:
    using Self = Derived;
    using BaseOptions::name;
    Derived& name(std::string v) { set_name(std::move(v)); return self(); }
    using BaseOptions::learning_rate;
    Derived& learning_rate(double v) { set_learning_rate(v); return self(); }
    Derived& learning_rate(std::shared_ptr<const LearningRateSchedule> v) { set_learning_rate(std::move(v)); return self(); }
    Derived& learning_rate(LearningRateFn v) { set_learning_rate(std::move(v)); return self(); }
#define XGRAD_BASE_SETTER(T, n, ...) \
    using BaseOptions::n;            \
    Derived& n(T v) { n##_.value = std::move(v); return self(); }
    XGRAD_OPTIM_BASE_OPTIONS(XGRAD_BASE_SETTER)
#undef XGRAD_BASE_SETTER

    std::unique_ptr<OptionSet> clone() const override
    {
        check_layout(sizeof(Derived), typeid(Derived).name());
        return std::make_unique<Derived>(static_cast<const Derived&>(*this));
    }
    // Keras's cls(**config): the defaults, then every key of `config`; unknown keys
    // are an error naming `who` (default: the options' default name).
    static Derived from_config(const Config& config, const std::string& who = {})
    {
        Derived o;
        o.read_config(config, who.empty() ? o.name() : who);
        return o;
    }

protected:
    OptionsBase(std::string default_name, double default_learning_rate)
    {
        set_name(std::move(default_name));
        set_learning_rate(default_learning_rate);
    }

private:
    Derived& self() { return static_cast<Derived&>(*this); }
};

// The base options alone, for an optimizer without options of its own.
struct BasicOptions : OptionsBase<BasicOptions> {
    explicit BasicOptions(std::string name = "optimizer", double learning_rate = 0.001)
        : OptionsBase(std::move(name), learning_rate) {}
};

}  // namespace xgrad::optim
