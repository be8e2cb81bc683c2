// Metrics accumulated over an epoch, as Keras's stateful metrics:
//   Mean:                      sum(w v) / sum(w)
//   CategoricalAccuracy:       mean(argmax(y_true) == argmax(y_pred))
//   SparseCategoricalAccuracy: mean(y_true == argmax(y_pred))  (y_true: class indices)
//   BinaryAccuracy:            mean(y_true == (y_pred > threshold)), threshold 0.5
// Sums are kept in double, so a 60,000-sample epoch loses nothing.
#pragma once

#include <memory>
#include <string>

#include <xgrad/autograd/tensor.hpp>

namespace xgrad::nn {

class Metric {
public:
    explicit Metric(std::string name) : name_(std::move(name)) {}
    virtual ~Metric() = default;
    // Adds a batch of predictions.
    virtual void update_state(const Tensor& y_true, const Tensor& y_pred) = 0;
    double result() const { return count_ > 0 ? total_ / count_ : 0.0; }
    void reset_state() { total_ = 0.0; count_ = 0.0; }
    // The accumulated sums behind result() = total / count (summed across ranks under data parallelism).
    double total() const { return total_; }
    double count() const { return count_; }
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

// By Keras name. "accuracy"/"acc" resolve as Keras does from the loss: sparse
// categorical for sparse_categorical_crossentropy, binary for
// binary_crossentropy or a single output unit, categorical otherwise; the
// metric keeps the name the user gave. Throws ValueError for an unknown name.
std::shared_ptr<Metric> make_metric(const std::string& name, const std::string& loss_name = "",
                                    std::size_t output_units = 0);

}  // namespace xgrad::nn
