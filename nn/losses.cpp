#include <xgrad/nn/losses.hpp>

#include <limits>

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

// max(x, eps) (the gradient passes where x >= eps)
Tensor at_least_eps(const Tensor& x) { return clip(x, epsilon, std::numeric_limits<float>::infinity()); }

double checked_smoothing(const std::string& loss, double ls)
{
    if (!(ls >= 0.0 && ls <= 1.0)) {
        throw ValueError(detail::cat(loss, ": argument 'label_smoothing' must be in [0, 1], got ", ls));
    }
    return ls;
}

// Labels that are all 0 or 1 become -1 or 1 (Keras's convert_binary_labels_to_hinge).
Tensor hinge_labels(const Tensor& y_true)
{
    for (float v : y_true.value())
        if (v != 0.0f && v != 1.0f) return y_true;
    return Tensor(xt::xarray<float>(2.0f * y_true.value() - 1.0f));
}
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

Tensor Loss::operator()(const Tensor& y_true, const Tensor& y_pred, const Tensor& sample_weight) const
{
    return reduce(apply_sample_weight(call(y_true, y_pred), sample_weight));
}

Tensor Loss::apply_sample_weight(const Tensor& values, const Tensor& sample_weight) const
{
    if (!sample_weight.defined()) return values;
    const auto [v_shape, w_shape] = keras_matched_shapes(values.shape(), sample_weight.shape());
    if (!shapes_broadcast(v_shape, w_shape)) {
        throw ShapeError(detail::cat(name_, ": argument 'sample_weight' has shape ", to_string(sample_weight.shape()),
                                     " but the per-sample losses have shape ", to_string(values.shape()),
                                     "; they must broadcast (after Keras's rank matching)"));
    }
    const auto as = [](const Tensor& t, const Shape& shape) {
        return t.shape() == shape ? t : reshape(t, std::vector<long>(shape.begin(), shape.end()));
    };
    return mul(as(values, v_shape), as(sample_weight, w_shape));
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

CategoricalCrossentropy::CategoricalCrossentropy(bool from_logits, double label_smoothing, Reduction reduction)
    : CategoricalCrossentropy(from_logits, reduction)
{
    label_smoothing_ = checked_smoothing(name(), label_smoothing);
}

Tensor CategoricalCrossentropy::call(const Tensor& y_true_in, const Tensor& y_pred_in) const
{
    auto [y_true, y_pred] = match_shapes(name(), y_true_in, y_pred_in, false);
    if (label_smoothing_ > 0.0) {
        const double classes = y_pred.rank() ? double(y_pred.shape().back()) : 1.0;
        y_true = y_true * (1.0 - label_smoothing_) + label_smoothing_ / classes;
    }
    if (from_logits_) return softmax_cross_entropy_with_logits(y_true, y_pred);
    const Tensor p = clip(div(y_pred, reduce_sum(y_pred, {-1}, true)), epsilon, 1.0f - epsilon);
    return neg(reduce_sum(mul(y_true, log(p)), {-1}));
}

Tensor CategoricalCrossentropy::call_from_logits_of(const Tensor& y_true_in, const Tensor& logits_in) const
{
    auto [y_true, logits] = match_shapes(name(), y_true_in, logits_in, false);
    if (label_smoothing_ > 0.0) {
        const double classes = logits.rank() ? double(logits.shape().back()) : 1.0;
        y_true = y_true * (1.0 - label_smoothing_) + label_smoothing_ / classes;
    }
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

BinaryCrossentropy::BinaryCrossentropy(bool from_logits, double label_smoothing, Reduction reduction)
    : BinaryCrossentropy(from_logits, reduction)
{
    label_smoothing_ = checked_smoothing(name(), label_smoothing);
}

Tensor BinaryCrossentropy::call(const Tensor& y_true_in, const Tensor& y_pred_in) const
{
    if (from_logits_) return call_from_logits_of(y_true_in, y_pred_in);
    auto [y_true, y_pred] = match_shapes(name(), y_true_in, y_pred_in, true);
    if (label_smoothing_ > 0.0) y_true = y_true * (1.0 - label_smoothing_) + 0.5 * label_smoothing_;
    const Tensor p = clip(y_pred, epsilon, 1.0f - epsilon);
    const Tensor bce = add(mul(y_true, log(p)), mul(1.0f - y_true, log(1.0f - p)));
    return last_axis_mean(neg(bce));
}

Tensor BinaryCrossentropy::call_from_logits_of(const Tensor& y_true_in, const Tensor& logits_in) const
{
    auto [y_true, logits] = match_shapes(name(), y_true_in, logits_in, true);
    if (label_smoothing_ > 0.0) y_true = y_true * (1.0 - label_smoothing_) + 0.5 * label_smoothing_;
    // max(x, 0) - x y + log(1 + e^-|x|): never overflows.
    const Tensor per_element = add(sub(relu(logits), mul(logits, y_true)), log(1.0f + exp(neg(abs(logits)))));
    return last_axis_mean(per_element);
}

Tensor MeanAbsoluteError::call(const Tensor& y_true_in, const Tensor& y_pred_in) const
{
    const auto [y_true, y_pred] = match_shapes(name(), y_true_in, y_pred_in, true);
    return last_axis_mean(abs(sub(y_true, y_pred)));
}

Tensor MeanAbsolutePercentageError::call(const Tensor& y_true_in, const Tensor& y_pred_in) const
{
    const auto [y_true, y_pred] = match_shapes(name(), y_true_in, y_pred_in, true);
    return last_axis_mean(abs(div(sub(y_true, y_pred), at_least_eps(abs(y_true))))) * 100.0;
}

Tensor MeanSquaredLogarithmicError::call(const Tensor& y_true_in, const Tensor& y_pred_in) const
{
    const auto [y_true, y_pred] = match_shapes(name(), y_true_in, y_pred_in, true);
    return last_axis_mean(square(sub(log(at_least_eps(y_pred) + 1.0), log(at_least_eps(y_true) + 1.0))));
}

Huber::Huber(double delta, Reduction reduction) : Loss("huber_loss", reduction), delta_(delta)
{
    if (!(delta >= 0.0)) throw ValueError(detail::cat("huber_loss: argument 'delta' must be >= 0, got ", delta));
}

Tensor Huber::call(const Tensor& y_true_in, const Tensor& y_pred_in) const
{
    const auto [y_true, y_pred] = match_shapes(name(), y_true_in, y_pred_in, true);
    const Tensor error = sub(y_pred, y_true), abs_error = abs(error);
    const float d = static_cast<float>(delta_);
    const Tensor quadratic = less_equal(abs_error, scalar<float>(d));
    return last_axis_mean(where(quadratic, square(error) * 0.5f, abs_error * d - 0.5f * d * d));
}

Tensor LogCosh::call(const Tensor& y_true_in, const Tensor& y_pred_in) const
{
    const auto [y_true, y_pred] = match_shapes(name(), y_true_in, y_pred_in, true);
    const Tensor e = sub(y_pred, y_true);
    return last_axis_mean(e + fn::softplus(e * -2.0f) - static_cast<float>(std::log(2.0)));
}

Tensor KLDivergence::call(const Tensor& y_true_in, const Tensor& y_pred_in) const
{
    const auto [y_true_raw, y_pred_raw] = match_shapes(name(), y_true_in, y_pred_in, true);
    const Tensor y_true = clip(y_true_raw, epsilon, 1.0f), y_pred = clip(y_pred_raw, epsilon, 1.0f);
    return reduce_sum(mul(y_true, log(div(y_true, y_pred))), {-1});
}

Tensor Poisson::call(const Tensor& y_true_in, const Tensor& y_pred_in) const
{
    const auto [y_true, y_pred] = match_shapes(name(), y_true_in, y_pred_in, true);
    return last_axis_mean(sub(y_pred, mul(y_true, log(y_pred + epsilon))));
}

Tensor Hinge::call(const Tensor& y_true_in, const Tensor& y_pred_in) const
{
    const auto [y_true, y_pred] = match_shapes(name(), y_true_in, y_pred_in, true);
    return last_axis_mean(relu(1.0f - mul(hinge_labels(y_true), y_pred)));
}

Tensor SquaredHinge::call(const Tensor& y_true_in, const Tensor& y_pred_in) const
{
    const auto [y_true, y_pred] = match_shapes(name(), y_true_in, y_pred_in, true);
    return last_axis_mean(square(relu(1.0f - mul(hinge_labels(y_true), y_pred))));
}

CosineSimilarity::CosineSimilarity(int axis, Reduction reduction) : Loss("cosine_similarity", reduction)
{
    if (axis != -1) {
        throw ValueError(detail::cat("cosine_similarity: argument 'axis' = ", axis, " is not supported (only -1)"));
    }
}

Tensor CosineSimilarity::call(const Tensor& y_true_in, const Tensor& y_pred_in) const
{
    const auto [y_true, y_pred] = match_shapes(name(), y_true_in, y_pred_in, true);
    const auto normalize = [](const Tensor& x) {
        const Tensor square_sum = reduce_sum(square(x), {-1}, true);
        return div(x, sqrt(clip(square_sum, epsilon * epsilon, std::numeric_limits<float>::infinity())));
    };
    return neg(reduce_sum(mul(normalize(y_true), normalize(y_pred)), {-1}));
}

std::shared_ptr<Loss> make_loss(const std::string& name)
{
    if (name == "mae" || name == "mean_absolute_error") return std::make_shared<MeanAbsoluteError>();
    if (name == "mape" || name == "mean_absolute_percentage_error")
        return std::make_shared<MeanAbsolutePercentageError>();
    if (name == "msle" || name == "mean_squared_logarithmic_error")
        return std::make_shared<MeanSquaredLogarithmicError>();
    if (name == "huber" || name == "huber_loss") return std::make_shared<Huber>();  // Keras's class name: huber_loss
    if (name == "log_cosh" || name == "logcosh") return std::make_shared<LogCosh>();
    if (name == "kld" || name == "kl_divergence" || name == "kullback_leibler_divergence")
        return std::make_shared<KLDivergence>();
    if (name == "poisson") return std::make_shared<Poisson>();
    if (name == "hinge") return std::make_shared<Hinge>();
    if (name == "squared_hinge") return std::make_shared<SquaredHinge>();
    if (name == "cosine_similarity") return std::make_shared<CosineSimilarity>();
    if (name == "mse" || name == "mean_squared_error") return std::make_shared<MeanSquaredError>();
    if (name == "categorical_crossentropy") return std::make_shared<CategoricalCrossentropy>();
    if (name == "sparse_categorical_crossentropy") return std::make_shared<SparseCategoricalCrossentropy>();
    if (name == "binary_crossentropy") return std::make_shared<BinaryCrossentropy>();
    throw ValueError(detail::cat("loss: unknown name '", name,
                                 "' (known: mse, mean_squared_error, mae, mean_absolute_error, mape, "
                                 "mean_absolute_percentage_error, msle, mean_squared_logarithmic_error, huber, "
                                 "log_cosh, kld, kl_divergence, poisson, hinge, squared_hinge, cosine_similarity, "
                                 "categorical_crossentropy, sparse_categorical_crossentropy, binary_crossentropy)"));
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
