#include <xgrad/nn/layers/merge.hpp>

#include <xgrad/autograd/ops.hpp>
#include <xgrad/nn/serialization.hpp>

namespace xgrad::nn {
namespace {
void require_several(const Layer& layer, std::size_t n)
{
    if (n < 2) {
        throw ValueError(detail::cat(layer.name(), " (", layer.class_name(), "): expects a list of at least 2 inputs, got ", n));
    }
}

std::string shapes_string(const std::vector<Shape>& shapes)
{
    std::string out;
    for (const auto& s : shapes) out += (out.empty() ? "" : ", ") + to_string(s);
    return out;
}
}  // namespace

Shape Add::compute_output_shape_multi(const std::vector<Shape>& input_shapes) const
{
    require_several(*this, input_shapes.size());
    Shape out = input_shapes[0];
    try {
        for (std::size_t i = 1; i < input_shapes.size(); ++i) out = broadcast_shapes(out, input_shapes[i], "Add");
    } catch (const ShapeError&) {
        throw ShapeError(detail::cat(name(), " (Add): the inputs' shapes ", shapes_string(input_shapes),
                                     " do not broadcast together"));
    }
    return out;
}

Tensor Add::call_multi(const std::vector<Tensor>& inputs, bool)
{
    std::vector<Shape> shapes;
    for (const auto& x : inputs) shapes.push_back(x.shape());
    compute_output_shape_multi(shapes);
    Tensor out = inputs[0];
    for (std::size_t i = 1; i < inputs.size(); ++i) out = add(out, inputs[i]);
    return out;
}

std::shared_ptr<Add> Add::from_config(const Json& config)
{
    ConfigReader r(config, "Add");
    const std::string name = r.read_name();
    r.finish();
    return std::make_shared<Add>(name);
}

Concatenate::Concatenate(long axis, const std::string& name) : Layer("Concatenate", name), axis_(axis) {}

Shape Concatenate::compute_output_shape_multi(const std::vector<Shape>& input_shapes) const
{
    require_several(*this, input_shapes.size());
    const std::size_t rank = input_shapes[0].size();
    const long a = axis_ < 0 ? axis_ + static_cast<long>(rank) : axis_;
    if (a <= 0 || a >= static_cast<long>(rank)) {
        throw ShapeError(detail::cat(name(), " (Concatenate): axis ", axis_, " is out of range for inputs of shape ",
                                     to_string(input_shapes[0]), " (the batch axis 0 cannot be joined)"));
    }
    Shape out = input_shapes[0];
    for (std::size_t i = 1; i < input_shapes.size(); ++i) {
        const Shape& s = input_shapes[i];
        bool ok = s.size() == rank;
        for (std::size_t d = 0; ok && d < rank; ++d) ok = static_cast<long>(d) == a || s[d] == out[d];
        if (!ok) {
            throw ShapeError(detail::cat(name(), " (Concatenate): inputs must agree on every axis but ", axis_,
                                         ", got shapes ", shapes_string(input_shapes)));
        }
        out[static_cast<std::size_t>(a)] += s[static_cast<std::size_t>(a)];
    }
    return out;
}

Tensor Concatenate::call_multi(const std::vector<Tensor>& inputs, bool)
{
    std::vector<Shape> shapes;
    for (const auto& x : inputs) shapes.push_back(x.shape());
    compute_output_shape_multi(shapes);
    return concat(inputs, axis_);
}

Json Concatenate::get_config() const
{
    Json config = Layer::get_config();
    config["axis"] = axis_;
    return config;
}

std::shared_ptr<Concatenate> Concatenate::from_config(const Json& config)
{
    ConfigReader r(config, "Concatenate");
    const std::string name = r.read_name();
    const Json axis = r.get_json("axis", -1);
    if (!axis.is_number_integer()) throw ValueError(detail::cat("Concatenate '", name, "': config key 'axis' must be an integer, got ", axis.dump()));
    r.finish();
    return std::make_shared<Concatenate>(axis.get<long>(), name);
}

}  // namespace xgrad::nn
