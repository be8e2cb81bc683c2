#include <xgrad/autograd/ops/arithmetic.hpp>

#include <array>
#include <cstring>

#include <xgrad/autograd/detail/recording.hpp>
#include <xgrad/autograd/detail/small_ops.hpp>
#include <xgrad/autograd/ops/math.hpp>
#include <xgrad/autograd/ops/shape_ops.hpp>
#include <xgrad/core/elementwise.hpp>

namespace xgrad {
using detail::BackwardFn;
using detail::check_defined;
using detail::finish;
using detail::input_shape;
using detail::needed;

using detail::elementwise;

namespace detail {
template <class T>
TensorOf<T> constant_scalar(T value)
{
    struct Entry {
        T value;
        TensorOf<T> tensor;
    };
    constexpr std::size_t kEntries = 8;
    thread_local std::array<Entry, kEntries> recent{};
    thread_local std::size_t next = 0;
    for (const Entry& e : recent) {
        if (e.tensor.defined() && std::memcmp(&e.value, &value, sizeof(T)) == 0) return e.tensor;  // bits: -0, NaN
    }
    Entry& e = recent[next++ % kEntries];
    e = {value, scalar<T>(value)};
    return e.tensor;
}
}  // namespace detail

template <class T>
TensorOf<T> add(const TensorOf<T>& a, const TensorOf<T>& b, Where loc)
{
    check_defined<T>("add", {{"a", a}, {"b", b}});
    return finish<T>("add", {&a, &b}, elementwise("add", detail::BinaryOp::add, a, b), loc, [&](const TensorOf<T>&) {
        return BackwardFn<T>([](const TensorOf<T>& g) {
            return detail::Gradients<T>{needed(0, [&] { return sum_to(g, input_shape(0)); }),
                                            needed(1, [&] { return sum_to(g, input_shape(1)); })};
        });
    });
}

template <class T>
TensorOf<T> sub(const TensorOf<T>& a, const TensorOf<T>& b, Where loc)
{
    check_defined<T>("sub", {{"a", a}, {"b", b}});
    return finish<T>("sub", {&a, &b}, elementwise("sub", detail::BinaryOp::sub, a, b), loc, [&](const TensorOf<T>&) {
        return BackwardFn<T>([](const TensorOf<T>& g) {
            return detail::Gradients<T>{needed(0, [&] { return sum_to(g, input_shape(0)); }),
                                            needed(1, [&] { return sum_to(neg(g), input_shape(1)); })};
        });
    });
}

template <class T>
TensorOf<T> mul(const TensorOf<T>& a, const TensorOf<T>& b, Where loc)
{
    check_defined<T>("mul", {{"a", a}, {"b", b}});
    return finish<T>("mul", {&a, &b}, elementwise("mul", detail::BinaryOp::mul, a, b), loc, [&](const TensorOf<T>&) {
        return BackwardFn<T>([a = a, b = b](const TensorOf<T>& g) {
            return detail::Gradients<T>{needed(0, [&] { return sum_to(mul(g, b), a.shape()); }),
                                            needed(1, [&] { return sum_to(mul(g, a), b.shape()); })};
        });
    });
}

template <class T>
TensorOf<T> div(const TensorOf<T>& a, const TensorOf<T>& b, Where loc)
{
    check_defined<T>("div", {{"a", a}, {"b", b}});
    return finish<T>("div", {&a, &b}, elementwise("div", detail::BinaryOp::div, a, b), loc, [&](const TensorOf<T>& out) {
        return BackwardFn<T>([a = a, b = b, out = out](const TensorOf<T>& g) {
            return detail::Gradients<T>{needed(0, [&] { return sum_to(div(g, b), a.shape()); }),
                                            needed(1, [&] { return sum_to(neg(div(mul(g, out), b)), b.shape()); })};
        });
    });
}

template <class T>
TensorOf<T> neg(const TensorOf<T>& x, Where loc)
{
    check_defined<T>("neg", {{"x", x}});
    TensorOf<T> value = detail::small(x.value(), detail::kLoopElements) ? detail::small_map(x, [](T v) { return -v; })
                                                 : TensorOf<T>(xt::xarray<T>(-x.value()));
    return finish<T>("neg", {&x}, std::move(value), loc, [](const TensorOf<T>&) {
        return BackwardFn<T>([](const TensorOf<T>& g) { return detail::Gradients<T>{neg(g)}; });
    });
}

template <class T>
TensorOf<T> pow(const TensorOf<T>& x, T p, Where loc)
{
    check_defined<T>("pow", {{"x", x}});
    TensorOf<T> value = detail::small(x.value(), detail::kScalarOnlyElements<T>)
                            ? detail::small_map(x, [p](T v) { return std::pow(v, p); })
                            : TensorOf<T>(xt::xarray<T>(xt::pow(x.value(), p)));
    return finish<T>("pow", {&x}, std::move(value), loc, [&](const TensorOf<T>&) {
        return BackwardFn<T>([x = x, p = p](const TensorOf<T>& g) {
            return detail::Gradients<T>{pow_grad(g, x, p)};
        });
    });
}

template <class T>
TensorOf<T> pow_grad(const TensorOf<T>& g, const TensorOf<T>& x, T p, Where loc)
{
    detail::check_same_shape<T>("pow_grad", {"g", g}, {"x", x});
    // (g * p) * x^(p-1): TensorFlow's order, so float32 results round alike. Where pow
    // itself would call xtensor's SIMD pow, the composite is the op (the same bits).
    if (!detail::small(x.value(), detail::kScalarOnlyElements<T>)) {
        return mul(mul(g, detail::constant_scalar<T>(p), loc), pow(x, p - T(1), loc), loc);
    }
    TensorOf<T> value(detail::Uninitialized{}, x.shape());
    const T* pg = g.value().data();
    const T* px = x.value().data();
    T* po = detail::data_of(value);
    for (std::size_t i = 0; i < x.size(); ++i) po[i] = (pg[i] * p) * std::pow(px[i], p - T(1));
    return finish<T>("pow_grad", {&g, &x}, std::move(value), loc, [&](const TensorOf<T>&) {
        // d/dg = p x^(p-1);  d/dx = g p (p-1) x^(p-2)
        return BackwardFn<T>([g = g, x = x, p = p](const TensorOf<T>& gg) {
            return detail::Gradients<T>{
                needed(0, [&] { return pow_grad(gg, x, p); }),
                needed(1, [&] { return pow_grad(mul(gg, mul(g, detail::constant_scalar<T>(p))), x, p - T(1)); })};
        });
    });
}

template <class T>
TensorOf<T> pow(const TensorOf<T>& x, const TensorOf<T>& y, Where loc)
{
    check_defined<T>("pow", {{"x", x}, {"y", y}});
    broadcast_shapes(x.shape(), y.shape(), "pow", "x", "y");
    return finish<T>("pow", {&x, &y}, xt::pow(x.value(), y.value()), loc,
                     [&](const TensorOf<T>& out) {
        return BackwardFn<T>([x = x, y = y, out = out](const TensorOf<T>& g) {
            const auto positive = greater(x, scalar<T>(0));
            const auto safe_log = mul(log(where(positive, x, ones_like(x))), positive);
            return detail::Gradients<T>{
                sum_to(mul(mul(g, y), pow(x, sub(y, scalar<T>(1)))), x.shape()),
                sum_to(mul(g, mul(out, safe_log)), y.shape())};
        });
    });
}

template <class T>
TensorOf<T> square(const TensorOf<T>& x, Where loc)
{
    check_defined<T>("square", {{"x", x}});
    TensorOf<T> value = detail::small(x.value(), detail::kLoopElements) ? detail::small_map(x, [](T v) { return v * v; })
                                                 : TensorOf<T>(xt::xarray<T>(x.value() * x.value()));
    return finish<T>("square", {&x}, std::move(value), loc, [&](const TensorOf<T>&) {
        return BackwardFn<T>([x = x](const TensorOf<T>& g) {
            return detail::Gradients<T>{mul(g, mul(detail::constant_scalar<T>(2), x))};
        });
    });
}

#define XGRAD_INSTANTIATE(T)                                                        \
    template TensorOf<T> add(const TensorOf<T>&, const TensorOf<T>&, Where);        \
    template TensorOf<T> sub(const TensorOf<T>&, const TensorOf<T>&, Where);        \
    template TensorOf<T> mul(const TensorOf<T>&, const TensorOf<T>&, Where);        \
    template TensorOf<T> div(const TensorOf<T>&, const TensorOf<T>&, Where);        \
    template TensorOf<T> neg(const TensorOf<T>&, Where);                            \
    template TensorOf<T> pow(const TensorOf<T>&, T, Where);                         \
    template TensorOf<T> pow_grad(const TensorOf<T>&, const TensorOf<T>&, T, Where); \
    template TensorOf<T> pow(const TensorOf<T>&, const TensorOf<T>&, Where);        \
    template TensorOf<T> square(const TensorOf<T>&, Where);                         \
    template TensorOf<T> detail::constant_scalar(T);
XGRAD_INSTANTIATE(float)
XGRAD_INSTANTIATE(double)

}  // namespace xgrad
