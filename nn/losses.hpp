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
//   MeanAbsoluteError ("mae"):  mean(|y - p|)
//   MeanAbsolutePercentageError ("mape"): 100 mean(|(y - p) / max(|y|, eps)|)
//   MeanSquaredLogarithmicError ("msle"): mean((log(max(p, eps) + 1) - log(max(y, eps) + 1))^2)
//   Huber (delta 1): mean(|e| <= delta ? e^2 / 2 : delta |e| - delta^2 / 2), e = p - y
//   LogCosh: mean(e + softplus(-2e) - log 2)
//   KLDivergence ("kld"): sum(y log(y / p)), y and p clipped to [eps, 1]
//   Poisson: mean(p - y log(p + eps))
//   Hinge: mean(max(1 - y p, 0)); SquaredHinge: mean(max(1 - y p, 0)^2); labels that are
//     all 0 or 1 become -1 or 1
//   CosineSimilarity: -sum(l2_normalize(y) l2_normalize(p)) (last axis), a norm of 0
//     counted as eps (as Keras's normalize: x rsqrt(max(sum x^2, eps^2)))
// label_smoothing (categorical: y (1 - ls) + ls / classes; binary: y (1 - ls) + ls / 2).
// Reduction: SumOverBatchSize (Keras's default, "mean") = sum / number of
// per-sample values; Sum; None keeps the per-sample values.
// sample_weight (Keras's reduce_weighted_values): the per-sample values times the
// weights (rank-matched as y_true and y_pred, then broadcast), then the reduction;
// SumOverBatchSize still divides by the number of values, not the sum of the weights.
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
    // reduce(call(y_true, y_pred) * sample_weight); an undefined sample_weight is no weighting.
    Tensor operator()(const Tensor& y_true, const Tensor& y_pred, const Tensor& sample_weight) const;
    // The per-sample values times sample_weight, rank-matched and broadcast as Keras does;
    // throws ShapeError naming the loss and both shapes when they do not broadcast.
    Tensor apply_sample_weight(const Tensor& values, const Tensor& sample_weight) const;
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

#define XGRAD_SIMPLE_LOSS(Class, keras_name)                                                  \
    class Class : public Loss {                                                               \
    public:                                                                                   \
        explicit Class(Reduction reduction = Reduction::SumOverBatchSize) : Loss(keras_name, reduction) {} \
        Tensor call(const Tensor& y_true, const Tensor& y_pred) const override;               \
    };
XGRAD_SIMPLE_LOSS(MeanAbsoluteError, "mean_absolute_error")
XGRAD_SIMPLE_LOSS(MeanAbsolutePercentageError, "mean_absolute_percentage_error")
XGRAD_SIMPLE_LOSS(MeanSquaredLogarithmicError, "mean_squared_logarithmic_error")
XGRAD_SIMPLE_LOSS(LogCosh, "log_cosh")
XGRAD_SIMPLE_LOSS(KLDivergence, "kl_divergence")
XGRAD_SIMPLE_LOSS(Poisson, "poisson")
XGRAD_SIMPLE_LOSS(Hinge, "hinge")
XGRAD_SIMPLE_LOSS(SquaredHinge, "squared_hinge")
#undef XGRAD_SIMPLE_LOSS

class Huber : public Loss {
public:
    explicit Huber(double delta = 1.0, Reduction reduction = Reduction::SumOverBatchSize);
    Tensor call(const Tensor& y_true, const Tensor& y_pred) const override;
    double delta() const { return delta_; }

private:
    double delta_;
};

// Keras's CosineSimilarity: the negative cosine along `axis` (only -1, the last axis).
class CosineSimilarity : public Loss {
public:
    explicit CosineSimilarity(int axis = -1, Reduction reduction = Reduction::SumOverBatchSize);
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
    // Keras's argument order: CategoricalCrossentropy(from_logits, label_smoothing, reduction).
    CategoricalCrossentropy(bool from_logits, double label_smoothing,
                            Reduction reduction = Reduction::SumOverBatchSize);
    Tensor call(const Tensor& y_true, const Tensor& y_pred) const override;
    Tensor call_from_logits_of(const Tensor& y_true, const Tensor& logits) const override;
    double label_smoothing() const { return label_smoothing_; }

private:
    double label_smoothing_ = 0.0;
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
    // Keras's argument order: BinaryCrossentropy(from_logits, label_smoothing, reduction).
    BinaryCrossentropy(bool from_logits, double label_smoothing, Reduction reduction = Reduction::SumOverBatchSize);
    Tensor call(const Tensor& y_true, const Tensor& y_pred) const override;
    Tensor call_from_logits_of(const Tensor& y_true, const Tensor& logits) const override;
    double label_smoothing() const { return label_smoothing_; }

private:
    double label_smoothing_ = 0.0;
};

// Keras's squeeze_or_expand_to_same_rank on shapes: when the ranks differ by one and the
// longer shape ends in 1, that axis is dropped (or, against a rank-1 shape, the other one
// gains it): y_true (n,) and y_pred (n, 1) become (n, 1) and (n, 1).
std::pair<Shape, Shape> keras_matched_shapes(Shape y_true, Shape y_pred);
// True when numpy broadcasting joins the two shapes.
bool shapes_broadcast(const Shape& a, const Shape& b);

// By Keras name: "mse"/"mean_squared_error", "mae"/"mean_absolute_error",
// "mape"/"mean_absolute_percentage_error", "msle"/"mean_squared_logarithmic_error",
// "huber", "log_cosh"/"logcosh", "kld"/"kl_divergence", "poisson", "hinge",
// "squared_hinge", "cosine_similarity", "categorical_crossentropy",
// "sparse_categorical_crossentropy", "binary_crossentropy"; throws ValueError otherwise.
std::shared_ptr<Loss> make_loss(const std::string& name);

}  // namespace xgrad::nn
