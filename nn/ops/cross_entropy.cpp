#include <xgrad/nn/ops/cross_entropy.hpp>

#include <cmath>

#include <xgrad/autograd/detail/recording.hpp>
#include <xgrad/autograd/ops.hpp>

namespace xgrad {
using detail::BackwardFn;
using detail::cat;
using detail::check_args;
using detail::finish;

namespace {
// The loss shape: logits' shape without the last axis.
Shape row_shape(const Shape& logits) { return Shape(logits.begin(), logits.end() - 1); }

// The incoming gradient of shape (...) as (..., 1), to scale each row.
template <class T>
TensorOf<T> as_column(const TensorOf<T>& g)
{
    std::vector<long> shape(g.shape().begin(), g.shape().end());
    shape.push_back(1);
    return reshape(g, shape);
}

// One row: prob = softmax(x), max = max(x), lse = log sum e^(x - max).
template <class T>
void row_softmax(const T* x, std::size_t n, T* prob, T& max, T& lse)
{
    max = x[0];
    for (std::size_t j = 1; j < n; ++j) max = std::max(max, x[j]);
    T sum = 0;
    for (std::size_t j = 0; j < n; ++j) {
        prob[j] = std::exp(x[j] - max);
        sum += prob[j];
    }
    const T inv = T(1) / sum;
    for (std::size_t j = 0; j < n; ++j) prob[j] *= inv;
    lse = std::log(sum);
}

// softmax(logits) along the last axis from `prob`, its value computed in the
// forward pass. When a tape records the backward pass (higher-order
// gradients), the result is a softmax node on it, so gradients flow into
// logits; otherwise it is `prob` itself, with no copy and no recomputation.
template <class T>
TensorOf<T> softmax_from(const TensorOf<T>& logits, const TensorOf<T>& prob)
{
    bool recorded = false;
    const TensorOf<T>* inputs[] = {&logits};
    for (GradientTape* tape : detail::active_tapes()) recorded = recorded || tape->should_record<T>(inputs);
    if (!recorded) return prob;
    return finish<T>("softmax", {&logits}, xt::xarray<T>(prob.value()), Where::current(), [](const TensorOf<T>& out) {
        return BackwardFn<T>([out = out](const TensorOf<T>& g) {
            return xgrad::detail::Gradients<T>{mul(out, sub(g, reduce_sum(mul(g, out), {-1}, true)))};
        });
    });
}

template <class T>
void check_logits(const char* op, const TensorOf<T>& logits)
{
    if (logits.rank() < 1) {
        throw ShapeError(cat(op, ": argument 'logits' must have a class axis, got shape ", to_string(logits.shape())));
    }
}
}  // namespace

template <class T>
TensorOf<T> softmax_cross_entropy_with_logits(const TensorOf<T>& labels, const TensorOf<T>& logits, Where loc)
{
    const char* op = "softmax_cross_entropy_with_logits";
    check_args<T>(op, {{"labels", labels}, {"logits", logits}});
    check_logits(op, logits);
    if (labels.shape() != logits.shape()) {
        throw ShapeError(cat(op, ": argument 'labels' has shape ", to_string(labels.shape()),
                             ", expected the shape of argument 'logits' ", to_string(logits.shape())));
    }
    const std::size_t classes = logits.shape().back();
    const std::size_t rows = logits.size() / classes;
    xt::xarray<T> loss = xt::xarray<T>::from_shape(row_shape(logits.shape()));
    xt::xarray<T> prob = xt::xarray<T>::from_shape(logits.shape());
    const T* x = logits.value().data();
    const T* y = labels.value().data();
    T* p = prob.data();
    for (std::size_t r = 0; r < rows; ++r) {
        const std::size_t o = r * classes;
        T max, lse;
        row_softmax(x + o, classes, p + o, max, lse);
        T l = 0;
        for (std::size_t j = 0; j < classes; ++j) l += y[o + j] * (lse - (x[o + j] - max));
        loss.data()[r] = l;
    }
    return finish<T>(op, {&labels, &logits}, std::move(loss), loc, [&](const TensorOf<T>&) {
        return BackwardFn<T>([labels = labels, logits = logits, prob = TensorOf<T>(std::move(prob))](const TensorOf<T>& g) {
            const auto gc = as_column(g);
            return xgrad::detail::Gradients<T>{
                detail::needed(0, [&] { return neg(mul(gc, log_softmax(logits, -1))); }),
                // sum(labels) scales softmax: rows need not sum to 1 (and labels may be differentiated).
                detail::needed(1, [&] {
                    return mul(gc, sub(mul(softmax_from(logits, prob), reduce_sum(labels, {-1}, true)), labels));
                })};
        });
    });
}

template <class T>
TensorOf<T> sparse_softmax_cross_entropy_with_logits(const TensorOf<T>& labels, const TensorOf<T>& logits, Where loc)
{
    const char* op = "sparse_softmax_cross_entropy_with_logits";
    check_args<T>(op, {{"labels", labels}, {"logits", logits}});
    check_logits(op, logits);
    const Shape rows_shape = row_shape(logits.shape());
    if (labels.shape() != rows_shape) {
        throw ShapeError(cat(op, ": argument 'labels' has shape ", to_string(labels.shape()), ", expected ",
                             to_string(rows_shape), " (argument 'logits' of shape ", to_string(logits.shape()),
                             " without its class axis)"));
    }
    const std::size_t classes = logits.shape().back();
    const std::size_t rows = labels.size();
    const T* y = labels.value().data();
    for (std::size_t r = 0; r < rows; ++r) {
        if (!(y[r] >= T(0) && y[r] < T(classes)) || y[r] != std::floor(y[r])) {
            throw ValueError(cat(op, ": label ", y[r], " at position ", r, " is out of range: expected an integer in [0, ",
                                 classes, ")"));
        }
    }
    xt::xarray<T> loss = xt::xarray<T>::from_shape(rows_shape);
    xt::xarray<T> prob = xt::xarray<T>::from_shape(logits.shape());
    const T* x = logits.value().data();
    T* p = prob.data();
    for (std::size_t r = 0; r < rows; ++r) {
        const std::size_t o = r * classes;
        const std::size_t c = static_cast<std::size_t>(y[r]);
        T max, lse;
        row_softmax(x + o, classes, p + o, max, lse);
        loss.data()[r] = lse - (x[o + c] - max);
    }
    return finish<T>(op, {&labels, &logits}, std::move(loss), loc, [&](const TensorOf<T>&) {
        return BackwardFn<T>([labels = labels, logits = logits, prob = TensorOf<T>(std::move(prob))](const TensorOf<T>& g) {
            // The one-hot labels, a constant built on demand rather than kept.
            xt::xarray<T> onehot = xt::zeros<T>(logits.shape());
            const std::size_t classes = logits.shape().back();
            for (std::size_t r = 0; r < labels.size(); ++r)
                onehot.data()[r * classes + static_cast<std::size_t>(labels.value().data()[r])] = T(1);
            const TensorOf<T> y(std::move(onehot));
            return xgrad::detail::Gradients<T>{TensorOf<T>(), mul(as_column(g), sub(softmax_from(logits, prob), y))};
        });
    });
}

#define XGRAD_INSTANTIATE(T)                                                                                 \
    template TensorOf<T> softmax_cross_entropy_with_logits(const TensorOf<T>&, const TensorOf<T>&, Where); \
    template TensorOf<T> sparse_softmax_cross_entropy_with_logits(const TensorOf<T>&, const TensorOf<T>&, Where);
XGRAD_INSTANTIATE(float)
XGRAD_INSTANTIATE(double)

}  // namespace xgrad
