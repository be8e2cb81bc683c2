// LossScaleOptimizer: dynamic loss scaling around any optimizer, as Keras 3's
// keras.optimizers.LossScaleOptimizer (mixed precision): multiply the loss by
// scale_loss() before taking gradients; apply_gradients() then
//   finite gradients:   inner.apply_gradients(g / scale);  then, after
//                       dynamic_growth_steps finite steps in a row, scale *= 2
//   any NaN or Inf:     nothing is applied; scale *= 0.5; the count restarts
// iterations(), the learning rate, finalize_variable_values() and the state file
// are the inner optimizer's (the scale and count are saved in it, as scalars
// "loss_scale_optimizer/dynamic_scale" and ".../step_counter"). The inner
// optimizer's loss_scale_factor is turned off, as Keras does.
// get_config() is Keras's: {'name', 'inner_optimizer', 'initial_scale', 'dynamic_growth_steps'}.
#pragma once

#include <memory>

#include <xgrad/optim/optimizer.hpp>

namespace xgrad::optim {

struct LossScaleOptimizerOptions : OptionSet {
    using Self = LossScaleOptimizerOptions;
    XGRAD_OPTION(std::string, name, "loss_scale_optimizer")
    XGRAD_OPTION(double, initial_scale, 32768.0, positive())
    XGRAD_OPTION(std::int64_t, dynamic_growth_steps, 2000, at_least(1))
    std::unique_ptr<OptionSet> clone() const override;
};

class LossScaleOptimizer : public Optimizer {
public:
    using Options = LossScaleOptimizerOptions;
    explicit LossScaleOptimizer(std::shared_ptr<Optimizer> inner, const LossScaleOptimizerOptions& options = {});
    // Keras's from_config: the inner optimizer from config['inner_optimizer'] (a
    // serialized optimizer), base-optimizer keys only at their defaults.
    static std::shared_ptr<LossScaleOptimizer> from_config(const Config& config);
    std::string kind() const override { return "loss_scale_optimizer"; }

    void apply_gradients(const std::vector<Tensor>& grads, const std::vector<Variable>& vars) override;
    using Optimizer::apply_gradients;
    std::int64_t iterations() const override { return inner_->iterations(); }
    float learning_rate() const override { return inner_->learning_rate(); }
    void finalize_variable_values(const std::vector<Variable>& vars) override { inner_->finalize_variable_values(vars); }
    Config get_config() const override;
    void save_state(const std::string& path) const override { inner_->save_state(path); }
    void load_state(const std::string& path, const std::vector<Variable>& vars = {}) override
    {
        inner_->load_state(path, vars);
    }

    // loss * the current scale (differentiable: take the gradients of this).
    Tensor scale_loss(const Tensor& loss) const;
    float dynamic_scale() const;
    std::int64_t step_counter() const;
    const std::shared_ptr<Optimizer>& inner_optimizer() const { return inner_; }
    const LossScaleOptimizerOptions& loss_scale_options() const { return scale_options_; }

protected:
    void update_step(UpdateContext&) override;  // never called: the inner optimizer updates
    void change_learning_rate(LearningRate learning_rate) override { inner_->change_learning_rate(std::move(learning_rate)); }

private:
    std::shared_ptr<Optimizer> inner_;
    LossScaleOptimizerOptions scale_options_;
};

// Keras's serialize_keras_object(optimizer): {'module': 'keras.optimizers',
// 'class_name': ..., 'config': get_config(), 'registered_name': None}; and back.
Config serialize_optimizer(const Optimizer& optimizer);
std::shared_ptr<Optimizer> deserialize_optimizer(const Config& serialized);

}  // namespace xgrad::optim
