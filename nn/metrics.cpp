#include <xgrad/nn/metrics.hpp>

#include <cmath>

#include <xtensor/xmath.hpp>
#include <xtensor/xoperation.hpp>

#include <xgrad/nn/losses.hpp>

namespace xgrad::nn {
namespace {
std::size_t argmax_row(const float* row, std::size_t n)
{
    std::size_t best = 0;
    for (std::size_t j = 1; j < n; ++j)
        if (row[j] > row[best]) best = j;
    return best;
}

void check_defined(const std::string& metric, const Tensor& y_true, const Tensor& y_pred)
{
    if (!y_true.defined() || !y_pred.defined()) throw ValueError(metric + ": y_true or y_pred is an undefined tensor");
    if (y_pred.rank() == 0) throw ShapeError(metric + ": y_pred must have a class axis, got a scalar");
}

// check_defined, and one-hot y_true of y_pred's shape (the categorical metrics).
void check_same_shape(const std::string& metric, const Tensor& y_true, const Tensor& y_pred)
{
    check_defined(metric, y_true, y_pred);
    if (y_true.shape() != y_pred.shape()) {
        throw ShapeError(detail::cat(metric, ": y_true has shape ", to_string(y_true.shape()), ", y_pred has shape ",
                                     to_string(y_pred.shape()), "; they must be equal"));
    }
}

// The class count of y_pred (its last axis), which must not be 0.
std::size_t class_count(const std::string& metric, const Tensor& y_pred)
{
    const std::size_t n = y_pred.shape().back();
    if (n == 0) throw ShapeError(detail::cat(metric, ": y_pred has an empty class axis (shape ", to_string(y_pred.shape()), ")"));
    return n;
}
// Keras's in_top_k: the label's score ranks 1 + (the number of strictly larger scores),
// so ties straddling the boundary are all in; a NaN score at the label is not (as the
// TensorFlow and NumPy backends).
bool in_top_k(const float* row, std::size_t n, std::size_t label, int k)
{
    const float at = row[label];
    if (std::isnan(at)) return false;
    std::size_t larger = 0;
    for (std::size_t j = 0; j < n; ++j) larger += row[j] > at;
    return static_cast<long>(larger) + 1 <= k;
}

// y_true and y_pred after Keras's rank matching, broadcast together (as Keras's losses):
// calls f(t, p) for every element and returns {sum over each sample of the mean over its
// last axis..., sample count} as Keras's MeanMetricWrapper of a per-sample loss sees it.
// With elementwise, a rank-1 error is one value per element (Keras's Mean of an error
// tensor, RootMeanSquaredError) instead of one sample (a per-sample loss's mean over axis -1).
template <class F>
std::pair<double, double> per_sample_mean(const std::string& metric, const Tensor& y_true, const Tensor& y_pred, F f,
                                          bool elementwise = false)
{
    if (!y_true.defined() || !y_pred.defined()) throw ValueError(metric + ": y_true or y_pred is an undefined tensor");
    const auto [t_shape, p_shape] = keras_matched_shapes(y_true.shape(), y_pred.shape());
    if (!shapes_broadcast(t_shape, p_shape)) {
        throw ShapeError(detail::cat(metric, ": y_true has shape ", to_string(y_true.shape()), ", y_pred has shape ",
                                     to_string(y_pred.shape()), "; they must be equal or broadcast",
                                     " (after Keras's rank matching)"));
    }
    xt::xarray<double> t = xt::cast<double>(y_true.value()), p = xt::cast<double>(y_pred.value());
    t.reshape(t_shape);
    p.reshape(p_shape);
    const xt::xarray<double> err = p - t;
    const auto& shape = err.shape();
    if (shape.empty()) return {f(err()), 1.0};
    const std::size_t last = shape.back(), groups = last ? err.size() / last : 0;
    // The samples are the leading axis (a rank-1 error is one sample, as Keras).
    const double samples = shape.size() == 1 && !elementwise ? 1.0 : static_cast<double>(shape[0]);
    if (last == 0) return {0.0, samples};
    double sum = 0.0;
    for (std::size_t g = 0; g < groups; ++g) {
        double row = 0.0;
        for (std::size_t j = 0; j < last; ++j) row += f(err.data()[g * last + j]);
        sum += row / static_cast<double>(last);
    }
    // Each sample's value is the mean over its non-leading axes.
    return {sum * samples / static_cast<double>(groups), samples};
}
}  // namespace

double Metric::result_from_state(const std::vector<double>& s) const
{
    return s.size() >= 2 && s[1] > 0 ? s[0] / s[1] : 0.0;
}

void Mean::update_state(const Tensor&, const Tensor& y_pred)
{
    double sum = 0.0;
    for (float v : y_pred.value()) sum += v;
    add(sum, static_cast<double>(y_pred.size()));
}

void CategoricalAccuracy::update_state(const Tensor& y_true, const Tensor& y_pred)
{
    check_same_shape(name(), y_true, y_pred);
    const std::size_t n = class_count(name(), y_pred), rows = y_pred.size() / n;
    double correct = 0;
    for (std::size_t r = 0; r < rows; ++r)
        correct += argmax_row(y_true.value().data() + r * n, n) == argmax_row(y_pred.value().data() + r * n, n);
    add(correct, static_cast<double>(rows));
}

namespace {
// The class-index labels of a sparse metric: one per row of y_pred, each an integer in [0, n).
const float* checked_sparse_labels(const std::string& metric, const Tensor& y_true, const Tensor& y_pred,
                                   std::size_t rows, std::size_t n)
{
    if (y_true.size() != rows) {
        throw ShapeError(detail::cat(metric, ": y_true has shape ", to_string(y_true.shape()), " (", y_true.size(),
                                     " labels), y_pred has shape ", to_string(y_pred.shape()), " (", rows, " rows)"));
    }
    const float* labels = y_true.value().data();
    for (std::size_t r = 0; r < rows; ++r) {
        if (!(labels[r] >= 0.0f && labels[r] < static_cast<float>(n)) || labels[r] != std::floor(labels[r])) {
            throw ValueError(detail::cat(metric, ": label ", labels[r], " at position ", r,
                                         " is out of range: expected an integer in [0, ", n, ")"));
        }
    }
    return labels;
}

}  // namespace

void SparseCategoricalAccuracy::update_state(const Tensor& y_true, const Tensor& y_pred)
{
    check_defined(name(), y_true, y_pred);
    const std::size_t n = class_count(name(), y_pred), rows = y_pred.size() / n;
    const float* labels = checked_sparse_labels(name(), y_true, y_pred, rows, n);
    double correct = 0;
    for (std::size_t r = 0; r < rows; ++r)
        correct += static_cast<float>(argmax_row(y_pred.value().data() + r * n, n)) == labels[r];
    add(correct, static_cast<double>(rows));
}

void BinaryAccuracy::update_state(const Tensor& y_true, const Tensor& y_pred)
{
    check_defined(name(), y_true, y_pred);
    if (y_true.size() != y_pred.size()) {
        throw ShapeError(detail::cat(name(), ": y_true has shape ", to_string(y_true.shape()), ", y_pred has shape ",
                                     to_string(y_pred.shape()), "; they must have as many elements"));
    }
    double correct = 0;
    for (std::size_t i = 0; i < y_pred.size(); ++i) {
        const float predicted = y_pred.value().data()[i] > threshold_ ? 1.0f : 0.0f;
        correct += predicted == y_true.value().data()[i];
    }
    add(correct, static_cast<double>(y_pred.size()));
}

TopKCategoricalAccuracy::TopKCategoricalAccuracy(int k, std::string name) : Metric(std::move(name)), k_(k)
{
    if (k < 1) throw ValueError(detail::cat("TopKCategoricalAccuracy: argument 'k' must be >= 1, got ", k));
}

void TopKCategoricalAccuracy::update_state(const Tensor& y_true, const Tensor& y_pred)
{
    check_same_shape(name(), y_true, y_pred);
    const std::size_t n = class_count(name(), y_pred), rows = y_pred.size() / n;
    double correct = 0;
    for (std::size_t r = 0; r < rows; ++r) {
        const std::size_t label = argmax_row(y_true.value().data() + r * n, n);
        correct += in_top_k(y_pred.value().data() + r * n, n, label, k_);
    }
    add(correct, static_cast<double>(rows));
}

SparseTopKCategoricalAccuracy::SparseTopKCategoricalAccuracy(int k, std::string name)
    : Metric(std::move(name)), k_(k)
{
    if (k < 1) throw ValueError(detail::cat("SparseTopKCategoricalAccuracy: argument 'k' must be >= 1, got ", k));
}

void SparseTopKCategoricalAccuracy::update_state(const Tensor& y_true, const Tensor& y_pred)
{
    check_defined(name(), y_true, y_pred);
    const std::size_t n = class_count(name(), y_pred), rows = y_pred.size() / n;
    const float* labels = checked_sparse_labels(name(), y_true, y_pred, rows, n);
    double correct = 0;
    for (std::size_t r = 0; r < rows; ++r)
        correct += in_top_k(y_pred.value().data() + r * n, n, static_cast<std::size_t>(labels[r]), k_);
    add(correct, static_cast<double>(rows));
}

void metrics::MeanSquaredError::update_state(const Tensor& y_true, const Tensor& y_pred)
{
    const auto [sum, samples] = per_sample_mean(name(), y_true, y_pred, [](double e) { return e * e; });
    add(sum, samples);
}

void metrics::MeanAbsoluteError::update_state(const Tensor& y_true, const Tensor& y_pred)
{
    const auto [sum, samples] = per_sample_mean(name(), y_true, y_pred, [](double e) { return std::fabs(e); });
    add(sum, samples);
}

void metrics::RootMeanSquaredError::update_state(const Tensor& y_true, const Tensor& y_pred)
{
    // Keras: Mean of (y_pred - y_true)^2 (each sample its mean), then the square root.
    const auto [sum, samples] = per_sample_mean(name(), y_true, y_pred, [](double e) { return e * e; }, true);
    add(sum, samples);
}

double metrics::RootMeanSquaredError::result_from_state(const std::vector<double>& s) const
{
    return std::sqrt(Metric::result_from_state(s));
}

std::shared_ptr<Metric> make_metric(const std::string& name, const std::string& loss_name, std::size_t output_units)
{
    if (name == "accuracy" || name == "acc") {
        if (loss_name == "sparse_categorical_crossentropy") return std::make_shared<SparseCategoricalAccuracy>(name);
        if (loss_name == "binary_crossentropy" || output_units == 1) return std::make_shared<BinaryAccuracy>(name);
        return std::make_shared<CategoricalAccuracy>(name);
    }
    if (name == "categorical_accuracy") return std::make_shared<CategoricalAccuracy>();
    if (name == "sparse_categorical_accuracy") return std::make_shared<SparseCategoricalAccuracy>();
    if (name == "binary_accuracy") return std::make_shared<BinaryAccuracy>();
    if (name == "top_k_categorical_accuracy") return std::make_shared<TopKCategoricalAccuracy>();
    if (name == "sparse_top_k_categorical_accuracy") return std::make_shared<SparseTopKCategoricalAccuracy>();
    if (name == "mse" || name == "mean_squared_error") return std::make_shared<metrics::MeanSquaredError>(name);
    if (name == "mae" || name == "mean_absolute_error") return std::make_shared<metrics::MeanAbsoluteError>(name);
    if (name == "root_mean_squared_error") return std::make_shared<metrics::RootMeanSquaredError>();
    if (name == "precision") return std::make_shared<Precision>();
    if (name == "recall") return std::make_shared<Recall>();
    if (name == "auc") return std::make_shared<AUC>();
    throw ValueError(detail::cat("metric: unknown name '", name,
                                 "' (known: accuracy, acc, categorical_accuracy, sparse_categorical_accuracy, "
                                 "binary_accuracy, top_k_categorical_accuracy, sparse_top_k_categorical_accuracy, "
                                 "mse, mean_squared_error, mae, mean_absolute_error, root_mean_squared_error, "
                                 "precision, recall, auc)"));
}

}  // namespace xgrad::nn
