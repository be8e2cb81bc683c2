// Optimizers by name, as Keras's keras.optimizers.get("adam"):
//   auto opt = xgrad::optim::make_optimizer("adam");            // Keras defaults
//   auto opt = xgrad::optim::make_optimizer("sgd", config);     // from a get_config() dict
// Identifiers (case-insensitive): "sgd" (GradientDescent, or Momentum when the
// config's momentum > 0), "gradient_descent", "momentum", "adam", "adamw",
// "rmsprop", "adagrad", "adamax", "nadam", "lion".
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <xgrad/optim/config.hpp>
#include <xgrad/optim/optimizer.hpp>

namespace xgrad::optim {

// A new optimizer of class `identifier` with options from `config` (keys as
// get_config() prints them; missing keys keep their defaults). Throws
// ValueError naming an unknown identifier or config key.
std::shared_ptr<Optimizer> make_optimizer(const std::string& identifier, const Config& config = {});

// Rebuilds an optimizer from `optimizer.kind()` and `optimizer.get_config()`.
inline std::shared_ptr<Optimizer> optimizer_from_config(const std::string& kind, const Config& config)
{
    return make_optimizer(kind, config);
}

// The identifiers make_optimizer accepts.
std::vector<std::string> optimizer_identifiers();

}  // namespace xgrad::optim
