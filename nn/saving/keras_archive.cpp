// Keras 3 files: the .keras archive and the .weights.h5 file.
#include <xgrad/nn/saving/saving.hpp>

#include <chrono>
#include <ctime>
#include <fstream>
#include <sstream>

#include <xgrad/core/atomic_file.hpp>
#include <xgrad/nn/saving/detail/compile_config.hpp>
#include <xgrad/nn/saving/detail/h5.hpp>
#include <xgrad/nn/saving/detail/layout.hpp>
#include <xgrad/nn/saving/detail/zip.hpp>
#include <xgrad/nn/serialization.hpp>
#include <xgrad/optim/optimizer.hpp>

namespace xgrad::nn {

std::shared_ptr<Model> load_legacy_h5(const std::string& path);  // legacy_h5.cpp

namespace {
using saving::h5::File;

constexpr const char* keras_format_version = "3.11.3";  // the Keras release whose layout this writes

Json parse_member(const std::vector<saving::zip::Member>& members, const std::string& name, const std::string& path)
{
    const std::string& text = saving::zip::member(members, name, path);
    try {
        return Json::parse(text);
    } catch (const std::exception& e) {
        throw IOError(detail::cat(path, ": member '", name, "' is not valid JSON (", e.what(), ")"));
    }
}

std::string now_string()
{
    const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm{};
    localtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d@%H:%M:%S", &tm);
    return buf;
}

bool is_hdf5(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    char magic[8] = {};
    in.read(magic, 8);
    return in.gcount() == 8 && std::string(magic, 8) == std::string("\x89HDF\r\n\x1a\n", 8);
}

// Rebuilds, compiles and fills a model from a .keras archive's members.
std::shared_ptr<Model> model_from_archive(const std::vector<saving::zip::Member>& members, const std::string& path)
{
    parse_member(members, "metadata.json", path);
    const Json config = parse_member(members, "config.json", path);
    LayerPtr layer;
    try {
        layer = deserialize_layer(config);
    } catch (const Error& e) {
        throw ValueError(detail::cat(path, ": config.json: ", e.what()));
    }
    auto model = std::dynamic_pointer_cast<Model>(layer);
    if (!model) throw ValueError(detail::cat(path, ": config.json describes a ", layer->class_name(), ", not a model"));
    if (!model->built()) {
        throw ValueError(detail::cat(path, ": config.json has no input shape for '", model->name(),
                                     "' (no build_config), so its weights cannot be created"));
    }
    const std::string weights_name = path + "/model.weights.h5";
    const File weights = File::open_image(saving::zip::member(members, "model.weights.h5", path), weights_name);
    const auto values = saving::read_layer_weights(weights.root(), *model);
    if (config.contains("compile_config")) saving::apply_compile_config(*model, config["compile_config"], path);
    std::optional<saving::OptimizerState> state;
    if (model->optimizer() && weights.root().has("optimizer")) {
        state = saving::read_optimizer(weights.root(), *model->optimizer(), model->trainable_variables());
    }
    // Everything read and checked: now assign.
    model->set_weights(values);
    if (state) {
        model->optimizer()->set_keras_state(model->trainable_variables(), state->iterations, state->learning_rate,
                                            state->slots);
    }
    return model;
}
}  // namespace

std::shared_ptr<Model> load_model(const std::string& path)
{
    if (is_hdf5(path)) return load_legacy_h5(path);
    return model_from_archive(saving::zip::read_archive(path), path);
}

void save_model(const Model& model, const std::string& path)
{
    if (!model.built()) throw ValueError(detail::cat(model.name(), ".save: the model is not built yet (call or fit it first)"));
    Json config = serialize_layer(model);
    config["compile_config"] = saving::compile_config(model);
    const Json metadata{{"keras_version", keras_format_version}, {"date_saved", now_string()}, {"xgrad_version", "0.1.0"}};
    const File weights = File::create_in_memory(path + "/model.weights.h5");
    const auto root = weights.root();
    saving::write_layer_weights(root, model);
    if (model.optimizer()) saving::write_optimizer(root, *model.optimizer(), model.trainable_variables());
    saving::zip::write_archive(path, {{"metadata.json", metadata.dump()}, {"config.json", config.dump()},
                                      {"model.weights.h5", weights.image()}});
}

void save_weights_h5(const Layer& model, const std::string& path)
{
    if (!model.built()) throw ValueError(detail::cat(model.name(), ".save_weights: the model is not built yet"));
    const File file = File::create_in_memory(path);
    saving::write_layer_weights(file.root(), model);
    const std::string bytes = file.image();
    write_file_atomically(path, [&](std::ostream& out) { out.write(bytes.data(), static_cast<std::streamsize>(bytes.size())); });
}

void load_weights_h5(Layer& model, const std::string& path)
{
    if (!model.built()) throw ValueError(detail::cat(model.name(), ".load_weights: build the model first"));
    const File file = File::open(path);
    model.set_weights(saving::read_layer_weights(file.root(), model));
}

}  // namespace xgrad::nn
