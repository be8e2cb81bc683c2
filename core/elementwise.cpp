#include <xgrad/core/elementwise.hpp>

#include <algorithm>
#include <optional>
#include <stdexcept>

#include <xtensor/xadapt.hpp>
#include <xtensor/xbroadcast.hpp>

#include <xgrad/core/finite.hpp>
#include <xgrad/core/shape.hpp>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace xgrad::detail {

namespace {
#if defined(__GLIBC__)
// Training frees and reallocates the same large arrays every step (activations,
// gradients: 1.6 MB for a 784x512 kernel). By default glibc serves them with
// mmap or trims them back to the kernel when freed, so every step page-faults
// them in again, zeroed by the kernel (15% of an MLP epoch). Keep blocks up to
// 32 MB (glibc's maximum) in the heap and never trim it. This translation unit
// is linked whenever an arithmetic op is, so the setting is in place before
// training starts.
const bool heap_tuned = [] {
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
    return true;
}();
#endif

// An operand seen as a (rows, inner) matrix of the output: element (r, j) is
// data[r * row_stride + j * col_stride], where col_stride is 0 or 1.
struct Operand {
    std::size_t row_stride, col_stride;
};

// How `x` maps onto the output shape `out` (same rank after left-padding):
// full, scalar, row (repeats along leading axes) or column (repeats along
// trailing axes). Returns the operand and the `inner` size it needs, 0 if any works.
struct Layout {
    enum Kind { full, scalar, row, column, other } kind;
    std::size_t inner;
};

Layout layout(const Shape& x, std::size_t x_size, const Shape& out, std::size_t n)
{
    if (x_size == n) return {Layout::full, 0};
    if (x_size == 1) return {Layout::scalar, 0};
    const std::size_t pad = out.size() - x.size();
    auto dim = [&](std::size_t i) { return i < pad ? std::size_t{1} : x[i - pad]; };
    // row: (1, ..., 1, out[k:]); column: (out[:k], 1, ..., 1). Axes where out is 1 do not count.
    bool row = true, column = true, seen_match = false, seen_broadcast = false;
    for (std::size_t i = 0; i < out.size(); ++i) {
        if (out[i] == 1) continue;
        const bool match = dim(i) == out[i];
        row = row && !(seen_match && !match);
        column = column && !(seen_broadcast && match);
        seen_match = seen_match || match;
        seen_broadcast = seen_broadcast || !match;
    }
    if (row) return {Layout::row, x_size};
    if (column) return {Layout::column, n / x_size};
    return {Layout::other, 0};
}

Operand operand(Layout::Kind kind, std::size_t inner)
{
    switch (kind) {
    case Layout::full: return {inner, 1};
    case Layout::row: return {0, 1};
    case Layout::column: return {1, 0};
    default: return {0, 0};
    }
}

// Runs body(r) for r in [0, rows) and returns the OR of its results: on this
// thread for small arrays (no OpenMP region at all: even an if(false) region
// costs a team set-up), else over OpenMP threads in static contiguous blocks.
template <class Body>
std::uint32_t for_rows(std::size_t rows, bool parallel, Body&& body)
{
    std::uint32_t bad = 0;
    if (!parallel) {
        for (std::size_t r = 0; r < rows; ++r) bad |= body(r);
        return bad;
    }
#pragma omp parallel for schedule(static) reduction(| : bad)
    for (std::size_t r = 0; r < rows; ++r) bad |= body(r);
    return bad;
}

// po[j] = f(pa[j * CA], pb[j * CB]) for j < n; with Check, also the OR of the
// results' finiteness bits, taken from the value in the register (0 without).
// A plain function of plain pointers, so the loop vectorizes as contiguous loads.
template <bool Check, std::size_t CA, std::size_t CB, class T, class F>
std::uint32_t row_kernel(F f, const T* pa, const T* pb, T* po, std::size_t n)
{
    std::uint32_t bad = 0;
    if constexpr (Check) {
#pragma omp simd reduction(| : bad)
        for (std::size_t j = 0; j < n; ++j) {
            const T v = f(pa[j * CA], pb[j * CB]);
            po[j] = v;
            bad |= non_finite_bit(v);
        }
    } else {
#pragma omp simd
        for (std::size_t j = 0; j < n; ++j) po[j] = f(pa[j * CA], pb[j * CB]);
    }
    return bad;
}

// out = f(a, b) over (rows, inner); with Check, the OR of the outputs' finiteness
// bits, computed in the same loop (0 without).
template <bool Check, std::size_t CA, std::size_t CB, class T, class F>
std::uint32_t kernel(F f, const T* a, Operand oa, const T* b, Operand ob, T* out, std::size_t rows, std::size_t inner)
{
    const bool parallel = rows * inner >= kParallelElements;
    if (rows == 1 && parallel) {
        // One long row: split it into blocks of 4096 so the threads share it.
        constexpr std::size_t block = 4096;
        return for_rows((inner + block - 1) / block, true, [&](std::size_t k) {
            const std::size_t begin = k * block, end = std::min(inner, begin + block);
            return row_kernel<Check, CA, CB>(f, a + begin * CA, b + begin * CB, out + begin, end - begin);
        });
    }
    return for_rows(rows, parallel, [&](std::size_t r) {
        return row_kernel<Check, CA, CB>(f, a + r * oa.row_stride, b + r * ob.row_stride, out + r * inner, inner);
    });
}

template <bool Check, class T, class F>
std::uint32_t run_kernel(F f, const T* pa, Operand oa, const T* pb, Operand ob, T* po, std::size_t rows,
                         std::size_t inner)
{
    if (oa.col_stride && ob.col_stride) return kernel<Check, 1, 1>(f, pa, oa, pb, ob, po, rows, inner);
    if (oa.col_stride) return kernel<Check, 1, 0>(f, pa, oa, pb, ob, po, rows, inner);
    if (ob.col_stride) return kernel<Check, 0, 1>(f, pa, oa, pb, ob, po, rows, inner);
    return kernel<Check, 0, 0>(f, pa, oa, pb, ob, po, rows, inner);
}

// The fast path for functor `f`, or nullopt when the broadcast is not one it handles.
template <class T, class F>
std::optional<xt::xarray<T>> fast_binary(F f, const xt::xarray<T>& a, const xt::xarray<T>& b, const Shape& out_shape,
                                         std::uint32_t* non_finite)
{
    const std::size_t n = num_elements(out_shape);
    const Layout la = layout(a.shape(), a.size(), out_shape, n);
    const Layout lb = layout(b.shape(), b.size(), out_shape, n);
    if (la.kind == Layout::other || lb.kind == Layout::other) return std::nullopt;
    if (la.inner && lb.inner && la.inner != lb.inner) return std::nullopt;
    const std::size_t inner = la.inner ? la.inner : lb.inner ? lb.inner : n;
    const std::size_t rows = n / inner;
    const Operand oa = operand(la.kind, inner), ob = operand(lb.kind, inner);
    xt::xarray<T> out = xt::xarray<T>::from_shape(out_shape);
    const T *pa = a.data(), *pb = b.data();
    T* po = out.data();
    if (non_finite) *non_finite = run_kernel<true>(f, pa, oa, pb, ob, po, rows, inner);
    else run_kernel<false>(f, pa, oa, pb, ob, po, rows, inner);
    return out;
}

template <class T, class F, class XF>
xt::xarray<T> dispatch(F f, XF xtensor_fallback, const xt::xarray<T>& a, const xt::xarray<T>& b,
                       std::uint32_t* non_finite)
{
    const Shape out_shape = broadcast_shapes(a.shape(), b.shape(), "elementwise");
    if (num_elements(out_shape) > 0) {
        if (auto out = fast_binary<T>(f, a, b, out_shape, non_finite)) return std::move(*out);
    }
    xt::xarray<T> out = xtensor_fallback(a, b);
    if (non_finite) {  // the general broadcast: a pass over the output it just wrote
        std::uint32_t bad = 0;
        for (const T v : out) bad |= non_finite_bit(v);
        *non_finite = bad;
    }
    return out;
}

template <class T>
T mask(bool c) { return c ? T(1) : T(0); }
}  // namespace

template <class T>
xt::xarray<T> binary(BinaryOp op, const xt::xarray<T>& a, const xt::xarray<T>& b, std::uint32_t* non_finite)
{
    using A = const xt::xarray<T>&;
    std::uint32_t* const nf = non_finite;
    switch (op) {
    case BinaryOp::add: return dispatch<T>([](T x, T y) { return x + y; }, [](A x, A y) { return xt::xarray<T>(x + y); }, a, b, nf);
    case BinaryOp::sub: return dispatch<T>([](T x, T y) { return x - y; }, [](A x, A y) { return xt::xarray<T>(x - y); }, a, b, nf);
    case BinaryOp::mul: return dispatch<T>([](T x, T y) { return x * y; }, [](A x, A y) { return xt::xarray<T>(x * y); }, a, b, nf);
    case BinaryOp::div: return dispatch<T>([](T x, T y) { return x / y; }, [](A x, A y) { return xt::xarray<T>(x / y); }, a, b, nf);
    case BinaryOp::greater:
        return dispatch<T>([](T x, T y) { return mask<T>(x > y); }, [](A x, A y) { return xt::xarray<T>(xt::cast<T>(x > y)); }, a, b, nf);
    case BinaryOp::greater_equal:
        return dispatch<T>([](T x, T y) { return mask<T>(x >= y); }, [](A x, A y) { return xt::xarray<T>(xt::cast<T>(x >= y)); }, a, b, nf);
    case BinaryOp::less:
        return dispatch<T>([](T x, T y) { return mask<T>(x < y); }, [](A x, A y) { return xt::xarray<T>(xt::cast<T>(x < y)); }, a, b, nf);
    case BinaryOp::less_equal:
        return dispatch<T>([](T x, T y) { return mask<T>(x <= y); }, [](A x, A y) { return xt::xarray<T>(xt::cast<T>(x <= y)); }, a, b, nf);
    case BinaryOp::equal:
        return dispatch<T>([](T x, T y) { return mask<T>(x == y); },
                           [](A x, A y) { return xt::xarray<T>(xt::cast<T>(xt::equal(x, y))); }, a, b, nf);
    case BinaryOp::relu_grad:
        return dispatch<T>([](T x, T y) { return x * mask<T>(y > T(0)); },
                           [](A x, A y) { return xt::xarray<T>(x * xt::cast<T>(y > T(0))); }, a, b, nf);
    case BinaryOp::tanh_grad:
        return dispatch<T>([](T x, T y) { return x * (T(1) - y * y); },
                           [](A x, A y) { return xt::xarray<T>(x * (T(1) - y * y)); }, a, b, nf);
    case BinaryOp::sigmoid_grad:
        return dispatch<T>([](T x, T y) { return x * (y * (T(1) - y)); },
                           [](A x, A y) { return xt::xarray<T>(x * (y * (T(1) - y))); }, a, b, nf);
    }
    throw std::logic_error("binary: unknown op");
}

template <class T>
void broadcast_into(const xt::xarray<T>& x, const Shape& shape, T* out)
{
    const std::size_t n = num_elements(shape);
    const Layout l = layout(x.shape(), x.size(), shape, n);
    if (n == 0) return;
    if (l.kind == Layout::other) {  // xtensor's general broadcast, straight into `out`
        auto dst = xt::adapt(out, n, xt::no_ownership(), shape);
        dst = xt::broadcast(x, shape);
        return;
    }
    const std::size_t inner = l.inner ? l.inner : n;
    const Operand o = operand(l.kind, inner);
    auto first = [](T v, T) { return v; };
    if (o.col_stride) kernel<false, 1, 0>(first, x.data(), o, x.data(), Operand{0, 0}, out, n / inner, inner);
    else kernel<false, 0, 0>(first, x.data(), o, x.data(), Operand{0, 0}, out, n / inner, inner);
}

template void broadcast_into(const xt::xarray<float>&, const Shape&, float*);
template void broadcast_into(const xt::xarray<double>&, const Shape&, double*);
template xt::xarray<float> binary(BinaryOp, const xt::xarray<float>&, const xt::xarray<float>&, std::uint32_t*);
template xt::xarray<double> binary(BinaryOp, const xt::xarray<double>&, const xt::xarray<double>&, std::uint32_t*);

}  // namespace xgrad::detail
