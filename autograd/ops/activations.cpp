#include <xgrad/autograd/ops/activations.hpp>

#include <cmath>
#include <numbers>

#include <xtensor/xmath.hpp>

#include <xgrad/autograd/detail/recording.hpp>
#include <xgrad/autograd/detail/small_ops.hpp>
#include <xgrad/core/elementwise.hpp>
#include <xgrad/core/reduction.hpp>
#include <xgrad/autograd/ops/arithmetic.hpp>
#include <xgrad/autograd/ops/math.hpp>
#include <xgrad/autograd/ops/reduce.hpp>

namespace xgrad {
using detail::BackwardFn;
using detail::check_args;
using detail::check_defined;
using detail::finish;

template <class T>
TensorOf<T> relu(const TensorOf<T>& x, Where loc)
{
    check_defined<T>("relu", {{"x", x}});
    // x < 0 ? 0 : x, as std::max(x, 0) and TensorFlow: a NaN stays NaN (a SIMD max would turn it into 0).
    auto value = detail::evaluated<T>(x.shape(), xt::where(x.value() < T(0), T(0), x.value()));
    return finish<T>("relu", {&x}, std::move(value), loc, [&](const TensorOf<T>&) {
        return BackwardFn<T>([x = x](const TensorOf<T>& g) {
            return detail::Gradients<T>{relu_grad(g, x)};
        });
    });
}

template <class T>
TensorOf<T> relu_grad(const TensorOf<T>& g, const TensorOf<T>& y, Where loc)
{
    detail::check_same_shape<T>("relu_grad", {"g", g}, {"y", y});
    return finish<T>("relu_grad", {&g}, detail::elementwise("relu_grad", detail::BinaryOp::relu_grad, g, y), loc,
                     [&](const TensorOf<T>&) {
        return BackwardFn<T>([y = y](const TensorOf<T>& gg) { return detail::Gradients<T>{relu_grad(gg, y)}; });
    });
}

template <class T>
TensorOf<T> tanh_grad(const TensorOf<T>& g, const TensorOf<T>& y, Where loc)
{
    detail::check_same_shape<T>("tanh_grad", {"g", g}, {"y", y});
    return finish<T>("tanh_grad", {&g, &y}, detail::elementwise("tanh_grad", detail::BinaryOp::tanh_grad, g, y), loc,
                     [&](const TensorOf<T>&) {
        // d/dg = 1 - y^2;  d/dy = -2 g y
        return BackwardFn<T>([g = g, y = y](const TensorOf<T>& gg) {
            return detail::Gradients<T>{detail::needed(0, [&] { return tanh_grad(gg, y); }),
                                        detail::needed(1, [&] { return mul(mul(gg, g), mul(scalar<T>(-2), y)); })};
        });
    });
}

template <class T>
TensorOf<T> sigmoid_grad(const TensorOf<T>& g, const TensorOf<T>& y, Where loc)
{
    detail::check_same_shape<T>("sigmoid_grad", {"g", g}, {"y", y});
    return finish<T>("sigmoid_grad", {&g, &y},
                     detail::elementwise("sigmoid_grad", detail::BinaryOp::sigmoid_grad, g, y), loc,
                     [&](const TensorOf<T>&) {
        // d/dg = y (1 - y);  d/dy = g (1 - 2 y)
        return BackwardFn<T>([g = g, y = y](const TensorOf<T>& gg) {
            return detail::Gradients<T>{
                detail::needed(0, [&] { return sigmoid_grad(gg, y); }),
                detail::needed(1, [&] { return mul(mul(gg, g), sub(scalar<T>(1), mul(scalar<T>(2), y))); })};
        });
    });
}

template <class T>
TensorOf<T> leaky_relu(const TensorOf<T>& x, T alpha, Where loc)
{
    check_defined<T>("leaky_relu", {{"x", x}});
    xt::xarray<T> value = xt::where(x.value() > T(0), x.value(), alpha * x.value());
    return finish<T>("leaky_relu", {&x}, std::move(value), loc, [&](const TensorOf<T>&) {
        return BackwardFn<T>([x = x, alpha = alpha](const TensorOf<T>& g) {
            const xt::xarray<T> slope = xt::where(x.value() > T(0), T(1), alpha);
            return detail::Gradients<T>{mul(g, TensorOf<T>(slope))};
        });
    });
}

template <class T>
TensorOf<T> sigmoid(const TensorOf<T>& x, Where loc)
{
    check_defined<T>("sigmoid", {{"x", x}});
    auto value = detail::evaluated<T>(x.shape(), T(1) / (T(1) + xt::exp(-x.value())));
    return finish<T>("sigmoid", {&x}, std::move(value), loc, [](const TensorOf<T>& out) {
        return BackwardFn<T>([out = out](const TensorOf<T>& g) {
            return detail::Gradients<T>{sigmoid_grad(g, out)};
        });
    });
}

template <class T>
TensorOf<T> tanh(const TensorOf<T>& x, Where loc)
{
    check_defined<T>("tanh", {{"x", x}});
    return finish<T>("tanh", {&x}, detail::evaluated<T>(x.shape(), xt::tanh(x.value())), loc, [](const TensorOf<T>& out) {
        return BackwardFn<T>([out = out](const TensorOf<T>& g) {
            return detail::Gradients<T>{tanh_grad(g, out)};
        });
    });
}

template <class T>
TensorOf<T> gelu(const TensorOf<T>& x, Where loc)
{
    const T inv_sqrt2 = T(1) / std::numbers::sqrt2_v<T>;
    return mul(mul(scalar<T>(0.5), x), add(scalar<T>(1), erf(mul(x, scalar<T>(inv_sqrt2)), loc)), loc);
}

namespace {
// x - max(x, axis) along `axis`, as an array (the shift makes exp safe).
template <class T>
xt::xarray<T> shifted(const xt::xarray<T>& x, std::size_t axis)
{
    return detail::binary(detail::BinaryOp::sub, x, detail::max_axes(x, {axis}));
}
}  // namespace

template <class T>
TensorOf<T> softmax(const TensorOf<T>& x, long axis, Where loc)
{
    check_args<T>("softmax", {{"x", x}});
    const std::size_t ax = normalize_axis(axis, x.rank(), "softmax", x.shape());
    xt::xarray<T> e = xt::exp(shifted(x.value(), ax));
    e = detail::binary(detail::BinaryOp::div, e, detail::sum_axes(e, {ax}));
    return finish<T>("softmax", {&x}, std::move(e), loc, [axis](const TensorOf<T>& out) {
        return BackwardFn<T>([out = out, axis = axis](const TensorOf<T>& g) {
            const auto dot = reduce_sum(mul(g, out), {axis}, true);
            return detail::Gradients<T>{mul(out, sub(g, dot))};
        });
    });
}

template <class T>
TensorOf<T> log_softmax(const TensorOf<T>& x, long axis, Where loc)
{
    check_args<T>("log_softmax", {{"x", x}});
    const std::size_t ax = normalize_axis(axis, x.rank(), "log_softmax", x.shape());
    xt::xarray<T> s = shifted(x.value(), ax);
    s = detail::binary(detail::BinaryOp::sub, s, xt::xarray<T>(xt::log(detail::sum_axes(xt::xarray<T>(xt::exp(s)), {ax}))));
    return finish<T>("log_softmax", {&x}, std::move(s), loc, [axis](const TensorOf<T>& out) {
        return BackwardFn<T>([out = out, axis = axis](const TensorOf<T>& g) {
            return detail::Gradients<T>{sub(g, mul(exp(out), reduce_sum(g, {axis}, true)))};
        });
    });
}

#define XGRAD_INSTANTIATE(T)                                              \
    template TensorOf<T> relu(const TensorOf<T>&, Where);                 \
    template TensorOf<T> relu_grad(const TensorOf<T>&, const TensorOf<T>&, Where); \
    template TensorOf<T> tanh_grad(const TensorOf<T>&, const TensorOf<T>&, Where); \
    template TensorOf<T> sigmoid_grad(const TensorOf<T>&, const TensorOf<T>&, Where); \
    template TensorOf<T> leaky_relu(const TensorOf<T>&, T, Where);        \
    template TensorOf<T> sigmoid(const TensorOf<T>&, Where);              \
    template TensorOf<T> tanh(const TensorOf<T>&, Where);                 \
    template TensorOf<T> gelu(const TensorOf<T>&, Where);                 \
    template TensorOf<T> softmax(const TensorOf<T>&, long, Where);        \
    template TensorOf<T> log_softmax(const TensorOf<T>&, long, Where);
XGRAD_INSTANTIATE(float)
XGRAD_INSTANTIATE(double)

}  // namespace xgrad
