// Metrics accumulated over an epoch, as Keras's stateful metrics:
//   Mean:                      sum(w v) / sum(w)
//   CategoricalAccuracy:       mean(argmax(y_true) == argmax(y_pred))
//   SparseCategoricalAccuracy: mean(y_true == argmax(y_pred))  (y_true: class indices)
//   BinaryAccuracy:            mean(y_true == (y_pred > threshold)), threshold 0.5
//   TopKCategoricalAccuracy:   mean(argmax(y_true) in top k of y_pred), k = 5
//   SparseTopKCategoricalAccuracy: mean(y_true in top k of y_pred); ties as Keras's in_top_k
//                              (the label's rank is 1 + the count of strictly larger scores)
//   metrics::MeanSquaredError, metrics::MeanAbsoluteError: per sample mean over the last axis, then the mean
//   metrics::RootMeanSquaredError: sqrt(mean of (y_pred - y_true)^2 over every element)
//   Precision, Recall:         tp / (tp + fp), tp / (tp + fn) at threshold 0.5 (binary)
//   AUC:                       ROC area, Keras's 200 thresholds and interpolation (metrics_confusion.cpp)
// Sums are kept in double, so a 60,000-sample epoch loses nothing.
//
// State: update_state accumulates over the epoch, result() reads it, reset_state()
// clears it. The state is additive: state() summed element-wise over ranks (or
// shards) and given to result_from_state() is the result over all the data. For
// ratio metrics (the default) state() = {total(), count()}.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <xgrad/autograd/tensor.hpp>

namespace xgrad::nn {

class Metric {
public:
    explicit Metric(std::string name) : name_(std::move(name)) {}
    virtual ~Metric() = default;
    // Adds a batch of predictions.
    virtual void update_state(const Tensor& y_true, const Tensor& y_pred) = 0;
    virtual double result() const { return result_from_state(state()); }
    virtual void reset_state() { total_ = 0.0; count_ = 0.0; }
    // The accumulated sums behind result() = total / count (summed across ranks under data
    // parallelism). Exact for ratio metrics (Mean, accuracies, MSE, MAE, Precision, Recall);
    // RootMeanSquaredError and AUC report total = result() * count so that total / count is
    // their own result (summed over ranks: the count-weighted mean of the ranks' results).
    virtual double total() const { return total_; }
    virtual double count() const { return count_; }
    // The additive state and the result of a (summed) state; see the header comment.
    virtual std::vector<double> state() const { return {total_, count_}; }
    virtual double result_from_state(const std::vector<double>& state) const;
    const std::string& name() const { return name_; }

protected:
    void add(double total, double count) { total_ += total; count_ += count; }

private:
    std::string name_;
    double total_ = 0.0, count_ = 0.0;
};

// The weighted mean of scalar values (the loss tracker).
class Mean : public Metric {
public:
    explicit Mean(std::string name = "mean") : Metric(std::move(name)) {}
    void update(double value, double weight = 1.0) { add(value * weight, weight); }
    // Adds every element of y_pred with weight 1 (y_true is ignored).
    void update_state(const Tensor& y_true, const Tensor& y_pred) override;
};

class CategoricalAccuracy : public Metric {
public:
    explicit CategoricalAccuracy(std::string name = "categorical_accuracy") : Metric(std::move(name)) {}
    void update_state(const Tensor& y_true, const Tensor& y_pred) override;
};

class SparseCategoricalAccuracy : public Metric {
public:
    explicit SparseCategoricalAccuracy(std::string name = "sparse_categorical_accuracy") : Metric(std::move(name)) {}
    void update_state(const Tensor& y_true, const Tensor& y_pred) override;
};

class BinaryAccuracy : public Metric {
public:
    explicit BinaryAccuracy(std::string name = "binary_accuracy", float threshold = 0.5f)
        : Metric(std::move(name)), threshold_(threshold) {}
    void update_state(const Tensor& y_true, const Tensor& y_pred) override;

private:
    float threshold_;
};

class TopKCategoricalAccuracy : public Metric {
public:
    explicit TopKCategoricalAccuracy(int k = 5, std::string name = "top_k_categorical_accuracy");
    void update_state(const Tensor& y_true, const Tensor& y_pred) override;
    int k() const { return k_; }

private:
    int k_;
};

class SparseTopKCategoricalAccuracy : public Metric {
public:
    explicit SparseTopKCategoricalAccuracy(int k = 5, std::string name = "sparse_top_k_categorical_accuracy");
    void update_state(const Tensor& y_true, const Tensor& y_pred) override;
    int k() const { return k_; }

private:
    int k_;
};

// Precision / recall at one threshold, as Keras's: a prediction is positive when y_pred >
// threshold, a label when y_true != 0. 0 when nothing was predicted (resp. labelled) positive.
// total() = tp, count() = tp + fp (Precision) or tp + fn (Recall).
// top_k: in each row (the last axis) only the k largest predictions count (ties: the lower
// index first, as top_k); the others become Keras's NEG_INF (-1e10). The threshold is then
// NEG_INF unless given, so the top k are the positive predictions. class_id: only that column
// of the last axis counts (after top_k); y_pred must be at least 2-D.
struct PrecisionRecallOptions {
    std::optional<float> threshold;  // in [0, 1]; unset: 0.5, or NEG_INF with top_k
    std::optional<int> top_k;        // >= 1
    std::optional<int> class_id;     // >= 0
    std::string name;                // empty: "precision" / "recall"
};

// Precision's and Recall's shared part: calls count(predicted_positive, labelled_positive)
// for each prediction that counts.
class ConfusionCounter {
public:
    ConfusionCounter(const char* metric, const PrecisionRecallOptions& options);
    template <class F>
    void for_each(const std::string& name, const Tensor& y_true, const Tensor& y_pred, F&& count) const;
    float threshold() const { return threshold_; }

private:
    // A copy of y_pred with NEG_INF outside each row's k largest (rows of `width`: the last
    // axis after Keras's rank matching with y_true).
    std::vector<float> top_k_filtered(const std::string& name, const Tensor& y_pred, std::size_t width) const;
    float threshold_;
    std::optional<int> top_k_, class_id_;
};

class Precision : public Metric {
public:
    explicit Precision(float threshold = 0.5f, std::string name = "precision");
    explicit Precision(const PrecisionRecallOptions& options);
    void update_state(const Tensor& y_true, const Tensor& y_pred) override;
    double true_positives() const { return total(); }
    double false_positives() const { return count() - total(); }

private:
    ConfusionCounter counter_;
};

class Recall : public Metric {
public:
    explicit Recall(float threshold = 0.5f, std::string name = "recall");
    explicit Recall(const PrecisionRecallOptions& options);
    void update_state(const Tensor& y_true, const Tensor& y_pred) override;
    double true_positives() const { return total(); }
    double false_negatives() const { return count() - total(); }

private:
    ConfusionCounter counter_;
};

// Keras's AUC (single label): the thresholds are [0 - 1e-7, 1/(n-1), ..., (n-2)/(n-1), 1 + 1e-7];
// each threshold keeps tp/fp/tn/fn (predictions clipped to [0, 1], positive when above the
// threshold, bucketed as Keras's evenly-spaced fast path). The curve (x, y) is
//   "ROC":    (fp / (fp + tn), tp / (tp + fn))            (false-positive rate, recall)
//   "PR":     (tp / (tp + fn), tp / (tp + fp))            (recall, precision)
//   "PRGAIN": (recall gain, precision gain), with s = (tp + fn) / (tn + fp):
//             rg = max(1 - s fn / tp, 0) (0 where tp = 0), pg = 1 - s fp / tp (1 where tp = 0)
// (every ratio 0 where its divisor is), and the area sum_i (x[i] - x[i+1]) * h_i with
// h_i = (y[i] + y[i+1]) / 2 ("interpolation"), min(y[i], y[i+1]) ("minoring") or max
// ("majoring"); PR with interpolation is Davis & Goadrich's instead, as Keras:
//   sum_i slope_i (dtp_i + intercept_i log(p[i] / p[i+1])) / max(tp[i+1] + fn[i+1], 0),
//   p = tp + fp, dtp_i = tp[i] - tp[i+1], slope_i = dtp_i / max(p[i] - p[i+1], 0),
//   intercept_i = tp[i+1] - slope_i p[i+1], the log's ratio 1 unless both p are > 0.
// from_logits applies a sigmoid first. state() = tp, fp, tn, fn (num_thresholds each).
struct AUCOptions {
    int num_thresholds = 200;
    std::string curve = "ROC";                      // "ROC", "PR" or "PRGAIN" (or lower case)
    std::string summation_method = "interpolation";  // "interpolation", "minoring" or "majoring"
    bool from_logits = false;
    std::string name = "auc";
};

class AUC : public Metric {
public:
    explicit AUC(int num_thresholds = 200, bool from_logits = false, std::string name = "auc");
    explicit AUC(const AUCOptions& options);
    void update_state(const Tensor& y_true, const Tensor& y_pred) override;
    double result() const override;
    void reset_state() override;
    double total() const override { return result() * count(); }
    double count() const override { return examples_; }
    std::vector<double> state() const override;
    double result_from_state(const std::vector<double>& state) const override;
    int num_thresholds() const { return num_thresholds_; }
    // Keras's spellings: "ROC", "PR", "PRGAIN"; "interpolation", "minoring", "majoring".
    std::string_view curve() const;
    std::string_view summation_method() const;
    const std::vector<double>& thresholds() const { return thresholds_; }
    const std::vector<double>& true_positives() const { return tp_; }
    const std::vector<double>& false_positives() const { return fp_; }
    const std::vector<double>& true_negatives() const { return tn_; }
    const std::vector<double>& false_negatives() const { return fn_; }

private:
    int num_thresholds_;
    bool from_logits_;
    enum class Curve { roc, pr, prgain } curve_;
    enum class Summation { interpolation, minoring, majoring } summation_;
    std::vector<double> thresholds_, tp_, fp_, tn_, fn_;
    double examples_ = 0.0;
};

// keras.metrics: the regression metrics live here, as their names are also losses'
// (nn::MeanSquaredError is the loss); every metric above and below is also reachable
// as nn::metrics::X.
namespace metrics {
class MeanSquaredError : public Metric {
public:
    explicit MeanSquaredError(std::string name = "mean_squared_error") : Metric(std::move(name)) {}
    void update_state(const Tensor& y_true, const Tensor& y_pred) override;
};

class MeanAbsoluteError : public Metric {
public:
    explicit MeanAbsoluteError(std::string name = "mean_absolute_error") : Metric(std::move(name)) {}
    void update_state(const Tensor& y_true, const Tensor& y_pred) override;
};

class RootMeanSquaredError : public Metric {
public:
    explicit RootMeanSquaredError(std::string name = "root_mean_squared_error") : Metric(std::move(name)) {}
    void update_state(const Tensor& y_true, const Tensor& y_pred) override;
    double total() const override { return result() * count(); }
    double result_from_state(const std::vector<double>& state) const override;
};

using nn::AUC;
using nn::BinaryAccuracy;
using nn::CategoricalAccuracy;
using nn::Mean;
using nn::Metric;
using nn::Precision;
using nn::Recall;
using nn::SparseCategoricalAccuracy;
using nn::SparseTopKCategoricalAccuracy;
using nn::TopKCategoricalAccuracy;
}  // namespace metrics

// By Keras name. "accuracy"/"acc" resolve as Keras does from the loss: sparse
// categorical for sparse_categorical_crossentropy, binary for
// binary_crossentropy or a single output unit, categorical otherwise; the
// metric keeps the name the user gave. Also "mse"/"mean_squared_error",
// "mae"/"mean_absolute_error", "root_mean_squared_error", "binary_accuracy",
// "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy", "precision",
// "recall", "auc" (the short names keep the short name, as Keras's logs do).
// Throws ValueError for an unknown name.
std::shared_ptr<Metric> make_metric(const std::string& name, const std::string& loss_name = "",
                                    std::size_t output_units = 0);

}  // namespace xgrad::nn
