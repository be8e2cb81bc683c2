#include <xgrad/optim/optimizer.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <iostream>
#include <limits>

#include <xgrad/core/error.hpp>

namespace xgrad::optim {

namespace {
constexpr const char* kAverage = "average";
constexpr const char* kAccumulator = "gradient_accumulator";

// sum(x*x) in float32 (as Keras/TF reduce), accumulated sequentially from x[0]:
// one fixed order, so the result never depends on the thread count or vector width.
float sum_of_squares(const float* x, std::size_t n)
{
    float total = 0.0f;
    for (std::size_t i = 0; i < n; ++i) total += x[i] * x[i];
    return total;
}
}  // namespace

xt::xarray<float>& UpdateContext::slot_array(std::string_view name)
{
    for (std::size_t i = 0; i < slots_->names.size(); ++i) {
        if (slots_->names[i] == name) return slots_->arrays[i];
    }
    throw Error(detail::cat("optimizer: variable '", variable_->name(), "' has no slot '", name, "'"));
}

Optimizer::Optimizer(const BaseOptions& options, const std::string& display_name)
    : options_(options.clone()), display_name_(display_name)
{
    options_->check(display_name_);
}

std::string Optimizer::kind() const
{
    std::string k = display_name_;
    std::transform(k.begin(), k.end(), k.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return k;
}

std::int64_t Optimizer::iterations() const
{
    const auto n = base_options().gradient_accumulation_steps();
    return n ? raw_iterations_ / *n : raw_iterations_;
}

float Optimizer::learning_rate() const
{
    const LearningRate& lr = base_options().learning_rate();
    if (const double* v = std::get_if<double>(&lr)) return static_cast<float>(*v);
    if (const auto* s = std::get_if<std::shared_ptr<const LearningRateSchedule>>(&lr)) return (**s)(raw_iterations_);
    return std::get<LearningRateFn>(lr)(iterations());
}

void Optimizer::set_learning_rate(double learning_rate) { change_learning_rate(learning_rate); }
void Optimizer::set_learning_rate(std::shared_ptr<const LearningRateSchedule> schedule)
{
    change_learning_rate(std::move(schedule));
}
void Optimizer::set_learning_rate(LearningRateFn fn) { change_learning_rate(std::move(fn)); }

// A number cannot replace a schedule (Keras: the rate is "not settable"); a schedule
// or a callable replaces anything, and is evaluated at the step counter from then on.
void Optimizer::change_learning_rate(LearningRate learning_rate)
{
    if (std::holds_alternative<double>(learning_rate) &&
        std::holds_alternative<std::shared_ptr<const LearningRateSchedule>>(base_options().learning_rate())) {
        throw ValueError(detail::cat(display_name_, ".set_learning_rate: this optimizer was created with a ",
                                     "LearningRateSchedule, so its learning rate cannot be set to a number ",
                                     "(set another schedule, or create the optimizer with a number)"));
    }
    options_detail::check_learning_rate(learning_rate, display_name_);
    mutable_base().set_learning_rate(std::move(learning_rate));
}

void Optimizer::exclude_from_weight_decay(const std::vector<Variable>& vars,
                                          const std::vector<std::string>& name_substrings)
{
    for (const auto& v : vars) excluded_ids_.push_back(v.id());
    excluded_names_.insert(excluded_names_.end(), name_substrings.begin(), name_substrings.end());
    for (auto& s : states_) s.decay = -1;
}

Config Optimizer::get_config() const { return options_->to_config(); }

float& Optimizer::scalar_state(const std::string& key, float initial)
{
    for (auto& [k, v] : scalars_) {
        if (k == key) return v;
    }
    scalars_.emplace_back(key, initial);
    return scalars_.back().second;
}

Optimizer::VariableState& Optimizer::state_of(const Variable& var)
{
    const auto it = index_.find(var.id());
    if (it == index_.end()) {
        throw ValueError(detail::cat(display_name_, ": variable '", var.name(),
                                     "' has no optimizer state (no gradient was ever applied to it)"));
    }
    return states_[it->second];
}

void Optimizer::add_slot(const Variable& var, const std::string& slot, const Shape& shape, float initial)
{
    auto& s = state_of(var).slots;
    if (std::find(s.names.begin(), s.names.end(), slot) != s.names.end()) {
        throw Error(detail::cat(display_name_, ".add_slot: variable '", var.name(), "' already has a slot '", slot, "'"));
    }
    s.names.push_back(slot);
    s.arrays.emplace_back(shape, initial);
}

xt::xarray<float> Optimizer::slot(const Variable& var, const std::string& slot) const
{
    auto& s = const_cast<Optimizer*>(this)->state_of(var).slots;
    for (std::size_t i = 0; i < s.names.size(); ++i) {
        if (s.names[i] == slot) return s.arrays[i];
    }
    throw ValueError(detail::cat(display_name_, ".slot: variable '", var.name(), "' has no slot '", slot, "'"));
}

Optimizer::VariableState& Optimizer::ensure_built(const Variable& var)
{
    if (const auto it = index_.find(var.id()); it != index_.end()) return states_[it->second];
    index_.emplace(var.id(), states_.size());
    states_.push_back(VariableState{var, {}, {}, -1});
    if (base_options().use_ema()) add_slot(var, kAverage);
    if (base_options().gradient_accumulation_steps()) add_slot(var, kAccumulator);
    build(var);
    return states_[index_.at(var.id())];
}

bool Optimizer::uses_weight_decay(VariableState& s)
{
    if (s.decay < 0) {
        const bool by_id = std::find(excluded_ids_.begin(), excluded_ids_.end(), s.var.id()) != excluded_ids_.end();
        const bool by_name = std::any_of(excluded_names_.begin(), excluded_names_.end(), [&](const std::string& sub) {
            return s.var.name().find(sub) != std::string::npos;
        });
        s.decay = (by_id || by_name) ? 0 : 1;
    }
    return s.decay == 1;
}

void Optimizer::check_gradients(const std::vector<Tensor>& grads, const std::vector<Variable>& vars)
{
    if (grads.size() != vars.size()) {
        throw ValueError(detail::cat(display_name_, ".apply_gradients: got ", grads.size(), " gradients for ",
                                     vars.size(), " variables; they must match one to one"));
    }
    std::string missing;
    std::size_t defined = 0;
    for (std::size_t i = 0; i < vars.size(); ++i) {
        if (!vars[i].defined()) {
            throw ValueError(detail::cat(display_name_, ".apply_gradients: variable #", i, " is undefined"));
        }
        if (!grads[i].defined()) {
            if (std::find(warned_missing_.begin(), warned_missing_.end(), vars[i].name()) == warned_missing_.end()) {
                warned_missing_.push_back(vars[i].name());
                missing += (missing.empty() ? "'" : ", '") + vars[i].name() + "'";
            }
            continue;
        }
        ++defined;
        if (grads[i].shape() != vars[i].shape()) {
            throw ShapeError(detail::cat(display_name_, ".apply_gradients: the gradient for variable '",
                                         vars[i].name(), "' has shape ", to_string(grads[i].shape()),
                                         ", the variable has shape ", to_string(vars[i].shape())));
        }
    }
    if (defined == 0) {
        throw ValueError(detail::cat(display_name_, ".apply_gradients: no gradients provided for any variable"));
    }
    step_ids_.clear();
    for (const auto& v : vars) step_ids_.push_back(v.id());
    std::sort(step_ids_.begin(), step_ids_.end());
    if (const auto dup = std::adjacent_find(step_ids_.begin(), step_ids_.end()); dup != step_ids_.end()) {
        const auto& v = *std::find_if(vars.begin(), vars.end(), [&](const Variable& x) { return x.id() == *dup; });
        throw ValueError(detail::cat(display_name_, ".apply_gradients: variable '", v.name(),
                                     "' is passed more than once; each variable may appear only once per call"));
    }
    if (!missing.empty()) {
        std::cerr << "xgrad warning: " << display_name_ << ".apply_gradients: gradients do not exist for variables ["
                  << missing << "]; they are left unchanged\n";
    }
}

const float* Optimizer::effective_gradient(VariableState& s, const Tensor& grad, bool update, bool reduced)
{
    const float* src = grad.value().data();
    const std::size_t n = grad.size();
    const auto& o = base_options();
    const bool clip = o.clipnorm() || o.clipvalue() || o.global_clipnorm();
    if (!o.loss_scale_factor() && !o.gradient_accumulation_steps() && !clip && !reduced) return src;
    s.scratch.resize(n);
    float* dst = s.scratch.data();
    if (o.loss_scale_factor()) {
        const float scale = static_cast<float>(*o.loss_scale_factor());
        elementwise(n, [&](std::ptrdiff_t i) { dst[i] = src[i] / scale; });
        src = dst;
    }
    if (o.gradient_accumulation_steps()) {
        float* acc = accumulator(s);
        if (!update) {
            elementwise(n, [&](std::ptrdiff_t i) { acc[i] = src[i] + acc[i]; });
            return nullptr;
        }
        const float steps = static_cast<float>(*o.gradient_accumulation_steps());
        // With a reducer the accumulator is cleared only once the reduced step is known to be finite.
        elementwise(n, [&](std::ptrdiff_t i) {
            dst[i] = (src[i] + acc[i]) / steps;
            if (!reduced) acc[i] = 0.0f;
        });
        src = dst;
    }
    if (src != dst) std::copy(src, src + n, dst);
    if (!reduced) clip_gradient(dst, n);
    return dst;
}

float* Optimizer::accumulator(VariableState& s)
{
    return s.slots.arrays[static_cast<std::size_t>(
        std::find(s.slots.names.begin(), s.slots.names.end(), kAccumulator) - s.slots.names.begin())].data();
}

void Optimizer::clip_gradient(float* g, std::size_t n) const
{
    const auto& o = base_options();
    if (o.clipnorm()) {
        const float c = static_cast<float>(*o.clipnorm());
        const float norm = std::sqrt(sum_of_squares(g, n));
        const float denom = std::max(norm, c);
        elementwise(n, [&](std::ptrdiff_t i) { g[i] = (g[i] * c) / denom; });
    } else if (o.clipvalue()) {
        const float v = static_cast<float>(*o.clipvalue());
        elementwise(n, [&](std::ptrdiff_t i) { g[i] = std::min(std::max(g[i], -v), v); });
    }
}

// The reduce stage: every effective gradient in one reducer call, then the
// finiteness check on the reduced values (the same on every rank, so every rank
// decides alike), then the accumulators are cleared and the gradients clipped.
bool Optimizer::reduce_gradients(const std::vector<Variable>& vars, bool check_finite)
{
    std::vector<float*> buffers;
    std::vector<std::size_t> sizes;
    for (std::size_t i = 0; i < vars.size(); ++i) {
        if (!step_gradients_[i]) continue;
        buffers.push_back(states_[step_states_[i]].scratch.data());
        sizes.push_back(vars[i].size());
    }
    reducer_->reduce(buffers, sizes);
    if (check_finite) {
        for (std::size_t b = 0; b < buffers.size(); ++b) {
            if (std::all_of(buffers[b], buffers[b] + sizes[b], [](float v) { return std::isfinite(v); })) continue;
            std::vector<Tensor> reduced;
            std::vector<Variable> reduced_vars;
            for (std::size_t i = 0, k = 0; i < vars.size(); ++i) {
                if (!step_gradients_[i]) continue;
                xt::xarray<float> copy = xt::xarray<float>::from_shape(vars[i].shape());
                std::copy(buffers[k], buffers[k] + sizes[k], copy.data());
                reduced.emplace_back(std::move(copy));
                reduced_vars.push_back(vars[i]);
                ++k;
            }
            if (!report_non_finite(reduced, reduced_vars)) return false;
            break;
        }
    }
    for (std::size_t i = 0, k = 0; i < vars.size(); ++i) {
        if (!step_gradients_[i]) continue;
        if (base_options().gradient_accumulation_steps()) std::fill_n(accumulator(states_[step_states_[i]]), sizes[k], 0.0f);
        clip_gradient(buffers[k], sizes[k]);
        ++k;
    }
    return true;
}

void Optimizer::set_gradient_reducer(std::shared_ptr<GradientReducer> reducer) { reducer_ = std::move(reducer); }

void Optimizer::apply_gradients(const std::vector<std::pair<Tensor, Variable>>& grads_and_vars)
{
    std::vector<Tensor> grads;
    std::vector<Variable> vars;
    for (const auto& [g, v] : grads_and_vars) {
        grads.push_back(g);
        vars.push_back(v);
    }
    apply_gradients(grads, vars);
}

void Optimizer::apply_gradients(const std::vector<Tensor>& grads, const std::vector<Variable>& vars)
{
    check_gradients(grads, vars);
    if (raw_iterations_ == std::numeric_limits<std::int64_t>::max()) {
        throw ValueError(detail::cat(display_name_, ".apply_gradients: the step counter raw_iterations is at its ",
                                     "maximum, ", raw_iterations_, "; nothing was changed"));
    }
    const float lr = learning_rate();  // a schedule's or callable's value, checked before anything changes
    check::step_learning_rate(display_name_, lr, iterations());
    step_states_.clear();  // indices: states_ may grow while building
    for (const auto& v : vars) step_states_.push_back(static_cast<std::size_t>(&ensure_built(v) - states_.data()));
    auto state = [&](std::size_t i) -> VariableState& { return states_[step_states_[i]]; };
    const auto& o = base_options();
    const bool check_finite = o.on_nan_gradient() != NanGradientPolicy::Apply;
    // Reduced (averaged across ranks): the check runs on the reduced gradients instead.
    const bool reduce = reducer_ && reducer_->active();
    // With the raw gradients as the effective ones (nothing to compute before the
    // update) and an elementwise update rule, the finiteness check runs inside the
    // update's parallel region, on the elements each thread then updates.
    const bool raw = !o.loss_scale_factor() && !o.gradient_accumulation_steps() && !o.clipnorm() && !o.clipvalue() &&
                     !o.global_clipnorm() && !reduce;
    // Small steps (the tutorial's scalar) stay on the plain serial path: no region to set up.
    const bool team = update_step_is_elementwise() && defined_elements(grads) >= kParallelUpdateThreshold;
    // A gradient whose producer recorded its finiteness (autograd/detail/finiteness.hpp)
    // is not read again: recorded non-finite, the step is reported (throw or skip) at
    // once; recorded finite, it is left out of the check below and of the update's.
    if (check_finite && !reduce && recorded_non_finite(grads) && !report_non_finite(grads, vars)) return;
    if (check_finite && !reduce && !(raw && team) && !gradients_finite(grads, vars)) return;

    const bool update = !o.gradient_accumulation_steps() || (raw_iterations_ + 1) % *o.gradient_accumulation_steps() == 0;
    const StepInfo step{lr, iterations()};
    auto& effective = step_gradients_;
    effective.assign(vars.size(), nullptr);
    for (std::size_t i = 0; i < vars.size(); ++i) {
        if (grads[i].defined()) effective[i] = effective_gradient(state(i), grads[i], update, reduce);
    }
    if (update && reduce && !reduce_gradients(vars, check_finite)) return;
    if (update) {
        if (o.global_clipnorm()) {
            float total = 0.0f;  // float32, variable by variable in argument order
            for (std::size_t i = 0; i < vars.size(); ++i) {
                if (effective[i]) total += sum_of_squares(effective[i], vars[i].size());
            }
            const float norm = std::sqrt(total);
            const float c = static_cast<float>(*o.global_clipnorm());
            const float scale = c * std::min(1.0f / norm, 1.0f / c) + (norm - norm);
            for (std::size_t i = 0; i < vars.size(); ++i) {
                if (!effective[i]) continue;
                float* g = state(i).scratch.data();
                elementwise(vars[i].size(), [&](std::ptrdiff_t j) { g[j] = g[j] * scale; });
            }
        }
        const bool unread = std::find(step_unread_.begin(), step_unread_.end(), 1) != step_unread_.end();
        const bool check_in_region = check_finite && raw && team && unread;
        if (!update_variables(vars, step, team, check_in_region) && !report_non_finite(grads, vars)) return;
    }
    if (o.use_ema()) update_ema();
    ++raw_iterations_;
}

void Optimizer::update_ema()
{
    const auto& o = base_options();
    const float m = iterations() != 0 ? static_cast<float>(o.ema_momentum()) : 0.0f;
    const float one_minus_m = 1.0f - m;
    const bool overwrite = o.ema_overwrite_frequency() && (iterations() + 1) % *o.ema_overwrite_frequency() == 0;
    for (auto& s : states_) {
        float* avg = s.slots.arrays[0].data();  // "average" is always the first slot with use_ema
        float* w = s.var.mutable_value().data();
        elementwise(s.var.size(), [&](std::ptrdiff_t i) {
            avg[i] = m * avg[i] + one_minus_m * w[i];
            if (overwrite) w[i] = avg[i];
        });
    }
}

void Optimizer::finalize_variable_values(const std::vector<Variable>& vars)
{
    if (!base_options().use_ema()) return;
    for (const auto& v : vars) {
        auto& s = state_of(v);
        std::copy(s.slots.arrays[0].begin(), s.slots.arrays[0].end(), s.var.mutable_value().begin());
    }
}

}  // namespace xgrad::optim
