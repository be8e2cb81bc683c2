#include <xgrad/autograd/ops/arithmetic.hpp>

#include <xgrad/autograd/detail/recording.hpp>
#include <xgrad/autograd/ops/math.hpp>
#include <xgrad/autograd/ops/shape_ops.hpp>
#include <xgrad/core/elementwise.hpp>

namespace xgrad {
using detail::BackwardFn;
using detail::check_args;
using detail::finish;

template <class T>
TensorOf<T> add(const TensorOf<T>& a, const TensorOf<T>& b, Where loc)
{
    check_args<T>("add", {{"a", a}, {"b", b}});
    broadcast_shapes(a.shape(), b.shape(), "add");
    return finish<T>("add", {&a, &b}, detail::binary(detail::BinaryOp::add, a.value(), b.value()), loc, [&](const TensorOf<T>&) {
        return BackwardFn<T>([sa = a.shape(), sb = b.shape()](const TensorOf<T>& g) {
            return std::vector<TensorOf<T>>{sum_to(g, sa), sum_to(g, sb)};
        });
    });
}

template <class T>
TensorOf<T> sub(const TensorOf<T>& a, const TensorOf<T>& b, Where loc)
{
    check_args<T>("sub", {{"a", a}, {"b", b}});
    broadcast_shapes(a.shape(), b.shape(), "sub");
    return finish<T>("sub", {&a, &b}, detail::binary(detail::BinaryOp::sub, a.value(), b.value()), loc, [&](const TensorOf<T>&) {
        return BackwardFn<T>([sa = a.shape(), sb = b.shape()](const TensorOf<T>& g) {
            return std::vector<TensorOf<T>>{sum_to(g, sa), sum_to(neg(g), sb)};
        });
    });
}

template <class T>
TensorOf<T> mul(const TensorOf<T>& a, const TensorOf<T>& b, Where loc)
{
    check_args<T>("mul", {{"a", a}, {"b", b}});
    broadcast_shapes(a.shape(), b.shape(), "mul");
    return finish<T>("mul", {&a, &b}, detail::binary(detail::BinaryOp::mul, a.value(), b.value()), loc, [&](const TensorOf<T>&) {
        return BackwardFn<T>([a, b](const TensorOf<T>& g) {
            return std::vector<TensorOf<T>>{sum_to(mul(g, b), a.shape()),
                                            sum_to(mul(g, a), b.shape())};
        });
    });
}

template <class T>
TensorOf<T> div(const TensorOf<T>& a, const TensorOf<T>& b, Where loc)
{
    check_args<T>("div", {{"a", a}, {"b", b}});
    broadcast_shapes(a.shape(), b.shape(), "div");
    return finish<T>("div", {&a, &b}, detail::binary(detail::BinaryOp::div, a.value(), b.value()), loc, [&](const TensorOf<T>& out) {
        return BackwardFn<T>([a, b, out](const TensorOf<T>& g) {
            return std::vector<TensorOf<T>>{sum_to(div(g, b), a.shape()),
                                            sum_to(neg(div(mul(g, out), b)), b.shape())};
        });
    });
}

template <class T>
TensorOf<T> neg(const TensorOf<T>& x, Where loc)
{
    check_args<T>("neg", {{"x", x}});
    return finish<T>("neg", {&x}, -x.value(), loc, [](const TensorOf<T>&) {
        return BackwardFn<T>([](const TensorOf<T>& g) { return std::vector<TensorOf<T>>{neg(g)}; });
    });
}

template <class T>
TensorOf<T> pow(const TensorOf<T>& x, T p, Where loc)
{
    check_args<T>("pow", {{"x", x}});
    return finish<T>("pow", {&x}, xt::pow(x.value(), p), loc, [&](const TensorOf<T>&) {
        return BackwardFn<T>([x, p](const TensorOf<T>& g) {
            // (g * p) * x^(p-1): TensorFlow's order, so float32 results round alike.
            return std::vector<TensorOf<T>>{mul(mul(g, scalar<T>(p)), pow(x, p - T(1)))};
        });
    });
}

template <class T>
TensorOf<T> pow(const TensorOf<T>& x, const TensorOf<T>& y, Where loc)
{
    check_args<T>("pow", {{"x", x}, {"y", y}});
    broadcast_shapes(x.shape(), y.shape(), "pow", "x", "y");
    return finish<T>("pow", {&x, &y}, xt::pow(x.value(), y.value()), loc,
                     [&](const TensorOf<T>& out) {
        return BackwardFn<T>([x, y, out](const TensorOf<T>& g) {
            const auto positive = greater(x, scalar<T>(0));
            const auto safe_log = mul(log(where(positive, x, ones_like(x))), positive);
            return std::vector<TensorOf<T>>{
                sum_to(mul(mul(g, y), pow(x, sub(y, scalar<T>(1)))), x.shape()),
                sum_to(mul(g, mul(out, safe_log)), y.shape())};
        });
    });
}

template <class T>
TensorOf<T> square(const TensorOf<T>& x, Where loc)
{
    check_args<T>("square", {{"x", x}});
    return finish<T>("square", {&x}, x.value() * x.value(), loc, [&](const TensorOf<T>&) {
        return BackwardFn<T>([x](const TensorOf<T>& g) {
            return std::vector<TensorOf<T>>{mul(g, mul(scalar<T>(2), x))};
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
    template TensorOf<T> pow(const TensorOf<T>&, const TensorOf<T>&, Where);        \
    template TensorOf<T> square(const TensorOf<T>&, Where);
XGRAD_INSTANTIATE(float)
XGRAD_INSTANTIATE(double)

}  // namespace xgrad
