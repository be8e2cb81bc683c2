#include <xgrad/autograd/detail/conv_kernels.hpp>

#include <algorithm>
#include <cstring>
#include <type_traits>
#include <vector>

#include <xsimd/xsimd.hpp>

namespace xgrad::detail {

namespace {

// Calls tap(t, offset) for every window element of output pixel (i, j) inside the image,
// in patch-column order: t = (p kw + q) c + channel, offset = its element in the image.
// Window elements in the padding are skipped (they would add 0 x something).
template <class F>
void for_taps(const ConvGeometry& g, std::size_t i, std::size_t j, F&& tap)
{
    for (std::size_t p = 0; p < g.kh; ++p) {
        const long ih = g.in_row(i, p);
        if (ih < 0 || ih >= static_cast<long>(g.h)) continue;
        for (std::size_t q = 0; q < g.kw; ++q) {
            const long iw = g.in_col(j, q);
            if (iw < 0 || iw >= static_cast<long>(g.w)) continue;
            const std::size_t offset = (static_cast<std::size_t>(ih) * g.w + static_cast<std::size_t>(iw)) * g.c;
            const std::size_t t = (p * g.kw + q) * g.c;
            for (std::size_t k = 0; k < g.c; ++k) tap(t + k, offset + k);
        }
    }
}

// The patch rows of images [b0, b1): row (b, i, j), columns (p, q, c).
template <class T>
void im2col(const ConvGeometry& g, const T* x, std::size_t b0, std::size_t b1, T* cols)
{
    const std::size_t c = g.c;
    T* row = cols;
    for (std::size_t b = b0; b < b1; ++b) {
        const T* xb = x + b * g.h * g.w * c;
        for (std::size_t i = 0; i < g.oh; ++i) {
            for (std::size_t j = 0; j < g.ow; ++j, row += g.patch()) {
                for (std::size_t p = 0; p < g.kh; ++p) {
                    const long ih = g.in_row(i, p);
                    T* dst = row + p * g.kw * c;
                    if (ih < 0 || ih >= static_cast<long>(g.h)) {
                        std::fill(dst, dst + g.kw * c, T(0));
                        continue;
                    }
                    for (std::size_t q = 0; q < g.kw; ++q, dst += c) {
                        const long iw = g.in_col(j, q);
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
void col2im(const ConvGeometry& g, const T* cols, std::size_t b0, std::size_t b1, T* dx)
{
    const std::size_t c = g.c;
    const T* row = cols;
    for (std::size_t b = b0; b < b1; ++b) {
        T* xb = dx + b * g.h * g.w * c;
        for (std::size_t i = 0; i < g.oh; ++i) {
            for (std::size_t j = 0; j < g.ow; ++j, row += g.patch()) {
                for (std::size_t p = 0; p < g.kh; ++p) {
                    const long ih = g.in_row(i, p);
                    if (ih < 0 || ih >= static_cast<long>(g.h)) continue;
                    const T* src = row + p * g.kw * c;
                    for (std::size_t q = 0; q < g.kw; ++q, src += c) {
                        const long iw = g.in_col(j, q);
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

bool use_direct(const ConvGeometry& g) { return !g.direct() && g.patch() <= kConvDirectMaxPatch; }

// The direct loops hold kBatches SIMD batches of filters of one pixel in registers; the
// last, partial block of filters is computed lane by lane with the same roundings (a
// product, then a sum: no fused multiply-add).
constexpr std::size_t kBatches = 2;
template <class T>
using Batch = xsimd::batch<T>;
template <class T>
constexpr std::size_t kBlock = kBatches * Batch<T>::size;

// Where the taps of a pixel whose window lies inside the image are, relative to the
// window's first element, in patch-column order.
struct Taps {
    std::vector<std::size_t> offset;
    explicit Taps(const ConvGeometry& g)
    {
        for (std::size_t p = 0; p < g.kh; ++p)
            for (std::size_t q = 0; q < g.kw; ++q)
                for (std::size_t k = 0; k < g.c; ++k) offset.push_back((p * g.dh * g.w + q * g.dw) * g.c + k);
    }
    // The window's first element when the whole window of pixel (i, j) is inside, else nullptr.
    template <class T>
    static const T* window(const ConvGeometry& g, const T* image, std::size_t i, std::size_t j)
    {
        const long top = g.in_row(i, 0), left = g.in_col(j, 0);
        if (top < 0 || left < 0 || g.in_row(i, g.kh - 1) >= static_cast<long>(g.h) ||
            g.in_col(j, g.kw - 1) >= static_cast<long>(g.w)) {
            return nullptr;
        }
        return image + (static_cast<std::size_t>(top) * g.w + static_cast<std::size_t>(left)) * g.c;
    }
};

// Calls tap(t, value) for the taps of pixel (i, j) inside the image, in patch-column order.
template <class T, class F>
void visit_taps(const ConvGeometry& g, const Taps& taps, const T* image, std::size_t i, std::size_t j, F&& tap)
{
    if (const T* w = Taps::window(g, image, i, j)) {
        for (std::size_t t = 0; t < taps.offset.size(); ++t) tap(t, w[taps.offset[t]]);
    } else {
        for_taps(g, i, j, [&](std::size_t t, std::size_t offset) { tap(t, image[offset]); });
    }
}

// The pixels of images [b0, b1) in order: visit(b, i, j, pixel index).
template <class F>
void for_pixels(const ConvGeometry& g, std::size_t b0, std::size_t b1, F&& visit)
{
    for (std::size_t b = b0; b < b1; ++b)
        for (std::size_t i = 0; i < g.oh; ++i)
            for (std::size_t j = 0; j < g.ow; ++j) visit(b, i, j, (b * g.oh + i) * g.ow + j);
}

// Filters [m0, m0 + kBlock) (Full) or [m0, f) of the out rows of images [b0, b1): for each
// pixel, the sum over its taps, in order, of x (tap) * kernel row (tap), then the epilogue.
template <bool Full, class T>
void direct_forward_block(const ConvGeometry& g, const Taps& taps, const T* x, const T* kernel, std::size_t f,
                          const GemmEpilogue<T>& e, std::size_t m0, std::size_t b0, std::size_t b1, T* out)
{
    constexpr std::size_t L = Batch<T>::size;
    for_pixels(g, b0, b1, [&](std::size_t b, std::size_t i, std::size_t j, std::size_t pixel) {
        const T* xb = x + b * g.h * g.w * g.c;
        T* o = out + pixel * f + m0;
        if constexpr (Full) {
            Batch<T> acc[kBatches];
            for (auto& a : acc) a = Batch<T>(T(0));
            visit_taps(g, taps, xb, i, j, [&](std::size_t t, T v) {
                const Batch<T> vb(v);
                for (std::size_t r = 0; r < kBatches; ++r)
                    acc[r] = acc[r] + vb * Batch<T>::load_unaligned(kernel + t * f + m0 + r * L);
            });
            for (std::size_t r = 0; r < kBatches; ++r) {
                Batch<T> z = acc[r];
                if (e.bias) z = z + Batch<T>::load_unaligned(e.bias + m0 + r * L);
                if (e.relu) z = xsimd::select(z < Batch<T>(T(0)), Batch<T>(T(0)), z);  // as std::max(z, 0)
                z.store_unaligned(o + r * L);
            }
        } else {
            std::fill(o, o + (f - m0), T(0));
            visit_taps(g, taps, xb, i, j, [&](std::size_t t, T v) {
                for (std::size_t m = 0; m < f - m0; ++m) o[m] = o[m] + v * kernel[t * f + m0 + m];
            });
            apply_epilogue(e, out + pixel * f, f, 1, m0, f - m0);
        }
    });
}

// Filters [m0, m0 + kBlock) (Full) or [m0, f) of acc (patch, f) = the sum over the pixels of
// images [b0, b1), in order, of x (tap) * dy (pixel).
template <bool Full, class T>
void direct_kernel_gradient_block(const ConvGeometry& g, const Taps& taps, const T* x, const T* dy, std::size_t f,
                                  std::size_t m0, std::size_t b0, std::size_t b1, T* acc)
{
    constexpr std::size_t L = Batch<T>::size;
    const std::size_t P = g.patch();
    if constexpr (Full) {
        std::vector<Batch<T>, xsimd::aligned_allocator<Batch<T>>> sums(P * kBatches, Batch<T>(T(0)));
        for_pixels(g, b0, b1, [&](std::size_t b, std::size_t i, std::size_t j, std::size_t pixel) {
            Batch<T> d[kBatches];
            for (std::size_t r = 0; r < kBatches; ++r) d[r] = Batch<T>::load_unaligned(dy + pixel * f + m0 + r * L);
            visit_taps(g, taps, x + b * g.h * g.w * g.c, i, j, [&](std::size_t t, T v) {
                const Batch<T> vb(v);
                for (std::size_t r = 0; r < kBatches; ++r) sums[t * kBatches + r] = sums[t * kBatches + r] + vb * d[r];
            });
        });
        for (std::size_t t = 0; t < P; ++t)
            for (std::size_t r = 0; r < kBatches; ++r) sums[t * kBatches + r].store_unaligned(acc + t * f + m0 + r * L);
    } else {
        for (std::size_t t = 0; t < P; ++t) std::fill(acc + t * f + m0, acc + (t + 1) * f, T(0));
        for_pixels(g, b0, b1, [&](std::size_t b, std::size_t i, std::size_t j, std::size_t pixel) {
            const T* d = dy + pixel * f + m0;
            visit_taps(g, taps, x + b * g.h * g.w * g.c, i, j, [&](std::size_t t, T v) {
                T* a = acc + t * f + m0;
                for (std::size_t m = 0; m < f - m0; ++m) a[m] = a[m] + v * d[m];
            });
        });
    }
}

// Runs block(Full, m0) over the filters in blocks of kBlock, the last one partial.
template <class T, class F>
void for_filter_blocks(std::size_t f, F&& block)
{
    std::size_t m0 = 0;
    for (; m0 + kBlock<T> <= f; m0 += kBlock<T>) block(std::true_type{}, m0);
    if (m0 < f) block(std::false_type{}, m0);
}

template <class T>
void direct_forward(const ConvGeometry& g, const T* x, const T* kernel, std::size_t f, const GemmEpilogue<T>& e,
                    std::size_t b0, std::size_t b1, T* out)
{
    const Taps taps(g);
    for_filter_blocks<T>(f, [&](auto full, std::size_t m0) {
        direct_forward_block<decltype(full)::value>(g, taps, x, kernel, f, e, m0, b0, b1, out);
    });
}

template <class T>
void direct_kernel_gradient(const ConvGeometry& g, const T* x, const T* dy, std::size_t f, std::size_t b0,
                            std::size_t b1, T* acc)
{
    const Taps taps(g);
    for_filter_blocks<T>(f, [&](auto full, std::size_t m0) {
        direct_kernel_gradient_block<decltype(full)::value>(g, taps, x, dy, f, m0, b0, b1, acc);
    });
}

// One group's product: one BLAS call when the groups themselves run on the threads, else
// the GEMM's own split of C (one group: a single large image). Either way the calls depend
// only on the shapes.
template <class T>
void group_gemm(const ImageChunks& ch, bool ta, bool tb, std::size_t m, std::size_t n, std::size_t k, const T* a,
                std::size_t lda, const T* b, std::size_t ldb, T beta, T* c, std::size_t ldc,
                const GemmEpilogue<T>& e = {})
{
    if (ch.count > 1) gemm_serial<T>(ta, tb, m, n, k, T(1), a, lda, b, ldb, beta, c, ldc, e);
    else gemm<T>(ta, tb, m, n, k, T(1), a, lda, b, ldb, beta, c, ldc, e);
}

}  // namespace

template <class T>
void conv_forward(const ConvGeometry& g, const T* x, const T* kernel, std::size_t f, const GemmEpilogue<T>& e, T* out)
{
    const ImageChunks ch = make_chunks(g);
    const std::size_t P = g.patch(), pix = g.pixels();
    const bool direct = use_direct(g);
    const std::size_t scratch = g.direct() || direct ? 0 : ch.per * pix * P;
    for_chunks<T>(ch.count, g.n * pix * P * f, scratch, [&](std::size_t i, T* buf) {
        const std::size_t b0 = ch.begin(i), b1 = ch.end(i, g.n), rows = (b1 - b0) * pix;
        if (direct) return direct_forward(g, x, kernel, f, e, b0, b1, out);
        const T* a = x + b0 * pix * P;  // 1x1: the image rows are the patch rows
        if (!g.direct()) {
            im2col(g, x, b0, b1, buf);
            a = buf;
        }
        group_gemm<T>(ch, false, false, rows, f, P, a, P, kernel, f, T(0), out + b0 * pix * f, f, e);
    });
}

template <class T>
void conv_backprop_input(const ConvGeometry& g, const T* dy, const T* kernel, std::size_t f, T* dx)
{
    const ImageChunks ch = make_chunks(g);
    const std::size_t P = g.patch(), pix = g.pixels();
    const std::size_t scratch = g.direct() ? 0 : ch.per * pix * P;
    for_chunks<T>(ch.count, g.n * pix * P * f, scratch, [&](std::size_t i, T* buf) {
        const std::size_t b0 = ch.begin(i), b1 = ch.end(i, g.n), rows = (b1 - b0) * pix;
        if (g.direct()) {
            group_gemm<T>(ch, false, true, rows, P, f, dy + b0 * pix * f, f, kernel, f, T(0), dx + b0 * pix * P, P);
            return;
        }
        group_gemm<T>(ch, false, true, rows, P, f, dy + b0 * pix * f, f, kernel, f, T(0), buf, P);
        col2im(g, buf, b0, b1, dx);
    });
}

// The groups are summed in a fixed order: at most 8 partial sums (each over consecutive
// groups), then added in order.
template <class T>
void conv_backprop_kernel(const ConvGeometry& g, const T* x, const T* dy, std::size_t f, T* dk)
{
    const ImageChunks ch = make_chunks(g);
    const std::size_t P = g.patch(), pix = g.pixels();
    const std::size_t parts = std::min<std::size_t>(ch.count, 8);
    const std::size_t per_part = (ch.count + parts - 1) / parts;
    const std::size_t used = (ch.count + per_part - 1) / per_part;
    const bool direct = use_direct(g);
    std::vector<T> partial(used > 1 ? (used - 1) * P * f : 0);
    const std::size_t scratch = g.direct() || direct ? 0 : ch.per * pix * P;
    for_chunks<T>(used, g.n * pix * P * f, scratch, [&](std::size_t part, T* buf) {
        T* acc = part == 0 ? dk : partial.data() + (part - 1) * P * f;
        const std::size_t c0 = part * per_part, c1 = std::min(ch.count, c0 + per_part);
        if (direct) {
            return direct_kernel_gradient(g, x, dy, f, ch.begin(c0), ch.end(c1 - 1, g.n), acc);
        }
        for (std::size_t i = c0; i < c1; ++i) {
            const std::size_t b0 = ch.begin(i), b1 = ch.end(i, g.n), rows = (b1 - b0) * pix;
            const T* a = x + b0 * pix * P;
            if (!g.direct()) {
                im2col(g, x, b0, b1, buf);
                a = buf;
            }
            group_gemm<T>(ch, true, false, P, f, rows, a, P, dy + b0 * pix * f, f, i == c0 ? T(0) : T(1), acc, f);
        }
    });
    for (std::size_t part = 1; part < used; ++part) {
        const T* src = partial.data() + (part - 1) * P * f;
#pragma omp simd
        for (std::size_t k = 0; k < P * f; ++k) dk[k] += src[k];
    }
}

#define XGRAD_INSTANTIATE(T)                                                                                     \
    template void conv_forward(const ConvGeometry&, const T*, const T*, std::size_t, const GemmEpilogue<T>&, T*); \
    template void conv_backprop_input(const ConvGeometry&, const T*, const T*, std::size_t, T*);                  \
    template void conv_backprop_kernel(const ConvGeometry&, const T*, const T*, std::size_t, T*);
XGRAD_INSTANTIATE(float)
XGRAD_INSTANTIATE(double)

}  // namespace xgrad::detail
