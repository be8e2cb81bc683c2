#include <xgrad/nn/sequential.hpp>

#include <xgrad/nn/layers/input_layer.hpp>
#include <xgrad/nn/serialization.hpp>

namespace xgrad::nn {

Sequential::Sequential(std::vector<LayerRef> layers, const std::string& name) : Model("Sequential", name)
{
    for (auto& layer : layers) add(std::move(layer));
}

void Sequential::add(LayerRef layer)
{
    if (layer.input()) {
        if (!layers().empty() || input_shape_) {
            throw ValueError(detail::cat(name(), ": an Input must come first, before any layer"));
        }
        input_shape_ = layer.input()->sample_shape();
        input_name_ = layer.input()->node()->layer->name();
        return;
    }
    adopt(layer.layer());
    mark_unbuilt();
    if (input_shape_) {
        Shape shape{1};
        shape.insert(shape.end(), input_shape_->begin(), input_shape_->end());
        build(shape);
    }
}

void Sequential::require_layers() const
{
    if (layers().empty()) throw ValueError(detail::cat(name(), ": the model has no layers"));
}

void Sequential::build_impl(const Shape& input_shape)
{
    require_layers();
    Shape shape = input_shape;
    for (const auto& layer : layers()) {
        layer->build(shape);
        shape = layer->compute_output_shape(shape);
    }
}

Shape Sequential::compute_output_shape(const Shape& input_shape) const
{
    require_layers();
    Shape shape = input_shape;
    for (const auto& layer : layers()) shape = layer->compute_output_shape(shape);
    return shape;
}

Tensor Sequential::call(const Tensor& x, bool training)
{
    require_layers();
    Tensor h = x;
    for (const auto& layer : layers()) h = (*layer)(h, training);
    return h;
}

LogitsOf Sequential::output_logits_of() const
{
    return layers().empty() ? LogitsOf::none : layers().back()->output_logits_of();
}

Tensor Sequential::call_logits(const std::vector<Tensor>& inputs, bool training)
{
    expect_inputs(inputs.size(), 1);
    require_layers();
    Tensor h = inputs[0];
    const auto& ls = layers();
    for (std::size_t i = 0; i + 1 < ls.size(); ++i) h = (*ls[i])(h, training);
    return ls.back()->logits({h}, training);
}

std::vector<std::pair<const Layer*, std::optional<Shape>>> Sequential::summary_rows() const
{
    std::vector<std::pair<const Layer*, std::optional<Shape>>> rows;
    std::optional<Shape> shape;
    if (!build_shapes().empty()) shape = build_shapes()[0];
    for (const auto& layer : layers()) {
        if (shape) shape = layer->compute_output_shape(*shape);
        rows.emplace_back(layer.get(), shape);
    }
    return rows;
}

Json Sequential::get_config() const
{
    Json config = Layer::get_config();
    Json list = Json::array();
    std::optional<Shape> build_shape;
    if (!build_shapes().empty()) build_shape = build_shapes()[0];
    if (input_shape_) {
        list.push_back(serialize_layer(InputLayer(*input_shape_, input_name_)));
        list.back().erase("build_config");
    }
    for (const auto& layer : layers()) list.push_back(serialize_layer(*layer));
    config["layers"] = list;
    if (build_shape) config["build_input_shape"] = batch_shape_to_json(*build_shape);
    return config;
}

std::shared_ptr<Sequential> Sequential::from_config(const Json& config)
{
    ConfigReader r(config, "Sequential");
    const std::string name = r.read_name();
    const Json& list = r.get_json("layers");
    if (!list.is_array()) throw ValueError(detail::cat("Sequential '", name, "': config key 'layers' must be a list"));
    const Json build = r.get_json("build_input_shape");
    r.finish();
    auto model = std::make_shared<Sequential>(std::vector<LayerRef>{}, name);
    for (const auto& entry : list) {
        LayerPtr layer = deserialize_layer(entry);
        if (auto input = std::dynamic_pointer_cast<InputLayer>(layer)) model->add(Input(input));
        else model->add(LayerRef(layer));
    }
    if (!model->built() && !build.is_null() && !model->layers().empty()) {
        model->build(batch_shape_from_json(build, "Sequential '" + name + "' build_input_shape"));
    }
    return model;
}

}  // namespace xgrad::nn
