#include <xgrad/nn/layers/pooling.hpp>

#include <xgrad/autograd/ops.hpp>
#include <xgrad/nn/serialization.hpp>

namespace xgrad::nn {

Pooling::Pooling(const std::string& class_name, Mode mode, std::size_t rank, Size2 pool_size,
                 std::optional<Size2> strides, const std::string& padding, const std::string& name)
    : Layer(class_name, name), mode_(mode), rank_(rank), pool_size_(pool_size), strides_(strides ? *strides : pool_size),
      padding_(padding_from_string(padding, this->name()))
{
    check_window(this->name(), "pool_size", pool_size_);
    check_window(this->name(), "strides", strides_);
}

Shape Pooling::compute_output_shape(const Shape& s) const
{
    if (s.size() != rank_ + 2) {
        throw ShapeError(detail::cat(name(), ": expects inputs of rank ", rank_ + 2, " channels_last ",
                                     rank_ == 2 ? "(batch, height, width, channels)" : "(batch, steps, channels)",
                                     ", got shape ", to_string(s)));
    }
    Shape out = s;
    for (std::size_t i = 0; i < rank_; ++i) {
        out[1 + i] = conv_output_length(s[1 + i], pool_size_[i], strides_[i], 1, padding_);
        if (out[1 + i] == 0) {
            throw ShapeError(detail::cat(name(), ": the pool window (", pool_size_[0],
                                         rank_ == 2 ? detail::cat("x", pool_size_[1]) : std::string(),
                                         ") is larger than the input with padding \"valid\"; input shape ",
                                         to_string(s)));
        }
    }
    return out;
}

Tensor Pooling::call(const Tensor& x, bool)
{
    auto pool = [&](const Tensor& x4, Size2 p, Size2 s) {
        return mode_ == Mode::max ? max_pool2d(x4, p, s, padding_) : avg_pool2d(x4, p, s, padding_);
    };
    if (rank_ == 2) return pool(x, pool_size_, strides_);
    const long n = static_cast<long>(x.shape()[0]), l = static_cast<long>(x.shape()[1]), c = static_cast<long>(x.shape()[2]);
    const Tensor y = pool(reshape(x, {n, 1, l, c}), {1, pool_size_[0]}, {1, strides_[0]});
    return reshape(y, {n, static_cast<long>(y.shape()[2]), c});
}

Json Pooling::get_config() const
{
    Json config = Layer::get_config();
    auto tuple = [&](Size2 v) { return rank_ == 1 ? Json::array({v[0]}) : window_json(v); };
    config["pool_size"] = tuple(pool_size_);
    config["padding"] = to_string(padding_);
    config["strides"] = tuple(strides_);
    config["data_format"] = "channels_last";
    return config;
}

Pooling::Parsed Pooling::parse(const Json& config, const char* class_name, std::size_t rank)
{
    ConfigReader r(config, class_name);
    Parsed p;
    p.name = r.read_name();
    const std::string where = detail::cat(class_name, " '", p.name, "'");
    p.pool_size = r.has("pool_size") ? read_window(r, "pool_size", rank, where) : Size2{2, rank == 1 ? 1u : 2u};
    if (r.has("strides") && !r.raw("strides").is_null()) p.strides = read_window(r, "strides", rank, where);
    else r.get_json("strides");
    p.padding = r.get_string("padding", "valid");
    read_channels_last(r, where);
    r.finish();
    return p;
}

MaxPooling2D::MaxPooling2D(Window2 pool_size, std::optional<Window2> strides, const std::string& padding,
                           const std::string& name)
    : Pooling("MaxPooling2D", Mode::max, 2, pool_size.v, strides ? std::optional<Size2>(strides->v) : std::nullopt,
              padding, name) {}

std::shared_ptr<MaxPooling2D> MaxPooling2D::from_config(const Json& config)
{
    const Parsed p = parse(config, "MaxPooling2D", 2);
    const Size2 s = p.strides.value_or(p.pool_size);
    return std::make_shared<MaxPooling2D>(Window2(p.pool_size[0], p.pool_size[1]), Window2(s[0], s[1]), p.padding, p.name);
}

AveragePooling2D::AveragePooling2D(Window2 pool_size, std::optional<Window2> strides, const std::string& padding,
                                   const std::string& name)
    : Pooling("AveragePooling2D", Mode::average, 2, pool_size.v,
              strides ? std::optional<Size2>(strides->v) : std::nullopt, padding, name) {}

std::shared_ptr<AveragePooling2D> AveragePooling2D::from_config(const Json& config)
{
    const Parsed p = parse(config, "AveragePooling2D", 2);
    const Size2 s = p.strides.value_or(p.pool_size);
    return std::make_shared<AveragePooling2D>(Window2(p.pool_size[0], p.pool_size[1]), Window2(s[0], s[1]), p.padding,
                                              p.name);
}

MaxPooling1D::MaxPooling1D(std::size_t pool_size, std::optional<std::size_t> strides, const std::string& padding,
                           const std::string& name)
    : Pooling("MaxPooling1D", Mode::max, 1, {pool_size, 1},
              strides ? std::optional<Size2>(Size2{*strides, 1}) : std::nullopt, padding, name) {}

std::shared_ptr<MaxPooling1D> MaxPooling1D::from_config(const Json& config)
{
    const Parsed p = parse(config, "MaxPooling1D", 1);
    return std::make_shared<MaxPooling1D>(p.pool_size[0], p.strides.value_or(p.pool_size)[0], p.padding, p.name);
}

AveragePooling1D::AveragePooling1D(std::size_t pool_size, std::optional<std::size_t> strides,
                                   const std::string& padding, const std::string& name)
    : Pooling("AveragePooling1D", Mode::average, 1, {pool_size, 1},
              strides ? std::optional<Size2>(Size2{*strides, 1}) : std::nullopt, padding, name) {}

std::shared_ptr<AveragePooling1D> AveragePooling1D::from_config(const Json& config)
{
    const Parsed p = parse(config, "AveragePooling1D", 1);
    return std::make_shared<AveragePooling1D>(p.pool_size[0], p.strides.value_or(p.pool_size)[0], p.padding, p.name);
}

// ---- global pooling ----

GlobalPooling2D::GlobalPooling2D(const std::string& class_name, bool max, bool keepdims, const std::string& name)
    : Layer(class_name, name), max_(max), keepdims_(keepdims) {}

Shape GlobalPooling2D::compute_output_shape(const Shape& s) const
{
    if (s.size() != 4) {
        throw ShapeError(detail::cat(name(), ": expects inputs of rank 4 channels_last (batch, height, width, channels), got shape ",
                                     to_string(s)));
    }
    if (s[1] == 0 || s[2] == 0) throw ShapeError(detail::cat(name(), ": the input has no pixels, shape ", to_string(s)));
    return keepdims_ ? Shape{s[0], 1, 1, s[3]} : Shape{s[0], s[3]};
}

Tensor GlobalPooling2D::call(const Tensor& x, bool)
{
    return max_ ? reduce_max(x, {1, 2}, keepdims_) : reduce_mean(x, {1, 2}, keepdims_);
}

Json GlobalPooling2D::get_config() const
{
    Json config = Layer::get_config();
    config["data_format"] = "channels_last";
    config["keepdims"] = keepdims_;
    return config;
}

std::pair<std::string, bool> GlobalPooling2D::parse(const Json& config, const char* class_name)
{
    ConfigReader r(config, class_name);
    const std::string name = r.read_name();
    read_channels_last(r, detail::cat(class_name, " '", name, "'"));
    const bool keepdims = r.get_bool("keepdims", false);
    r.finish();
    return {name, keepdims};
}

std::shared_ptr<GlobalAveragePooling2D> GlobalAveragePooling2D::from_config(const Json& config)
{
    const auto [name, keepdims] = parse(config, "GlobalAveragePooling2D");
    return std::make_shared<GlobalAveragePooling2D>(keepdims, name);
}

std::shared_ptr<GlobalMaxPooling2D> GlobalMaxPooling2D::from_config(const Json& config)
{
    const auto [name, keepdims] = parse(config, "GlobalMaxPooling2D");
    return std::make_shared<GlobalMaxPooling2D>(keepdims, name);
}

}  // namespace xgrad::nn
