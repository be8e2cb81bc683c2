// The update half of apply_gradients(): the finiteness check of every gradient
// and update_variables(), the ONE loop that decays and updates every variable,
// run either by a team (one parallel region per step, for update rules that are
// elementwise, see elementwise.hpp) or by the calling thread alone.
#include <xgrad/optim/optimizer.hpp>

#include <cmath>
#include <exception>
#include <optional>
#include <iostream>

#include <omp.h>

#include <xgrad/autograd/detail/finiteness.hpp>
#include <xgrad/core/error.hpp>

namespace xgrad::optim {

namespace {
// Member `index` of a team of `count`'s share of sum(x - x) over x[0, n): x - x
// is 0 for a finite value and NaN otherwise, and a NaN survives any summation
// order, so "all finite" (every share == 0) never depends on the thread count.
float non_finite_share(const float* x, std::size_t n, std::size_t index, std::size_t count)
{
    std::size_t begin = 0, end = 0;
    threading::team_range(n, index, count, begin, end);
    const auto b = static_cast<std::ptrdiff_t>(begin), e = static_cast<std::ptrdiff_t>(end);
    float acc = 0.0f;
#pragma omp simd reduction(+ : acc)
    for (std::ptrdiff_t i = b; i < e; ++i) acc += x[i] - x[i];
    return acc;
}

// The same over every defined gradient whose finiteness is not recorded (unread[i]).
float non_finite_residue(const std::vector<Tensor>& grads, const std::vector<char>& unread, std::size_t index,
                         std::size_t count)
{
    float acc = 0.0f;
    for (std::size_t i = 0; i < grads.size(); ++i) {
        if (grads[i].defined() && unread[i]) acc += non_finite_share(grads[i].value().data(), grads[i].size(), index, count);
    }
    return acc;
}
}  // namespace

// Reads the finiteness each gradient's producer recorded: fills step_unread_ (1 where
// none is recorded, so the data must be read) and returns true when one gradient is
// recorded non-finite. Never reads gradient data.
bool Optimizer::recorded_non_finite(const std::vector<Tensor>& grads)
{
    step_unread_.assign(grads.size(), 0);
    bool non_finite = false;
    for (std::size_t i = 0; i < grads.size(); ++i) {
        if (!grads[i].defined()) continue;
        const detail::Finiteness f = detail::finiteness(grads[i]);
        step_unread_[i] = f == detail::Finiteness::unknown;
        non_finite = non_finite || f == detail::Finiteness::non_finite;
    }
    return non_finite;
}

std::size_t Optimizer::defined_elements(const std::vector<Tensor>& grads)
{
    std::size_t total = 0;
    for (const auto& g : grads) total += g.defined() ? g.size() : 0;
    return total;
}

// One pass over every gradient not recorded finite (step_unread_), in one parallel
// region for the whole step; none when every gradient is.
bool Optimizer::gradients_finite(const std::vector<Tensor>& grads, const std::vector<Variable>& vars) const
{
    std::size_t unread = 0;
    for (std::size_t i = 0; i < grads.size(); ++i) unread += grads[i].defined() && step_unread_[i] ? grads[i].size() : 0;
    if (unread == 0) return true;
    bool bad = false;
    if (unread >= kParallelUpdateThreshold) {
#pragma omp parallel reduction(|| : bad)
        bad = non_finite_residue(grads, step_unread_, static_cast<std::size_t>(omp_get_thread_num()),
                                 static_cast<std::size_t>(omp_get_num_threads())) != 0.0f;
    } else {
        bad = non_finite_residue(grads, step_unread_, 0, 1) != 0.0f;  // small: no parallel region at all
    }
    return !bad || report_non_finite(grads, vars);
}

// Finds the first non-finite gradient value (some gradient has one): throws or
// warns per on_nan_gradient; false (skip the step) when it warns.
bool Optimizer::report_non_finite(const std::vector<Tensor>& grads, const std::vector<Variable>& vars) const
{
    for (std::size_t i = 0; i < grads.size(); ++i) {
        if (!grads[i].defined()) continue;
        const float* g = grads[i].value().data();
        const std::size_t n = grads[i].size();
        for (std::size_t j = 0; j < n; ++j) {
            if (std::isfinite(g[j])) continue;
            const std::string what = detail::cat(display_name_, ".apply_gradients: the gradient for variable '",
                                                 vars[i].name(), "' contains ", g[j], " at flat index ", j,
                                                 " (iterations = ", iterations(), ")");
            if (base_options().on_nan_gradient() == NanGradientPolicy::Throw) throw NumericsError(what);
            std::cerr << "xgrad warning: " << what << "; the whole step is skipped\n";
            return false;
        }
    }
    return true;
}

// Weight decay and update_step() of every variable with an effective gradient.
// With `team`, in ONE parallel region: each thread runs its static share of every
// variable (elementwise() under threading::TeamMember), so the result is the serial
// one whatever the thread count; without, on this thread, where elementwise() may
// still split one large tensor. With check_finite (team only), each thread first
// checks its share of every gradient; after a barrier either all threads update or
// none does (then false is returned and nothing, begin_update() included, has run).
bool Optimizer::update_variables(const std::vector<Variable>& vars, const StepInfo& step, bool team,
                                 bool check_finite)
{
    const auto& effective = step_gradients_;
    const auto& o = base_options();
    const bool decay = o.weight_decay().has_value();
    const bool base_decays = decay && !decays_weights_itself();
    std::size_t total = 0;
    for (std::size_t i = 0; i < vars.size(); ++i) {
        if (!effective[i]) continue;
        total += vars[i].size();
        if (decay) uses_weight_decay(states_[step_states_[i]]);  // resolved before any thread starts
    }
    const float wd = decay ? static_cast<float>(*o.weight_decay()) : 0.0f;
    bool finite = true;
    std::exception_ptr error;
    // The body runs on every thread of the region, or alone on this thread.
    auto body = [&](bool in_team) {
        const auto index = static_cast<std::size_t>(omp_get_thread_num());
        const auto count = static_cast<std::size_t>(omp_get_num_threads());
        if (check_finite) {
            float acc = 0.0f;  // this thread's share of sum(x - x) over every gradient
            for (std::size_t i = 0; i < vars.size(); ++i) {
                if (effective[i] && step_unread_[i]) acc += non_finite_share(effective[i], vars[i].size(), index, count);
            }
            if (acc != 0.0f) {
#pragma omp atomic write
                finite = false;
            }
#pragma omp barrier
        }
#pragma omp single
        {
            if (finite) {
                try {
                    begin_update(step);
                } catch (...) {
                    error = std::current_exception();
                }
            }
        }  // implicit barrier: every thread sees `finite` and `error`
        if (!finite || error) return;
        std::optional<threading::TeamMember> member;
        if (in_team) member.emplace(index, count);
        UpdateContext u;
        u.learning_rate = step.learning_rate;
        u.iterations = step.iterations;
        try {
            for (std::size_t i = 0; i < vars.size(); ++i) {
                if (!effective[i]) continue;
                VariableState& s = states_[step_states_[i]];
                float* w = s.var.mutable_value().data();
                const std::size_t n = vars[i].size();
                const bool decayed = decay && s.decay == 1;
                if (base_decays && decayed) {
                    const float lr = step.learning_rate;
                    elementwise(n, [&](std::ptrdiff_t j) { w[j] = w[j] - (w[j] * wd) * lr; });
                }
                u.w = w;
                u.g = effective[i];
                u.n = n;
                u.weight_decay = decayed ? o.weight_decay() : std::nullopt;
                u.variable_ = &s.var;
                u.slots_ = &s.slots;
                update_step(u);
            }
        } catch (...) {
#pragma omp critical(xgrad_optim_update_variables)
            if (!error) error = std::current_exception();
        }
    };
    if (team && total >= kParallelUpdateThreshold) {
#pragma omp parallel
        body(true);
    } else {
        body(team);
    }
    if (error) std::rethrow_exception(error);
    return finite;
}

}  // namespace xgrad::optim
