#include <xgrad/autograd/ops/linear.hpp>

#include <xgrad/autograd/detail/recording.hpp>
#include <xgrad/autograd/ops/linalg.hpp>
#include <xgrad/autograd/ops/math.hpp>
#include <xgrad/autograd/ops/arithmetic.hpp>
#include <xgrad/autograd/ops/shape_ops.hpp>
#include <xgrad/core/gemm.hpp>

namespace xgrad {
using detail::BackwardFn;
using detail::cat;
using detail::check_args;
using detail::finish;

namespace {
template <class T>
TensorOf<T> linear_2d(const TensorOf<T>& x, const TensorOf<T>& kernel, const TensorOf<T>& bias,
                      LinearActivation activation, Where loc)
{
    const std::size_t m = x.shape()[0], k = x.shape()[1], n = kernel.shape()[1];
    const bool relu = activation == LinearActivation::relu;
    xt::xarray<T> out = xt::xarray<T>::from_shape({m, n});
    detail::gemm<T>(false, false, m, n, k, T(1), x.value().data(), k, kernel.value().data(), n, T(0), out.data(), n,
                    detail::GemmEpilogue<T>{bias.value().data(), relu});
    return finish<T>("linear", {&x, &kernel, &bias}, std::move(out), loc, [&](const TensorOf<T>& y) {
        return BackwardFn<T>([x, kernel, bias_shape = bias.shape(), relu, y](const TensorOf<T>& g) {
            const TensorOf<T> dz = relu ? mul(g, greater(y, scalar<T>(0))) : g;
            return std::vector<TensorOf<T>>{detail::needed(0, [&] { return matmul(dz, kernel, false, true); }),
                                            detail::needed(1, [&] { return matmul(x, dz, true, false); }),
                                            detail::needed(2, [&] { return sum_to(dz, bias_shape); })};
        });
    });
}
}  // namespace

template <class T>
TensorOf<T> linear(const TensorOf<T>& x, const TensorOf<T>& kernel, const TensorOf<T>& bias,
                   LinearActivation activation, Where loc)
{
    check_args<T>("linear", {{"x", x}, {"kernel", kernel}, {"bias", bias}});
    if (kernel.rank() != 2) {
        throw ShapeError(cat("linear: argument 'kernel' must be 2-D (in, out), got shape ", to_string(kernel.shape())));
    }
    if (x.rank() < 2 || x.shape().back() != kernel.shape()[0]) {
        throw ShapeError(cat("linear: argument 'x' must have shape (..., ", kernel.shape()[0],
                             ") to match argument 'kernel' of shape ", to_string(kernel.shape()), ", got shape ",
                             to_string(x.shape())));
    }
    if (bias.rank() != 1 || bias.shape()[0] != kernel.shape()[1]) {
        throw ShapeError(cat("linear: argument 'bias' must have shape (", kernel.shape()[1],
                             ") to match argument 'kernel' of shape ", to_string(kernel.shape()), ", got shape ",
                             to_string(bias.shape())));
    }
    if (x.rank() == 2) return linear_2d(x, kernel, bias, activation, loc);
    // (..., k) -> (rows, k) -> (rows, n) -> (..., n), as matmul does.
    const auto flat = linear_2d(reshape(x, {-1, static_cast<long>(kernel.shape()[0])}, loc), kernel, bias,
                                activation, loc);
    std::vector<long> out_shape(x.shape().begin(), x.shape().end() - 1);
    out_shape.push_back(static_cast<long>(kernel.shape()[1]));
    return reshape(flat, out_shape, loc);
}

#define XGRAD_INSTANTIATE(T) \
    template TensorOf<T> linear(const TensorOf<T>&, const TensorOf<T>&, const TensorOf<T>&, LinearActivation, Where);
XGRAD_INSTANTIATE(float)
XGRAD_INSTANTIATE(double)

}  // namespace xgrad
