#include <xgrad/nn/saving/detail/compile_config.hpp>

#include <algorithm>
#include <cctype>
#include <variant>

#include <xgrad/optim/factory.hpp>
#include <xgrad/optim/optimizer.hpp>

namespace xgrad::nn::saving {
namespace {
struct KerasLoss {
    const char* name;
    const char* class_name;
};
constexpr KerasLoss keras_losses[] = {
    {"mean_squared_error", "MeanSquaredError"},
    {"categorical_crossentropy", "CategoricalCrossentropy"},
    {"sparse_categorical_crossentropy", "SparseCategoricalCrossentropy"},
    {"binary_crossentropy", "BinaryCrossentropy"},
    {"mean_absolute_error", "MeanAbsoluteError"},
    {"mean_absolute_percentage_error", "MeanAbsolutePercentageError"},
    {"mean_squared_logarithmic_error", "MeanSquaredLogarithmicError"},
    {"huber_loss", "Huber"},
    {"log_cosh", "LogCosh"},
    {"kl_divergence", "KLDivergence"},
    {"poisson", "Poisson"},
    {"hinge", "Hinge"},
    {"squared_hinge", "SquaredHinge"},
    {"cosine_similarity", "CosineSimilarity"},
};

double label_smoothing_of(const Loss& loss)
{
    if (const auto* c = dynamic_cast<const CategoricalCrossentropy*>(&loss)) return c->label_smoothing();
    if (const auto* b = dynamic_cast<const BinaryCrossentropy*>(&loss)) return b->label_smoothing();
    return 0.0;
}

const char* reduction_name(Reduction r)
{
    switch (r) {
    case Reduction::Sum: return "sum";
    case Reduction::None: return "none";
    default: return "sum_over_batch_size";
    }
}

Json loss_config(const Loss& loss)
{
    const auto* ce = dynamic_cast<const Crossentropy*>(&loss);
    const auto* huber = dynamic_cast<const Huber*>(&loss);
    const double smoothing = label_smoothing_of(loss);
    // A name alone when Keras's defaults say the rest; else the class with its arguments.
    const bool plain = loss.reduction() == Reduction::SumOverBatchSize && !(ce && ce->from_logits()) &&
                       smoothing == 0.0 && !(huber && huber->delta() != 1.0);
    if (plain) return loss.name();
    std::string class_name = loss.name();
    for (const auto& k : keras_losses)
        if (loss.name() == k.name) class_name = k.class_name;
    Json config{{"name", loss.name()}, {"reduction", reduction_name(loss.reduction())}};
    if (ce) config["from_logits"] = ce->from_logits();
    if (smoothing != 0.0) config["label_smoothing"] = smoothing;
    if (huber) config["delta"] = huber->delta();
    return Json{{"module", "keras.losses"}, {"class_name", class_name}, {"config", config}, {"registered_name", nullptr}};
}

LossArg loss_from_config(const Json& j, const std::string& where)
{
    if (j.is_string()) return LossArg(j.get<std::string>());
    if (!j.is_object() || !j.contains("class_name") || !j["class_name"].is_string()) {
        throw ValueError(detail::cat(where, ": compile_config key 'loss' must be a name or a serialized loss, got ",
                                     j.dump().substr(0, 120)));
    }
    const std::string class_name = j["class_name"].get<std::string>();
    const Json config = j.value("config", Json::object());
    const Reduction reduction = reduction_from_string(config.value("reduction", std::string("sum_over_batch_size")));
    const bool from_logits = config.value("from_logits", false);
    const bool smoothed = class_name == "CategoricalCrossentropy" || class_name == "BinaryCrossentropy";
    const double smoothing = smoothed && config.contains("label_smoothing") && config["label_smoothing"].is_number()
                                 ? config["label_smoothing"].get<double>()
                                 : 0.0;
    const double delta = class_name == "Huber" && config.contains("delta") && config["delta"].is_number()
                             ? config["delta"].get<double>()
                             : 1.0;
    for (const auto& [key, value] : config.items()) {
        const bool known = key == "name" || key == "reduction" || key == "from_logits" ||
                           ((key == "ignore_class" || key == "dtype") && value.is_null()) ||
                           (key == "label_smoothing" && (value == 0 || (smoothed && value.is_number()))) ||
                           (key == "axis" && value == -1) || (key == "delta" && class_name == "Huber" && value.is_number());
        if (!known) {
            throw ValueError(detail::cat(where, ": loss ", class_name, " with config key '", key, "' = ", value.dump(),
                                         " is not supported"));
        }
    }
    if (class_name == "MeanSquaredError") return MeanSquaredError(reduction);
    if (class_name == "CategoricalCrossentropy") return CategoricalCrossentropy(from_logits, smoothing, reduction);
    if (class_name == "SparseCategoricalCrossentropy") return SparseCategoricalCrossentropy(from_logits, reduction);
    if (class_name == "BinaryCrossentropy") return BinaryCrossentropy(from_logits, smoothing, reduction);
    if (class_name == "MeanAbsoluteError") return MeanAbsoluteError(reduction);
    if (class_name == "MeanAbsolutePercentageError") return MeanAbsolutePercentageError(reduction);
    if (class_name == "MeanSquaredLogarithmicError") return MeanSquaredLogarithmicError(reduction);
    if (class_name == "Huber") return Huber(delta, reduction);
    if (class_name == "LogCosh") return LogCosh(reduction);
    if (class_name == "KLDivergence") return KLDivergence(reduction);
    if (class_name == "Poisson") return Poisson(reduction);
    if (class_name == "Hinge") return Hinge(reduction);
    if (class_name == "SquaredHinge") return SquaredHinge(reduction);
    if (class_name == "CosineSimilarity") return CosineSimilarity(-1, reduction);
    throw ValueError(detail::cat(where, ": loss class '", class_name, "' is not supported"));
}

Json value_to_json(const optim::ConfigValue& v);
}  // namespace

Json config_to_json(const optim::Config& config)
{
    Json out = Json::object();
    for (const auto& [key, value] : config.items()) out[key] = value_to_json(value);
    return out;
}

namespace {
Json value_to_json(const optim::ConfigValue& v)
{
    return std::visit(
        [](const auto& x) -> Json {
            using X = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<X, std::monostate>) return nullptr;
            else if constexpr (std::is_same_v<X, optim::ConfigValue::List>) {
                Json list = Json::array();
                for (const auto& item : x) list.push_back(value_to_json(item));
                return list;
            } else if constexpr (std::is_same_v<X, optim::Config>) return config_to_json(x);
            else return Json(x);
        },
        v.storage());
}

optim::ConfigValue json_to_value(const Json& j, const std::string& where)
{
    switch (j.type()) {
    case Json::value_t::null: return {};
    case Json::value_t::boolean: return j.get<bool>();
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned: return j.get<std::int64_t>();
    case Json::value_t::number_float: return j.get<double>();
    case Json::value_t::string: return j.get<std::string>();
    case Json::value_t::array: {
        optim::ConfigValue::List list;
        for (const auto& item : j) list.push_back(json_to_value(item, where));
        return list;
    }
    case Json::value_t::object: return json_to_config(j, where);
    default: throw ValueError(detail::cat(where, ": unsupported config value ", j.dump().substr(0, 120)));
    }
}
}  // namespace

optim::Config json_to_config(const Json& json, const std::string& where)
{
    if (!json.is_object()) throw ValueError(detail::cat(where, ": expected a dict, got ", json.dump().substr(0, 120)));
    optim::Config config;
    for (const auto& [key, value] : json.items()) config.set(key, json_to_value(value, where + "." + key));
    return config;
}

std::string keras_optimizer_class(const std::string& kind)
{
    static const std::pair<const char*, const char*> names[] = {
        {"sgd", "SGD"},         {"gradient_descent", "SGD"}, {"momentum", "SGD"},   {"adam", "Adam"},
        {"adamw", "AdamW"},     {"rmsprop", "RMSprop"},      {"adagrad", "Adagrad"}, {"adamax", "Adamax"},
        {"nadam", "Nadam"},     {"lion", "Lion"},
    };
    for (const auto& [k, c] : names)
        if (kind == k) return c;
    return kind;
}

Json compile_config(const Model& model)
{
    if (!model.optimizer() || !model.loss()) return nullptr;
    Json metrics = Json::array();
    for (const auto& m : model.compiled_metrics()) {
        if (m.metric) metrics.push_back(m.metric->name());
        else metrics.push_back(m.name);
    }
    const auto& opt = *model.optimizer();
    const std::string class_name = keras_optimizer_class(opt.kind());
    return Json{{"optimizer", {{"module", "keras.optimizers"},
                               {"class_name", class_name},
                               {"config", config_to_json(opt.get_config())},
                               {"registered_name", class_name == opt.kind() ? Json("Custom>" + opt.kind()) : Json(nullptr)}}},
                {"loss", loss_config(*model.loss())},
                {"loss_weights", nullptr},
                {"metrics", metrics.empty() ? Json(nullptr) : metrics},
                {"weighted_metrics", nullptr},
                {"run_eagerly", false},
                {"steps_per_execution", 1},
                {"jit_compile", false}};
}

void apply_compile_config(Model& model, const Json& config, const std::string& where)
{
    if (config.is_null()) return;
    if (!config.is_object()) throw ValueError(detail::cat(where, ": compile_config must be a dict"));
    for (const char* key : {"loss_weights", "weighted_metrics"}) {
        if (config.contains(key) && !config[key].is_null()) {
            throw ValueError(detail::cat(where, ": compile_config key '", key, "' is set (", config[key].dump().substr(0, 80),
                                         "), which xgrad does not support"));
        }
    }
    const Json& opt = config.value("optimizer", Json());
    std::shared_ptr<optim::Optimizer> optimizer;
    if (opt.is_string()) {
        optimizer = optim::make_optimizer(opt.get<std::string>());
    } else if (opt.is_object() && opt.contains("class_name") && opt["class_name"].is_string()) {
        std::string kind = opt["class_name"].get<std::string>();
        if (opt.contains("registered_name") && opt["registered_name"].is_string()) {
            const std::string r = opt["registered_name"].get<std::string>();
            if (r.find('>') != std::string::npos) kind = r.substr(r.find('>') + 1);
        }
        try {
            optimizer = optim::make_optimizer(kind, json_to_config(opt.value("config", Json::object()), where + " optimizer"));
        } catch (const Error& e) {
            throw ValueError(detail::cat(where, ": compile_config optimizer ", kind, ": ", e.what()));
        }
    } else {
        throw ValueError(detail::cat(where, ": compile_config has no usable 'optimizer'"));
    }
    std::vector<MetricArg> metrics;
    const Json m = config.value("metrics", Json());
    if (m.is_array()) {
        for (const auto& name : m) {
            if (!name.is_string()) {
                throw ValueError(detail::cat(where, ": compile_config metric ", name.dump().substr(0, 80),
                                             " is not a name; only metric names are supported"));
            }
            metrics.emplace_back(name.get<std::string>());
        }
    } else if (!m.is_null()) {
        throw ValueError(detail::cat(where, ": compile_config key 'metrics' must be a list of names"));
    }
    model.compile(optimizer, loss_from_config(config.value("loss", Json()), where), metrics);
}

}  // namespace xgrad::nn::saving
