#include <xgrad/nn/initializers.hpp>

#include <cmath>

#include <xgrad/core/error.hpp>

namespace xgrad::nn {

namespace {
const char* const known_names[] = {"zeros", "ones", "glorot_uniform", "glorot_normal", "he_uniform",
                                   "he_normal", "random_normal", "random_uniform"};
}  // namespace

void check_initializer(const std::string& name)
{
    std::string known;
    for (const char* n : known_names) {
        if (name == n) return;
        known += (known.empty() ? "" : ", ") + std::string(n);
    }
    throw ValueError(detail::cat("initializer: unknown name '", name, "' (known: ", known, ")"));
}

xt::xarray<float> initialize(const std::string& name, const Shape& shape, Generator& gen)
{
    num_elements(shape, ("initializer " + name).c_str());  // a ShapeError for a shape too large to exist
    if (name == "zeros") return xt::xarray<float>(shape, 0.0f);
    if (name == "ones") return xt::xarray<float>(shape, 1.0f);
    if (name == "glorot_uniform") return gen.glorot_uniform<float>(shape);
    if (name == "he_uniform") return gen.he_uniform<float>(shape);
    const auto [fan_in, fan_out] = compute_fans(shape);
    // Keras's VarianceScaling divides by the stddev of a unit normal truncated at 2 sigma.
    constexpr double truncation = 0.87962566103423978;
    if (name == "glorot_normal")
        return gen.truncated_normal<float>(shape, 0.0f, static_cast<float>(std::sqrt(2.0 / (fan_in + fan_out)) / truncation));
    if (name == "he_normal")
        return gen.truncated_normal<float>(shape, 0.0f, static_cast<float>(std::sqrt(2.0 / fan_in) / truncation));
    if (name == "random_normal") return gen.normal<float>(shape, 0.0f, 0.05f);
    if (name == "random_uniform") return gen.uniform<float>(shape, -0.05f, 0.05f);
    check_initializer(name);
    throw ValueError(detail::cat("initializer: '", name, "' is not implemented"));
}

namespace {
// Keras's class for each name, and the config Keras writes for its defaults.
struct KerasInitializer {
    const char* name;
    const char* class_name;
    const char* default_config;
};
constexpr KerasInitializer keras_initializers[] = {
    {"zeros", "Zeros", "{}"},
    {"ones", "Ones", "{}"},
    {"glorot_uniform", "GlorotUniform", R"({"seed": null})"},
    {"glorot_normal", "GlorotNormal", R"({"seed": null})"},
    {"he_uniform", "HeUniform", R"({"seed": null})"},
    {"he_normal", "HeNormal", R"({"seed": null})"},
    {"random_normal", "RandomNormal", R"({"mean": 0.0, "stddev": 0.05, "seed": null})"},
    {"random_uniform", "RandomUniform", R"({"minval": -0.05, "maxval": 0.05, "seed": null})"},
};
}  // namespace

nlohmann::ordered_json initializer_config(const std::string& name)
{
    for (const auto& k : keras_initializers) {
        if (name == k.name) {
            return {{"module", "keras.initializers"},
                    {"class_name", k.class_name},
                    {"config", nlohmann::ordered_json::parse(k.default_config)},
                    {"registered_name", nullptr}};
        }
    }
    check_initializer(name);
    throw ValueError(detail::cat("initializer: no Keras class for '", name, "'"));
}

std::string initializer_from_config(const nlohmann::ordered_json& config, const std::string& where)
{
    if (config.is_string()) {
        const std::string name = config.get<std::string>();
        for (const auto& k : keras_initializers)
            if (name == k.name || name == k.class_name) return k.name;
        throw ValueError(detail::cat(where, ": unknown initializer '", name, "'"));
    }
    if (!config.is_object() || !config.contains("class_name") || !config["class_name"].is_string()) {
        throw ValueError(detail::cat(where, ": expected an initializer name or a serialized initializer, got ",
                                     config.dump().substr(0, 120)));
    }
    const std::string class_name = config["class_name"].get<std::string>();
    for (const auto& k : keras_initializers) {
        if (class_name != k.class_name) continue;
        const auto expected = nlohmann::ordered_json::parse(k.default_config);
        const auto given = config.contains("config") ? config["config"] : nlohmann::ordered_json::object();
        for (const auto& [key, value] : given.items()) {
            if (!expected.contains(key) || expected[key] != value) {
                throw ValueError(detail::cat(where, ": initializer ", class_name, " with config key '", key, "' = ",
                                             value.dump(), " is not supported (xgrad supports ", k.default_config,
                                             ")"));
            }
        }
        return k.name;
    }
    throw ValueError(detail::cat(where, ": initializer class '", class_name, "' is not supported"));
}

}  // namespace xgrad::nn
