// Keras 3's "compile_config" of a .keras file: the optimizer (serialized with its
// full get_config()), the loss and the metrics. Internal to nn/saving.
#pragma once

#include <string>

#include <xgrad/nn/model.hpp>
#include <xgrad/optim/config.hpp>

namespace xgrad::nn::saving {

// {"optimizer": {...}, "loss": ..., "metrics": [...], ...}, or null for a model that is not compiled.
Json compile_config(const Model& model);
// Compiles `model` as `config` says; throws ValueError naming `where` and the key it cannot honour.
void apply_compile_config(Model& model, const Json& config, const std::string& where);

// An optimizer config dict <-> JSON (numbers, strings, None, lists, nested dicts).
Json config_to_json(const optim::Config& config);
optim::Config json_to_config(const Json& json, const std::string& where);
// Keras's class name for an optimizer kind: "adam" -> "Adam", "momentum" -> "SGD".
std::string keras_optimizer_class(const std::string& kind);

}  // namespace xgrad::nn::saving
