#include <xgrad/nn/layers/input_layer.hpp>

#include <xgrad/nn/serialization.hpp>
#include <xgrad/nn/symbolic.hpp>

namespace xgrad::nn {

InputLayer::InputLayer(Shape shape, const std::string& name) : Layer("InputLayer", name), shape_(std::move(shape))
{
    for (std::size_t i = 0; i < shape_.size(); ++i) {
        if (shape_[i] == 0) {
            throw ShapeError(detail::cat(this->name(), " (InputLayer): argument 'shape' ", to_string(shape_),
                                         " has a zero dimension at axis ", i));
        }
    }
    Shape batch{1};
    batch.insert(batch.end(), shape_.begin(), shape_.end());
    build(batch);
}

void InputLayer::check_input(const Tensor& x) const
{
    const Shape& s = x.shape();
    const bool ok = s.size() == shape_.size() + 1 && std::equal(shape_.begin(), shape_.end(), s.begin() + 1);
    if (!ok) {
        Shape expected{0};
        expected.insert(expected.end(), shape_.begin(), shape_.end());
        throw ShapeError(detail::cat(name(), ": expects inputs of shape ", batch_shape_string(expected),
                                     " (None: any batch size), got ", to_string(s)));
    }
}

Json InputLayer::get_config() const
{
    Shape batch{0};
    batch.insert(batch.end(), shape_.begin(), shape_.end());
    return Json{{"batch_shape", batch_shape_to_json(batch)}, {"dtype", "float32"}, {"sparse", false},
                {"ragged", false}, {"name", name()}};
}

std::shared_ptr<InputLayer> InputLayer::from_config(const Json& config)
{
    ConfigReader r(config, "InputLayer");
    const std::string name = r.read_name();
    Shape batch = batch_shape_from_json(r.get_json("batch_shape"), "InputLayer '" + name + "' batch_shape");
    for (const char* flag : {"sparse", "ragged", "optional"}) {
        if (r.get_bool(flag, false)) {
            throw ValueError(detail::cat("InputLayer '", name, "': config key '", flag, "' is true, which xgrad does not support"));
        }
    }
    r.finish();
    return std::make_shared<InputLayer>(Shape(batch.begin() + 1, batch.end()), name);
}

}  // namespace xgrad::nn
