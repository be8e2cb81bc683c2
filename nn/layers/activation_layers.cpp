#include <xgrad/nn/layers/activation_layers.hpp>

#include <xgrad/autograd/ops.hpp>
#include <xgrad/nn/serialization.hpp>

namespace xgrad::nn {

// ---- Activation ----

ActivationLayer::ActivationLayer(const std::string& activation, const std::string& name)
    : Layer("Activation", name), activation_(&nn::activation(activation)) {}

Tensor ActivationLayer::call_logits(const std::vector<Tensor>& inputs, bool)
{
    expect_inputs(inputs.size(), 1);
    return inputs[0];
}

Json ActivationLayer::get_config() const
{
    Json config = Layer::get_config();
    config["activation"] = activation_->name;
    return config;
}

std::shared_ptr<ActivationLayer> ActivationLayer::from_config(const Json& config)
{
    ConfigReader r(config, "Activation");
    const std::string name = r.read_name();
    const std::string activation = activation_from_config(r.get_json("activation"), "Activation '" + name + "'");
    r.finish();
    return std::make_shared<ActivationLayer>(activation, name);
}

// ---- ReLU ----

ReLU::ReLU(std::optional<double> max_value, double negative_slope, double threshold, const std::string& name)
    : Layer("ReLU", name), max_value_(max_value), negative_slope_(negative_slope), threshold_(threshold)
{
    if (max_value && !(*max_value >= 0)) {
        throw ValueError(detail::cat(this->name(), ": argument 'max_value' must be >= 0, got ", *max_value));
    }
    if (!(negative_slope >= 0)) {
        throw ValueError(detail::cat(this->name(), ": argument 'negative_slope' must be >= 0, got ", negative_slope));
    }
}

Tensor ReLU::call(const Tensor& x, bool)
{
    if (!max_value_ && threshold_ == 0.0) {
        if (negative_slope_ == 0.0) return relu(x);
        return leaky_relu(x, static_cast<float>(negative_slope_));
    }
    // Keras's relu(x, negative_slope, max_value, threshold), op for op.
    const Tensor t = scalar<float>(static_cast<float>(threshold_));
    Tensor pos = threshold_ != 0.0 ? mul(x, greater(x, t)) : relu(x);
    if (max_value_) pos = clip(pos, 0.0f, static_cast<float>(*max_value_));
    if (negative_slope_ == 0.0) return pos;
    const Tensor neg_part = threshold_ != 0.0 ? relu(add(neg(x), t)) : relu(neg(x));
    return sub(pos, mul(scalar<float>(static_cast<float>(negative_slope_)), neg_part));
}

Json ReLU::get_config() const
{
    Json config = Layer::get_config();
    config["max_value"] = max_value_ ? Json(*max_value_) : Json(nullptr);
    config["negative_slope"] = negative_slope_;
    config["threshold"] = threshold_;
    return config;
}

std::shared_ptr<ReLU> ReLU::from_config(const Json& config)
{
    ConfigReader r(config, "ReLU");
    const std::string name = r.read_name();
    std::optional<double> max_value;
    if (r.has("max_value") && !r.raw("max_value").is_null()) max_value = r.get_number("max_value");
    else r.get_json("max_value");
    const double slope = r.get_number("negative_slope", 0.0), threshold = r.get_number("threshold", 0.0);
    r.finish();
    return std::make_shared<ReLU>(max_value, slope, threshold, name);
}

// ---- Softmax ----

Softmax::Softmax(long axis, const std::string& name) : Layer("Softmax", name), axis_(axis) {}

Tensor Softmax::call(const Tensor& x, bool) { return softmax(x, axis_); }

Tensor Softmax::call_logits(const std::vector<Tensor>& inputs, bool)
{
    expect_inputs(inputs.size(), 1);
    return inputs[0];
}

Json Softmax::get_config() const
{
    Json config = Layer::get_config();
    config["axis"] = axis_;
    return config;
}

std::shared_ptr<Softmax> Softmax::from_config(const Json& config)
{
    ConfigReader r(config, "Softmax");
    const std::string name = r.read_name();
    Json axis = r.get_json("axis", -1);
    if (axis.is_array() && axis.size() == 1) axis = axis[0];
    if (!axis.is_number_integer()) {
        throw ValueError("Softmax '" + name + "': config key 'axis' must be an integer, got " + axis.dump());
    }
    r.finish();
    return std::make_shared<Softmax>(axis.get<long>(), name);
}

// ---- UpSampling2D ----

UpSampling2D::UpSampling2D(Window2 size, const std::string& interpolation, const std::string& name)
    : Layer("UpSampling2D", name), size_(size.v)
{
    check_window(this->name(), "size", size_);
    if (interpolation != "nearest") {
        throw ValueError(detail::cat(this->name(), ": only interpolation \"nearest\" is supported, got \"",
                                     interpolation, "\""));
    }
}

Shape UpSampling2D::compute_output_shape(const Shape& s) const
{
    if (s.size() != 4) {
        throw ShapeError(detail::cat(name(), ": expects inputs of rank 4 channels_last (batch, height, width, channels), got shape ",
                                     to_string(s)));
    }
    return {s[0], s[1] * size_[0], s[2] * size_[1], s[3]};
}

Tensor UpSampling2D::call(const Tensor& x, bool)
{
    const Shape& s = x.shape();
    const long n = static_cast<long>(s[0]), h = static_cast<long>(s[1]), w = static_cast<long>(s[2]),
               c = static_cast<long>(s[3]), sh = static_cast<long>(size_[0]), sw = static_cast<long>(size_[1]);
    // (n, h, 1, w, 1, c) broadcast to (n, h, sh, w, sw, c): the gradient sums each block back (sum_to).
    const Tensor b = broadcast_to(reshape(x, {n, h, 1, w, 1, c}),
                                  Shape{s[0], s[1], size_[0], s[2], size_[1], s[3]});
    return reshape(b, {n, h * sh, w * sw, c});
}

Json UpSampling2D::get_config() const
{
    Json config = Layer::get_config();
    config["size"] = window_json(size_);
    config["data_format"] = "channels_last";
    config["interpolation"] = "nearest";
    return config;
}

std::shared_ptr<UpSampling2D> UpSampling2D::from_config(const Json& config)
{
    ConfigReader r(config, "UpSampling2D");
    const std::string name = r.read_name();
    const std::string where = "UpSampling2D '" + name + "'";
    const Size2 size = r.has("size") ? read_window(r, "size", 2, where) : Size2{2, 2};
    read_channels_last(r, where);
    const std::string interpolation = r.get_string("interpolation", "nearest");
    r.finish();
    return std::make_shared<UpSampling2D>(Window2(size[0], size[1]), interpolation, name);
}

}  // namespace xgrad::nn
