// Layer and model configs in Keras 3's serialization schema, as JSON:
//   {"module": "keras.layers", "class_name": "Dense", "config": {...},
//    "registered_name": null, "build_config": {"input_shape": [null, 784]}}
// serialize_layer writes one; deserialize_layer rebuilds the layer from the
// registry of classes (every built-in layer, and any user layer registered with
// XGRAD_REGISTER_LAYER) and builds it for build_config's input shape.
//   xgrad::nn::Json config = xgrad::nn::serialize_layer(model);
//   xgrad::nn::LayerPtr copy = xgrad::nn::deserialize_layer(config);
// A user layer registers itself in one line, next to its class:
//   XGRAD_REGISTER_LAYER(GatedResidual)   // needs static std::shared_ptr<GatedResidual> from_config(const Json&)
#pragma once

#include <functional>
#include <initializer_list>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <xgrad/core/shape.hpp>
#include <xgrad/nn/layer.hpp>

namespace xgrad::nn {

using LayerFactory = std::function<LayerPtr(const Json& config)>;

// Registers `class_name` (registered_name "Custom>class_name" in configs).
// Returns true, so that it can initialize a static.
bool register_layer(const std::string& class_name, LayerFactory factory);
// The registered class names, built-in ones included, sorted.
std::vector<std::string> registered_layers();

Json serialize_layer(const Layer& layer);
// Throws ValueError naming the class when it is unknown or the config is not one xgrad supports.
LayerPtr deserialize_layer(const Json& serialized);

// Keras's DTypePolicy for float32, as layers carry it in "dtype".
Json dtype_policy_config();
// [null, 28, 28] <-> a shape whose batch axis is held as `batch`.
Json batch_shape_to_json(const Shape& shape);
Shape batch_shape_from_json(const Json& json, const std::string& where, std::size_t batch = 1);

// Reads a layer's "config" key by key, with errors that name the layer class
// and the key; finish() rejects the keys nobody read.
class ConfigReader {
public:
    ConfigReader(const Json& config, std::string class_name);
    const Json& raw(const std::string& key) const;
    bool has(const std::string& key) const;
    std::string get_string(const std::string& key, const std::optional<std::string>& fallback = std::nullopt);
    double get_number(const std::string& key, const std::optional<double>& fallback = std::nullopt);
    std::size_t get_size(const std::string& key, const std::optional<std::size_t>& fallback = std::nullopt);
    bool get_bool(const std::string& key, const std::optional<bool>& fallback = std::nullopt);
    std::optional<std::uint64_t> get_optional_seed(const std::string& key);
    std::vector<long> get_ints(const std::string& key);
    // A JSON value taken as is.
    Json get_json(const std::string& key, const Json& fallback = nullptr);
    // Keys xgrad accepts only when null (regularizers, constraints): anything else is an error.
    void require_null(std::initializer_list<const char*> keys);
    // Keys read and ignored (Keras bookkeeping that does not change the layer).
    void ignore(std::initializer_list<const char*> keys);
    // The base keys every layer has: name, trainable, dtype (float32 only).
    std::string read_name();
    void finish() const;
    const std::string& class_name() const { return class_name_; }

private:
    const Json& take(const std::string& key);
    const Json& config_;
    std::string class_name_;
    std::set<std::string> read_;
};

// The factory XGRAD_REGISTER_LAYER registers: L::from_config.
template <class L>
LayerPtr make_from_config(const Json& config)
{
    return L::from_config(config);
}

#define XGRAD_REGISTER_LAYER(Class)                                                                              \
    [[maybe_unused]] static const bool xgrad_registered_##Class =                                                \
        ::xgrad::nn::register_layer(#Class, &::xgrad::nn::make_from_config<Class>)

}  // namespace xgrad::nn
