#include <xgrad/nn/serialization.hpp>

#include <cmath>
#include <map>
#include <mutex>

#include <xgrad/nn/layers/activation_layers.hpp>
#include <xgrad/nn/layers/convolutional.hpp>
#include <xgrad/nn/layers/dense.hpp>
#include <xgrad/nn/layers/dropout.hpp>
#include <xgrad/nn/layers/input_layer.hpp>
#include <xgrad/nn/layers/embedding.hpp>
#include <xgrad/nn/layers/merge.hpp>
#include <xgrad/nn/layers/normalization.hpp>
#include <xgrad/nn/layers/pooling.hpp>
#include <xgrad/nn/layers/reshaping.hpp>
#include <xgrad/nn/model.hpp>
#include <xgrad/nn/sequential.hpp>

namespace xgrad::nn {
namespace {
struct Entry {
    LayerFactory factory;
    bool builtin;
};

struct Registry {
    Registry();
    std::mutex mutex;
    std::map<std::string, Entry> classes;
};

Registry::Registry()
{
    const std::pair<const char*, LayerFactory> builtins[] = {
        {"InputLayer", &make_from_config<InputLayer>},
        {"Dense", &make_from_config<Dense>},
        {"Flatten", &make_from_config<Flatten>},
        {"Reshape", &make_from_config<Reshape>},
        {"Dropout", &make_from_config<Dropout>},
        {"Conv1D", &make_from_config<Conv1D>},
        {"Conv2D", &make_from_config<Conv2D>},
        {"MaxPooling1D", &make_from_config<MaxPooling1D>},
        {"AveragePooling1D", &make_from_config<AveragePooling1D>},
        {"MaxPooling2D", &make_from_config<MaxPooling2D>},
        {"AveragePooling2D", &make_from_config<AveragePooling2D>},
        {"GlobalAveragePooling2D", &make_from_config<GlobalAveragePooling2D>},
        {"GlobalMaxPooling2D", &make_from_config<GlobalMaxPooling2D>},
        {"BatchNormalization", &make_from_config<BatchNormalization>},
        {"LayerNormalization", &make_from_config<LayerNormalization>},
        {"Embedding", &make_from_config<Embedding>},
        {"Activation", &make_from_config<ActivationLayer>},
        {"ReLU", &make_from_config<ReLU>},
        {"Softmax", &make_from_config<Softmax>},
        {"UpSampling2D", &make_from_config<UpSampling2D>},
        {"Add", &make_from_config<Add>},
        {"Concatenate", &make_from_config<Concatenate>},
        {"Sequential", &make_from_config<Sequential>},
        {"Functional", &Model::functional_from_config},
        {"Model", &Model::functional_from_config},
    };
    for (const auto& [name, factory] : builtins) classes.emplace(name, Entry{factory, true});
}

Registry& registry()
{
    static Registry r;
    return r;
}

std::string type_name(const Json& j)
{
    switch (j.type()) {
    case Json::value_t::null: return "null";
    case Json::value_t::boolean: return "a boolean";
    case Json::value_t::string: return "a string";
    case Json::value_t::array: return "a list";
    case Json::value_t::object: return "a dict";
    default: return "a number";
    }
}
}  // namespace

bool register_layer(const std::string& class_name, LayerFactory factory)
{
    auto& r = registry();
    std::lock_guard<std::mutex> lock(r.mutex);
    const auto it = r.classes.find(class_name);
    if (it != r.classes.end() && it->second.builtin) {
        throw ValueError(detail::cat("register_layer: '", class_name, "' is a built-in layer class"));
    }
    r.classes[class_name] = Entry{std::move(factory), false};
    return true;
}

std::vector<std::string> registered_layers()
{
    auto& r = registry();
    std::lock_guard<std::mutex> lock(r.mutex);
    std::vector<std::string> out;
    for (const auto& [name, e] : r.classes) out.push_back(name);
    return out;
}

Json serialize_layer(const Layer& layer)
{
    bool custom = false;
    {
        auto& r = registry();
        std::lock_guard<std::mutex> lock(r.mutex);
        const auto it = r.classes.find(layer.class_name());
        custom = it != r.classes.end() && !it->second.builtin;
    }
    Json out{{"module", layer.config_module()},
             {"class_name", layer.class_name()},
             {"config", layer.get_config()},
             {"registered_name", custom ? Json("Custom>" + layer.class_name()) : Json(nullptr)}};
    const auto& shapes = layer.build_shapes();
    if (layer.built() && !shapes.empty()) {
        Json input_shape = batch_shape_to_json(shapes[0]);
        if (shapes.size() > 1) {
            input_shape = Json::array();
            for (const auto& s : shapes) input_shape.push_back(batch_shape_to_json(s));
        }
        out["build_config"] = Json{{"input_shape", input_shape}};
    }
    return out;
}

LayerPtr deserialize_layer(const Json& serialized)
{
    if (!serialized.is_object() || !serialized.contains("class_name") || !serialized["class_name"].is_string()) {
        throw ValueError(detail::cat("deserialize_layer: expected a dict with a string 'class_name', got ",
                                     serialized.dump().substr(0, 200)));
    }
    std::string class_name = serialized["class_name"].get<std::string>();
    if (serialized.contains("registered_name") && serialized["registered_name"].is_string()) {
        const std::string registered = serialized["registered_name"].get<std::string>();
        const auto sep = registered.find('>');
        if (sep != std::string::npos) class_name = registered.substr(sep + 1);
    }
    LayerFactory factory;
    {
        auto& r = registry();
        std::lock_guard<std::mutex> lock(r.mutex);
        const auto it = r.classes.find(class_name);
        if (it == r.classes.end()) {
            std::string known;
            for (const auto& [name, e] : r.classes) known += (known.empty() ? "" : ", ") + name;
            throw ValueError(detail::cat("deserialize_layer: unknown layer class '", class_name,
                                         "' (known: ", known, "; register your own with XGRAD_REGISTER_LAYER)"));
        }
        factory = it->second.factory;
    }
    if (!serialized.contains("config") || !serialized["config"].is_object()) {
        throw ValueError(detail::cat(class_name, ": the serialized layer has no 'config' dict"));
    }
    const Json& config = serialized["config"];
    LayerPtr layer = factory(config);
    if (config.contains("trainable") && config["trainable"].is_boolean()) layer->set_trainable(config["trainable"].get<bool>());
    if (serialized.contains("build_config") && !layer->built()) {
        const Json& build = serialized["build_config"];
        if (!build.is_object() || !build.contains("input_shape")) {
            throw ValueError(detail::cat(class_name, ": 'build_config' must be a dict with 'input_shape'"));
        }
        const Json& input = build["input_shape"];
        const std::string where = class_name + " build_config.input_shape";
        std::vector<Shape> shapes;
        if (input.is_array() && !input.empty() && input[0].is_array()) {
            for (const auto& s : input) shapes.push_back(batch_shape_from_json(s, where));
        } else {
            shapes.push_back(batch_shape_from_json(input, where));
        }
        layer->build(shapes);
        // A subclassed layer creates its sublayers' weights in its first call (the default compute_output_shape).
        layer->compute_output_shape_multi(shapes);
    }
    return layer;
}

Json dtype_policy_config()
{
    return Json{{"module", "keras"},
                {"class_name", "DTypePolicy"},
                {"config", {{"name", "float32"}}},
                {"registered_name", nullptr}};
}

Json batch_shape_to_json(const Shape& shape)
{
    Json out = Json::array();
    for (std::size_t i = 0; i < shape.size(); ++i) {
        if (i == 0) out.push_back(nullptr);
        else out.push_back(shape[i]);
    }
    return out;
}

Shape batch_shape_from_json(const Json& json, const std::string& where, std::size_t batch)
{
    if (!json.is_array() || json.empty()) {
        throw ValueError(detail::cat(where, ": expected a shape list like [null, 784], got ", json.dump()));
    }
    Shape shape;
    for (std::size_t i = 0; i < json.size(); ++i) {
        const Json& d = json[i];
        if (i == 0 && d.is_null()) {
            shape.push_back(batch);
        } else if (d.is_number_unsigned() || (d.is_number_integer() && d.get<long long>() > 0)) {
            shape.push_back(d.get<std::size_t>());
        } else {
            throw ValueError(detail::cat(where, ": dimension ", i, " must be a positive integer",
                                         i == 0 ? " or null" : " (only the batch axis may be null)", ", got ",
                                         d.dump()));
        }
    }
    return shape;
}

// ---- ConfigReader -----------------------------------------------------------

ConfigReader::ConfigReader(const Json& config, std::string class_name)
    : config_(config), class_name_(std::move(class_name))
{
    if (!config_.is_object()) throw ValueError(detail::cat(class_name_, ": the config must be a dict, got ", type_name(config_)));
}

bool ConfigReader::has(const std::string& key) const { return config_.contains(key); }

const Json& ConfigReader::raw(const std::string& key) const
{
    if (!config_.contains(key)) throw ValueError(detail::cat(class_name_, ": the config has no key '", key, "'"));
    return config_[key];
}

const Json& ConfigReader::take(const std::string& key)
{
    read_.insert(key);
    return raw(key);
}

std::string ConfigReader::get_string(const std::string& key, const std::optional<std::string>& fallback)
{
    if (!has(key) && fallback) return read_.insert(key), *fallback;
    const Json& v = take(key);
    if (!v.is_string()) throw ValueError(detail::cat(class_name_, ": config key '", key, "' must be a string, got ", v.dump()));
    return v.get<std::string>();
}

double ConfigReader::get_number(const std::string& key, const std::optional<double>& fallback)
{
    if (!has(key) && fallback) return read_.insert(key), *fallback;
    const Json& v = take(key);
    if (!v.is_number()) throw ValueError(detail::cat(class_name_, ": config key '", key, "' must be a number, got ", v.dump()));
    return v.get<double>();
}

std::size_t ConfigReader::get_size(const std::string& key, const std::optional<std::size_t>& fallback)
{
    if (!has(key) && fallback) return read_.insert(key), *fallback;
    const Json& v = take(key);
    if (!v.is_number_integer() || v.get<long long>() < 0) {
        throw ValueError(detail::cat(class_name_, ": config key '", key, "' must be a non-negative integer, got ", v.dump()));
    }
    return v.get<std::size_t>();
}

bool ConfigReader::get_bool(const std::string& key, const std::optional<bool>& fallback)
{
    if (!has(key) && fallback) return read_.insert(key), *fallback;
    const Json& v = take(key);
    if (!v.is_boolean()) throw ValueError(detail::cat(class_name_, ": config key '", key, "' must be true or false, got ", v.dump()));
    return v.get<bool>();
}

std::optional<std::uint64_t> ConfigReader::get_optional_seed(const std::string& key)
{
    if (!has(key)) return std::nullopt;
    const Json& v = take(key);
    if (v.is_null()) return std::nullopt;
    if (!v.is_number_integer() || v.get<long long>() < 0) {
        throw ValueError(detail::cat(class_name_, ": config key '", key, "' must be null or a non-negative integer, got ",
                                     v.dump()));
    }
    return v.get<std::uint64_t>();
}

std::vector<long> ConfigReader::get_ints(const std::string& key)
{
    const Json& v = take(key);
    std::vector<long> out;
    if (v.is_array()) {
        for (const auto& d : v) {
            if (!d.is_number_integer()) {
                throw ValueError(detail::cat(class_name_, ": config key '", key, "' must be a list of integers, got ",
                                             v.dump()));
            }
            out.push_back(d.get<long>());
        }
        return out;
    }
    throw ValueError(detail::cat(class_name_, ": config key '", key, "' must be a list of integers, got ", v.dump()));
}

Json ConfigReader::get_json(const std::string& key, const Json& fallback)
{
    if (!has(key)) return read_.insert(key), fallback;
    return take(key);
}

void ConfigReader::require_null(std::initializer_list<const char*> keys)
{
    for (const char* key : keys) {
        if (!has(key)) continue;
        if (!take(key).is_null()) {
            throw ValueError(detail::cat(class_name_, ": config key '", key, "' is set (", raw(key).dump().substr(0, 120),
                                         "), which xgrad does not support; only null is accepted"));
        }
    }
}

void ConfigReader::ignore(std::initializer_list<const char*> keys)
{
    for (const char* key : keys) read_.insert(key);
}

std::string ConfigReader::read_name()
{
    const std::string name = get_string("name", std::string());
    if (has("trainable")) get_bool("trainable");  // applied by deserialize_layer
    if (has("dtype")) {
        const Json& dtype = take("dtype");
        std::string dname;
        if (dtype.is_string()) dname = dtype.get<std::string>();
        else if (dtype.is_object() && dtype.contains("config") && dtype["config"].is_object() &&
                 dtype["config"].contains("name") && dtype["config"]["name"].is_string())
            dname = dtype["config"]["name"].get<std::string>();
        else if (!dtype.is_null()) dname = dtype.dump();
        if (!dtype.is_null() && dname != "float32") {
            throw ValueError(detail::cat(class_name_, " '", name, "': config key 'dtype' is '", dname,
                                         "'; xgrad layers compute in float32 only"));
        }
    }
    return name;
}

void ConfigReader::finish() const
{
    for (const auto& [key, value] : config_.items()) {
        if (!read_.count(key)) {
            throw ValueError(detail::cat(class_name_, ": unknown or unsupported config key '", key, "' (value ",
                                         value.dump().substr(0, 120), ")"));
        }
    }
}

}  // namespace xgrad::nn
