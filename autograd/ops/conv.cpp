#include <xgrad/autograd/ops/conv.hpp>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <memory>
#include <vector>

#include <xgrad/autograd/detail/finiteness.hpp>
#include <xgrad/autograd/detail/recording.hpp>
#include <xgrad/autograd/ops/arithmetic.hpp>
#include <xgrad/autograd/ops/math.hpp>
#include <xgrad/autograd/ops/reduce.hpp>
#include <xgrad/autograd/ops/shape_ops.hpp>
#include <xgrad/core/finite.hpp>
#include <xgrad/core/gemm.hpp>

namespace xgrad {
using detail::BackwardFn;
using detail::cat;
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

// Below this many multiply-adds (or element visits for pooling) an op runs on the calling thread.
constexpr std::size_t kParallelWork = std::size_t{1} << 20;
// Target size (elements) of one group's patch matrix: a few hundred KB, in L2.
constexpr std::size_t kChunkElements = std::size_t{1} << 17;

std::string window_note(std::size_t k, std::size_t d, std::size_t ke)
{
    return d == 1 ? cat(k) : cat(k, ", dilated by ", d, " to ", ke);
}

// One spatial axis: output size and the padding before the first pixel.
struct Axis {
    std::size_t out = 0, pad = 0;
};

Axis axis_geometry(const char* op, const char* what, const char* axis, std::size_t n, std::size_t k, std::size_t s,
                   std::size_t d, Padding padding, const Shape& x_shape)
{
    const std::size_t ke = (k - 1) * d + 1;
    if (padding == Padding::valid) {
        if (ke > n) {
            throw ShapeError(cat(op, ": the ", what, " (", window_note(k, d, ke), ") is larger than the input's ", axis,
                                 " (", n, ") with padding \"valid\"; input shape ", to_string(x_shape)));
        }
        return {(n - ke) / s + 1, 0};
    }
    const std::size_t out = (n + s - 1) / s;
    const std::size_t needed = (out - 1) * s + ke;
    const std::size_t total = needed > n ? needed - n : 0;
    return {out, total / 2};
}

void check_positive(const char* op, const char* arg, Size2 v)
{
    if (v[0] == 0 || v[1] == 0) {
        throw ValueError(cat(op, ": argument '", arg, "' must be positive, got (", v[0], ", ", v[1], ")"));
    }
}

// The geometry of a convolution or pooling window over (n, h, w, c) images.
struct Geometry {
    std::size_t n = 0, h = 0, w = 0, c = 0, kh = 0, kw = 0, oh = 0, ow = 0, sh = 1, sw = 1, dh = 1, dw = 1, pt = 0,
                pl = 0;
    std::size_t patch() const { return kh * kw * c; }
    std::size_t pixels() const { return oh * ow; }
    Shape out_shape(std::size_t channels) const { return {n, oh, ow, channels}; }
    bool direct() const { return kh == 1 && kw == 1 && sh == 1 && sw == 1 && pt == 0 && pl == 0; }
};

Geometry make_geometry(const char* op, const char* x_name, const Shape& x_shape, std::size_t kh, std::size_t kw,
                       Size2 strides, Padding padding, Size2 dilation, const char* what)
{
    if (x_shape.size() != 4) {
        throw ShapeError(cat(op, ": argument '", x_name, "' must be 4-D channels_last (batch, height, width, channels), got shape ",
                             to_string(x_shape)));
    }
    check_positive(op, "strides", strides);
    check_positive(op, "dilation_rate", dilation);
    if (kh == 0 || kw == 0) throw ValueError(cat(op, ": the ", what, " must be positive, got (", kh, ", ", kw, ")"));
    Geometry g;
    g.n = x_shape[0], g.h = x_shape[1], g.w = x_shape[2], g.c = x_shape[3];
    g.kh = kh, g.kw = kw, g.sh = strides[0], g.sw = strides[1], g.dh = dilation[0], g.dw = dilation[1];
    const Axis a = axis_geometry(op, what, "height", g.h, kh, g.sh, g.dh, padding, x_shape);
    const Axis b = axis_geometry(op, what, "width", g.w, kw, g.sw, g.dw, padding, x_shape);
    g.oh = a.out, g.pt = a.pad, g.ow = b.out, g.pl = b.pad;
    return g;
}

// Groups of whole images (so that scatters of different groups never touch the
// same pixel), sized from the shapes alone: [begin, end) image ranges.
struct Chunks {
    std::size_t per = 1, count = 0;
    std::size_t begin(std::size_t i) const { return i * per; }
    std::size_t end(std::size_t i, std::size_t n) const { return std::min(n, (i + 1) * per); }
};

Chunks make_chunks(const Geometry& g)
{
    const std::size_t rows = std::max<std::size_t>(1, kChunkElements / std::max<std::size_t>(1, g.patch()));
    std::size_t per = std::max<std::size_t>(1, rows / std::max<std::size_t>(1, g.pixels()));
    per = std::min(per, std::max<std::size_t>(1, (g.n + 3) / 4));  // at least min(n, 4) groups
    return {per, (g.n + per - 1) / per};
}

// Runs body(i) for i in [0, count), in parallel when `work` is large; body gets a
// per-thread scratch buffer of `scratch` elements.
template <class T, class F>
void for_chunks(std::size_t count, std::size_t work, std::size_t scratch, F&& body)
{
    if (count > 1 && work >= kParallelWork) {
#pragma omp parallel
        {
            std::vector<T> buffer(scratch);
#pragma omp for schedule(static)
            for (std::size_t i = 0; i < count; ++i) body(i, buffer.data());
        }
    } else {
        std::vector<T> buffer(scratch);
        for (std::size_t i = 0; i < count; ++i) body(i, buffer.data());
    }
}

// The patch rows of images [b0, b1): row (b, i, j), columns (p, q, c).
template <class T>
void im2col(const Geometry& g, const T* x, std::size_t b0, std::size_t b1, T* cols)
{
    const std::size_t c = g.c;
    T* row = cols;
    for (std::size_t b = b0; b < b1; ++b) {
        const T* xb = x + b * g.h * g.w * c;
        for (std::size_t i = 0; i < g.oh; ++i) {
            for (std::size_t j = 0; j < g.ow; ++j, row += g.patch()) {
                for (std::size_t p = 0; p < g.kh; ++p) {
                    const long ih = static_cast<long>(i * g.sh + p * g.dh) - static_cast<long>(g.pt);
                    T* dst = row + p * g.kw * c;
                    if (ih < 0 || ih >= static_cast<long>(g.h)) {
                        std::fill(dst, dst + g.kw * c, T(0));
                        continue;
                    }
                    for (std::size_t q = 0; q < g.kw; ++q, dst += c) {
                        const long iw = static_cast<long>(j * g.sw + q * g.dw) - static_cast<long>(g.pl);
                        if (iw < 0 || iw >= static_cast<long>(g.w)) {
                            std::fill(dst, dst + c, T(0));
                        } else {
                            std::memcpy(dst, xb + (static_cast<std::size_t>(ih) * g.w + static_cast<std::size_t>(iw)) * c,
                                        c * sizeof(T));
                        }
                    }
                }
            }
        }
    }
}

// Adds the patch rows of images [b0, b1) back onto their pixels (dx holds those images' zeros or sums).
template <class T>
void col2im(const Geometry& g, const T* cols, std::size_t b0, std::size_t b1, T* dx)
{
    const std::size_t c = g.c;
    const T* row = cols;
    for (std::size_t b = b0; b < b1; ++b) {
        T* xb = dx + b * g.h * g.w * c;
        for (std::size_t i = 0; i < g.oh; ++i) {
            for (std::size_t j = 0; j < g.ow; ++j, row += g.patch()) {
                for (std::size_t p = 0; p < g.kh; ++p) {
                    const long ih = static_cast<long>(i * g.sh + p * g.dh) - static_cast<long>(g.pt);
                    if (ih < 0 || ih >= static_cast<long>(g.h)) continue;
                    const T* src = row + p * g.kw * c;
                    for (std::size_t q = 0; q < g.kw; ++q, src += c) {
                        const long iw = static_cast<long>(j * g.sw + q * g.dw) - static_cast<long>(g.pl);
                        if (iw < 0 || iw >= static_cast<long>(g.w)) continue;
                        T* dst = xb + (static_cast<std::size_t>(ih) * g.w + static_cast<std::size_t>(iw)) * c;
#pragma omp simd
                        for (std::size_t k = 0; k < c; ++k) dst[k] += src[k];
                    }
                }
            }
        }
    }
}

// out (n oh ow, f) = patches(x) @ kernel (+ bias, relu) in groups of images.
template <class T>
void conv_forward(const Geometry& g, const T* x, const T* kernel, std::size_t f, const detail::GemmEpilogue<T>& e,
                  T* out)
{
    const Chunks ch = make_chunks(g);
    const std::size_t P = g.patch(), pix = g.pixels();
    const std::size_t scratch = g.direct() ? 0 : ch.per * pix * P;
    for_chunks<T>(ch.count, g.n * pix * P * f, scratch, [&](std::size_t i, T* buf) {
        const std::size_t b0 = ch.begin(i), b1 = ch.end(i, g.n), rows = (b1 - b0) * pix;
        const T* a = x + b0 * pix * P;  // direct: the image rows are the patch rows
        if (!g.direct()) {
            im2col(g, x, b0, b1, buf);
            a = buf;
        }
        detail::gemm<T>(false, false, rows, f, P, T(1), a, P, kernel, f, T(0), out + b0 * pix * f, f, e);
    });
}

// dx = col2im(dy @ kernel^T) in groups of images.
template <class T>
void conv_backprop_input(const Geometry& g, const T* dy, const T* kernel, std::size_t f, T* dx)
{
    const Chunks ch = make_chunks(g);
    const std::size_t P = g.patch(), pix = g.pixels();
    const std::size_t scratch = g.direct() ? 0 : ch.per * pix * P;
    for_chunks<T>(ch.count, g.n * pix * P * f, scratch, [&](std::size_t i, T* buf) {
        const std::size_t b0 = ch.begin(i), b1 = ch.end(i, g.n), rows = (b1 - b0) * pix;
        if (g.direct()) {
            detail::gemm<T>(false, true, rows, P, f, T(1), dy + b0 * pix * f, f, kernel, f, T(0), dx + b0 * pix * P, P);
            return;
        }
        detail::gemm<T>(false, true, rows, P, f, T(1), dy + b0 * pix * f, f, kernel, f, T(0), buf, P);
        col2im(g, buf, b0, b1, dx);
    });
}

// dk (P, f) = sum over groups of patches(x)^T @ dy. The groups are summed in a fixed
// order: at most 8 partial sums (each over consecutive groups), then added in order.
// Returns the OR of the finiteness bits of dk (core/finite.hpp), taken by the pass
// that writes its final values.
template <class T>
std::uint32_t conv_backprop_kernel(const Geometry& g, const T* x, const T* dy, std::size_t f, T* dk)
{
    const Chunks ch = make_chunks(g);
    const std::size_t P = g.patch(), pix = g.pixels();
    const std::size_t parts = std::min<std::size_t>(ch.count, 8);
    const std::size_t per_part = (ch.count + parts - 1) / parts;
    const std::size_t used = (ch.count + per_part - 1) / per_part;
    std::vector<T> partial(used > 1 ? (used - 1) * P * f : 0);
    const std::size_t scratch = g.direct() ? 0 : ch.per * pix * P;
    for_chunks<T>(used, g.n * pix * P * f, scratch, [&](std::size_t part, T* buf) {
        T* acc = part == 0 ? dk : partial.data() + (part - 1) * P * f;
        const std::size_t c0 = part * per_part, c1 = std::min(ch.count, c0 + per_part);
        for (std::size_t i = c0; i < c1; ++i) {
            const std::size_t b0 = ch.begin(i), b1 = ch.end(i, g.n), rows = (b1 - b0) * pix;
            const T* a = x + b0 * pix * P;
            if (!g.direct()) {
                im2col(g, x, b0, b1, buf);
                a = buf;
            }
            detail::gemm<T>(true, false, P, f, rows, T(1), a, P, dy + b0 * pix * f, f, i == c0 ? T(0) : T(1), acc, f);
        }
    });
    for (std::size_t part = 1; part + 1 < used; ++part) {
        const T* src = partial.data() + (part - 1) * P * f;
#pragma omp simd
        for (std::size_t k = 0; k < P * f; ++k) dk[k] += src[k];
    }
    std::uint32_t bad = 0;
    if (used > 1) {  // the last partial sum writes the final values
        const T* src = partial.data() + (used - 2) * P * f;
#pragma omp simd reduction(| : bad)
        for (std::size_t k = 0; k < P * f; ++k) {
            dk[k] += src[k];
            bad |= detail::non_finite_bit(dk[k]);
        }
    } else {  // dk (P x f, a kernel's size) was just written by the last product
#pragma omp simd reduction(| : bad)
        for (std::size_t k = 0; k < P * f; ++k) bad |= detail::non_finite_bit(dk[k]);
    }
    return bad;
}

Geometry conv_geometry(const char* op, const Shape& x_shape, const Shape& kernel_shape, Size2 s, Padding padding,
                       Size2 d)
{
    if (kernel_shape.size() != 4) {
        throw ShapeError(cat(op, ": argument 'kernel' must be 4-D (kernel_height, kernel_width, in_channels, filters), got shape ",
                             to_string(kernel_shape)));
    }
    Geometry g = make_geometry(op, "x", x_shape, kernel_shape[0], kernel_shape[1], s, padding, d, "kernel");
    if (kernel_shape[2] != g.c) {
        throw ShapeError(cat(op, ": argument 'kernel' of shape ", to_string(kernel_shape), " expects ", kernel_shape[2],
                             " input channels, but argument 'x' has shape ", to_string(x_shape)));
    }
    return g;
}

void check_dy(const char* op, const Geometry& g, const Shape& dy_shape, std::size_t f, const Shape& x_shape)
{
    const Shape expected = g.out_shape(f);
    if (dy_shape != expected) {
        throw ShapeError(cat(op, ": argument 'dy' must have shape ", to_string(expected), " (the output for an input of shape ",
                             to_string(x_shape), "), got shape ", to_string(dy_shape)));
    }
}

}  // namespace

template <class T>
TensorOf<T> conv2d(const TensorOf<T>& x, const TensorOf<T>& kernel, const TensorOf<T>& bias, Size2 strides,
                   Padding padding, Size2 dilation, LinearActivation activation, Where loc)
{
    const bool has_bias = bias.defined();
    if (has_bias) detail::check_args<T>("conv2d", {{"x", x}, {"kernel", kernel}, {"bias", bias}});
    else detail::check_args<T>("conv2d", {{"x", x}, {"kernel", kernel}});
    const Geometry g = conv_geometry("conv2d", x.shape(), kernel.shape(), strides, padding, dilation);
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
    conv_forward<T>(g, x.value().data(), kernel.value().data(), f,
                    detail::GemmEpilogue<T>{has_bias ? bias.value().data() : nullptr, relu && !check_z}, out.data());
    auto make = [&](const TensorOf<T>& y) {
        return BackwardFn<T>([x, kernel, has_bias, strides, padding, dilation, relu_out = relu ? y : TensorOf<T>()](
                                 const TensorOf<T>& g) {
            const TensorOf<T> dz = relu_out.defined() ? mul(g, greater(relu_out, scalar<T>(0))) : g;
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
    const Geometry g = conv_geometry("conv2d_backprop_input", input_shape, kernel.shape(), strides, padding, dilation);
    const std::size_t f = kernel.shape()[3];
    check_dy("conv2d_backprop_input", g, dy.shape(), f, input_shape);
    xt::xarray<T> dx = xt::zeros<T>(input_shape);
    conv_backprop_input<T>(g, dy.value().data(), kernel.value().data(), f, dx.data());
    return finish<T>("conv2d_backprop_input", {&dy, &kernel}, std::move(dx), loc, [&](const TensorOf<T>&) {
        return BackwardFn<T>([dy, kernel, strides, padding, dilation](const TensorOf<T>& g) {
            return std::vector<TensorOf<T>>{
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
    const Geometry g = conv_geometry("conv2d_backprop_kernel", x.shape(), kernel_shape, strides, padding, dilation);
    const std::size_t f = kernel_shape[3];
    check_dy("conv2d_backprop_kernel", g, dy.shape(), f, x.shape());
    xt::xarray<T> dk = xt::xarray<T>::from_shape(kernel_shape);
    const std::uint32_t non_finite = conv_backprop_kernel<T>(g, x.value().data(), dy.value().data(), f, dk.data());
    return finish<T>("conv2d_backprop_kernel", {&x, &dy}, detail::recorded(TensorOf<T>(std::move(dk)), non_finite), loc,
                     [&](const TensorOf<T>&) {
        return BackwardFn<T>([x, dy, strides, padding, dilation](const TensorOf<T>& g) {
            return std::vector<TensorOf<T>>{
                detail::needed(0, [&] { return conv2d_backprop_input(dy, g, x.shape(), strides, padding, dilation); }),
                detail::needed(1, [&] { return conv2d(x, g, TensorOf<T>(), strides, padding, dilation); })};
        });
    });
}

// ---- pooling ----------------------------------------------------------------------------------

namespace {

using Indices = std::shared_ptr<const std::vector<std::size_t>>;

Geometry pool_geometry(const char* op, const Shape& x_shape, Size2 pool, Size2 strides, Padding padding)
{
    if (pool[0] == 0 || pool[1] == 0) {
        throw ValueError(cat(op, ": argument 'pool_size' must be positive, got (", pool[0], ", ", pool[1], ")"));
    }
    return make_geometry(op, "x", x_shape, pool[0], pool[1], strides, padding, {1, 1}, "pool window");
}

// Runs body(b) for every image, in parallel when `work` is large (images never share outputs).
template <class F>
void for_images(std::size_t n, std::size_t work, F&& body)
{
    if (n > 1 && work >= kParallelWork) {
#pragma omp parallel for schedule(static)
        for (std::size_t b = 0; b < n; ++b) body(b);
    } else {
        for (std::size_t b = 0; b < n; ++b) body(b);
    }
}

template <class T>
TensorOf<T> route_back(const TensorOf<T>& g, const Indices& idx, const Shape& x_shape, std::size_t per_image_out,
                       Where loc);

// out.flat(i) = x.flat(idx[i]) (idx[i] lies in the same image as output i); linear, adjoint of route_back.
template <class T>
TensorOf<T> route(const TensorOf<T>& x, const Indices& idx, const Shape& out_shape, Where loc)
{
    xt::xarray<T> out = xt::xarray<T>::from_shape(out_shape);
    const T* xs = x.value().data();
    const std::vector<std::size_t>& ix = *idx;
    for (std::size_t i = 0; i < ix.size(); ++i) out.data()[i] = xs[ix[i]];
    const std::size_t per_image = out_shape[0] ? ix.size() / out_shape[0] : 0;
    return finish<T>("max_pool2d", {&x}, std::move(out), loc, [&](const TensorOf<T>&) {
        return BackwardFn<T>([idx, x_shape = x.shape(), per_image, loc](const TensorOf<T>& g) {
            return std::vector<TensorOf<T>>{route_back(g, idx, x_shape, per_image, loc)};
        });
    });
}

// dx.flat(idx[i]) += g.flat(i); linear, adjoint of route.
template <class T>
TensorOf<T> route_back(const TensorOf<T>& g, const Indices& idx, const Shape& x_shape, std::size_t per_image_out,
                       Where loc)
{
    xt::xarray<T> dx = xt::zeros<T>(x_shape);
    const T* gs = g.value().data();
    T* d = dx.data();
    const std::vector<std::size_t>& ix = *idx;
    for_images(x_shape[0], ix.size() * 8, [&](std::size_t b) {
        for (std::size_t i = b * per_image_out; i < (b + 1) * per_image_out; ++i) d[ix[i]] += gs[i];
    });
    return finish<T>("max_pool2d_backprop", {&g}, std::move(dx), loc, [&](const TensorOf<T>&) {
        return BackwardFn<T>([idx, out_shape = g.shape(), loc](const TensorOf<T>& gg) {
            return std::vector<TensorOf<T>>{route(gg, idx, out_shape, loc)};
        });
    });
}

}  // namespace

template <class T>
TensorOf<T> max_pool2d(const TensorOf<T>& x, Size2 pool_size, Size2 strides, Padding padding, Where loc)
{
    detail::check_args<T>("max_pool2d", {{"x", x}});
    const Geometry g = pool_geometry("max_pool2d", x.shape(), pool_size, strides, padding);
    const Shape out_shape = g.out_shape(g.c);
    const std::size_t per_image = g.pixels() * g.c;
    auto idx = std::make_shared<std::vector<std::size_t>>(g.n * per_image);
    const T* xs = x.value().data();
    for_images(g.n, g.n * per_image * g.kh * g.kw, [&](std::size_t b) {
        std::size_t* o = idx->data() + b * per_image;
        const std::size_t base = b * g.h * g.w * g.c;
        for (std::size_t i = 0; i < g.oh; ++i) {
            const long h0 = static_cast<long>(i * g.sh) - static_cast<long>(g.pt);
            const std::size_t p0 = static_cast<std::size_t>(std::max<long>(0, h0));
            const std::size_t p1 = static_cast<std::size_t>(std::min<long>(static_cast<long>(g.h), h0 + static_cast<long>(g.kh)));
            for (std::size_t j = 0; j < g.ow; ++j, o += g.c) {
                const long w0 = static_cast<long>(j * g.sw) - static_cast<long>(g.pl);
                const std::size_t q0 = static_cast<std::size_t>(std::max<long>(0, w0));
                const std::size_t q1 = static_cast<std::size_t>(std::min<long>(static_cast<long>(g.w), w0 + static_cast<long>(g.kw)));
                for (std::size_t c = 0; c < g.c; ++c) {
                    std::size_t best = base + (p0 * g.w + q0) * g.c + c;
                    for (std::size_t p = p0; p < p1; ++p) {
                        for (std::size_t q = q0; q < q1; ++q) {
                            const std::size_t k = base + (p * g.w + q) * g.c + c;
                            // NaN propagates, as TensorFlow's max pooling does.
                            if (xs[k] > xs[best] || (xs[k] != xs[k] && xs[best] == xs[best])) best = k;
                        }
                    }
                    o[c] = best;
                }
            }
        }
    });
    return route<T>(x, idx, out_shape, loc);
}

namespace {
// The number of valid pixels in each output window (height part times width part).
std::vector<std::size_t> window_counts(std::size_t out, std::size_t s, std::size_t pad, std::size_t k, std::size_t n)
{
    std::vector<std::size_t> counts(out);
    for (std::size_t i = 0; i < out; ++i) {
        const long a = static_cast<long>(i * s) - static_cast<long>(pad);
        counts[i] = static_cast<std::size_t>(std::min<long>(static_cast<long>(n), a + static_cast<long>(k)) - std::max<long>(0, a));
    }
    return counts;
}

// forward (sum / count) or backward (scatter g / count), sharing the window walk.
template <class T, bool Backward>
void avg_pool_kernel(const Geometry& g, const T* in, T* out)
{
    const auto ch = window_counts(g.oh, g.sh, g.pt, g.kh, g.h), cw = window_counts(g.ow, g.sw, g.pl, g.kw, g.w);
    for_images(g.n, g.n * g.pixels() * g.c * g.kh * g.kw, [&](std::size_t b) {
        const std::size_t xbase = b * g.h * g.w * g.c;
        for (std::size_t i = 0; i < g.oh; ++i) {
            const long h0 = static_cast<long>(i * g.sh) - static_cast<long>(g.pt);
            const std::size_t p0 = static_cast<std::size_t>(std::max<long>(0, h0)), p1 = p0 + ch[i];
            for (std::size_t j = 0; j < g.ow; ++j) {
                const long w0 = static_cast<long>(j * g.sw) - static_cast<long>(g.pl);
                const std::size_t q0 = static_cast<std::size_t>(std::max<long>(0, w0)), q1 = q0 + cw[j];
                const T count = static_cast<T>(ch[i] * cw[j]);
                const std::size_t obase = ((b * g.oh + i) * g.ow + j) * g.c;
                if constexpr (!Backward) {
                    T* o = out + obase;
                    std::fill(o, o + g.c, T(0));
                    for (std::size_t p = p0; p < p1; ++p)
                        for (std::size_t q = q0; q < q1; ++q) {
                            const T* src = in + xbase + (p * g.w + q) * g.c;
#pragma omp simd
                            for (std::size_t c = 0; c < g.c; ++c) o[c] += src[c];
                        }
#pragma omp simd
                    for (std::size_t c = 0; c < g.c; ++c) o[c] = o[c] / count;
                } else {
                    const T* src = in + obase;
                    for (std::size_t p = p0; p < p1; ++p)
                        for (std::size_t q = q0; q < q1; ++q) {
                            T* dst = out + xbase + (p * g.w + q) * g.c;
#pragma omp simd
                            for (std::size_t c = 0; c < g.c; ++c) dst[c] += src[c] / count;
                        }
                }
            }
        }
    });
}
}  // namespace

template <class T>
TensorOf<T> avg_pool2d(const TensorOf<T>& x, Size2 pool_size, Size2 strides, Padding padding, Where loc)
{
    detail::check_args<T>("avg_pool2d", {{"x", x}});
    const Geometry g = pool_geometry("avg_pool2d", x.shape(), pool_size, strides, padding);
    xt::xarray<T> out = xt::xarray<T>::from_shape(g.out_shape(g.c));
    avg_pool_kernel<T, false>(g, x.value().data(), out.data());
    return finish<T>("avg_pool2d", {&x}, std::move(out), loc, [&](const TensorOf<T>&) {
        return BackwardFn<T>([x_shape = x.shape(), pool_size, strides, padding](const TensorOf<T>& g) {
            return std::vector<TensorOf<T>>{avg_pool2d_backprop(g, x_shape, pool_size, strides, padding)};
        });
    });
}

template <class T>
TensorOf<T> avg_pool2d_backprop(const TensorOf<T>& g, const Shape& input_shape, Size2 pool_size, Size2 strides,
                                Padding padding, Where loc)
{
    detail::check_args<T>("avg_pool2d_backprop", {{"g", g}});
    const Geometry geo = pool_geometry("avg_pool2d_backprop", input_shape, pool_size, strides, padding);
    check_dy("avg_pool2d_backprop", geo, g.shape(), geo.c, input_shape);
    xt::xarray<T> dx = xt::zeros<T>(input_shape);
    avg_pool_kernel<T, true>(geo, g.value().data(), dx.data());
    return finish<T>("avg_pool2d_backprop", {&g}, std::move(dx), loc, [&](const TensorOf<T>&) {
        return BackwardFn<T>([pool_size, strides, padding](const TensorOf<T>& gg) {
            return std::vector<TensorOf<T>>{avg_pool2d(gg, pool_size, strides, padding)};
        });
    });
}

#define XGRAD_INSTANTIATE(T)                                                                                         \
    template TensorOf<T> conv2d(const TensorOf<T>&, const TensorOf<T>&, const TensorOf<T>&, Size2, Padding, Size2,   \
                                LinearActivation, Where);                                                            \
    template TensorOf<T> conv2d_backprop_input(const TensorOf<T>&, const TensorOf<T>&, const Shape&, Size2, Padding, \
                                               Size2, Where);                                                        \
    template TensorOf<T> conv2d_backprop_kernel(const TensorOf<T>&, const TensorOf<T>&, const Shape&, Size2,         \
                                                Padding, Size2, Where);                                              \
    template TensorOf<T> max_pool2d(const TensorOf<T>&, Size2, Size2, Padding, Where);                               \
    template TensorOf<T> avg_pool2d(const TensorOf<T>&, Size2, Size2, Padding, Where);                               \
    template TensorOf<T> avg_pool2d_backprop(const TensorOf<T>&, const Shape&, Size2, Size2, Padding, Where);
XGRAD_INSTANTIATE(float)
XGRAD_INSTANTIATE(double)

}  // namespace xgrad
