#include <xgrad/nn/initializers.hpp>

#include <cmath>
#include <vector>

#include <xgrad/core/error.hpp>

namespace xgrad::nn {

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
    {"lecun_normal", "LecunNormal", R"({"seed": null})"},
    {"lecun_uniform", "LecunUniform", R"({"seed": null})"},
    {"truncated_normal", "TruncatedNormal", R"({"mean": 0.0, "stddev": 0.05, "seed": null})"},
    {"orthogonal", "Orthogonal", R"({"gain": 1.0, "seed": null})"},
    {"constant", "Constant", R"({"value": 0.0})"},
};

const KerasInitializer* find(const std::string& name)
{
    for (const auto& k : keras_initializers)
        if (name == k.name) return &k;
    return nullptr;
}

// Keras's VarianceScaling divides by the stddev of a unit normal truncated at 2 sigma.
constexpr double truncation = 0.87962566103423978;

// Keras's Orthogonal: Q of a (max(r, c), min(r, c)) normal matrix (modified Gram-Schmidt,
// twice, in double: R's diagonal is then positive, Keras's sign fix), transposed when r < c.
xt::xarray<float> orthogonal(const Shape& shape, double gain, Generator& gen)
{
    if (shape.size() < 2) {
        throw ValueError(detail::cat("initializer orthogonal: the shape must have at least 2 dimensions, got ",
                                     to_string(shape)));
    }
    std::size_t rows = 1;
    for (std::size_t i = 0; i + 1 < shape.size(); ++i) rows *= shape[i];
    const std::size_t cols = shape.back(), m = std::max(rows, cols), k = std::min(rows, cols);
    const xt::xarray<float> a = gen.normal<float>({m, k});
    std::vector<double> q(m * k);  // column j at q[j * m ..]
    for (std::size_t j = 0; j < k; ++j) {
        double* v = q.data() + j * m;
        for (std::size_t i = 0; i < m; ++i) v[i] = a(i, j);
        for (int pass = 0; pass < 2; ++pass) {
            for (std::size_t p = 0; p < j; ++p) {
                const double* u = q.data() + p * m;
                double dot = 0;
                for (std::size_t i = 0; i < m; ++i) dot += u[i] * v[i];
                for (std::size_t i = 0; i < m; ++i) v[i] -= dot * u[i];
            }
        }
        double norm = 0;
        for (std::size_t i = 0; i < m; ++i) norm += v[i] * v[i];
        norm = std::sqrt(norm);
        for (std::size_t i = 0; i < m; ++i) v[i] /= norm;
    }
    xt::xarray<float> out = xt::xarray<float>::from_shape(shape);
    // out as (rows, cols): Q (m x k) itself when rows >= cols, else its transpose.
    for (std::size_t r = 0; r < rows; ++r) {
        for (std::size_t c = 0; c < cols; ++c) {
            const double v = rows >= cols ? q[c * m + r] : q[r * m + c];
            out.flat(r * cols + c) = static_cast<float>(gain * v);
        }
    }
    return out;
}
}  // namespace

double Initializer::arg(const std::string& key) const
{
    if (const auto it = args.find(key); it != args.end()) return it->second;
    const KerasInitializer* k = find(name);
    if (k) {
        const auto defaults = nlohmann::ordered_json::parse(k->default_config);
        if (defaults.contains(key) && defaults[key].is_number()) return defaults[key].get<double>();
    }
    throw ValueError(detail::cat("initializer ", name, ": no argument '", key, "'"));
}

void check_initializer(const std::string& name)
{
    if (find(name)) return;
    std::string known;
    for (const auto& k : keras_initializers) known += (known.empty() ? "" : ", ") + std::string(k.name);
    throw ValueError(detail::cat("initializer: unknown name '", name, "' (known: ", known, ")"));
}

void check_initializer_args(const Initializer& init)
{
    check_initializer(init.name);
    const auto defaults = nlohmann::ordered_json::parse(find(init.name)->default_config);
    for (const auto& [key, value] : init.args) {
        if (key == "seed" || !defaults.contains(key)) {
            throw ValueError(detail::cat("initializer ", init.name, ": unknown argument '", key, "' (it takes ",
                                         find(init.name)->default_config, ")"));
        }
    }
    if (init.seed && !defaults.contains("seed")) {
        throw ValueError(detail::cat("initializer ", init.name, ": argument 'seed' is not taken (it draws nothing)"));
    }
    if (init.name == "random_uniform" && !(init.arg("minval") <= init.arg("maxval"))) {
        throw ValueError(detail::cat("initializer random_uniform: argument 'minval' = ", init.arg("minval"),
                                     " must be <= 'maxval' = ", init.arg("maxval")));
    }
    if ((init.name == "random_normal" || init.name == "truncated_normal") && !(init.arg("stddev") >= 0.0)) {
        throw ValueError(detail::cat("initializer ", init.name, ": argument 'stddev' must be >= 0, got ",
                                     init.arg("stddev")));
    }
}

xt::xarray<float> initialize(const Initializer& init, const Shape& shape, Generator& global)
{
    const std::string& name = init.name;
    num_elements(shape, ("initializer " + name).c_str());  // a ShapeError for a shape too large to exist
    check_initializer_args(init);
    Generator seeded(init.seed.value_or(0));
    Generator& gen = init.seed ? seeded : global;
    const auto f = [&](const char* key) { return static_cast<float>(init.arg(key)); };
    if (name == "zeros") return xt::xarray<float>(shape, 0.0f);
    if (name == "ones") return xt::xarray<float>(shape, 1.0f);
    if (name == "constant") return xt::xarray<float>(shape, f("value"));
    if (name == "glorot_uniform") return gen.glorot_uniform<float>(shape);
    if (name == "he_uniform") return gen.he_uniform<float>(shape);
    if (name == "random_normal") return gen.normal<float>(shape, f("mean"), f("stddev"));
    if (name == "random_uniform") return gen.uniform<float>(shape, f("minval"), f("maxval"));
    if (name == "truncated_normal") return gen.truncated_normal<float>(shape, f("mean"), f("stddev"));
    if (name == "orthogonal") return orthogonal(shape, init.arg("gain"), gen);
    const auto [fan_in, fan_out] = compute_fans(shape);
    if (name == "glorot_normal")
        return gen.truncated_normal<float>(shape, 0.0f, static_cast<float>(std::sqrt(2.0 / (fan_in + fan_out)) / truncation));
    if (name == "he_normal")
        return gen.truncated_normal<float>(shape, 0.0f, static_cast<float>(std::sqrt(2.0 / fan_in) / truncation));
    if (name == "lecun_normal")
        return gen.truncated_normal<float>(shape, 0.0f,
                                           static_cast<float>(std::sqrt(1.0 / std::max(1.0, fan_in)) / truncation));
    if (name == "lecun_uniform") {
        const auto limit = static_cast<float>(std::sqrt(3.0 / std::max(1.0, fan_in)));
        return gen.uniform<float>(shape, -limit, limit);
    }
    throw ValueError(detail::cat("initializer: '", name, "' is not implemented"));
}

nlohmann::ordered_json initializer_config(const Initializer& init)
{
    check_initializer_args(init);
    const KerasInitializer& k = *find(init.name);
    auto config = nlohmann::ordered_json::parse(k.default_config);
    for (const auto& [key, value] : init.args) config[key] = value;
    if (init.seed) config["seed"] = *init.seed;
    return {{"module", "keras.initializers"},
            {"class_name", k.class_name},
            {"config", config},
            {"registered_name", nullptr}};
}

Initializer initializer_with_args_from_config(const nlohmann::ordered_json& config, const std::string& where)
{
    if (config.is_string()) {
        const std::string name = config.get<std::string>();
        for (const auto& k : keras_initializers)
            if (name == k.name || name == k.class_name) return Initializer(k.name);
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
        Initializer init(k.name);
        for (const auto& [key, value] : given.items()) {
            const bool seed_ok = key == "seed" && expected.contains("seed") &&
                                 (value.is_null() || value.is_number_unsigned() ||
                                  (value.is_number_integer() && value.get<long long>() >= 0));
            if (seed_ok) {
                if (!value.is_null()) init.seed = value.get<std::uint64_t>();
            } else if (key != "seed" && expected.contains(key) && value.is_number()) {
                if (value.get<double>() != expected[key].get<double>()) init.args[key] = value.get<double>();
            } else {
                throw ValueError(detail::cat(where, ": initializer ", class_name, " with config key '", key, "' = ",
                                             value.dump(), " is not supported (xgrad supports the keys of ",
                                             k.default_config, ", numbers, seed a non-negative integer or null)"));
            }
        }
        try {
            check_initializer_args(init);
        } catch (const ValueError& e) {
            throw ValueError(detail::cat(where, ": ", e.what()));
        }
        return init;
    }
    throw ValueError(detail::cat(where, ": initializer class '", class_name, "' is not supported"));
}

std::string initializer_from_config(const nlohmann::ordered_json& config, const std::string& where)
{
    const Initializer init = initializer_with_args_from_config(config, where);
    if (!init.args.empty() || init.seed) {
        throw ValueError(detail::cat(where, ": initializer ", init.name, " with a seed or arguments other than "
                                     "Keras's defaults is not supported here (only ",
                                     find(init.name)->default_config, ")"));
    }
    return init.name;
}

}  // namespace xgrad::nn
