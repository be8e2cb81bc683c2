#include <xgrad/autograd/ops/linear.hpp>

#include <xgrad/autograd/detail/recording.hpp>
#include <xgrad/autograd/ops/activations.hpp>
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

template <class T>
TensorOf<T> linear(const TensorOf<T>& x, const TensorOf<T>& kernel, const TensorOf<T>& bias,
                   LinearActivation activation, Where loc)
{
    check_args<T>("linear", {{"x", x}, {"kernel", kernel}, {"bias", bias}});
    if (kernel.rank() != 2) {
        throw ShapeError(cat("linear: argument 'kernel' must be 2-D (in, out), got shape ", to_string(kernel.shape())));
    }
    const std::size_t k = kernel.shape()[0], n = kernel.shape()[1];
    if (x.rank() < 2 || x.shape().back() != k) {
        throw ShapeError(cat("linear: argument 'x' must have shape (..., ", k, ") to match argument 'kernel' of shape ",
                             to_string(kernel.shape()), ", got shape ", to_string(x.shape())));
    }
    if (bias.rank() != 1 || bias.shape()[0] != n) {
        throw ShapeError(cat("linear: argument 'bias' must have shape (", n, ") to match argument 'kernel' of shape ",
                             to_string(kernel.shape()), ", got shape ", to_string(bias.shape())));
    }
    // x (..., k) is read as a (rows, k) matrix in place; the output keeps x's leading axes.
    Shape out_shape = x.shape();
    out_shape.back() = n;
    num_elements(out_shape, "linear");
    const std::size_t rows = x.size() / k;
    const bool relu = activation == LinearActivation::relu;
    // Anomaly mode checks the pre-activation (relu would turn a -inf into 0), then applies relu.
    const bool check_z = relu && check_numerics_enabled();
    TensorOf<T> out(detail::Uninitialized{}, out_shape);
    T* z = detail::data_of(out);
    detail::gemm<T>(false, false, rows, n, k, T(1), x.value().data(), k, kernel.value().data(), n, T(0), z, n,
                    detail::GemmEpilogue<T>{bias.value().data(), relu && !check_z});
    if (check_z) {
        const TensorOf<T>* inputs[] = {&x, &kernel, &bias};
        detail::check_output_numerics<T>("linear", inputs, out, loc);
        for (std::size_t i = 0; i < out.size(); ++i) z[i] = z[i] < T(0) ? T(0) : z[i];  // relu, as the epilogue
    }
    return finish<T>("linear", {&x, &kernel, &bias}, std::move(out), loc, [&](const TensorOf<T>& y) {
        // The separate ops' backward, op for op (so the bits match): relu's mask (from the
        // output: y > 0 exactly where z > 0), matmul's two products, add's sum_to.
        return BackwardFn<T>([x = x, kernel = kernel, bias_shape = bias.shape(), relu_out = relu ? y : TensorOf<T>()](
                                 const TensorOf<T>& g) {
            const TensorOf<T> dz = relu_out.defined() ? relu_grad(g, relu_out) : g;
            auto dkernel = [&] {
                if (x.rank() == 2) return matmul(x, dz, true, false);
                const long k = static_cast<long>(x.shape().back()), n = static_cast<long>(dz.shape().back());
                return matmul(reshape(x, {-1, k}), reshape(dz, {-1, n}), true, false);
            };
            return detail::Gradients<T>{detail::needed(0, [&] { return matmul(dz, kernel, false, true); }),
                                            detail::needed(1, dkernel),
                                            detail::needed(2, [&] { return sum_to(dz, bias_shape); })};
        });
    });
}

#define XGRAD_INSTANTIATE(T) \
    template TensorOf<T> linear(const TensorOf<T>&, const TensorOf<T>&, const TensorOf<T>&, LinearActivation, Where);
XGRAD_INSTANTIATE(float)
XGRAD_INSTANTIATE(double)

}  // namespace xgrad
