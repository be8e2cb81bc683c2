#include <xgrad/nn/layers/convolutional.hpp>

#include <xgrad/autograd/ops.hpp>
#include <xgrad/nn/initializers.hpp>
#include <xgrad/nn/serialization.hpp>

namespace xgrad::nn {
namespace {

std::string size_text(Size2 v, std::size_t rank)
{
    return rank == 1 ? detail::cat(v[0]) : detail::cat(v[0], "x", v[1]);
}

void check_conv_args(const std::string& layer, std::size_t filters, Size2 kernel, Size2 strides, Size2 dilation)
{
    if (filters == 0) throw ValueError(detail::cat(layer, ": argument 'filters' must be positive, got 0"));
    check_window(layer, "kernel_size", kernel);
    check_window(layer, "strides", strides);
    check_window(layer, "dilation_rate", dilation);
    if (std::max(strides[0], strides[1]) > 1 && std::max(dilation[0], dilation[1]) > 1) {
        throw ValueError(detail::cat(layer, ": strides > 1 is not supported together with dilation_rate > 1, got strides ",
                                     size_text(strides, 2), " and dilation_rate ", size_text(dilation, 2)));
    }
}

// The spatial output sizes for `spatial` input sizes; throws naming the layer when the kernel does not fit.
Size2 conv_out(const std::string& layer, Size2 spatial, Size2 kernel, Size2 strides, Size2 dilation, Padding padding,
               std::size_t rank, const Shape& input_shape)
{
    Size2 out{};
    for (std::size_t i = 0; i < 2; ++i) {
        out[i] = conv_output_length(spatial[i], kernel[i], strides[i], dilation[i], padding);
        if (out[i] == 0) {
            const std::size_t ke = (kernel[i] - 1) * dilation[i] + 1;
            throw ShapeError(detail::cat(layer, ": the kernel (", size_text(kernel, rank),
                                         dilation[i] > 1 ? detail::cat(", dilated to ", ke) : std::string(),
                                         ") is larger than the input (", size_text(spatial, rank),
                                         ") with padding \"valid\"; input shape ", to_string(input_shape)));
        }
    }
    return out;
}

void check_rank(const std::string& layer, const Shape& shape, std::size_t rank)
{
    if (shape.size() != rank + 2) {
        throw ShapeError(detail::cat(layer, ": expects inputs of rank ", rank + 2, " channels_last ",
                                     rank == 2 ? "(batch, height, width, channels)" : "(batch, steps, channels)",
                                     ", got shape ", to_string(shape)));
    }
}

Json conv_config(Json config, std::size_t rank, std::size_t filters, Size2 kernel, Size2 strides, Padding padding,
                 Size2 dilation, const std::string& activation, bool use_bias, const Initializer& kinit,
                 const Initializer& binit)
{
    auto tuple = [&](Size2 v) { return rank == 1 ? Json::array({v[0]}) : window_json(v); };
    config["filters"] = filters;
    config["kernel_size"] = tuple(kernel);
    config["strides"] = tuple(strides);
    config["padding"] = to_string(padding);
    config["data_format"] = "channels_last";
    config["dilation_rate"] = tuple(dilation);
    config["groups"] = 1;
    config["activation"] = activation;
    config["use_bias"] = use_bias;
    config["kernel_initializer"] = initializer_config(kinit);
    config["bias_initializer"] = initializer_config(binit);
    for (const char* key : {"kernel_regularizer", "bias_regularizer", "activity_regularizer", "kernel_constraint",
                            "bias_constraint"})
        config[key] = nullptr;
    return config;
}

struct ConvConfig {
    std::string name;
    std::size_t filters;
    Size2 kernel, strides, dilation;
    std::string padding, activation;
    bool use_bias;
    Initializer kinit = "glorot_uniform", binit = "zeros";
};

ConvConfig read_conv_config(const Json& config, const char* cls, std::size_t rank)
{
    ConfigReader r(config, cls);
    ConvConfig c;
    c.name = r.read_name();
    const std::string where = detail::cat(cls, " '", c.name, "'");
    c.filters = r.get_size("filters");
    c.kernel = read_window(r, "kernel_size", rank, where);
    c.strides = r.has("strides") ? read_window(r, "strides", rank, where) : Size2{1, 1};
    c.padding = r.get_string("padding", "valid");
    read_channels_last(r, where);
    c.dilation = r.has("dilation_rate") ? read_window(r, "dilation_rate", rank, where) : Size2{1, 1};
    if (r.get_size("groups", 1) != 1) throw ValueError(detail::cat(where, ": only groups = 1 is supported"));
    c.activation = activation_from_config(r.get_json("activation", "linear"), where);
    c.use_bias = r.get_bool("use_bias", true);
    c.kinit = initializer_with_args_from_config(r.get_json("kernel_initializer", "glorot_uniform"), where + " kernel_initializer");
    c.binit = initializer_with_args_from_config(r.get_json("bias_initializer", "zeros"), where + " bias_initializer");
    r.require_null({"kernel_regularizer", "bias_regularizer", "activity_regularizer", "kernel_constraint",
                    "bias_constraint"});
    r.ignore({"lora_rank", "lora_alpha"});
    r.finish();
    return c;
}

}  // namespace

// ---- Conv2D ----

Conv2D::Conv2D(std::size_t filters, Window2 kernel_size, const std::string& activation, Conv2DOptions o)
    : Layer("Conv2D", o.name), filters_(filters), kernel_size_(kernel_size.v), strides_(o.strides.v),
      padding_(Padding::valid), dilation_(o.dilation_rate.v), activation_(&nn::activation(activation)),
      use_bias_(o.use_bias), kernel_initializer_(o.kernel_initializer), bias_initializer_(o.bias_initializer)
{
    padding_ = padding_from_string(o.padding, name());
    check_conv_args(name(), filters, kernel_size_, strides_, dilation_);
    check_initializer_args(kernel_initializer_);
    check_initializer_args(bias_initializer_);
}

const Variable& Conv2D::kernel() const
{
    if (!built()) throw Error(detail::cat(name(), ": the layer is not built yet (call it once or build it)"));
    return own_weights()[0].second;
}

const Variable& Conv2D::bias() const
{
    if (!built() || !use_bias_) throw Error(detail::cat(name(), ": the layer has no bias (unbuilt or use_bias=false)"));
    return own_weights()[1].second;
}

Shape Conv2D::compute_output_shape(const Shape& input_shape) const
{
    check_rank(name(), input_shape, 2);
    const Size2 out = conv_out(name(), {input_shape[1], input_shape[2]}, kernel_size_, strides_, dilation_, padding_, 2,
                               input_shape);
    return {input_shape[0], out[0], out[1], filters_};
}

void Conv2D::build_impl(const Shape& input_shape)
{
    compute_output_shape(input_shape);
    add_weight("kernel", initialize(kernel_initializer_, {kernel_size_[0], kernel_size_[1], input_shape[3], filters_}));
    if (use_bias_) add_weight("bias", initialize(bias_initializer_, {filters_}));
}

void Conv2D::check_input(const Tensor& x) const
{
    compute_output_shape(x.shape());
    const std::size_t expected = kernel().shape()[2];
    if (x.shape()[3] != expected) {
        throw ShapeError(detail::cat(name(), " expects ", expected, " input channels, got ", x.shape()[3],
                                     " (input shape ", to_string(x.shape()), ")"));
    }
}

Tensor Conv2D::call(const Tensor& x, bool)
{
    const auto& params = own_weights();
    const Tensor z = conv2d(x, static_cast<const Tensor&>(params[0].second),
                            use_bias_ ? static_cast<const Tensor&>(params[1].second) : Tensor(), strides_, padding_,
                            dilation_, activation_->in_linear);
    return activation_->identity_after_linear ? z : activation_->fn(z);
}

Json Conv2D::get_config() const
{
    return conv_config(Layer::get_config(), 2, filters_, kernel_size_, strides_, padding_, dilation_, activation_->name,
                       use_bias_, kernel_initializer_, bias_initializer_);
}

std::shared_ptr<Conv2D> Conv2D::from_config(const Json& config)
{
    const ConvConfig c = read_conv_config(config, "Conv2D", 2);
    return std::make_shared<Conv2D>(
        c.filters, Window2(c.kernel[0], c.kernel[1]), c.activation,
        Conv2DOptions{.strides = Window2(c.strides[0], c.strides[1]), .padding = c.padding,
                      .dilation_rate = Window2(c.dilation[0], c.dilation[1]), .use_bias = c.use_bias,
                      .kernel_initializer = c.kinit, .bias_initializer = c.binit, .name = c.name});
}

// ---- Conv1D ----

Conv1D::Conv1D(std::size_t filters, std::size_t kernel_size, const std::string& activation, Conv1DOptions o)
    : Layer("Conv1D", o.name), filters_(filters), kernel_size_(kernel_size), strides_(o.strides),
      padding_(Padding::valid), dilation_(o.dilation_rate), activation_(&nn::activation(activation)),
      use_bias_(o.use_bias), kernel_initializer_(o.kernel_initializer), bias_initializer_(o.bias_initializer)
{
    causal_ = o.padding == "causal";
    padding_ = causal_ ? Padding::valid : padding_from_string(o.padding, name());
    check_conv_args(name(), filters, {kernel_size, 1}, {strides_, 1}, {dilation_, 1});
    check_initializer_args(kernel_initializer_);
    check_initializer_args(bias_initializer_);
}

const Variable& Conv1D::kernel() const
{
    if (!built()) throw Error(detail::cat(name(), ": the layer is not built yet (call it once or build it)"));
    return own_weights()[0].second;
}

const Variable& Conv1D::bias() const
{
    if (!built() || !use_bias_) throw Error(detail::cat(name(), ": the layer has no bias (unbuilt or use_bias=false)"));
    return own_weights()[1].second;
}

Shape Conv1D::compute_output_shape(const Shape& input_shape) const
{
    check_rank(name(), input_shape, 1);
    const Size2 out = conv_out(name(), {input_shape[1] + causal_pad(), 1}, {kernel_size_, 1}, {strides_, 1},
                               {dilation_, 1}, padding_, 1, input_shape);
    return {input_shape[0], out[0], filters_};
}

void Conv1D::build_impl(const Shape& input_shape)
{
    compute_output_shape(input_shape);
    add_weight("kernel", initialize(kernel_initializer_, {kernel_size_, input_shape[2], filters_}));
    if (use_bias_) add_weight("bias", initialize(bias_initializer_, {filters_}));
}

void Conv1D::check_input(const Tensor& x) const
{
    compute_output_shape(x.shape());
    const std::size_t expected = kernel().shape()[1];
    if (x.shape()[2] != expected) {
        throw ShapeError(detail::cat(name(), " expects ", expected, " input channels, got ", x.shape()[2],
                                     " (input shape ", to_string(x.shape()), ")"));
    }
}

Tensor Conv1D::call(const Tensor& x, bool)
{
    const auto& params = own_weights();
    const long n = static_cast<long>(x.shape()[0]), l = static_cast<long>(x.shape()[1]), c = static_cast<long>(x.shape()[2]);
    const long k = static_cast<long>(kernel_size_), f = static_cast<long>(filters_);
    const long pad = static_cast<long>(causal_pad());
    const Tensor padded = pad == 0 ? x : concat(std::vector<Tensor>{zeros<float>(Shape{x.shape()[0], causal_pad(), x.shape()[2]}), x}, 1);
    const Tensor x4 = reshape(padded, {n, 1, l + pad, c});
    const Tensor k4 = reshape(static_cast<const Tensor&>(params[0].second), {1, k, c, f});
    const Tensor z = conv2d(x4, k4, use_bias_ ? static_cast<const Tensor&>(params[1].second) : Tensor(),
                            {1, strides_}, padding_, {1, dilation_}, activation_->in_linear);
    const Tensor z3 = reshape(z, {n, static_cast<long>(z.shape()[2]), f});
    return activation_->identity_after_linear ? z3 : activation_->fn(z3);
}

Json Conv1D::get_config() const
{
    Json config = conv_config(Layer::get_config(), 1, filters_, {kernel_size_, 1}, {strides_, 1}, padding_,
                              {dilation_, 1}, activation_->name, use_bias_, kernel_initializer_, bias_initializer_);
    if (causal_) config["padding"] = "causal";
    return config;
}

std::shared_ptr<Conv1D> Conv1D::from_config(const Json& config)
{
    const ConvConfig c = read_conv_config(config, "Conv1D", 1);
    return std::make_shared<Conv1D>(c.filters, c.kernel[0], c.activation,
                                    Conv1DOptions{.strides = c.strides[0], .padding = c.padding,
                                                  .dilation_rate = c.dilation[0], .use_bias = c.use_bias,
                                                  .kernel_initializer = c.kinit, .bias_initializer = c.binit,
                                                  .name = c.name});
}

}  // namespace xgrad::nn
