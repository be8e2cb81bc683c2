#include <xgrad/autograd/ops/pooling.hpp>

#include <algorithm>
#include <memory>
#include <vector>

#include <xgrad/autograd/detail/conv_geometry.hpp>
#include <xgrad/autograd/detail/recording.hpp>

namespace xgrad {
using detail::BackwardFn;
using detail::cat;
using detail::ConvGeometry;
using detail::finish;
using detail::for_images;

namespace {

using Indices = std::shared_ptr<const std::vector<std::size_t>>;

ConvGeometry pool_geometry(const char* op, const Shape& x_shape, Size2 pool, Size2 strides, Padding padding)
{
    if (pool[0] == 0 || pool[1] == 0) {
        throw ValueError(cat(op, ": argument 'pool_size' must be positive, got (", pool[0], ", ", pool[1], ")"));
    }
    return detail::make_geometry(op, "x", x_shape, pool[0], pool[1], strides, padding, {1, 1}, "pool window");
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
        return BackwardFn<T>([idx = idx, x_shape = x.shape(), per_image = per_image, loc = loc](const TensorOf<T>& g) {
            return detail::Gradients<T>{route_back(g, idx, x_shape, per_image, loc)};
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
        return BackwardFn<T>([idx = idx, out_shape = g.shape(), loc = loc](const TensorOf<T>& gg) {
            return detail::Gradients<T>{route(gg, idx, out_shape, loc)};
        });
    });
}

}  // namespace

template <class T>
TensorOf<T> max_pool2d(const TensorOf<T>& x, Size2 pool_size, Size2 strides, Padding padding, Where loc)
{
    detail::check_args<T>("max_pool2d", {{"x", x}});
    const ConvGeometry g = pool_geometry("max_pool2d", x.shape(), pool_size, strides, padding);
    const Shape out_shape = g.out_shape(g.c);
    const std::size_t per_image = g.pixels() * g.c;
    auto idx = std::make_shared<std::vector<std::size_t>>(g.n * per_image);
    const T* xs = x.value().data();
    for_images(g.n, g.n * per_image * g.kh * g.kw, [&](std::size_t b) {
        std::size_t* o = idx->data() + b * per_image;
        std::vector<T> best(g.c);  // the values at o, SIMD over the channels
        T* bv = best.data();
        const std::size_t base = b * g.h * g.w * g.c;
        for (std::size_t i = 0; i < g.oh; ++i) {
            const long h0 = static_cast<long>(i * g.sh) - static_cast<long>(g.pt);
            const std::size_t p0 = static_cast<std::size_t>(std::max<long>(0, h0));
            const std::size_t p1 = static_cast<std::size_t>(std::min<long>(static_cast<long>(g.h), h0 + static_cast<long>(g.kh)));
            for (std::size_t j = 0; j < g.ow; ++j, o += g.c) {
                const long w0 = static_cast<long>(j * g.sw) - static_cast<long>(g.pl);
                const std::size_t q0 = static_cast<std::size_t>(std::max<long>(0, w0));
                const std::size_t q1 = static_cast<std::size_t>(std::min<long>(static_cast<long>(g.w), w0 + static_cast<long>(g.kw)));
                const std::size_t first = base + (p0 * g.w + q0) * g.c;
                for (std::size_t c = 0; c < g.c; ++c) o[c] = first + c, bv[c] = xs[first + c];
                // The window in row-major order: a later pixel wins only when strictly larger, so the
                // first argmax is kept. NaN propagates, as TensorFlow's max pooling does.
                for (std::size_t p = p0; p < p1; ++p) {
                    for (std::size_t q = (p == p0 ? q0 + 1 : q0); q < q1; ++q) {
                        const std::size_t k0 = base + (p * g.w + q) * g.c;
                        const T* v = xs + k0;
#pragma omp simd
                        for (std::size_t c = 0; c < g.c; ++c) {
                            const bool take = v[c] > bv[c] || (v[c] != v[c] && bv[c] == bv[c]);
                            bv[c] = take ? v[c] : bv[c];
                            o[c] = take ? k0 + c : o[c];
                        }
                    }
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
void avg_pool_kernel(const ConvGeometry& g, const T* in, T* out)
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
    const ConvGeometry g = pool_geometry("avg_pool2d", x.shape(), pool_size, strides, padding);
    xt::xarray<T> out = xt::xarray<T>::from_shape(g.out_shape(g.c));
    avg_pool_kernel<T, false>(g, x.value().data(), out.data());
    return finish<T>("avg_pool2d", {&x}, std::move(out), loc, [&](const TensorOf<T>&) {
        return BackwardFn<T>([x_shape = x.shape(), pool_size = pool_size, strides = strides, padding = padding](const TensorOf<T>& g) {
            return detail::Gradients<T>{avg_pool2d_backprop(g, x_shape, pool_size, strides, padding)};
        });
    });
}

template <class T>
TensorOf<T> avg_pool2d_backprop(const TensorOf<T>& g, const Shape& input_shape, Size2 pool_size, Size2 strides,
                                Padding padding, Where loc)
{
    detail::check_args<T>("avg_pool2d_backprop", {{"g", g}});
    const ConvGeometry geo = pool_geometry("avg_pool2d_backprop", input_shape, pool_size, strides, padding);
    detail::check_dy("avg_pool2d_backprop", geo, g.shape(), geo.c, input_shape);
    xt::xarray<T> dx = xt::zeros<T>(input_shape);
    avg_pool_kernel<T, true>(geo, g.value().data(), dx.data());
    return finish<T>("avg_pool2d_backprop", {&g}, std::move(dx), loc, [&](const TensorOf<T>&) {
        return BackwardFn<T>([pool_size = pool_size, strides = strides, padding = padding](const TensorOf<T>& gg) {
            return detail::Gradients<T>{avg_pool2d(gg, pool_size, strides, padding)};
        });
    });
}

#define XGRAD_INSTANTIATE(T)                                                                                         \
    template TensorOf<T> max_pool2d(const TensorOf<T>&, Size2, Size2, Padding, Where);                               \
    template TensorOf<T> avg_pool2d(const TensorOf<T>&, Size2, Size2, Padding, Where);                               \
    template TensorOf<T> avg_pool2d_backprop(const TensorOf<T>&, const Shape&, Size2, Size2, Padding, Where);
XGRAD_INSTANTIATE(float)
XGRAD_INSTANTIATE(double)

}  // namespace xgrad
