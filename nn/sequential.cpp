#include <xgrad/nn/sequential.hpp>

#include <xgrad/nn/naming.hpp>

namespace xgrad::nn {

Sequential::Sequential(std::vector<LayerRef> layers, const std::string& name)
    : name_(name.empty() ? unique_name("sequential") : name)
{
    for (auto& layer : layers) add(std::move(layer));
}

void Sequential::add(LayerRef layer)
{
    if (layer.input()) {
        if (!layers_.empty() || input_shape_) {
            throw ValueError(detail::cat(name_, ": an Input must come first, before any layer"));
        }
        input_shape_ = *layer.input();
        return;
    }
    if (!layer.layer()) throw ValueError(detail::cat(name_, ": cannot add a null layer"));
    for (const auto& existing : layers_) {
        if (existing->name() == layer.layer()->name()) {
            throw ValueError(detail::cat(name_, ": all layers must have unique names; '", existing->name(),
                                         "' is already in the model"));
        }
    }
    layers_.push_back(layer.layer());
    if (input_shape_) {
        Shape shape{1};
        shape.insert(shape.end(), input_shape_->begin(), input_shape_->end());
        build(shape);
    }
}

Layer& Sequential::get_layer(const std::string& name) const
{
    std::string names;
    for (const auto& layer : layers_) {
        if (layer->name() == name) return *layer;
        names += (names.empty() ? "" : ", ") + layer->name();
    }
    throw ValueError(detail::cat(name_, ": no layer named '", name, "' (layers: ", names, ")"));
}

void Sequential::build(const Shape& input_shape)
{
    Shape shape = input_shape;
    if (!build_shape_) build_shape_ = input_shape;
    for (const auto& layer : layers_) {
        layer->build(shape);
        shape = layer->compute_output_shape(shape);
    }
}

bool Sequential::built() const
{
    if (layers_.empty()) return false;
    for (const auto& layer : layers_)
        if (!layer->built()) return false;
    return true;
}

Tensor Sequential::call(const Tensor& x)
{
    if (layers_.empty()) throw ValueError(detail::cat(name_, ": the model has no layers"));
    if (!build_shape_ && x.defined()) build(x.shape());
    Tensor h = x;
    for (const auto& layer : layers_) h = (*layer)(h);
    return h;
}

std::vector<std::pair<std::string, Variable>> Sequential::named_parameters() const
{
    std::vector<std::pair<std::string, Variable>> out;
    for (const auto& layer : layers_)
        for (const auto& [name, v] : layer->named_parameters()) out.emplace_back(layer->name() + "." + name, v);
    return out;
}

std::vector<Variable> Sequential::trainable_variables() const
{
    std::vector<Variable> out;
    for (const auto& layer : layers_)
        for (auto& v : layer->trainable_variables()) out.push_back(v);
    return out;
}

std::size_t Sequential::count_params() const
{
    std::size_t total = 0;
    for (const auto& layer : layers_) total += layer->count_params();
    return total;
}

std::vector<xt::xarray<float>> Sequential::get_weights() const
{
    std::vector<xt::xarray<float>> out;
    for (const auto& [name, v] : named_parameters()) out.push_back(v.value());
    return out;
}

void Sequential::set_weights(const std::vector<xt::xarray<float>>& weights)
{
    auto params = named_parameters();
    if (weights.size() != params.size()) {
        throw ValueError(detail::cat(name_, ".set_weights: expected ", params.size(), " arrays, got ", weights.size()));
    }
    for (std::size_t i = 0; i < params.size(); ++i) {
        if (weights[i].shape() != params[i].second.shape()) {
            throw ShapeError(detail::cat(name_, ".set_weights: weight ", i, " ('", params[i].first, "') has shape ",
                                         to_string(params[i].second.shape()), ", got an array of shape ",
                                         to_string(weights[i].shape())));
        }
    }
    for (std::size_t i = 0; i < params.size(); ++i) params[i].second.assign(weights[i]);
}

}  // namespace xgrad::nn
