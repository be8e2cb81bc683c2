#include <xgrad/optim/options.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

#include <xgrad/core/error.hpp>

namespace xgrad::optim {

namespace check {

// Throws unless `ok` holds for v and for the float32 value the update kernels
// compute with (1e-50 > 0, but it is 0 in float32; 1e39 is finite, but inf in float32).
void require(const std::string& optimizer, const char* option, const std::string& what, double v,
             const std::function<bool(double)>& ok)
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
    const OptionRule r = OptionSet::in_range(lo, hi, lo_closed ? (hi_closed ? "[]" : "[)") : (hi_closed ? "(]" : "()"));
    require(optimizer, option, r.what, v, r.ok);
}

}  // namespace check

// ---- rules ---------------------------------------------------------------------------

OptionRule OptionSet::positive()
{
    return {[](double x) { return x > 0.0 && !std::isinf(x); }, "a finite number > 0", {}, false};
}

OptionRule OptionSet::non_negative()
{
    return {[](double x) { return x >= 0.0 && !std::isinf(x); }, "a finite number >= 0", {}, false};
}

OptionRule OptionSet::non_positive()
{
    return {[](double x) { return x <= 0.0 && !std::isinf(x); }, "a finite number <= 0", {}, false};
}

OptionRule OptionSet::in_range(double lo, double hi, const char* brackets)
{
    const bool lo_closed = brackets[0] == '[', hi_closed = brackets[1] == ']';
    return {[=](double x) { return (lo_closed ? x >= lo : x > lo) && (hi_closed ? x <= hi : x < hi); },
            detail::cat("in ", lo_closed ? "[" : "(", python_float_repr(lo), ", ", python_float_repr(hi),
                        hi_closed ? "]" : ")"),
            {}, false};
}

OptionRule OptionSet::at_least(std::int64_t n)
{
    return {[=](double x) { return x >= static_cast<double>(n); }, detail::cat("an integer >= ", n), {}, false};
}

OptionRule OptionSet::only(double v, std::string what) { return {[=](double x) { return x == v; }, std::move(what), {}, false}; }

OptionRule OptionSet::names(std::vector<std::string> names) { return {{}, {}, std::move(names), false}; }

// ---- the option set ------------------------------------------------------------------

void OptionSet::add(const void* value, std::size_t size, const OptionInfo& info)
{
    const auto offset = reinterpret_cast<const char*>(value) - reinterpret_cast<const char*>(this);
    entries_.push_back({&info, offset, size});
}

void OptionSet::check_layout(std::size_t size, const char* type) const
{
    for (const auto& e : entries_) {
        if (e.offset < 0 || static_cast<std::size_t>(e.offset) + e.size > size) {
            throw Error(detail::cat("options type ", type, " derives from another options struct and adds option '",
                                    e.info->name, "'; derive it from OptionsBase<itself> instead"));
        }
    }
}

Config OptionSet::to_config() const
{
    Config c;
    for (const auto& e : entries_) e.info->write(reinterpret_cast<const char*>(this) + e.offset, c);
    return c;
}

void OptionSet::read_config(const Config& config, const std::string& who)
{
    ConfigReader r(config, who);
    for (const auto& e : entries_) e.info->read(reinterpret_cast<char*>(this) + e.offset, r);
    r.finish();
}

void OptionSet::check(const std::string& who) const
{
    for (const auto& e : entries_) e.info->check(reinterpret_cast<const char*>(this) + e.offset, who);
    check_together(who);
}

std::vector<std::string> OptionSet::option_names() const
{
    std::vector<std::string> out;
    for (const auto& e : entries_) out.emplace_back(e.info->name);
    return out;
}

std::unique_ptr<OptionSet> BaseOptions::clone() const
{
    check_layout(sizeof(BaseOptions), "BaseOptions");
    return std::make_unique<BaseOptions>(*this);
}

void BaseOptions::check_together(const std::string& who) const
{
    const int clips = int(clipnorm().has_value()) + int(clipvalue().has_value()) + int(global_clipnorm().has_value());
    if (clips > 1) {
        const auto show = [](const std::optional<double>& v) { return ConfigValue(v).repr(); };
        throw ValueError(detail::cat(who, ": only one of 'clipnorm', 'clipvalue' and 'global_clipnorm' can be ",
                                     "set, got clipnorm=", show(clipnorm()), ", clipvalue=", show(clipvalue()),
                                     ", global_clipnorm=", show(global_clipnorm())));
    }
}

// ---- codecs of the special types -------------------------------------------------------

namespace options_detail {

ConfigValue learning_rate_value(const LearningRate& lr)
{
    if (const auto* s = std::get_if<std::shared_ptr<const LearningRateSchedule>>(&lr)) return (*s)->serialize();
    if (std::holds_alternative<LearningRateFn>(lr)) return "<callable>";
    // Keras keeps the rate in a float32 variable: 0.001 prints as 0.0010000000474974513.
    return static_cast<double>(static_cast<float>(std::get<double>(lr)));
}

void read_learning_rate(ConfigReader& r, const char* key, LearningRate& lr)
{
    if (!r.contains(key)) return;
    const auto& v = r.at(key).storage();
    if (const auto* c = std::get_if<Config>(&v)) {
        lr = std::shared_ptr<const LearningRateSchedule>(schedule_from_config(*c));
    } else {
        lr = r.number(key);
    }
}

void check_learning_rate(const LearningRate& lr, const std::string& who)
{
    if (const double* v = std::get_if<double>(&lr)) check::finite_non_negative(who, "learning_rate", *v);
    if (const auto* s = std::get_if<std::shared_ptr<const LearningRateSchedule>>(&lr); s && !*s) {
        throw ValueError(detail::cat(who, ": option 'learning_rate' is a null schedule"));
    }
    if (const auto* f = std::get_if<LearningRateFn>(&lr); f && !*f) {
        throw ValueError(detail::cat(who, ": option 'learning_rate' is an empty callable"));
    }
}

std::string enum_choices(const std::vector<std::string>& names)
{
    std::string out;
    for (std::size_t i = 0; i < names.size(); ++i) {
        out += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + ("'" + names[i] + "'");
    }
    return out;
}

void bad_option(const std::string& who, const char* key, const std::string& what, const std::string& got)
{
    throw ValueError(detail::cat(who, ": option '", key, "' must be ", what, ", got ", got));
}

void bad_enum_key(const std::string& who, const char* key, const std::vector<std::string>& names, const std::string& got)
{
    throw ValueError(detail::cat(who, ": config key '", key, "' must be ", enum_choices(names), ", got '", got, "'"));
}

}  // namespace options_detail

// ---- the config reader ---------------------------------------------------------------

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

}  // namespace xgrad::optim
