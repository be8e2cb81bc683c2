#include <xgrad/nn/layers/reshaping.hpp>

#include <xgrad/autograd/ops.hpp>
#include <xgrad/nn/serialization.hpp>

namespace xgrad::nn {
namespace {
std::size_t sample_size(const Shape& shape)
{
    std::size_t n = 1;
    for (std::size_t i = 1; i < shape.size(); ++i) n *= shape[i];
    return n;
}
}  // namespace

void Flatten::build_impl(const Shape& input_shape)
{
    if (input_shape.empty()) throw ShapeError(detail::cat(name(), ": expects a batch axis, got shape ()"));
}

Shape Flatten::compute_output_shape(const Shape& input_shape) const
{
    if (input_shape.empty()) throw ShapeError(detail::cat(name(), ": expects a batch axis, got shape ()"));
    return Shape{input_shape[0], sample_size(input_shape)};
}

Tensor Flatten::call(const Tensor& x, bool)
{
    return reshape(x, {static_cast<long>(x.shape()[0]), static_cast<long>(sample_size(x.shape()))});
}

Json Flatten::get_config() const
{
    Json config = Layer::get_config();
    config["data_format"] = "channels_last";
    return config;
}

std::shared_ptr<Flatten> Flatten::from_config(const Json& config)
{
    ConfigReader r(config, "Flatten");
    const std::string name = r.read_name();
    const Json format = r.get_json("data_format", "channels_last");
    if (!format.is_null() && format != "channels_last") {
        throw ValueError(detail::cat("Flatten '", name, "': config key 'data_format' is ", format.dump(),
                                     "; xgrad supports channels_last only"));
    }
    r.finish();
    return std::make_shared<Flatten>(name);
}

Reshape::Reshape(std::vector<long> target_shape, const std::string& name)
    : Layer("Reshape", name), target_shape_(std::move(target_shape))
{
    int inferred = 0;
    for (long d : target_shape_) {
        if (d == -1) ++inferred;
        else if (d <= 0) throw ValueError(detail::cat(this->name(), ": argument 'target_shape' has a dimension ", d,
                                                      " (dimensions must be positive, or one -1)"));
    }
    if (inferred > 1) throw ValueError(detail::cat(this->name(), ": argument 'target_shape' may hold at most one -1"));
}

Shape Reshape::compute_output_shape(const Shape& input_shape) const
{
    if (input_shape.empty()) throw ShapeError(detail::cat(name(), ": expects a batch axis, got shape ()"));
    const std::size_t n = sample_size(input_shape);
    std::size_t known = 1;
    for (long d : target_shape_)
        if (d > 0) known *= static_cast<std::size_t>(d);
    Shape out{input_shape[0]};
    for (long d : target_shape_) out.push_back(d > 0 ? static_cast<std::size_t>(d) : (known ? n / known : 0));
    if (sample_size(out) != n) {
        std::string target;
        for (long d : target_shape_) target += (target.empty() ? "" : ", ") + std::to_string(d);
        throw ShapeError(detail::cat(name(), ": cannot reshape an input of shape ", to_string(input_shape), " (", n,
                                     " values per sample) to target_shape (", target, ")"));
    }
    return out;
}

Tensor Reshape::call(const Tensor& x, bool)
{
    const Shape out = compute_output_shape(x.shape());
    return reshape(x, std::vector<long>(out.begin(), out.end()));
}

Json Reshape::get_config() const
{
    Json config = Layer::get_config();
    config["target_shape"] = target_shape_;
    return config;
}

std::shared_ptr<Reshape> Reshape::from_config(const Json& config)
{
    ConfigReader r(config, "Reshape");
    const std::string name = r.read_name();
    auto target = r.get_ints("target_shape");
    r.finish();
    return std::make_shared<Reshape>(std::move(target), name);
}

}  // namespace xgrad::nn
