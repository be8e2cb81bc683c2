// Legacy Keras 2 (tf.keras) single-file .h5 models: the root attributes
// model_config (the architecture, Keras 2's config schema) and training_config
// (compile settings), the weights under model_weights/<layer>/<weight name>
// listed by each layer's weight_names attribute, and the optimizer's state under
// optimizer_weights (iter, then slot by slot: every variable's m, then every v).
#include <xgrad/nn/saving/saving.hpp>

#include <map>

#include <xgrad/nn/saving/detail/compile_config.hpp>
#include <xgrad/nn/saving/detail/h5.hpp>
#include <xgrad/nn/serialization.hpp>
#include <xgrad/optim/optimizer.hpp>

namespace xgrad::nn {
namespace {
Json parse_attribute(const saving::h5::Group& root, const char* name, const std::string& path)
{
    const auto text = root.string_attribute(name);
    if (!text) throw IOError(detail::cat(path, ": no '", name, "' attribute: not a Keras model file"));
    try {
        return Json::parse(*text);
    } catch (const std::exception& e) {
        throw IOError(detail::cat(path, ": attribute '", name, "' is not valid JSON (", e.what(), ")"));
    }
}

// Keras 2's batch_input_shape / InputLayer become Keras 3's InputLayer with batch_shape.
Json input_layer(const Json& batch_shape, const std::string& name)
{
    return Json{{"module", "keras.layers"},
                {"class_name", "InputLayer"},
                {"config", {{"batch_shape", batch_shape}, {"dtype", "float32"}, {"name", name}}},
                {"registered_name", nullptr}};
}

// A Keras 2 layer entry in Keras 3's schema (module, registered_name; legacy keys moved).
Json modern_layer(Json entry, Json& batch_input_shape)
{
    Json config = entry.value("config", Json::object());
    if (config.contains("batch_input_shape")) {
        batch_input_shape = config["batch_input_shape"];
        config.erase("batch_input_shape");
    }
    if (entry.value("class_name", "") == "InputLayer" && batch_input_shape.is_array()) {
        config["batch_shape"] = batch_input_shape;
        batch_input_shape = nullptr;
    }
    for (const char* init : {"kernel_initializer", "bias_initializer"}) {
        if (config.contains(init) && config[init].is_object() && config[init].contains("config")) {
            config[init]["config"].erase("dtype");  // Keras 2 records the dtype in each initializer
        }
    }
    Json out{{"module", "keras.layers"}, {"class_name", entry.value("class_name", "")}, {"config", config},
             {"registered_name", nullptr}};
    if (entry.contains("inbound_nodes")) {
        // Keras 2: [[[layer, node, tensor, kwargs], ...]] per call; Keras 3: {"args": [...], "kwargs": {}}.
        Json nodes = Json::array();
        for (const auto& call : entry["inbound_nodes"]) {
            if (!call.is_array()) {
                nodes.push_back(call);
                continue;
            }
            Json args = Json::array();
            for (const auto& in : call) {
                if (!in.is_array() || in.size() < 3) throw ValueError("legacy .h5: a malformed inbound node");
                args.push_back(Json{{"class_name", "__keras_tensor__"},
                                    {"config", {{"keras_history", Json::array({in[0], in[1], in[2]})}}}});
            }
            nodes.push_back(Json{{"args", args.size() == 1 ? args : Json::array({args})}, {"kwargs", Json::object()}});
        }
        out["inbound_nodes"] = nodes;
    }
    return out;
}

Json modern_model_config(const Json& legacy, const std::string& path)
{
    const std::string class_name = legacy.value("class_name", "");
    Json config = legacy.value("config", Json::object());
    if (!config.contains("layers") || !config["layers"].is_array()) {
        throw ValueError(detail::cat(path, ": model_config of class '", class_name, "' has no 'layers' list"));
    }
    Json layers = Json::array();
    Json batch_input_shape;
    for (const auto& entry : config["layers"]) {
        Json layer = modern_layer(entry, batch_input_shape);
        if (class_name == "Sequential" && batch_input_shape.is_array()) {
            layers.push_back(input_layer(batch_input_shape, "input_layer"));
            batch_input_shape = nullptr;
        }
        if (class_name != "Sequential") layer["name"] = layer["config"].value("name", "");
        layers.push_back(layer);
    }
    config["layers"] = layers;
    if (class_name == "Sequential") return Json{{"module", "keras"}, {"class_name", "Sequential"}, {"config", config}};
    if (class_name == "Model" || class_name == "Functional") {
        return Json{{"module", "keras.src.models.functional"}, {"class_name", "Functional"}, {"config", config}};
    }
    throw ValueError(detail::cat(path, ": model_config class '", class_name, "' is not supported"));
}

// Keras 2's slot names per optimizer, as xgrad names them.
std::string slot_name(const std::string& legacy)
{
    static const std::map<std::string, std::string> names = {
        {"m", "momentum"}, {"v", "velocity"}, {"vhat", "velocity_hat"}, {"momentum", "momentum"},
        {"rms", "velocity"}, {"mg", "average_gradient"}, {"accumulator", "accumulator"},
    };
    const auto it = names.find(legacy);
    return it == names.end() ? "" : it->second;
}

// The optimizer's state from optimizer_weights, in keras_slots() order.
void load_legacy_optimizer(const saving::h5::Group& root, Model& model, const std::string& path)
{
    const auto group = root.group("optimizer_weights");
    const auto names = group.string_list_attribute("weight_names");
    auto& opt = *model.optimizer();
    const auto vars = model.trainable_variables();
    std::map<std::string, xt::xarray<float>> saved;  // "<layer>/<weight>/<slot>" -> value
    std::int64_t iterations = 0;
    for (const auto& full : names) {
        std::string name = full;
        if (name.size() > 2 && name.compare(name.size() - 2, 2, ":0") == 0) name.resize(name.size() - 2);
        const auto slash = name.find('/');
        if (slash == std::string::npos) throw IOError(detail::cat(path, ": optimizer weight '", full, "' is not understood"));
        const std::string rest = name.substr(slash + 1);
        if (rest == "iter") {
            iterations = group.read_int_scalar(full);
            continue;
        }
        const auto last = rest.rfind('/');
        const std::string slot = last == std::string::npos ? "" : slot_name(rest.substr(last + 1));
        if (slot.empty()) throw IOError(detail::cat(path, ": optimizer weight '", full, "' is not a slot xgrad knows"));
        saved[rest.substr(0, last) + "|" + slot] = group.read_float(full);
    }
    const auto expected = opt.keras_slots(vars);
    std::vector<xt::xarray<float>> slots;
    for (const auto& [key, value] : expected) {
        // key = "<layer>/<weight>/<slot>"; the legacy path may carry the model's name first.
        const auto cut = key.rfind('/');
        const std::string var = key.substr(0, cut), slot = key.substr(cut + 1);
        const xt::xarray<float>* found = nullptr;
        for (const auto& [k, v] : saved) {
            const auto bar = k.find('|');
            const std::string kv = k.substr(0, bar);
            const bool same_var = kv == var || (kv.size() > var.size() && kv.compare(kv.size() - var.size() - 1, var.size() + 1, "/" + var) == 0);
            if (same_var && k.substr(bar + 1) == slot) found = &v;
        }
        if (!found) throw IOError(detail::cat(path, ": optimizer_weights has no '", slot, "' for variable '", var, "'"));
        slots.push_back(*found);
    }
    if (slots.size() != saved.size()) {
        throw IOError(detail::cat(path, ": optimizer_weights holds ", saved.size(), " slot arrays, the model's ",
                                  opt.name(), " has ", slots.size()));
    }
    opt.set_keras_state(vars, iterations, std::nullopt, slots);
}
}  // namespace

std::shared_ptr<Model> load_legacy_h5(const std::string& path)
{
    const auto file = saving::h5::File::open(path);
    const auto root = file.root();
    const Json legacy = parse_attribute(root, "model_config", path);
    LayerPtr layer;
    try {
        layer = deserialize_layer(modern_model_config(legacy, path));
    } catch (const Error& e) {
        throw ValueError(detail::cat(path, ": model_config: ", e.what()));
    }
    auto model = std::dynamic_pointer_cast<Model>(layer);
    if (!model || !model->built()) throw ValueError(detail::cat(path, ": model_config describes no built model"));

    // Weights: model_weights/<layer>/<weight name>, in each layer's weight order.
    const auto weights = root.group("model_weights");
    std::vector<xt::xarray<float>> values;
    for (const auto& l : model->layers()) {
        if (!l->layers().empty()) throw ValueError(detail::cat(path, ": nested model '", l->name(), "' is not supported in legacy files"));
        if (l->own_weights().empty()) continue;
        const auto g = weights.group(l->name());
        const auto names = g.string_list_attribute("weight_names");
        if (names.size() != l->own_weights().size()) {
            throw IOError(detail::cat(g.path(), ": lists ", names.size(), " weights, layer '", l->name(), "' has ",
                                      l->own_weights().size()));
        }
        for (std::size_t i = 0; i < names.size(); ++i) {
            auto value = g.read_float(names[i]);
            const auto& v = l->own_weights()[i].second;
            if (value.shape() != v.shape()) {
                throw IOError(detail::cat(g.path(), "/", names[i], ": has shape ", to_string(value.shape()), ", weight '",
                                          v.name(), "' has shape ", to_string(v.shape())));
            }
            values.push_back(std::move(value));
        }
    }
    if (root.string_attribute("training_config")) {
        Json training = parse_attribute(root, "training_config", path);
        Json opt = training.value("optimizer_config", Json());
        if (opt.is_object() && opt.contains("config")) {
            Json& c = opt["config"];
            if (c.contains("decay")) {
                if (c["decay"] != 0 && c["decay"] != 0.0) {
                    throw ValueError(detail::cat(path, ": optimizer config key 'decay' = ", c["decay"].dump(),
                                                 " (Keras 2's learning-rate decay) is not supported"));
                }
                c.erase("decay");
            }
            if (c.contains("name") && c["name"].is_string()) {
                std::string n = c["name"].get<std::string>();
                for (char& ch : n) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
                c["name"] = n;
            }
        }
        const Json compile{{"optimizer", opt}, {"loss", training.value("loss", Json())},
                           {"metrics", training.value("metrics", Json())},
                           {"loss_weights", training.value("loss_weights", Json())},
                           {"weighted_metrics", training.value("weighted_metrics", Json())}};
        saving::apply_compile_config(*model, compile, path);
    }
    model->set_weights(values);
    if (model->optimizer() && root.has("optimizer_weights")) load_legacy_optimizer(root, *model, path);
    return model;
}

}  // namespace xgrad::nn
