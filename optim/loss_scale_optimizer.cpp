#include <xgrad/optim/loss_scale_optimizer.hpp>

#include <cmath>

#include <xgrad/autograd/ops.hpp>
#include <xgrad/core/error.hpp>
#include <xgrad/optim/factory.hpp>

namespace xgrad::optim {

namespace {
constexpr const char* kScale = "loss_scale_optimizer/dynamic_scale";
constexpr const char* kCounter = "loss_scale_optimizer/step_counter";
}  // namespace

std::unique_ptr<OptionSet> LossScaleOptimizerOptions::clone() const
{
    check_layout(sizeof(LossScaleOptimizerOptions), "LossScaleOptimizerOptions");
    return std::make_unique<LossScaleOptimizerOptions>(*this);
}

LossScaleOptimizer::LossScaleOptimizer(std::shared_ptr<Optimizer> inner, const LossScaleOptimizerOptions& options)
    : Optimizer(BasicOptions(options.name(), 0.0), "LossScaleOptimizer"), inner_(std::move(inner)),
      scale_options_(options)
{
    if (!inner_) throw ValueError("LossScaleOptimizer: the inner optimizer is null");
    scale_options_.check("LossScaleOptimizer");
    inner_->mutable_base().loss_scale_factor_.value = std::nullopt;  // else gradients are unscaled twice
    inner_->scalar_state(kScale, static_cast<float>(scale_options_.initial_scale()));
    inner_->scalar_state(kCounter, 0.0f);
}

float LossScaleOptimizer::dynamic_scale() const
{
    return inner_->scalar_state(kScale, static_cast<float>(scale_options_.initial_scale()));
}

std::int64_t LossScaleOptimizer::step_counter() const
{
    return static_cast<std::int64_t>(inner_->scalar_state(kCounter, 0.0f));
}

Tensor LossScaleOptimizer::scale_loss(const Tensor& loss) const { return loss * dynamic_scale(); }

void LossScaleOptimizer::apply_gradients(const std::vector<Tensor>& grads, const std::vector<Variable>& vars)
{
    bool finite = true;
    for (const auto& g : grads) {
        if (!g.defined()) continue;
        for (float x : g.value()) finite = finite && std::isfinite(x);
    }
    float& scale = inner_->scalar_state(kScale, static_cast<float>(scale_options_.initial_scale()));
    float& counter = inner_->scalar_state(kCounter, 0.0f);
    if (!finite) {
        if (grads.size() != vars.size()) inner_->check_gradients(grads, vars);  // a bad call still fails loudly
        counter = 0.0f;
        scale = scale * 0.5f;
        return;
    }
    std::vector<Tensor> unscaled;
    unscaled.reserve(grads.size());
    for (const auto& g : grads) unscaled.push_back(g.defined() ? Tensor(xt::xarray<float>(g.value() / scale)) : g);
    inner_->apply_gradients(unscaled, vars);
    if (static_cast<std::int64_t>(counter) == scale_options_.dynamic_growth_steps() - 1) {
        counter = 0.0f;
        scale = scale * 2.0f;
    } else {
        counter = counter + 1.0f;
    }
}

void LossScaleOptimizer::update_step(UpdateContext&)
{
    throw Error("LossScaleOptimizer::update_step: the inner optimizer updates the variables");
}

Config LossScaleOptimizer::get_config() const
{
    return Config{}
        .set("name", scale_options_.name())
        .set("inner_optimizer", serialize_optimizer(*inner_))
        .set("initial_scale", scale_options_.initial_scale())
        .set("dynamic_growth_steps", scale_options_.dynamic_growth_steps());
}

std::shared_ptr<LossScaleOptimizer> LossScaleOptimizer::from_config(const Config& config)
{
    const char* who = "LossScaleOptimizer";
    const Config defaults = BasicOptions().to_config();
    Config own;
    std::shared_ptr<Optimizer> inner;
    std::string unsupported;
    for (const auto& [key, value] : config.items()) {
        if (key == "inner_optimizer") {
            inner = deserialize_optimizer(config.get_dict(key));
        } else if (key == "dynamic") {
            if (!config.get_bool(key)) {
                throw ValueError("LossScaleOptimizer no longer supports `dynamic=False`. Instead, simply set "
                                 "`loss_scale_factor` directly on the `inner_optimizer`.");
            }
        } else if (key != "name" && key != "learning_rate" && defaults.contains(key)) {
            if (value.repr() != defaults.at(key).repr()) {
                throw ValueError(detail::cat(who, " does not support `", key, "`. Instead, set `", key,
                                             "` on the `inner_optimizer`."));
            }
        } else if (key == "name" || key == "initial_scale" || key == "dynamic_growth_steps") {
            own.set(key, value);
        } else {
            unsupported += (unsupported.empty() ? "`" : "`, `") + key;
        }
    }
    if (!unsupported.empty()) throw ValueError(detail::cat(who, " does not support arguments: ", unsupported, "`."));
    if (!inner) throw ValueError("LossScaleOptimizer: config key 'inner_optimizer' is missing");
    LossScaleOptimizerOptions options;
    options.read_config(own, who);
    return std::make_shared<LossScaleOptimizer>(inner, options);
}

Config serialize_optimizer(const Optimizer& optimizer)
{
    const std::string kind = optimizer.kind();
    const bool sgd = kind == "gradient_descent" || kind == "momentum";
    return Config{}
        .set("module", "keras.optimizers")
        .set("class_name", sgd ? std::string("SGD") : kind == "loss_scale_optimizer" ? std::string("LossScaleOptimizer")
                                                                                    : optimizer.display_name())
        .set("config", optimizer.get_config())
        .set("registered_name", ConfigValue());
}

std::shared_ptr<Optimizer> deserialize_optimizer(const Config& serialized)
{
    ConfigReader r(serialized, "deserialize_optimizer");
    const std::string cls = r.text("class_name");
    r.allow("module");
    r.allow("registered_name");
    const Config& config = r.dict("config");
    r.finish();
    if (cls == "LossScaleOptimizer") return LossScaleOptimizer::from_config(config);
    return make_optimizer(cls, config);
}

}  // namespace xgrad::optim
