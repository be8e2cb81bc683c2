#include <xgrad/autograd/ops/conv.hpp>

#include <cctype>
#include <vector>

#include <xgrad/autograd/detail/conv_geometry.hpp>
#include <xgrad/autograd/detail/conv_kernels.hpp>
#include <xgrad/autograd/detail/finiteness.hpp>
#include <xgrad/autograd/detail/recording.hpp>
#include <xgrad/autograd/ops/activations.hpp>
#include <xgrad/autograd/ops/reduce.hpp>
#include <xgrad/core/finite.hpp>

namespace xgrad {
using detail::BackwardFn;
using detail::cat;
using detail::ConvGeometry;
using detail::finish;

Padding padding_from_string(const std::string& padding, const std::string& where)
{
    std::string p = padding;
    for (char& ch : p) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (p == "valid") return Padding::valid;
    if (p == "same") return Padding::same;
    throw ValueError(cat(where, ": argument 'padding' must be \"valid\" or \"same\", got \"", padding, "\""));
}

const char* to_string(Padding padding) { return padding == Padding::same ? "same" : "valid"; }

std::size_t conv_output_length(std::size_t n, std::size_t k, std::size_t stride, std::size_t dilation, Padding padding)
{
    if (padding == Padding::same) return (n + stride - 1) / stride;
    const std::size_t ke = (k - 1) * dilation + 1;
    return ke > n ? 0 : (n - ke) / stride + 1;
}

namespace {

ConvGeometry conv_geometry(const char* op, const Shape& x_shape, const Shape& kernel_shape, Size2 s, Padding padding,
                       Size2 d)
{
    if (kernel_shape.size() != 4) {
        throw ShapeError(cat(op, ": argument 'kernel' must be 4-D (kernel_height, kernel_width, in_channels, filters), got shape ",
                             to_string(kernel_shape)));
    }
    ConvGeometry g = detail::make_geometry(op, "x", x_shape, kernel_shape[0], kernel_shape[1], s, padding, d, "kernel");
    if (kernel_shape[2] != g.c) {
        throw ShapeError(cat(op, ": argument 'kernel' of shape ", to_string(kernel_shape), " expects ", kernel_shape[2],
                             " input channels, but argument 'x' has shape ", to_string(x_shape)));
    }
    return g;
}

}  // namespace

template <class T>
TensorOf<T> conv2d(const TensorOf<T>& x, const TensorOf<T>& kernel, const TensorOf<T>& bias, Size2 strides,
                   Padding padding, Size2 dilation, LinearActivation activation, Where loc)
{
    const bool has_bias = bias.defined();
    if (has_bias) detail::check_args<T>("conv2d", {{"x", x}, {"kernel", kernel}, {"bias", bias}});
    else detail::check_args<T>("conv2d", {{"x", x}, {"kernel", kernel}});
    const ConvGeometry g = conv_geometry("conv2d", x.shape(), kernel.shape(), strides, padding, dilation);
    const std::size_t f = kernel.shape()[3];
    if (has_bias && (bias.rank() != 1 || bias.shape()[0] != f)) {
        throw ShapeError(cat("conv2d: argument 'bias' must have shape (", f, ") to match argument 'kernel' of shape ",
                             to_string(kernel.shape()), ", got shape ", to_string(bias.shape())));
    }
    const Shape out_shape = g.out_shape(f);
    num_elements(out_shape, "conv2d");
    const bool relu = activation == LinearActivation::relu;
    const bool check_z = relu && check_numerics_enabled();
    xt::xarray<T> out = xt::xarray<T>::from_shape(out_shape);
    detail::conv_forward<T>(g, x.value().data(), kernel.value().data(), f,
                    detail::GemmEpilogue<T>{has_bias ? bias.value().data() : nullptr, relu && !check_z}, out.data());
    auto make = [&](const TensorOf<T>& y) {
        return BackwardFn<T>([x = x, kernel = kernel, has_bias = has_bias, strides = strides, padding = padding, dilation = dilation, relu_out = relu ? y : TensorOf<T>()](
                                 const TensorOf<T>& g) {
            const TensorOf<T> dz = relu_out.defined() ? relu_grad(g, relu_out) : g;
            std::vector<TensorOf<T>> grads{
                detail::needed(0, [&] { return conv2d_backprop_input(dz, kernel, x.shape(), strides, padding, dilation); }),
                detail::needed(1, [&] { return conv2d_backprop_kernel(x, dz, kernel.shape(), strides, padding, dilation); })};
            if (has_bias) grads.push_back(detail::needed(2, [&] { return reduce_sum(dz, {0, 1, 2}); }));
            return grads;
        });
    };
    if (check_z) {
        const TensorOf<T>* inputs[] = {&x, &kernel, &bias};
        detail::check_output_numerics<T>("conv2d", std::span<const TensorOf<T>* const>(inputs, has_bias ? 3 : 2),
                                         TensorOf<T>(out), loc);
        out = xt::where(out < T(0), T(0), out);
    }
    if (has_bias) return finish<T>("conv2d", {&x, &kernel, &bias}, std::move(out), loc, make);
    return finish<T>("conv2d", {&x, &kernel}, std::move(out), loc, make);
}

template <class T>
TensorOf<T> conv2d_backprop_input(const TensorOf<T>& dy, const TensorOf<T>& kernel, const Shape& input_shape,
                                  Size2 strides, Padding padding, Size2 dilation, Where loc)
{
    detail::check_args<T>("conv2d_backprop_input", {{"dy", dy}, {"kernel", kernel}});
    const ConvGeometry g = conv_geometry("conv2d_backprop_input", input_shape, kernel.shape(), strides, padding, dilation);
    const std::size_t f = kernel.shape()[3];
    detail::check_dy("conv2d_backprop_input", g, dy.shape(), f, input_shape);
    xt::xarray<T> dx = xt::zeros<T>(input_shape);
    detail::conv_backprop_input<T>(g, dy.value().data(), kernel.value().data(), f, dx.data());
    return finish<T>("conv2d_backprop_input", {&dy, &kernel}, std::move(dx), loc, [&](const TensorOf<T>&) {
        return BackwardFn<T>([dy = dy, kernel = kernel, strides = strides, padding = padding, dilation = dilation](const TensorOf<T>& g) {
            return detail::Gradients<T>{
                detail::needed(0, [&] { return conv2d(g, kernel, TensorOf<T>(), strides, padding, dilation); }),
                detail::needed(1, [&] { return conv2d_backprop_kernel(g, dy, kernel.shape(), strides, padding, dilation); })};
        });
    });
}

template <class T>
TensorOf<T> conv2d_backprop_kernel(const TensorOf<T>& x, const TensorOf<T>& dy, const Shape& kernel_shape,
                                   Size2 strides, Padding padding, Size2 dilation, Where loc)
{
    detail::check_args<T>("conv2d_backprop_kernel", {{"x", x}, {"dy", dy}});
    const ConvGeometry g = conv_geometry("conv2d_backprop_kernel", x.shape(), kernel_shape, strides, padding, dilation);
    const std::size_t f = kernel_shape[3];
    detail::check_dy("conv2d_backprop_kernel", g, dy.shape(), f, x.shape());
    TensorOf<T> dk(detail::Uninitialized{}, kernel_shape);
    T* pk = detail::data_of(dk);
    detail::conv_backprop_kernel<T>(g, x.value().data(), dy.value().data(), f, pk);
    // The kernel gradient reaches an optimizer: its finiteness is recorded while it is
    // still in cache (a kernel's size, far less than the patches summed into it).
    std::uint32_t non_finite = 0;
#pragma omp simd reduction(| : non_finite)
    for (std::size_t k = 0; k < dk.size(); ++k) non_finite |= detail::non_finite_bit(pk[k]);
    return finish<T>("conv2d_backprop_kernel", {&x, &dy}, detail::recorded(std::move(dk), non_finite), loc,
                     [&](const TensorOf<T>&) {
        return BackwardFn<T>([x = x, dy = dy, strides = strides, padding = padding, dilation = dilation](const TensorOf<T>& g) {
            return detail::Gradients<T>{
                detail::needed(0, [&] { return conv2d_backprop_input(dy, g, x.shape(), strides, padding, dilation); }),
                detail::needed(1, [&] { return conv2d(x, g, TensorOf<T>(), strides, padding, dilation); })};
        });
    });
}

#define XGRAD_INSTANTIATE(T)                                                                                         \
    template TensorOf<T> conv2d(const TensorOf<T>&, const TensorOf<T>&, const TensorOf<T>&, Size2, Padding, Size2,   \
                                LinearActivation, Where);                                                            \
    template TensorOf<T> conv2d_backprop_input(const TensorOf<T>&, const TensorOf<T>&, const Shape&, Size2, Padding, \
                                               Size2, Where);                                                        \
    template TensorOf<T> conv2d_backprop_kernel(const TensorOf<T>&, const TensorOf<T>&, const Shape&, Size2,         \
                                                Padding, Size2, Where);
XGRAD_INSTANTIATE(float)
XGRAD_INSTANTIATE(double)

}  // namespace xgrad
