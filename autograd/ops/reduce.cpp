#include <xgrad/autograd/ops/reduce.hpp>

#include <xgrad/core/reduction.hpp>

#include <xgrad/autograd/detail/finiteness.hpp>
#include <xgrad/autograd/detail/recording.hpp>
#include <xgrad/autograd/ops/arithmetic.hpp>
#include <xgrad/autograd/ops/math.hpp>
#include <xgrad/autograd/ops/shape_ops.hpp>

namespace xgrad {
using detail::BackwardFn;
using detail::check_args;
using detail::check_defined;
using detail::finish;

namespace {
// The gradient of a reduction, reshaped to keep the reduced axes and broadcast
// back over them.
template <class T>
TensorOf<T> expand_back(const TensorOf<T>& g, const Shape& input, const AxisList& axes)
{
    const Shape kept = reduced_shape(input, axes, true);
    return broadcast_to(detail::reshape_to(g, kept), input);
}

std::size_t count(const Shape& shape, const AxisList& axes)
{
    std::size_t n = 1;
    for (auto a : axes) n *= shape[a];
    return n;
}
}  // namespace

template <class T>
TensorOf<T> reduce_sum(const TensorOf<T>& x, const Axes& axes, bool keepdims, Where loc)
{
    check_defined<T>("reduce_sum", {{"x", x}});
    return detail::reduce_sum_normalized(x, normalize_axes(axes, x.rank(), "reduce_sum", x.shape()), keepdims, loc);
}

template <class T>
TensorOf<T> detail::reduce_sum_normalized(const TensorOf<T>& x, const AxisList& ax, bool keepdims, Where loc)
{
    std::uint32_t non_finite = 0;  // recorded by the kernel's last pass (bias gradients come through here)
    TensorOf<T> value(detail::Uninitialized{}, reduced_shape(x.shape(), ax, keepdims));
    detail::sum_axes_into(x.value(), ax, detail::data_of(value), &non_finite);
    return finish<T>("reduce_sum", {&x}, detail::recorded(std::move(value), non_finite), loc,
                     [&](const TensorOf<T>&) {
        return BackwardFn<T>([input = x.shape(), ax = ax](const TensorOf<T>& g) {
            return detail::Gradients<T>{expand_back(g, input, ax)};
        });
    });
}

template <class T>
TensorOf<T> reduce_mean(const TensorOf<T>& x, const Axes& axes, bool keepdims, Where loc)
{
    check_defined<T>("reduce_mean", {{"x", x}});
    const auto ax = normalize_axes(axes, x.rank(), "reduce_mean", x.shape());
    return div(detail::reduce_sum_normalized(x, ax, keepdims, loc),
               detail::constant_scalar<T>(static_cast<T>(count(x.shape(), ax))), loc);
}

template <class T>
TensorOf<T> reduce_max(const TensorOf<T>& x, const Axes& axes, bool keepdims, Where loc)
{
    check_args<T>("reduce_max", {{"x", x}});
    const auto ax = normalize_axes(axes, x.rank(), "reduce_max", x.shape());
    xt::xarray<T> value = detail::max_axes(x.value(), ax);
    value.reshape(reduced_shape(x.shape(), ax, keepdims));
    return finish<T>("reduce_max", {&x}, std::move(value), loc, [&](const TensorOf<T>& out) {
        return BackwardFn<T>([x = x, out = out, ax = ax](const TensorOf<T>& g) {
            // Ties share the gradient equally, as TensorFlow's reduce_max does.
            const auto mask = equal(x, expand_back(stop_gradient(out), x.shape(), ax));
            const auto ties = expand_back(detail::reduce_sum_normalized(mask, ax, false, Where::current()),
                                          x.shape(), ax);
            return detail::Gradients<T>{div(mul(expand_back(g, x.shape(), ax), mask), ties)};
        });
    });
}

#define XGRAD_INSTANTIATE(T)                                                          \
    template TensorOf<T> reduce_sum(const TensorOf<T>&, const Axes&, bool, Where);    \
    template TensorOf<T> detail::reduce_sum_normalized(const TensorOf<T>&, const AxisList&, bool, Where); \
    template TensorOf<T> reduce_mean(const TensorOf<T>&, const Axes&, bool, Where);   \
    template TensorOf<T> reduce_max(const TensorOf<T>&, const Axes&, bool, Where);
XGRAD_INSTANTIATE(float)
XGRAD_INSTANTIATE(double)

}  // namespace xgrad
