#include <xgrad/nn/metrics.hpp>

#include <cmath>

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

// The class count of y_pred (its last axis), which must not be 0.
std::size_t class_count(const std::string& metric, const Tensor& y_pred)
{
    const std::size_t n = y_pred.shape().back();
    if (n == 0) throw ShapeError(detail::cat(metric, ": y_pred has an empty class axis (shape ", to_string(y_pred.shape()), ")"));
    return n;
}
}  // namespace

void Mean::update_state(const Tensor&, const Tensor& y_pred)
{
    double sum = 0.0;
    for (float v : y_pred.value()) sum += v;
    add(sum, static_cast<double>(y_pred.size()));
}

void CategoricalAccuracy::update_state(const Tensor& y_true, const Tensor& y_pred)
{
    check_defined(name(), y_true, y_pred);
    if (y_true.shape() != y_pred.shape()) {
        throw ShapeError(detail::cat(name(), ": y_true has shape ", to_string(y_true.shape()), ", y_pred has shape ",
                                     to_string(y_pred.shape()), "; they must be equal"));
    }
    const std::size_t n = class_count(name(), y_pred), rows = y_pred.size() / n;
    double correct = 0;
    for (std::size_t r = 0; r < rows; ++r)
        correct += argmax_row(y_true.value().data() + r * n, n) == argmax_row(y_pred.value().data() + r * n, n);
    add(correct, static_cast<double>(rows));
}

void SparseCategoricalAccuracy::update_state(const Tensor& y_true, const Tensor& y_pred)
{
    check_defined(name(), y_true, y_pred);
    const std::size_t n = class_count(name(), y_pred), rows = y_pred.size() / n;
    if (y_true.size() != rows) {
        throw ShapeError(detail::cat(name(), ": y_true has shape ", to_string(y_true.shape()), " (", y_true.size(),
                                     " labels), y_pred has shape ", to_string(y_pred.shape()), " (", rows, " rows)"));
    }
    const float* labels = y_true.value().data();
    for (std::size_t r = 0; r < rows; ++r) {
        if (!(labels[r] >= 0.0f && labels[r] < static_cast<float>(n)) || labels[r] != std::floor(labels[r])) {
            throw ValueError(detail::cat(name(), ": label ", labels[r], " at position ", r,
                                         " is out of range: expected an integer in [0, ", n, ")"));
        }
    }
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
    throw ValueError(detail::cat("metric: unknown name '", name,
                                 "' (known: accuracy, categorical_accuracy, sparse_categorical_accuracy, "
                                 "binary_accuracy)"));
}

}  // namespace xgrad::nn
