#include <xgrad/nn/saving/detail/layout.hpp>

#include <map>

#include <xgrad/nn/naming.hpp>
#include <xgrad/optim/optimizer.hpp>

namespace xgrad::nn::saving {
namespace {
// The layer's own weights in Keras's order: trainable ones, then the others.
std::vector<Variable> own_in_keras_order(const Layer& layer)
{
    std::vector<Variable> own;
    for (bool trainable : {true, false}) {
        for (const auto& [name, v] : layer.own_weights())
            if (v.trainable() == trainable) own.push_back(v);
    }
    return own;
}

// Keras's container keys: the class name in snake case, then _1, _2, ... among siblings.
std::vector<std::string> child_keys(const Layer& layer)
{
    std::map<std::string, int> used;
    std::vector<std::string> keys;
    for (const auto& child : layer.layers()) {
        const std::string base = to_snake_case(child->class_name());
        const int n = used[base]++;
        keys.push_back(n == 0 ? base : base + "_" + std::to_string(n));
    }
    return keys;
}

std::string index_name(std::size_t i) { return std::to_string(i); }
}  // namespace

void write_layer_weights(const h5::Group& group, const Layer& layer)
{
    const h5::Group vars = group.create_group("vars");
    vars.set_string_attribute("name", layer.name());
    const auto own = own_in_keras_order(layer);
    for (std::size_t i = 0; i < own.size(); ++i) vars.write_float(index_name(i), own[i].value());
    if (layer.layers().empty()) return;
    const h5::Group layers = group.create_group("layers");
    const auto keys = child_keys(layer);
    for (std::size_t i = 0; i < keys.size(); ++i) write_layer_weights(layers.create_group(keys[i]), *layer.layers()[i]);
}

namespace {
// Fills `values` (keyed by variable id) for `layer` and its sublayers.
void read_into(const h5::Group& group, const Layer& layer, std::map<std::uint64_t, xt::xarray<float>>& values)
{
    const auto own = own_in_keras_order(layer);
    if (!own.empty() || group.has("vars")) {
        const h5::Group vars = group.group("vars");
        std::size_t stored = 0;
        for (const auto& name : vars.children()) stored += name.find_first_not_of("0123456789") == std::string::npos;
        if (stored != own.size()) {
            throw IOError(detail::cat(vars.path(), ": holds ", stored, " weights, layer '", layer.name(), "' (",
                                      layer.class_name(), ") has ", own.size()));
        }
        for (std::size_t i = 0; i < own.size(); ++i) {
            auto value = vars.read_float(index_name(i));
            if (value.shape() != own[i].shape()) {
                throw IOError(detail::cat(vars.path(), "/", i, ": has shape ", to_string(value.shape()), ", weight '",
                                          own[i].name(), "' of layer '", layer.name(), "' has shape ",
                                          to_string(own[i].shape())));
            }
            values.emplace(own[i].id(), std::move(value));
        }
    }
    if (layer.layers().empty()) return;
    const h5::Group layers = group.group("layers");
    const auto keys = child_keys(layer);
    for (std::size_t i = 0; i < keys.size(); ++i) read_into(layers.group(keys[i]), *layer.layers()[i], values);
}
}  // namespace

std::vector<xt::xarray<float>> read_layer_weights(const h5::Group& group, const Layer& layer)
{
    std::map<std::uint64_t, xt::xarray<float>> values;
    read_into(group, layer, values);
    std::vector<xt::xarray<float>> out;
    for (const auto& v : layer.weights()) out.push_back(std::move(values.at(v.id())));
    return out;
}

void write_optimizer(const h5::Group& root, optim::Optimizer& optimizer, const std::vector<Variable>& vars)
{
    const auto slots = optimizer.keras_slots(vars);
    const h5::Group group = root.create_group("optimizer").create_group("vars");
    group.set_string_attribute("name", optimizer.name());
    std::size_t i = 0;
    group.write_int_scalar(index_name(i++), optimizer.raw_iterations());
    if (optimizer.has_numeric_learning_rate()) {
        group.write_float(index_name(i++), xt::xarray<float>(optimizer.learning_rate()));
    }
    for (const auto& [name, value] : slots) group.write_float(index_name(i++), value);
}

OptimizerState read_optimizer(const h5::Group& root, optim::Optimizer& optimizer, const std::vector<Variable>& vars)
{
    const h5::Group group = root.group("optimizer").group("vars");
    const auto expected = optimizer.keras_slots(vars);
    const std::size_t first_slot = optimizer.has_numeric_learning_rate() ? 2 : 1;
    std::size_t stored = 0;
    for (const auto& name : group.children()) stored += name.find_first_not_of("0123456789") == std::string::npos;
    if (stored != first_slot + expected.size()) {
        throw IOError(detail::cat(group.path(), ": holds ", stored, " optimizer variables; ", optimizer.name(), " for ",
                                  vars.size(), " variables expects ", first_slot + expected.size(),
                                  " (iterations, learning rate, then the slots in Keras's order)"));
    }
    OptimizerState state;
    state.iterations = group.read_int_scalar("0");
    if (first_slot == 2) {
        const auto lr = group.read_float("1");
        if (lr.size() != 1) throw IOError(detail::cat(group.path(), "/1: the learning rate must be a scalar"));
        state.learning_rate = lr.data()[0];
    }
    for (std::size_t i = 0; i < expected.size(); ++i) {
        auto value = group.read_float(index_name(first_slot + i));
        if (value.shape() != expected[i].second.shape()) {
            throw IOError(detail::cat(group.path(), "/", first_slot + i, ": has shape ", to_string(value.shape()),
                                      ", slot '", expected[i].first, "' has shape ",
                                      to_string(expected[i].second.shape())));
        }
        state.slots.push_back(std::move(value));
    }
    return state;
}

}  // namespace xgrad::nn::saving
