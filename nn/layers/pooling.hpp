// Pooling layers, as Keras's (channels_last):
//   MaxPooling2D / AveragePooling2D(pool_size = 2, strides = pool_size, padding = "valid"):
//     (batch, h, w, c) -> (batch, oh, ow, c); valid: floor((n - pool) / s) + 1, same: ceil(n / s)
//     max ignores padded positions; average divides by the number of valid positions (Keras's)
//   MaxPooling1D / AveragePooling1D(pool_size = 2, strides = pool_size, padding): (batch, l, c) -> (batch, ol, c)
//   GlobalAveragePooling2D / GlobalMaxPooling2D(keepdims = false): (batch, h, w, c) -> (batch, c)
//     (keepdims: (batch, 1, 1, c)): mean / max over (h, w)
#pragma once

#include <optional>

#include <xgrad/nn/layer.hpp>
#include <xgrad/nn/layers/window.hpp>

namespace xgrad::nn {

// The shared body of the 1-D and 2-D max and average pooling layers.
class Pooling : public Layer {
public:
    enum class Mode { max, average };
    Size2 pool_size() const { return pool_size_; }
    Size2 strides() const { return strides_; }
    Padding padding() const { return padding_; }
    Shape compute_output_shape(const Shape& input_shape) const override;
    Json get_config() const override;

protected:
    Pooling(const std::string& class_name, Mode mode, std::size_t rank, Size2 pool_size, std::optional<Size2> strides,
            const std::string& padding, const std::string& name);
    void build_impl(const Shape& input_shape) override { compute_output_shape(input_shape); }
    void check_input(const Tensor& x) const override { compute_output_shape(x.shape()); }
    Tensor call(const Tensor& x, bool training) override;
    // (name, pool_size, strides, padding) from a config of `rank`.
    struct Parsed {
        std::string name;
        Size2 pool_size;
        std::optional<Size2> strides;
        std::string padding;
    };
    static Parsed parse(const Json& config, const char* class_name, std::size_t rank);

private:
    Mode mode_;
    std::size_t rank_;
    Size2 pool_size_, strides_;
    Padding padding_;
};

class MaxPooling2D : public Pooling {
public:
    explicit MaxPooling2D(Window2 pool_size = 2, std::optional<Window2> strides = std::nullopt,
                          const std::string& padding = "valid", const std::string& name = "");
    XGRAD_LAYER(MaxPooling2D)
    static std::shared_ptr<MaxPooling2D> from_config(const Json& config);
};

class AveragePooling2D : public Pooling {
public:
    explicit AveragePooling2D(Window2 pool_size = 2, std::optional<Window2> strides = std::nullopt,
                              const std::string& padding = "valid", const std::string& name = "");
    XGRAD_LAYER(AveragePooling2D)
    static std::shared_ptr<AveragePooling2D> from_config(const Json& config);
};

class MaxPooling1D : public Pooling {
public:
    explicit MaxPooling1D(std::size_t pool_size = 2, std::optional<std::size_t> strides = std::nullopt,
                          const std::string& padding = "valid", const std::string& name = "");
    XGRAD_LAYER(MaxPooling1D)
    static std::shared_ptr<MaxPooling1D> from_config(const Json& config);
};

class AveragePooling1D : public Pooling {
public:
    explicit AveragePooling1D(std::size_t pool_size = 2, std::optional<std::size_t> strides = std::nullopt,
                              const std::string& padding = "valid", const std::string& name = "");
    XGRAD_LAYER(AveragePooling1D)
    static std::shared_ptr<AveragePooling1D> from_config(const Json& config);
};

class GlobalPooling2D : public Layer {
public:
    bool keepdims() const { return keepdims_; }
    Shape compute_output_shape(const Shape& input_shape) const override;
    Json get_config() const override;

protected:
    GlobalPooling2D(const std::string& class_name, bool max, bool keepdims, const std::string& name);
    void build_impl(const Shape& input_shape) override { compute_output_shape(input_shape); }
    void check_input(const Tensor& x) const override { compute_output_shape(x.shape()); }
    Tensor call(const Tensor& x, bool training) override;
    static std::pair<std::string, bool> parse(const Json& config, const char* class_name);

private:
    bool max_, keepdims_;
};

class GlobalAveragePooling2D : public GlobalPooling2D {
public:
    explicit GlobalAveragePooling2D(bool keepdims = false, const std::string& name = "")
        : GlobalPooling2D("GlobalAveragePooling2D", false, keepdims, name) {}
    XGRAD_LAYER(GlobalAveragePooling2D)
    static std::shared_ptr<GlobalAveragePooling2D> from_config(const Json& config);
};

class GlobalMaxPooling2D : public GlobalPooling2D {
public:
    explicit GlobalMaxPooling2D(bool keepdims = false, const std::string& name = "")
        : GlobalPooling2D("GlobalMaxPooling2D", true, keepdims, name) {}
    XGRAD_LAYER(GlobalMaxPooling2D)
    static std::shared_ptr<GlobalMaxPooling2D> from_config(const Json& config);
};

}  // namespace xgrad::nn
