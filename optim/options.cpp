#include <xgrad/optim/options.hpp>

#include <algorithm>
#include <cmath>

#include <xgrad/core/error.hpp>

namespace xgrad::optim {

namespace check {

namespace {
// Throws unless `ok` holds for v and for the float32 value the update kernels
// compute with (1e-50 > 0, but it is 0 in float32; 1e39 is finite, but inf in float32).
template <class Ok>
void require(const std::string& optimizer, const char* option, const std::string& what, double v, Ok ok)
{
    std::string note;
    if (ok(v)) {
        const auto f = static_cast<double>(static_cast<float>(v));
        if (ok(f)) return;
        note = detail::cat(" (", python_float_repr(f), " in float32, the precision the optimizer computes in)");
    }
    throw ValueError(detail::cat(optimizer, ": option '", option, "' must be ", what, ", got ", python_float_repr(v),
                                 note));
}
}  // namespace

void finite_non_negative(const std::string& optimizer, const char* option, double v)
{
    require(optimizer, option, "a finite number >= 0", v, [](double x) { return x >= 0.0 && !std::isinf(x); });
}

void step_learning_rate(const std::string& optimizer, float lr, std::int64_t iterations)
{
    if (lr >= 0.0f && !std::isinf(lr)) return;
    throw ValueError(detail::cat(optimizer, ".apply_gradients: 'learning_rate' must be a finite number >= 0, got ",
                                 python_float_repr(lr), " at iterations = ", iterations,
                                 " (from its schedule or callable); nothing was changed"));
}

void positive(const std::string& optimizer, const char* option, double v)
{
    require(optimizer, option, "a finite number > 0", v, [](double x) { return x > 0.0 && !std::isinf(x); });
}

void in_range(const std::string& optimizer, const char* option, double v, double lo, bool lo_closed, double hi,
              bool hi_closed)
{
    require(optimizer, option,
            detail::cat("in ", lo_closed ? "[" : "(", python_float_repr(lo), ", ", python_float_repr(hi),
                        hi_closed ? "]" : ")"),
            v, [&](double x) { return (lo_closed ? x >= lo : x > lo) && (hi_closed ? x <= hi : x < hi); });
}

void base_options(const std::string& optimizer, const BaseOptions& o)
{
    if (const double* lr = std::get_if<double>(&o.learning_rate)) finite_non_negative(optimizer, "learning_rate", *lr);
    if (const auto* s = std::get_if<std::shared_ptr<const LearningRateSchedule>>(&o.learning_rate); s && !*s) {
        throw ValueError(detail::cat(optimizer, ": option 'learning_rate' is a null schedule"));
    }
    if (const auto* f = std::get_if<LearningRateFn>(&o.learning_rate); f && !*f) {
        throw ValueError(detail::cat(optimizer, ": option 'learning_rate' is an empty callable"));
    }
    if (o.weight_decay) finite_non_negative(optimizer, "weight_decay", *o.weight_decay);
    if (o.clipnorm) positive(optimizer, "clipnorm", *o.clipnorm);
    if (o.clipvalue) positive(optimizer, "clipvalue", *o.clipvalue);
    if (o.global_clipnorm) positive(optimizer, "global_clipnorm", *o.global_clipnorm);
    const int clips = int(o.clipnorm.has_value()) + int(o.clipvalue.has_value()) + int(o.global_clipnorm.has_value());
    if (clips > 1) {
        const auto show = [](const std::optional<double>& v) { return ConfigValue(v).repr(); };
        throw ValueError(detail::cat(optimizer, ": only one of 'clipnorm', 'clipvalue' and 'global_clipnorm' can be ",
                                     "set, got clipnorm=", show(o.clipnorm), ", clipvalue=", show(o.clipvalue),
                                     ", global_clipnorm=", show(o.global_clipnorm)));
    }
    in_range(optimizer, "ema_momentum", o.ema_momentum, 0.0, true, 1.0, true);
    if (o.ema_overwrite_frequency && *o.ema_overwrite_frequency < 1) {
        throw ValueError(detail::cat(optimizer, ": option 'ema_overwrite_frequency' must be an integer >= 1 or ",
                                     "unset, got ", *o.ema_overwrite_frequency));
    }
    if (o.loss_scale_factor) positive(optimizer, "loss_scale_factor", *o.loss_scale_factor);
    if (o.gradient_accumulation_steps && *o.gradient_accumulation_steps < 2) {
        throw ValueError(detail::cat(optimizer, ": option 'gradient_accumulation_steps' must be an integer >= 2 ",
                                     "or unset, got ", *o.gradient_accumulation_steps));
    }
}

}  // namespace check

ConfigReader::ConfigReader(const Config& config, std::string optimizer)
    : config_(config), optimizer_(std::move(optimizer))
{
}

bool ConfigReader::take(const std::string& key)
{
    used_.push_back(key);
    return config_.contains(key);
}

double ConfigReader::number(const std::string& key)
{
    take(key);
    return config_.get_double(key);
}

double ConfigReader::number(const std::string& key, double fallback)
{
    return take(key) ? config_.get_double(key) : fallback;
}

std::int64_t ConfigReader::integer(const std::string& key)
{
    take(key);
    return config_.get_int(key);
}

std::int64_t ConfigReader::integer(const std::string& key, std::int64_t fallback)
{
    return take(key) ? config_.get_int(key) : fallback;
}

std::string ConfigReader::text(const std::string& key)
{
    take(key);
    return config_.get_string(key);
}

const Config& ConfigReader::dict(const std::string& key)
{
    take(key);
    return config_.get_dict(key);
}

const ConfigValue::List& ConfigReader::list(const std::string& key)
{
    take(key);
    return config_.get_list(key);
}

void ConfigReader::allow(const std::string& key) { take(key); }

std::optional<double> ConfigReader::optional_number(const std::string& key, std::optional<double> fallback)
{
    return take(key) ? config_.get_optional_double(key) : fallback;
}

std::optional<std::int64_t> ConfigReader::optional_integer(const std::string& key, std::optional<std::int64_t> fallback)
{
    return take(key) ? config_.get_optional_int(key) : fallback;
}

bool ConfigReader::flag(const std::string& key, bool fallback)
{
    return take(key) ? config_.get_bool(key) : fallback;
}

std::string ConfigReader::text(const std::string& key, const std::string& fallback)
{
    return take(key) ? config_.get_string(key) : fallback;
}

void ConfigReader::read_base(BaseOptions& b)
{
    b.name = text("name", b.name);
    if (take("learning_rate")) {
        const auto& v = config_.at("learning_rate").storage();
        if (const auto* c = std::get_if<Config>(&v)) {
            b.learning_rate = std::shared_ptr<const LearningRateSchedule>(schedule_from_config(*c));
        } else {
            b.learning_rate = config_.get_double("learning_rate");
        }
    }
    b.weight_decay = optional_number("weight_decay", b.weight_decay);
    b.clipnorm = optional_number("clipnorm", b.clipnorm);
    b.global_clipnorm = optional_number("global_clipnorm", b.global_clipnorm);
    b.clipvalue = optional_number("clipvalue", b.clipvalue);
    b.use_ema = flag("use_ema", b.use_ema);
    b.ema_momentum = number("ema_momentum", b.ema_momentum);
    b.ema_overwrite_frequency = optional_integer("ema_overwrite_frequency", b.ema_overwrite_frequency);
    b.loss_scale_factor = optional_number("loss_scale_factor", b.loss_scale_factor);
    b.gradient_accumulation_steps = optional_integer("gradient_accumulation_steps", b.gradient_accumulation_steps);
    const std::string nan = text("on_nan_gradient", "skip");
    if (nan != "skip" && nan != "raise" && nan != "apply") {
        throw ValueError(detail::cat(optimizer_,
                                     ": config key 'on_nan_gradient' must be 'skip', 'raise' or 'apply', got '", nan,
                                     "'"));
    }
    b.on_nan_gradient = nan == "raise"   ? NanGradientPolicy::Throw
                        : nan == "apply" ? NanGradientPolicy::Apply
                                         : NanGradientPolicy::SkipStep;
}

void ConfigReader::finish() const
{
    std::string unknown;
    for (const auto& [key, value] : config_.items()) {
        if (std::find(used_.begin(), used_.end(), key) == used_.end()) {
            unknown += (unknown.empty() ? "'" : ", '") + key + "'";
        }
    }
    if (!unknown.empty()) {
        throw ValueError(detail::cat(optimizer_, ": config key(s) not recognized: ", unknown));
    }
}

Config base_config(const BaseOptions& b, float current_learning_rate)
{
    Config c;
    c.set("name", b.name);
    if (const auto* s = std::get_if<std::shared_ptr<const LearningRateSchedule>>(&b.learning_rate)) {
        c.set("learning_rate", (*s)->serialize());
    } else if (std::holds_alternative<LearningRateFn>(b.learning_rate)) {
        c.set("learning_rate", "<callable>");
    } else {
        c.set("learning_rate", static_cast<double>(current_learning_rate));
    }
    c.set("weight_decay", b.weight_decay);
    c.set("clipnorm", b.clipnorm);
    c.set("global_clipnorm", b.global_clipnorm);
    c.set("clipvalue", b.clipvalue);
    c.set("use_ema", b.use_ema);
    c.set("ema_momentum", b.ema_momentum);
    c.set("ema_overwrite_frequency", b.ema_overwrite_frequency);
    c.set("loss_scale_factor", b.loss_scale_factor);
    c.set("gradient_accumulation_steps", b.gradient_accumulation_steps);
    if (b.on_nan_gradient == NanGradientPolicy::Throw) c.set("on_nan_gradient", "raise");
    if (b.on_nan_gradient == NanGradientPolicy::Apply) c.set("on_nan_gradient", "apply");
    return c;
}

}  // namespace xgrad::optim
