// The window geometry shared by the convolution and pooling ops (autograd/ops/conv.cpp,
// autograd/ops/pooling.cpp) and their kernels (autograd/detail/conv_kernels.cpp): output
// sizes and padding of (n, h, w, c) channels_last images, the checks that name the op,
// and the split of a batch into groups of whole images that depends only on the shapes
// (so results never depend on the thread count). Tuning thresholds live here.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

#include <xgrad/autograd/ops/conv.hpp>
#include <xgrad/core/error.hpp>
#include <xgrad/core/parallel.hpp>
#include <xgrad/core/shape.hpp>

namespace xgrad::detail {

// Below this many multiply-adds (or element visits for pooling) an op runs on the calling thread.
inline constexpr std::size_t kConvParallelWork = std::size_t{1} << 20;
// Target size (elements) of one group's patch matrix: at most 2 MB, so that each GEMM call
// has hundreds of rows (OpenBLAS packs the other operand once per call).
inline constexpr std::size_t kConvChunkElements = std::size_t{1} << 19;
// Patches of at most this many elements (kh kw c) skip im2col + GEMM: a direct loop,
// SIMD over the filters, computes the forward and the kernel gradient (a GEMM with an
// inner dimension of 9 spends its time packing).
inline constexpr std::size_t kConvDirectMaxPatch = 16;

inline std::string window_note(std::size_t k, std::size_t d, std::size_t ke)
{
    return d == 1 ? cat(k) : cat(k, ", dilated by ", d, " to ", ke);
}

// One spatial axis: output size and the padding before the first pixel.
struct ConvAxis {
    std::size_t out = 0, pad = 0;
};

inline ConvAxis axis_geometry(const char* op, const char* what, const char* axis, std::size_t n, std::size_t k,
                              std::size_t s, std::size_t d, Padding padding, const Shape& x_shape)
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

inline void check_positive(const char* op, const char* arg, Size2 v)
{
    if (v[0] == 0 || v[1] == 0) {
        throw ValueError(cat(op, ": argument '", arg, "' must be positive, got (", v[0], ", ", v[1], ")"));
    }
}

// The geometry of a convolution or pooling window over (n, h, w, c) images.
struct ConvGeometry {
    std::size_t n = 0, h = 0, w = 0, c = 0, kh = 0, kw = 0, oh = 0, ow = 0, sh = 1, sw = 1, dh = 1, dw = 1, pt = 0,
                pl = 0;
    std::size_t patch() const { return kh * kw * c; }
    std::size_t pixels() const { return oh * ow; }
    Shape out_shape(std::size_t channels) const { return {n, oh, ow, channels}; }
    // A 1x1 stride-1 unpadded window: the image rows are the patch rows.
    bool direct() const { return kh == 1 && kw == 1 && sh == 1 && sw == 1 && pt == 0 && pl == 0; }
    // The input row of output row i and window row p (negative or >= h: padding).
    long in_row(std::size_t i, std::size_t p) const
    {
        return static_cast<long>(i * sh + p * dh) - static_cast<long>(pt);
    }
    long in_col(std::size_t j, std::size_t q) const
    {
        return static_cast<long>(j * sw + q * dw) - static_cast<long>(pl);
    }
};

inline ConvGeometry make_geometry(const char* op, const char* x_name, const Shape& x_shape, std::size_t kh,
                                  std::size_t kw, Size2 strides, Padding padding, Size2 dilation, const char* what)
{
    if (x_shape.size() != 4) {
        throw ShapeError(cat(op, ": argument '", x_name,
                             "' must be 4-D channels_last (batch, height, width, channels), got shape ",
                             to_string(x_shape)));
    }
    check_positive(op, "strides", strides);
    check_positive(op, "dilation_rate", dilation);
    if (kh == 0 || kw == 0) throw ValueError(cat(op, ": the ", what, " must be positive, got (", kh, ", ", kw, ")"));
    ConvGeometry g;
    g.n = x_shape[0], g.h = x_shape[1], g.w = x_shape[2], g.c = x_shape[3];
    g.kh = kh, g.kw = kw, g.sh = strides[0], g.sw = strides[1], g.dh = dilation[0], g.dw = dilation[1];
    const ConvAxis a = axis_geometry(op, what, "height", g.h, kh, g.sh, g.dh, padding, x_shape);
    const ConvAxis b = axis_geometry(op, what, "width", g.w, kw, g.sw, g.dw, padding, x_shape);
    g.oh = a.out, g.pt = a.pad, g.ow = b.out, g.pl = b.pad;
    return g;
}

// dy must be the output shape (n, oh, ow, f) of an input of shape x_shape.
inline void check_dy(const char* op, const ConvGeometry& g, const Shape& dy_shape, std::size_t f, const Shape& x_shape)
{
    const Shape expected = g.out_shape(f);
    if (dy_shape != expected) {
        throw ShapeError(cat(op, ": argument 'dy' must have shape ", to_string(expected),
                             " (the output for an input of shape ", to_string(x_shape), "), got shape ",
                             to_string(dy_shape)));
    }
}

// Groups of whole images (so that scatters of different groups never touch the
// same pixel), sized from the shapes alone: [begin, end) image ranges.
struct ImageChunks {
    std::size_t per = 1, count = 0;
    std::size_t begin(std::size_t i) const { return i * per; }
    std::size_t end(std::size_t i, std::size_t n) const { return std::min(n, (i + 1) * per); }
};

// A power of two of images per group (an even number of groups for 2 threads), as many as
// fit kConvChunkElements, and at least min(n, 4) groups.
inline ImageChunks make_chunks(const ConvGeometry& g)
{
    const std::size_t rows = std::max<std::size_t>(1, kConvChunkElements / std::max<std::size_t>(1, g.patch()));
    const std::size_t fit = std::max<std::size_t>(1, rows / std::max<std::size_t>(1, g.pixels()));
    std::size_t per = 1;
    while (per * 2 <= fit) per *= 2;
    per = std::min(per, std::max<std::size_t>(1, (g.n + 3) / 4));
    return {per, (g.n + per - 1) / per};
}

// Runs body(i, scratch) for i in [0, count), in parallel when `work` is large; body gets a
// per-thread scratch buffer of `scratch` elements.
template <class T, class F>
void for_chunks(std::size_t count, std::size_t work, std::size_t scratch, F&& body)
{
    if (count > 1 && work >= kConvParallelWork) {
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

// Runs body(b) for every image, in parallel when `work` is large (images never share outputs).
template <class F>
void for_images(std::size_t n, std::size_t work, F&& body)
{
    for_each_index(n, work >= kConvParallelWork, body);
}

}  // namespace xgrad::detail
