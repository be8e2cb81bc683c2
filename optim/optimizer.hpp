// Optimizer: the base class every optimizer derives from. It owns everything
// but the update rule (Keras 3's BaseOptimizer semantics):
//   - the loop over (gradient, variable) pairs, skipping undefined gradients;
//   - the step counter iterations(), +1 per apply_gradients (never per tensor);
//   - per-variable state slots keyed by variable id, created lazily by build();
//   - loss_scale_factor, gradient accumulation, clipping, decoupled weight
//     decay, EMA of the weights, the NaN-gradient policy, the learning rate
//     (number, schedule or callable), get_config() and state save/restore.
// A subclass writes only its options (options.hpp), build() (its slots, any
// shape) and update_step(UpdateContext&); see optim/README.md.
//
// Per apply_gradients(grads, vars), in order:
//   g /= loss_scale_factor
//   with accumulation (N steps): acc += g; unless (raw_iterations + 1) % N == 0 stop here,
//       else g = acc / N, acc = 0                 (iterations() = raw_iterations / N)
//   with a gradient reducer: every g reduced in one call (e.g. averaged over MPI ranks)
//   a non-finite g: the step is skipped (on_nan_gradient)
//   clip g (clipnorm | clipvalue | global_clipnorm)
//   w -= w * weight_decay * lr                   (unless excluded)
//   update_step(context: w, g, shape, name, slots, lr, t = iterations() + 1)
//   EMA: average = m * average + (1 - m) * w     (m = 0 when iterations() == 0)
//   every ema_overwrite_frequency steps: w = average
//   raw_iterations += 1
#pragma once

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include <xgrad/autograd/tensor.hpp>
#include <xgrad/autograd/variable.hpp>
#include <xgrad/optim/config.hpp>
#include <xgrad/optim/elementwise.hpp>
#include <xgrad/optim/options.hpp>

namespace xgrad::optim {

// A stage between accumulation and clipping that rewrites the gradients of a step in
// place, all at once (xgrad::optim::AverageAcrossRanks averages them over MPI ranks).
class GradientReducer {
public:
    virtual ~GradientReducer() = default;
    // False: the stage is skipped (a single process), leaving the step bit for bit as without it.
    virtual bool active() const = 0;
    // grads[i] holds sizes[i] floats: the effective gradient of the i-th variable with one.
    virtual void reduce(const std::vector<float*>& grads, const std::vector<std::size_t>& sizes) = 0;
};

// What begin_update() knows about the current step.
struct StepInfo {
    float learning_rate;       // lr at this step (schedules evaluated at the raw counter, as Keras)
    std::int64_t iterations;   // iterations() before this update
    // t = iterations + 1 as a float32 value, as Keras's `local_step`.
    float local_step() const { return static_cast<float>(iterations + 1); }
};

// The slots of one variable, in the order build() added them.
struct SlotData {
    std::vector<std::string> names;
    std::vector<xt::xarray<float>> arrays;
};

// Everything update_step() knows about one variable's update: its values, shape,
// name, effective gradient (after loss scaling, accumulation and clipping) and
// slots (each of the shape build() gave it).
class UpdateContext {
public:
    float* w;                   // the variable's n values (row-major, shape())
    const float* g;             // its gradient, n values
    std::size_t n;
    float learning_rate;        // lr at this step
    std::int64_t iterations;    // iterations() before this update
    // The weight decay this variable gets (unset: none, or excluded): for an
    // optimizer that applies the decay itself (decays_weights_itself()).
    std::optional<double> weight_decay;

    float local_step() const { return static_cast<float>(iterations + 1); }  // t, as Keras
    StepInfo step() const { return {learning_rate, iterations}; }
    const Variable& variable() const { return *variable_; }
    const Shape& shape() const { return variable_->shape(); }
    const std::string& name() const { return variable_->name(); }
    // Slot `name`'s data (its own shape: slot_array(name).shape()); Error naming it when missing.
    float* slot(std::string_view name) { return slot_array(name).data(); }
    xt::xarray<float>& slot_array(std::string_view name);
    // f(i) for i in [0, n): see elementwise.hpp (one thread's share inside the step's team).
    template <class F>
    void elementwise(F&& f) const
    {
        ::xgrad::optim::elementwise(n, std::forward<F>(f));
    }

private:
    friend class Optimizer;
    UpdateContext() = default;
    const Variable* variable_ = nullptr;
    SlotData* slots_ = nullptr;
};

class Optimizer {
public:
    virtual ~Optimizer() = default;
    Optimizer(const Optimizer&) = delete;
    Optimizer& operator=(const Optimizer&) = delete;

    // A stable identifier of the algorithm ("adam", "momentum", ...); checked on restore.
    // Default: the display name in lower case ("AdaBelief" -> "adabelief").
    virtual std::string kind() const;

    // Applies grads[i] to vars[i]; undefined gradients are skipped (at least one must be defined).
    virtual void apply_gradients(const std::vector<Tensor>& grads, const std::vector<Variable>& vars);
    // Keras's form: a list of (gradient, variable) pairs.
    void apply_gradients(const std::vector<std::pair<Tensor, Variable>>& grads_and_vars);

    // Applied steps (with gradient accumulation: real updates, raw_iterations / N).
    virtual std::int64_t iterations() const;
    // Calls of apply_gradients that changed state (skipped NaN steps excluded).
    std::int64_t raw_iterations() const { return raw_iterations_; }

    // The learning rate the next step uses: the number, schedule(raw_iterations) or fn(iterations()).
    virtual float learning_rate() const;
    // Replaces the learning rate: a number (ValueError when the optimizer has a
    // schedule, as Keras), a schedule or a callable (replace whatever was there).
    void set_learning_rate(double learning_rate);
    void set_learning_rate(std::shared_ptr<const LearningRateSchedule> schedule);
    void set_learning_rate(LearningRateFn fn);

    // Variables excluded from weight decay: these ones, and any whose name
    // contains one of `name_substrings` (Keras's exclude_from_weight_decay).
    void exclude_from_weight_decay(const std::vector<Variable>& vars,
                                   const std::vector<std::string>& name_substrings = {});

    // With use_ema: w = EMA average for each of vars (Keras's finalize_variable_values).
    virtual void finalize_variable_values(const std::vector<Variable>& vars);

    // Keras 3's get_config(): every declared option, base keys first, in Keras's order.
    virtual Config get_config() const;
    const std::string& name() const { return base_options().name(); }
    // The class name used in messages ("Adam").
    const std::string& display_name() const { return display_name_; }
    const BaseOptions& base_options() const { return static_cast<const BaseOptions&>(*options_); }

    // A copy of slot `slot` of `var` ("momentum", "velocity", "average" for EMA, ...).
    xt::xarray<float> slot(const Variable& var, const std::string& slot) const;

    // Saves iterations, the learning rate, every slot of every variable (by
    // variable name) and scalar state; the file is replaced atomically.
    virtual void save_state(const std::string& path) const;
    // Restores a save_state() file for `vars` (default: the variables this
    // optimizer already tracks). Throws IOError/ValueError/ShapeError naming
    // a different optimizer kind, a missing or extra variable name, or a slot
    // of another shape than this optimizer gives it; on error nothing is changed.
    virtual void load_state(const std::string& path, const std::vector<Variable>& vars = {});

    // The reduce stage (data parallelism): with a reducer, every real step's gradients,
    // after loss scaling and accumulation and before the finiteness check, clipping,
    // weight decay and the update, go through reducer->reduce in one call.
    void set_gradient_reducer(std::shared_ptr<GradientReducer> reducer);
    const std::shared_ptr<GradientReducer>& gradient_reducer() const { return reducer_; }

    // ---- Keras files (nn/saving) ----
    // Keras 3's optimizer variables after iterations and the learning rate: the slots of
    // `vars` (built now where needed), variable by variable in build() order, except
    // velocity_hat, which Keras creates after all the others. Throws ValueError with
    // use_ema or gradient accumulation, whose state Keras keeps elsewhere.
    std::vector<std::pair<std::string, xt::xarray<float>>> keras_slots(const std::vector<Variable>& vars);
    // Restores what keras_slots() lists, plus the iteration count and (for a numeric
    // learning rate) the learning rate; checks the count and every shape first.
    void set_keras_state(const std::vector<Variable>& vars, std::int64_t iterations,
                         std::optional<double> learning_rate, const std::vector<xt::xarray<float>>& slots);
    // True when the learning rate is a number (not a schedule or a callable).
    bool has_numeric_learning_rate() const;

protected:
    // `options`: any XxxOptions (copied whole); validated here, naming `display_name`.
    Optimizer(const BaseOptions& options, const std::string& display_name);

    // ---- the extension API --------------------------------------------------
    // The options this optimizer was made with, as their own type.
    template <class O>
    const O& options() const
    {
        return static_cast<const O&>(*options_);
    }
    // Called once per variable, before its first update: add the slots.
    virtual void build(const Variable& var) {}
    // Adds a slot of var's shape, or of `shape` (add_slot(var, "r", {rows})), filled with `initial`.
    void add_slot(const Variable& var, const std::string& slot) { add_slot(var, slot, var.shape(), 0.0f); }
    template <class Number, std::enable_if_t<std::is_arithmetic_v<Number>, int> = 0>
    void add_slot(const Variable& var, const std::string& slot, Number initial)
    {
        add_slot(var, slot, var.shape(), static_cast<float>(initial));
    }
    void add_slot(const Variable& var, const std::string& slot, const Shape& shape, float initial = 0.0f);
    // Called once per real update, before the variables (optimizer-wide state such as Nadam's u_product).
    virtual void begin_update(const StepInfo& step) {}
    // The update rule for one variable.
    virtual void update_step(UpdateContext& u) = 0;
    // True when update_step() touches w, g and the slots only through elementwise()
    // and changes no other state: the base then runs the update of every variable of
    // a step in ONE parallel region, each thread doing its static share of every
    // variable (see elementwise.hpp). A subclass with its own loops keeps false.
    virtual bool update_step_is_elementwise() const { return false; }
    // True when update_step() applies weight decay itself (UpdateContext::weight_decay);
    // the base then skips its decoupled w -= w * wd * lr.
    virtual bool decays_weights_itself() const { return false; }
    // What every set_learning_rate() overload calls: checks, then replaces the rate.
    virtual void change_learning_rate(LearningRate learning_rate);
    // A named float32 scalar kept with the state (created with `initial`).
    float& scalar_state(const std::string& key, float initial);

private:
    friend class LossScaleOptimizer;
    struct VariableState {
        Variable var;
        SlotData slots;
        std::vector<float> scratch;  // the effective gradient, when it differs from the input
        int decay = -1;              // -1 unknown, 0 excluded, 1 decayed
    };
    VariableState& state_of(const Variable& var);
    VariableState& ensure_built(const Variable& var);
    const float* effective_gradient(VariableState& s, const Tensor& g, bool update_step, bool reduced);
    static float* accumulator(VariableState& s);
    void clip_gradient(float* g, std::size_t n) const;
    bool reduce_gradients(const std::vector<Variable>& vars, bool check_finite);
    bool uses_weight_decay(VariableState& s);
    void check_gradients(const std::vector<Tensor>& grads, const std::vector<Variable>& vars);
    bool recorded_non_finite(const std::vector<Tensor>& grads);
    bool gradients_finite(const std::vector<Tensor>& grads, const std::vector<Variable>& vars) const;
    bool report_non_finite(const std::vector<Tensor>& grads, const std::vector<Variable>& vars) const;
    bool update_variables(const std::vector<Variable>& vars, const StepInfo& step, bool team, bool check_finite);
    static std::size_t defined_elements(const std::vector<Tensor>& grads);
    void update_ema();
    void write_state(std::ostream& out) const;
    BaseOptions& mutable_base() { return static_cast<BaseOptions&>(*options_); }

    std::unique_ptr<OptionSet> options_;
    std::string display_name_;  // "Adam": used in messages
    std::int64_t raw_iterations_ = 0;
    std::vector<VariableState> states_;
    std::unordered_map<std::uint64_t, std::size_t> index_;
    std::vector<std::pair<std::string, float>> scalars_;
    std::vector<std::uint64_t> excluded_ids_;
    std::vector<std::string> excluded_names_;
    std::vector<std::string> warned_missing_;
    std::shared_ptr<GradientReducer> reducer_;
    // Per-call scratch of apply_gradients, kept to avoid allocating every step.
    std::vector<std::size_t> step_states_;
    std::vector<std::uint64_t> step_ids_;  // sorted variable ids, to reject duplicates
    std::vector<const float*> step_gradients_;
    // step_unread_[i]: gradient i's finiteness is not recorded (detail::finiteness), so
    // the NaN-gradient check reads its data; 0 when its producer recorded it finite.
    std::vector<char> step_unread_;
};

}  // namespace xgrad::optim
