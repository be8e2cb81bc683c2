// Sequential: a stack of layers applied in order, with Keras's training API.
//   xgrad::nn::Sequential model({xgrad::nn::Input({784}),
//                                xgrad::nn::Dense(128, "relu"),
//                                xgrad::nn::Dense(10, "softmax")});
//   model.summary();
//   model.compile("adam", "sparse_categorical_crossentropy", {"accuracy"});
//   auto history = model.fit(x, y, {.epochs = 5, .batch_size = 32, .validation_split = 0.1});
//   auto logs = model.evaluate(x_test, y_test);          // logs["accuracy"]
//   xgrad::Tensor p = model.predict(x_test);
// A hand-written step works side by side with fit:
//   xgrad::GradientTape tape;
//   auto loss = (*model.loss())(y, model(x));
//   auto vars = model.trainable_variables();
//   auto grads = tape.gradient(loss, xgrad::nn::as_tensors(vars));
//   model.optimizer()->apply_gradients(grads, model.trainable_variables());
#pragma once

#include <concepts>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <xgrad/nn/callbacks.hpp>
#include <xgrad/nn/fit_options.hpp>
#include <xgrad/nn/layer.hpp>
#include <xgrad/nn/losses.hpp>
#include <xgrad/nn/metrics.hpp>

namespace xgrad::optim {
class Optimizer;
}

namespace xgrad::nn {

// keras.Input(shape=...): the shape of one sample (no batch axis).
struct Input {
    explicit Input(Shape shape) : shape(std::move(shape)) {}
    Input(std::initializer_list<std::size_t> dims) : shape(dims) {}
    Shape shape;
};

// A layer (held by shared_ptr) or an Input, as an element of Sequential's list.
class LayerRef {
public:
    template <std::derived_from<Layer> L>
    LayerRef(L layer) : layer_(std::make_shared<L>(std::move(layer))) {}
    template <std::derived_from<Layer> L>
    LayerRef(std::shared_ptr<L> layer) : layer_(std::move(layer)) {}
    LayerRef(Input input) : input_(std::move(input.shape)) {}
    const std::shared_ptr<Layer>& layer() const { return layer_; }
    const std::optional<Shape>& input() const { return input_; }

private:
    std::shared_ptr<Layer> layer_;
    std::optional<Shape> input_;
};

// compile() arguments: a name or an object.
struct OptimizerArg {
    OptimizerArg(const char* name) : name(name) {}
    OptimizerArg(std::string name) : name(std::move(name)) {}
    template <class O>
    OptimizerArg(std::shared_ptr<O> optimizer) : optimizer(std::move(optimizer)) {}
    std::string name;
    std::shared_ptr<optim::Optimizer> optimizer;
};

struct LossArg {
    LossArg(const char* name) : loss(make_loss(name)) {}
    LossArg(const std::string& name) : loss(make_loss(name)) {}
    template <std::derived_from<Loss> L>
    LossArg(std::shared_ptr<L> loss) : loss(std::move(loss)) {}
    template <std::derived_from<Loss> L>
    LossArg(L loss) : loss(std::make_shared<L>(std::move(loss))) {}
    std::shared_ptr<Loss> loss;
};

struct MetricArg {
    MetricArg(const char* name) : name(name) {}
    MetricArg(std::string name) : name(std::move(name)) {}
    template <std::derived_from<Metric> M>
    MetricArg(std::shared_ptr<M> metric) : metric(std::move(metric)) {}
    std::string name;
    std::shared_ptr<Metric> metric;
};

// The variables as Tensors (shared, not copied), for GradientTape::gradient.
inline std::vector<Tensor> as_tensors(const std::vector<Variable>& vars)
{
    return std::vector<Tensor>(vars.begin(), vars.end());
}

class Sequential {
public:
    explicit Sequential(std::vector<LayerRef> layers = {}, const std::string& name = "");

    // Appends a layer (or sets the input shape when given an Input first).
    void add(LayerRef layer);
    const std::string& name() const { return name_; }
    const std::vector<std::shared_ptr<Layer>>& layers() const { return layers_; }
    // The layer called `name`; throws ValueError listing the names.
    Layer& get_layer(const std::string& name) const;

    // Builds every layer for inputs of `input_shape` (the batch axis included, any size).
    void build(const Shape& input_shape);
    bool built() const;
    // Applies the layers in order (recorded by any active GradientTape).
    Tensor call(const Tensor& x);
    Tensor operator()(const Tensor& x) { return call(x); }

    // "dense_1.kernel", ... in layer order.
    std::vector<std::pair<std::string, Variable>> named_parameters() const;
    std::vector<Variable> trainable_variables() const;
    std::size_t count_params() const;
    // Copies of every parameter's value, in named_parameters() order.
    std::vector<xt::xarray<float>> get_weights() const;
    // Assigns every parameter; throws ShapeError naming the first mismatch (nothing changes then).
    void set_weights(const std::vector<xt::xarray<float>>& weights);
    // Keras's model.summary() table.
    void summary(std::ostream& out = std::cout) const;

    // One .npy per parameter plus manifest.txt in directory `path` (created); atomic writes.
    void save_weights(const std::string& path) const;
    // Checks names and shapes against the manifest and files; throws IOError naming the mismatch.
    void load_weights(const std::string& path);

    // ---- training (nn/training.cpp) ----
    void compile(OptimizerArg optimizer, LossArg loss, std::vector<MetricArg> metrics = {});
    History fit(const Tensor& x, const Tensor& y, const FitOptions& options = {});
    // Loss and metrics over (x, y), batch by batch.
    Logs evaluate(const Tensor& x, const Tensor& y, const EvaluateOptions& options = {});
    Tensor predict(const Tensor& x, std::size_t batch_size = 32);
    // One optimizer step on (x, y); returns the loss and metrics of this batch.
    Logs train_on_batch(const Tensor& x, const Tensor& y);

    const std::shared_ptr<optim::Optimizer>& optimizer() const { return optimizer_; }
    const std::shared_ptr<Loss>& loss() const { return loss_; }
    const std::vector<std::shared_ptr<Metric>>& metrics() const { return metrics_; }
    bool stop_training = false;

private:
    struct Forward {
        Tensor output;  // what call() returns
        Tensor logits;  // the final activation's input when the loss can use it, else undefined
    };
    Forward forward(const Tensor& x, bool for_loss);
    void require_compiled(const char* what) const;
    void check_xy(const char* what, const Tensor& x, const Tensor& y);
    // Records the step's loss (weighted by batch size) and metrics; returns the loss.
    Tensor train_step(const Tensor& x, const Tensor& y);
    void test_step(const Tensor& x, const Tensor& y);
    Logs current_logs(const std::string& prefix = "") const;
    void reset_metrics();

    std::string name_;
    std::vector<std::shared_ptr<Layer>> layers_;
    std::optional<Shape> input_shape_;  // per sample, from Input
    std::optional<Shape> build_shape_;  // the input shape the model was built for
    std::shared_ptr<optim::Optimizer> optimizer_;
    std::shared_ptr<Loss> loss_;
    std::vector<std::shared_ptr<Metric>> metrics_;
    std::vector<std::string> metric_names_;
    Mean loss_tracker_{"loss"};
};

}  // namespace xgrad::nn
