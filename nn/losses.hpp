// Losses, as Keras 3 computes them (keras/src/losses, backend/tensorflow/nn.py),
// eps = 1e-7, each per sample over the last axis, then reduced:
//   MeanSquaredError:   mean((y - p)^2, last axis)
//   CategoricalCrossentropy:
//     probabilities: p /= sum(p); p = clip(p, eps, 1 - eps); -sum(y log p)
//     from_logits:   softmax_cross_entropy_with_logits (fused, stable)
//   SparseCategoricalCrossentropy (y = class index, shape (...) or (..., 1)):
//     probabilities: the logits form applied to log(clip(p, eps, 1 - eps))
//     from_logits:   sparse_softmax_cross_entropy_with_logits
//   BinaryCrossentropy: mean over the last axis of
//     probabilities: -(y log(clip(p)) + (1 - y) log(1 - clip(p)))
//     from_logits:   max(x, 0) - x y + log(1 + e^-|x|)
// Reduction: SumOverBatchSize (Keras's default, "mean") = sum / number of
// per-sample values; Sum; None keeps the per-sample values.
// As Keras does with a softmax/sigmoid output's _keras_logits, fit() hands a
// cross-entropy loss the logits of a final softmax/sigmoid Dense
// (call_from_logits_of), the fused path.
#pragma once

#include <memory>
#include <string>
#include <utility>

#include <xgrad/autograd/tensor.hpp>
#include <xgrad/nn/activations.hpp>

namespace xgrad::nn {

enum class Reduction { SumOverBatchSize, Sum, None };
// "sum_over_batch_size" (or "mean", "auto"), "sum", "none"; throws ValueError otherwise.
Reduction reduction_from_string(const std::string& name);

class Loss {
public:
    Loss(std::string name, Reduction reduction) : name_(std::move(name)), reduction_(reduction) {}
    virtual ~Loss() = default;

    // The reduced loss: reduce(call(y_true, y_pred)).
    Tensor operator()(const Tensor& y_true, const Tensor& y_pred) const;
    // The unreduced loss, one value per sample (the last axis consumed).
    virtual Tensor call(const Tensor& y_true, const Tensor& y_pred) const = 0;
    // The output activation whose logits this loss can take directly (call_from_logits_of),
    // or LogitsOf::none. A model whose output layer declares the same (Layer::output_logits_of)
    // hands the loss its logits: the fused, stable path.
    virtual LogitsOf takes_logits_of() const { return LogitsOf::none; }
    // The unreduced loss of activation(logits), computed from the logits.
    virtual Tensor call_from_logits_of(const Tensor& y_true, const Tensor& logits) const;
    Tensor reduce(const Tensor& values) const;

    const std::string& name() const { return name_; }
    Reduction reduction() const { return reduction_; }

private:
    std::string name_;
    Reduction reduction_;
};

class MeanSquaredError : public Loss {
public:
    explicit MeanSquaredError(Reduction reduction = Reduction::SumOverBatchSize)
        : Loss("mean_squared_error", reduction) {}
    Tensor call(const Tensor& y_true, const Tensor& y_pred) const override;
};

// The cross-entropies' shared plumbing: y_pred holds logits (from_logits) or
// probabilities, the output of `activation`, whose logits the loss can then
// take directly (takes_logits_of).
class Crossentropy : public Loss {
public:
    LogitsOf takes_logits_of() const override { return from_logits_ ? LogitsOf::none : activation_; }
    Tensor call_from_logits_of(const Tensor& y_true, const Tensor& logits) const override = 0;
    bool from_logits() const { return from_logits_; }

protected:
    Crossentropy(std::string name, Reduction reduction, bool from_logits, LogitsOf activation)
        : Loss(std::move(name), reduction), from_logits_(from_logits), activation_(activation) {}
    bool from_logits_;

private:
    LogitsOf activation_;
};

class CategoricalCrossentropy : public Crossentropy {
public:
    explicit CategoricalCrossentropy(bool from_logits = false, Reduction reduction = Reduction::SumOverBatchSize)
        : Crossentropy("categorical_crossentropy", reduction, from_logits, LogitsOf::softmax) {}
    Tensor call(const Tensor& y_true, const Tensor& y_pred) const override;
    Tensor call_from_logits_of(const Tensor& y_true, const Tensor& logits) const override;
};

class SparseCategoricalCrossentropy : public Crossentropy {
public:
    explicit SparseCategoricalCrossentropy(bool from_logits = false,
                                           Reduction reduction = Reduction::SumOverBatchSize)
        : Crossentropy("sparse_categorical_crossentropy", reduction, from_logits, LogitsOf::softmax) {}
    Tensor call(const Tensor& y_true, const Tensor& y_pred) const override;
    Tensor call_from_logits_of(const Tensor& y_true, const Tensor& logits) const override;
};

class BinaryCrossentropy : public Crossentropy {
public:
    explicit BinaryCrossentropy(bool from_logits = false, Reduction reduction = Reduction::SumOverBatchSize)
        : Crossentropy("binary_crossentropy", reduction, from_logits, LogitsOf::sigmoid) {}
    Tensor call(const Tensor& y_true, const Tensor& y_pred) const override;
    Tensor call_from_logits_of(const Tensor& y_true, const Tensor& logits) const override;
};

// Keras's squeeze_or_expand_to_same_rank on shapes: when the ranks differ by one and the
// longer shape ends in 1, that axis is dropped (or, against a rank-1 shape, the other one
// gains it): y_true (n,) and y_pred (n, 1) become (n, 1) and (n, 1).
std::pair<Shape, Shape> keras_matched_shapes(Shape y_true, Shape y_pred);
// True when numpy broadcasting joins the two shapes.
bool shapes_broadcast(const Shape& a, const Shape& b);

// By Keras name: "mse"/"mean_squared_error", "categorical_crossentropy",
// "sparse_categorical_crossentropy", "binary_crossentropy"; throws ValueError otherwise.
std::shared_ptr<Loss> make_loss(const std::string& name);

}  // namespace xgrad::nn
