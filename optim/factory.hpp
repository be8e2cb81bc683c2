// Optimizers by name, as Keras's keras.optimizers.get("adam"), from one
// registry that holds the built-in optimizers and the user's alike:
//   auto opt = xgrad::optim::make_optimizer("adam");            // Keras defaults
//   auto opt = xgrad::optim::make_optimizer("sgd", config);     // from a get_config() dict
// Identifiers (case-insensitive): "sgd" (GradientDescent, or Momentum when the
// config's momentum > 0), "gradient_descent", "momentum", "adam", "adamw",
// "rmsprop", "adagrad", "adadelta", "adafactor", "adamax", "nadam", "ftrl",
// "lamb", "lion", and every identifier registered with XGRAD_REGISTER_OPTIMIZER.
//
// One line registers a user's optimizer (its class names its options type `Options`):
//   XGRAD_REGISTER_OPTIMIZER(AdaBelief, "adabelief");
// after which make_optimizer("adabelief", config), nn's compile("adabelief"),
// optimizer_identifiers() and get_config() round trips work as for a built-in.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <xgrad/optim/config.hpp>
#include <xgrad/optim/optimizer.hpp>

namespace xgrad::optim {

using OptimizerMaker = std::function<std::shared_ptr<Optimizer>(const Config& config)>;

// Adds `identifier` (case-insensitive) to the registry; ValueError when it is taken.
// Returns true, so that it can initialise a static variable.
bool register_optimizer(const std::string& identifier, OptimizerMaker maker);

// A new optimizer of class `identifier` with options from `config` (keys as
// get_config() prints them; missing keys keep their defaults). Throws
// ValueError naming an unknown identifier or config key.
std::shared_ptr<Optimizer> make_optimizer(const std::string& identifier, const Config& config = {});

// Rebuilds an optimizer from `optimizer.kind()` and `optimizer.get_config()`.
inline std::shared_ptr<Optimizer> optimizer_from_config(const std::string& kind, const Config& config)
{
    return make_optimizer(kind, config);
}

// The identifiers make_optimizer accepts, sorted.
std::vector<std::string> optimizer_identifiers();

// The maker of an optimizer class Opt (with a `using Options = ...`): Opt's default
// options, then every key of `config` (unknown keys: ValueError naming `display_name`).
template <class Opt>
OptimizerMaker optimizer_maker(const char* display_name)
{
    return [display_name](const Config& config) -> std::shared_ptr<Optimizer> {
        typename Opt::Options options;
        options.read_config(config, display_name);
        return std::make_shared<Opt>(options);
    };
}

}  // namespace xgrad::optim

// Registers optimizer class `Class` under `identifier`, once per program (usable in a header).
#define XGRAD_REGISTER_OPTIMIZER(Class, identifier)        \
    inline const bool xgrad_optimizer_registered_##Class = \
        ::xgrad::optim::register_optimizer(identifier, ::xgrad::optim::optimizer_maker<Class>(#Class))
