#include <xgrad/optim/schedules.hpp>

#include <algorithm>
#include <cmath>
#include <numbers>

#include <xgrad/core/error.hpp>
#include <xgrad/optim/options.hpp>

namespace xgrad::optim {

namespace {

void check_decay_steps(const char* schedule, const char* option, std::int64_t steps)
{
    if (steps <= 0) {
        throw ValueError(detail::cat(schedule, ": option '", option, "' must be > 0, got ", steps));
    }
}

// A schedule's learning-rate argument: a finite number >= 0 (ValueError naming schedule, option and value).
void check_rate(const char* schedule, const char* option, double v) { check::finite_non_negative(schedule, option, v); }

float f32(double x) { return static_cast<float>(x); }
float f32(std::int64_t x) { return static_cast<float>(x); }

}  // namespace

Config LearningRateSchedule::serialize() const
{
    Config out;
    out.set("module", "keras.optimizers.schedules");
    out.set("class_name", class_name());
    out.set("config", get_config());
    out.set("registered_name", ConfigValue());
    return out;
}

StepDecaySchedule::StepDecaySchedule(const char* schedule, double initial_learning_rate, std::int64_t decay_steps,
                                     double decay_rate, bool staircase, std::string name)
    : initial_(initial_learning_rate), rate_(decay_rate), decay_steps_(decay_steps),
      staircase_(staircase), name_(std::move(name))
{
    check_rate(schedule, "initial_learning_rate", initial_learning_rate);
    check_decay_steps(schedule, "decay_steps", decay_steps);
    check_rate(schedule, "decay_rate", decay_rate);
}

float StepDecaySchedule::progress(std::int64_t step) const
{
    const float p = f32(step) / f32(decay_steps_);
    return staircase_ ? std::floor(p) : p;
}

Config StepDecaySchedule::get_config() const
{
    return Config{}
        .set("initial_learning_rate", initial_)
        .set("decay_steps", decay_steps_)
        .set("decay_rate", rate_)
        .set("staircase", staircase_)
        .set("name", name_);
}

ExponentialDecay::ExponentialDecay(double initial_learning_rate, std::int64_t decay_steps, double decay_rate,
                                   bool staircase, std::string name)
    : StepDecaySchedule("ExponentialDecay", initial_learning_rate, decay_steps, decay_rate, staircase, std::move(name))
{
}

float ExponentialDecay::operator()(std::int64_t step) const
{
    return f32(initial_) * std::pow(f32(rate_), progress(step));
}

InverseTimeDecay::InverseTimeDecay(double initial_learning_rate, std::int64_t decay_steps, double decay_rate,
                                   bool staircase, std::string name)
    : StepDecaySchedule("InverseTimeDecay", initial_learning_rate, decay_steps, decay_rate, staircase, std::move(name))
{
}

float InverseTimeDecay::operator()(std::int64_t step) const
{
    return f32(initial_) / (1.0f + f32(rate_) * progress(step));
}

PiecewiseConstantDecay::PiecewiseConstantDecay(std::vector<std::int64_t> boundaries, std::vector<double> values,
                                               std::string name)
    : boundaries_(std::move(boundaries)), values_(std::move(values)), name_(std::move(name))
{
    if (boundaries_.size() + 1 != values_.size() || boundaries_.empty()) {
        throw ValueError(detail::cat("PiecewiseConstantDecay: 'boundaries' must have one element less than ",
                                     "'values' (and at least one); got ", boundaries_.size(),
                                     " boundaries and ", values_.size(), " values"));
    }
    for (std::size_t i = 0; i < values_.size(); ++i) {
        check_rate("PiecewiseConstantDecay", detail::cat("values[", i, "]").c_str(), values_[i]);
    }
    for (std::size_t i = 1; i < boundaries_.size(); ++i) {
        if (boundaries_[i] <= boundaries_[i - 1]) {
            throw ValueError(detail::cat("PiecewiseConstantDecay: 'boundaries' must be strictly increasing, got ",
                                         boundaries_[i - 1], " then ", boundaries_[i]));
        }
    }
}

float PiecewiseConstantDecay::operator()(std::int64_t step) const
{
    std::size_t i = 0;
    while (i < boundaries_.size() && step > boundaries_[i]) ++i;
    return f32(values_[i]);
}

Config PiecewiseConstantDecay::get_config() const
{
    ConfigValue::List b, v;
    for (auto x : boundaries_) b.emplace_back(x);
    for (auto x : values_) v.emplace_back(x);
    return Config{}.set("boundaries", b).set("values", v).set("name", name_);
}

PolynomialDecay::PolynomialDecay(double initial_learning_rate, std::int64_t decay_steps, double end_learning_rate,
                                 double power, bool cycle, std::string name)
    : initial_(initial_learning_rate), end_(end_learning_rate), power_(power), decay_steps_(decay_steps),
      cycle_(cycle), name_(std::move(name))
{
    check_rate("PolynomialDecay", "initial_learning_rate", initial_learning_rate);
    check_decay_steps("PolynomialDecay", "decay_steps", decay_steps);
    check_rate("PolynomialDecay", "end_learning_rate", end_learning_rate);
    check_rate("PolynomialDecay", "power", power);
}

float PolynomialDecay::operator()(std::int64_t step) const
{
    float s = f32(step);
    float ds = f32(decay_steps_);
    if (cycle_) {
        const float multiplier = s == 0.0f ? 1.0f : std::ceil(s / ds);
        ds = ds * multiplier;
    } else {
        s = std::min(s, ds);
    }
    const float p = s / ds;
    return (f32(initial_) - f32(end_)) * std::pow(1.0f - p, f32(power_)) + f32(end_);
}

Config PolynomialDecay::get_config() const
{
    return Config{}
        .set("initial_learning_rate", initial_)
        .set("decay_steps", decay_steps_)
        .set("end_learning_rate", end_)
        .set("power", power_)
        .set("cycle", cycle_)
        .set("name", name_);
}

CosineDecay::CosineDecay(double initial_learning_rate, std::int64_t decay_steps, double alpha, std::string name,
                         std::optional<double> warmup_target, std::int64_t warmup_steps)
    : initial_(initial_learning_rate), alpha_(alpha), decay_steps_(decay_steps), name_(std::move(name)),
      warmup_target_(warmup_target), warmup_steps_(warmup_steps)
{
    check_rate("CosineDecay", "initial_learning_rate", initial_learning_rate);
    check_decay_steps("CosineDecay", "decay_steps", decay_steps);
    check::in_range("CosineDecay", "alpha", alpha, 0.0, true, 1.0, true);
    if (warmup_target) check_rate("CosineDecay", "warmup_target", *warmup_target);
    if (warmup_steps < 0) {
        throw ValueError(detail::cat("CosineDecay: option 'warmup_steps' must be >= 0, got ", warmup_steps));
    }
}

float CosineDecay::operator()(std::int64_t step) const
{
    const float ds = f32(decay_steps_);
    const auto decay = [&](float s, float from) {
        const float cosine = 0.5f * (1.0f + std::cos(std::numbers::pi_v<float> * (s / ds)));
        return from * (f32(1.0 - alpha_) * cosine + f32(alpha_));
    };
    float s = f32(step);
    if (!warmup_target_) return decay(std::min(s, ds), f32(initial_));
    const float ws = f32(warmup_steps_);
    const float target = f32(*warmup_target_);
    s = std::min(s, ds + ws);
    if (s < ws) return (target - f32(initial_)) * (s / ws) + f32(initial_);
    return decay(s - ws, target);
}

Config CosineDecay::get_config() const
{
    return Config{}
        .set("initial_learning_rate", initial_)
        .set("decay_steps", decay_steps_)
        .set("alpha", alpha_)
        .set("name", name_)
        .set("warmup_target", warmup_target_)
        .set("warmup_steps", warmup_steps_);
}

CosineDecayRestarts::CosineDecayRestarts(double initial_learning_rate, std::int64_t first_decay_steps, double t_mul,
                                         double m_mul, double alpha, std::string name)
    : initial_(initial_learning_rate), t_mul_(t_mul), m_mul_(m_mul), alpha_(alpha),
      first_decay_steps_(first_decay_steps), name_(std::move(name))
{
    check_rate("CosineDecayRestarts", "initial_learning_rate", initial_learning_rate);
    check_decay_steps("CosineDecayRestarts", "first_decay_steps", first_decay_steps);
    check::positive("CosineDecayRestarts", "t_mul", t_mul);
    check_rate("CosineDecayRestarts", "m_mul", m_mul);
    check::in_range("CosineDecayRestarts", "alpha", alpha, 0.0, true, 1.0, true);
}

float CosineDecayRestarts::operator()(std::int64_t step) const
{
    const float t_mul = f32(t_mul_), m_mul = f32(m_mul_), alpha = f32(alpha_);
    float fraction = f32(step) / f32(first_decay_steps_);
    float restart;
    if (t_mul == 1.0f) {
        restart = std::floor(fraction);
        fraction = fraction - restart;
    } else {
        restart = std::floor(std::log(1.0f - fraction * (1.0f - t_mul)) / std::log(t_mul));
        const float sum_r = (1.0f - std::pow(t_mul, restart)) / (1.0f - t_mul);
        fraction = (fraction - sum_r) / std::pow(t_mul, restart);
    }
    const float m_fac = std::pow(m_mul, restart);
    const float cosine = 0.5f * m_fac * (1.0f + std::cos(std::numbers::pi_v<float> * fraction));
    return f32(initial_) * ((1.0f - alpha) * cosine + alpha);
}

Config CosineDecayRestarts::get_config() const
{
    return Config{}
        .set("initial_learning_rate", initial_)
        .set("first_decay_steps", first_decay_steps_)
        .set("t_mul", t_mul_)
        .set("m_mul", m_mul_)
        .set("alpha", alpha_)
        .set("name", name_);
}

namespace {
template <class Schedule>
std::shared_ptr<LearningRateSchedule> make_step_decay(ConfigReader& r, const char* cls)
{
    const double initial = r.number("initial_learning_rate");
    const std::int64_t decay_steps = r.integer("decay_steps");
    const double decay_rate = r.number("decay_rate");
    const bool staircase = r.flag("staircase", false);
    return std::make_shared<Schedule>(initial, decay_steps, decay_rate, staircase, r.text("name", cls));
}

// The elements of a list-valued key, each read as a T ("boundaries[1]" names a bad one).
template <class T>
std::vector<T> elements(ConfigReader& r, const char* key)
{
    std::vector<T> out;
    const ConfigValue::List& list = r.list(key);
    for (std::size_t i = 0; i < list.size(); ++i) {
        const std::string name = detail::cat(key, "[", i, "]");
        const Config item = Config{}.set(name, list[i]);
        if constexpr (std::is_same_v<T, double>) out.push_back(item.get_double(name));
        else out.push_back(item.get_int(name));
    }
    return out;
}

// The schedule `cls` from its config, with the defaults of its constructor (Keras's cls(**config)).
std::shared_ptr<LearningRateSchedule> make_schedule(const std::string& cls, ConfigReader& r)
{
    if (cls == "ExponentialDecay") return make_step_decay<ExponentialDecay>(r, "ExponentialDecay");
    if (cls == "InverseTimeDecay") return make_step_decay<InverseTimeDecay>(r, "InverseTimeDecay");
    if (cls == "PolynomialDecay") {
        const double initial = r.number("initial_learning_rate");
        const std::int64_t decay_steps = r.integer("decay_steps");
        const double end = r.number("end_learning_rate", 0.0001);
        const double power = r.number("power", 1.0);
        const bool cycle = r.flag("cycle", false);
        return std::make_shared<PolynomialDecay>(initial, decay_steps, end, power, cycle, r.text("name", "PolynomialDecay"));
    }
    if (cls == "CosineDecay") {
        const double initial = r.number("initial_learning_rate");
        const std::int64_t decay_steps = r.integer("decay_steps");
        const double alpha = r.number("alpha", 0.0);
        const std::string name = r.text("name", "CosineDecay");
        const std::optional<double> warmup_target = r.optional_number("warmup_target", std::nullopt);
        return std::make_shared<CosineDecay>(initial, decay_steps, alpha, name, warmup_target,
                                             r.integer("warmup_steps", 0));
    }
    if (cls == "CosineDecayRestarts") {
        const double initial = r.number("initial_learning_rate");
        const std::int64_t first = r.integer("first_decay_steps");
        const double t_mul = r.number("t_mul", 2.0);
        const double m_mul = r.number("m_mul", 1.0);
        const double alpha = r.number("alpha", 0.0);
        return std::make_shared<CosineDecayRestarts>(initial, first, t_mul, m_mul, alpha, r.text("name", "SGDRDecay"));
    }
    if (cls == "PiecewiseConstantDecay") {
        auto boundaries = elements<std::int64_t>(r, "boundaries");
        auto values = elements<double>(r, "values");
        return std::make_shared<PiecewiseConstantDecay>(std::move(boundaries), std::move(values),
                                                        r.text("name", "PiecewiseConstant"));
    }
    return nullptr;
}
}  // namespace

std::shared_ptr<LearningRateSchedule> schedule_from_config(const Config& serialized)
{
    ConfigReader outer(serialized, "schedule_from_config");
    const std::string cls = outer.text("class_name");
    outer.allow("module");
    outer.allow("registered_name");
    ConfigReader r(outer.dict("config"), cls);
    outer.finish();
    if (auto schedule = make_schedule(cls, r)) {
        r.finish();
        return schedule;
    }
    throw ValueError(detail::cat("schedule_from_config: unknown learning-rate schedule class_name '", cls,
                                 "' (known: ExponentialDecay, PiecewiseConstantDecay, PolynomialDecay, ",
                                 "InverseTimeDecay, CosineDecay, CosineDecayRestarts)"));
}

}  // namespace xgrad::optim
