#include <xgrad/nn/losses.hpp>

#include <xgrad/autograd/ops.hpp>
#include <xgrad/nn/ops/cross_entropy.hpp>

namespace xgrad::nn {
namespace {
constexpr float epsilon = 1e-7f;

// Keras's squeeze_or_expand_to_same_rank, then numpy broadcasting (or equal shapes).
std::pair<Tensor, Tensor> match_shapes(const std::string& loss, const Tensor& y_true, const Tensor& y_pred,
                                       bool broadcast)
{
    if (!y_true.defined() || !y_pred.defined()) throw ValueError(loss + ": y_true or y_pred is an undefined tensor");
    const auto [t_shape, p_shape] = keras_matched_shapes(y_true.shape(), y_pred.shape());
    const bool ok = broadcast ? shapes_broadcast(t_shape, p_shape) : t_shape == p_shape;
    if (!ok) {
        throw ShapeError(detail::cat(loss, ": y_true has shape ", to_string(y_true.shape()), ", y_pred has shape ",
                                     to_string(y_pred.shape()), "; they must be equal",
                                     broadcast ? " or broadcast" : "", " (after Keras's rank matching)"));
    }
    const auto as = [](const Tensor& t, const Shape& shape) {
        return t.shape() == shape ? t : reshape(t, std::vector<long>(shape.begin(), shape.end()));
    };
    return {as(y_true, t_shape), as(y_pred, p_shape)};
}

// Sparse labels of shape (..., 1) become (...), as Keras squeezes them.
Tensor squeeze_sparse_labels(const std::string& loss, const Tensor& y_true, const Tensor& y_pred)
{
    if (!y_true.defined() || !y_pred.defined()) throw ValueError(loss + ": y_true or y_pred is an undefined tensor");
    if (y_true.rank() == y_pred.rank() && y_true.rank() > 0 && y_true.shape().back() == 1) {
        std::vector<long> shape(y_true.shape().begin(), y_true.shape().end() - 1);
        return reshape(y_true, shape);
    }
    return y_true;
}

Tensor last_axis_mean(const Tensor& x) { return reduce_mean(x, {-1}); }
}  // namespace

Reduction reduction_from_string(const std::string& name)
{
    if (name == "sum_over_batch_size" || name == "mean" || name == "auto") return Reduction::SumOverBatchSize;
    if (name == "sum") return Reduction::Sum;
    if (name == "none") return Reduction::None;
    throw ValueError(detail::cat("loss: unknown reduction '", name, "' (known: sum_over_batch_size, mean, sum, none)"));
}

Tensor Loss::operator()(const Tensor& y_true, const Tensor& y_pred) const
{
    return reduce(call(y_true, y_pred));
}

Tensor Loss::reduce(const Tensor& values) const
{
    switch (reduction_) {
    case Reduction::Sum: return reduce_sum(values);
    case Reduction::None: return values;
    default: return reduce_mean(values);
    }
}

Tensor Loss::call_from_logits_of(const Tensor&, const Tensor&) const
{
    throw Error(name_ + ": this loss cannot take logits directly");
}

Tensor MeanSquaredError::call(const Tensor& y_true_in, const Tensor& y_pred_in) const
{
    const auto [y_true, y_pred] = match_shapes(name(), y_true_in, y_pred_in, true);
    return last_axis_mean(square(sub(y_pred, y_true)));
}

Tensor CategoricalCrossentropy::call(const Tensor& y_true_in, const Tensor& y_pred_in) const
{
    const auto [y_true, y_pred] = match_shapes(name(), y_true_in, y_pred_in, false);
    if (from_logits_) return softmax_cross_entropy_with_logits(y_true, y_pred);
    const Tensor p = clip(div(y_pred, reduce_sum(y_pred, {-1}, true)), epsilon, 1.0f - epsilon);
    return neg(reduce_sum(mul(y_true, log(p)), {-1}));
}

Tensor CategoricalCrossentropy::call_from_logits_of(const Tensor& y_true_in, const Tensor& logits_in) const
{
    const auto [y_true, logits] = match_shapes(name(), y_true_in, logits_in, false);
    return softmax_cross_entropy_with_logits(y_true, logits);
}

Tensor SparseCategoricalCrossentropy::call(const Tensor& y_true, const Tensor& y_pred) const
{
    const Tensor labels = squeeze_sparse_labels(name(), y_true, y_pred);
    if (from_logits_) return sparse_softmax_cross_entropy_with_logits(labels, y_pred);
    return sparse_softmax_cross_entropy_with_logits(labels, log(clip(y_pred, epsilon, 1.0f - epsilon)));
}

Tensor SparseCategoricalCrossentropy::call_from_logits_of(const Tensor& y_true, const Tensor& logits) const
{
    return sparse_softmax_cross_entropy_with_logits(squeeze_sparse_labels(name(), y_true, logits), logits);
}

Tensor BinaryCrossentropy::call(const Tensor& y_true_in, const Tensor& y_pred_in) const
{
    if (from_logits_) return call_from_logits_of(y_true_in, y_pred_in);
    const auto [y_true, y_pred] = match_shapes(name(), y_true_in, y_pred_in, true);
    const Tensor p = clip(y_pred, epsilon, 1.0f - epsilon);
    const Tensor bce = add(mul(y_true, log(p)), mul(1.0f - y_true, log(1.0f - p)));
    return last_axis_mean(neg(bce));
}

Tensor BinaryCrossentropy::call_from_logits_of(const Tensor& y_true_in, const Tensor& logits_in) const
{
    const auto [y_true, logits] = match_shapes(name(), y_true_in, logits_in, true);
    // max(x, 0) - x y + log(1 + e^-|x|): never overflows.
    const Tensor per_element = add(sub(relu(logits), mul(logits, y_true)), log(1.0f + exp(neg(abs(logits)))));
    return last_axis_mean(per_element);
}

std::shared_ptr<Loss> make_loss(const std::string& name)
{
    if (name == "mse" || name == "mean_squared_error") return std::make_shared<MeanSquaredError>();
    if (name == "categorical_crossentropy") return std::make_shared<CategoricalCrossentropy>();
    if (name == "sparse_categorical_crossentropy") return std::make_shared<SparseCategoricalCrossentropy>();
    if (name == "binary_crossentropy") return std::make_shared<BinaryCrossentropy>();
    throw ValueError(detail::cat("loss: unknown name '", name,
                                 "' (known: mse, mean_squared_error, categorical_crossentropy, "
                                 "sparse_categorical_crossentropy, binary_crossentropy)"));
}

std::pair<Shape, Shape> keras_matched_shapes(Shape y_true, Shape y_pred)
{
    const auto squeeze = [](Shape s) { s.pop_back(); return s; };
    const auto expand = [](Shape s) { s.push_back(1); return s; };
    if (y_true.size() == y_pred.size() + 1 && y_true.back() == 1) {
        if (y_pred.size() == 1) y_pred = expand(y_pred);
        else y_true = squeeze(y_true);
    } else if (y_pred.size() == y_true.size() + 1 && y_pred.back() == 1) {
        if (y_true.size() == 1) y_true = expand(y_true);
        else y_pred = squeeze(y_pred);
    }
    return {y_true, y_pred};
}

bool shapes_broadcast(const Shape& a, const Shape& b)
{
    for (std::size_t i = 1; i <= std::min(a.size(), b.size()); ++i) {
        const std::size_t x = a[a.size() - i], y = b[b.size() - i];
        if (x != y && x != 1 && y != 1) return false;
    }
    return true;
}

}  // namespace xgrad::nn
