#include <xgrad/autograd/ops/math.hpp>

#include <cmath>
#include <numbers>

#include <xtensor/xmath.hpp>

#include <xgrad/autograd/detail/recording.hpp>
#include <xgrad/autograd/detail/small_ops.hpp>
#include <xgrad/autograd/ops/arithmetic.hpp>
#include <xgrad/autograd/ops/shape_ops.hpp>
#include <xgrad/core/elementwise.hpp>

namespace xgrad {
using detail::BackwardFn;
using detail::check_defined;
using detail::finish;

template <class T>
TensorOf<T> sqrt(const TensorOf<T>& x, Where loc)
{
    check_defined<T>("sqrt", {{"x", x}});
    return finish<T>("sqrt", {&x}, xt::sqrt(x.value()), loc, [](const TensorOf<T>& out) {
        return BackwardFn<T>([out = out](const TensorOf<T>& g) {
            return detail::Gradients<T>{div(g, mul(scalar<T>(2), out))};
        });
    });
}

template <class T>
TensorOf<T> exp(const TensorOf<T>& x, Where loc)
{
    check_defined<T>("exp", {{"x", x}});
    return finish<T>("exp", {&x}, xt::exp(x.value()), loc, [](const TensorOf<T>& out) {
        return BackwardFn<T>([out = out](const TensorOf<T>& g) { return detail::Gradients<T>{mul(g, out)}; });
    });
}

template <class T>
TensorOf<T> log(const TensorOf<T>& x, Where loc)
{
    check_defined<T>("log", {{"x", x}});
    return finish<T>("log", {&x}, xt::log(x.value()), loc, [&](const TensorOf<T>&) {
        return BackwardFn<T>([x = x](const TensorOf<T>& g) { return detail::Gradients<T>{div(g, x)}; });
    });
}

template <class T>
TensorOf<T> abs(const TensorOf<T>& x, Where loc)
{
    check_defined<T>("abs", {{"x", x}});
    return finish<T>("abs", {&x}, xt::abs(x.value()), loc, [&](const TensorOf<T>&) {
        return BackwardFn<T>([x = x](const TensorOf<T>& g) { return detail::Gradients<T>{mul(g, sign(x))}; });
    });
}

template <class T>
TensorOf<T> erf(const TensorOf<T>& x, Where loc)
{
    check_defined<T>("erf", {{"x", x}});
    return finish<T>("erf", {&x}, xt::erf(x.value()), loc, [&](const TensorOf<T>&) {
        return BackwardFn<T>([x = x](const TensorOf<T>& g) {
            const T two_over_sqrt_pi = T(2) / std::sqrt(std::numbers::pi_v<T>);
            return detail::Gradients<T>{mul(g, mul(scalar<T>(two_over_sqrt_pi), exp(neg(square(x)))))};
        });
    });
}

namespace {
// Routes g to `a` where mask is 1 and to `b` elsewhere, summed to their shapes.
template <class T>
std::vector<TensorOf<T>> split_by_mask(const TensorOf<T>& g, const TensorOf<T>& mask,
                                       const Shape& sa, const Shape& sb)
{
    const auto ga = mul(g, mask);
    return {sum_to(ga, sa), sum_to(sub(g, ga), sb)};
}
}  // namespace

template <class T>
TensorOf<T> maximum(const TensorOf<T>& a, const TensorOf<T>& b, Where loc)
{
    check_defined<T>("maximum", {{"a", a}, {"b", b}});
    broadcast_shapes(a.shape(), b.shape(), "maximum");
    return finish<T>("maximum", {&a, &b}, xt::maximum(a.value(), b.value()), loc,
                     [&](const TensorOf<T>&) {
        return BackwardFn<T>([a = a, b = b](const TensorOf<T>& g) {
            return split_by_mask(g, greater_equal(a, b), a.shape(), b.shape());
        });
    });
}

template <class T>
TensorOf<T> minimum(const TensorOf<T>& a, const TensorOf<T>& b, Where loc)
{
    check_defined<T>("minimum", {{"a", a}, {"b", b}});
    broadcast_shapes(a.shape(), b.shape(), "minimum");
    return finish<T>("minimum", {&a, &b}, xt::minimum(a.value(), b.value()), loc,
                     [&](const TensorOf<T>&) {
        return BackwardFn<T>([a = a, b = b](const TensorOf<T>& g) {
            return split_by_mask(g, less_equal(a, b), a.shape(), b.shape());
        });
    });
}

template <class T>
TensorOf<T> clip(const TensorOf<T>& x, T lo, T hi, Where loc)
{
    check_defined<T>("clip", {{"x", x}});
    if (!(lo <= hi)) {
        throw ValueError(detail::cat("clip: argument 'lo' (", lo, ") must not exceed argument 'hi' (", hi, ")"));
    }
    return finish<T>("clip", {&x}, xt::clip(x.value(), lo, hi), loc, [&](const TensorOf<T>&) {
        return BackwardFn<T>([x = x, lo = lo, hi = hi](const TensorOf<T>& g) {
            const xt::xarray<T> inside = xt::cast<T>(x.value() >= lo && x.value() <= hi);
            return detail::Gradients<T>{mul(g, TensorOf<T>(inside))};
        });
    });
}

template <class T>
TensorOf<T> where(const TensorOf<T>& cond, const TensorOf<T>& a, const TensorOf<T>& b, Where loc)
{
    check_defined<T>("where", {{"cond", cond}, {"a", a}, {"b", b}});
    const Shape ab = broadcast_shapes(a.shape(), b.shape(), "where", "a", "b");
    broadcast_shapes(cond.shape(), ab, "where", "cond", "a and b");
    xt::xarray<T> value = xt::where(xt::not_equal(cond.value(), T(0)), a.value(), b.value());
    return finish<T>("where", {&a, &b}, std::move(value), loc, [&](const TensorOf<T>&) {
        const TensorOf<T> mask(xt::xarray<T>(xt::cast<T>(xt::not_equal(cond.value(), T(0)))));
        return BackwardFn<T>([mask = mask, sa = a.shape(), sb = b.shape()](const TensorOf<T>& g) {
            return split_by_mask(g, mask, sa, sb);
        });
    });
}

namespace {
template <class T>
TensorOf<T> compare(const char* op, const TensorOf<T>& a, const TensorOf<T>& b, detail::BinaryOp kind)
{
    check_defined<T>(op, {{"a", a}, {"b", b}});
    return detail::elementwise(op, kind, a, b);
}
}  // namespace

template <class T>
TensorOf<T> greater(const TensorOf<T>& a, const TensorOf<T>& b)
{
    return compare("greater", a, b, detail::BinaryOp::greater);
}
template <class T>
TensorOf<T> greater_equal(const TensorOf<T>& a, const TensorOf<T>& b)
{
    return compare("greater_equal", a, b, detail::BinaryOp::greater_equal);
}
template <class T>
TensorOf<T> less(const TensorOf<T>& a, const TensorOf<T>& b)
{
    return compare("less", a, b, detail::BinaryOp::less);
}
template <class T>
TensorOf<T> less_equal(const TensorOf<T>& a, const TensorOf<T>& b)
{
    return compare("less_equal", a, b, detail::BinaryOp::less_equal);
}
template <class T>
TensorOf<T> equal(const TensorOf<T>& a, const TensorOf<T>& b)
{
    return compare("equal", a, b, detail::BinaryOp::equal);
}
template <class T>
TensorOf<T> sign(const TensorOf<T>& x)
{
    check_defined<T>("sign", {{"x", x}});
    return TensorOf<T>(xt::xarray<T>(xt::sign(x.value())));
}

#define XGRAD_INSTANTIATE(T)                                                                   \
    template TensorOf<T> sqrt(const TensorOf<T>&, Where);                                      \
    template TensorOf<T> exp(const TensorOf<T>&, Where);                                       \
    template TensorOf<T> log(const TensorOf<T>&, Where);                                       \
    template TensorOf<T> abs(const TensorOf<T>&, Where);                                       \
    template TensorOf<T> erf(const TensorOf<T>&, Where);                                       \
    template TensorOf<T> maximum(const TensorOf<T>&, const TensorOf<T>&, Where);               \
    template TensorOf<T> minimum(const TensorOf<T>&, const TensorOf<T>&, Where);               \
    template TensorOf<T> clip(const TensorOf<T>&, T, T, Where);                                \
    template TensorOf<T> where(const TensorOf<T>&, const TensorOf<T>&, const TensorOf<T>&, Where); \
    template TensorOf<T> greater(const TensorOf<T>&, const TensorOf<T>&);                      \
    template TensorOf<T> greater_equal(const TensorOf<T>&, const TensorOf<T>&);                \
    template TensorOf<T> less(const TensorOf<T>&, const TensorOf<T>&);                         \
    template TensorOf<T> less_equal(const TensorOf<T>&, const TensorOf<T>&);                   \
    template TensorOf<T> equal(const TensorOf<T>&, const TensorOf<T>&);                        \
    template TensorOf<T> sign(const TensorOf<T>&);
XGRAD_INSTANTIATE(float)
XGRAD_INSTANTIATE(double)

}  // namespace xgrad
