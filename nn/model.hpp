// Model: a Layer with Keras's training API (compile, fit, evaluate, predict,
// train_on_batch, test_on_batch, summary, save_weights/load_weights). Three
// ways to build one, as in Keras:
//   1. Sequential (nn/sequential.hpp): a stack of layers.
//   2. Functional: layers called on symbolic inputs (nn/symbolic.hpp), any DAG:
//        auto top = nn::Input({14, 28}), bottom = nn::Input({14, 28});
//        auto a = nn::Dense(64, "relu")(nn::Flatten()(top));
//        auto b = nn::Dense(64, "relu")(nn::Flatten()(bottom));
//        auto out = nn::Dense(10, "softmax")(nn::Concatenate()({a, b}));
//        nn::Model model({top, bottom}, out);          // fit({x_top, x_bottom}, y)
//   3. Subclassing: derive from Model, add sublayers with add_layer, override call:
//        class Classifier : public nn::Model {
//        public:
//            Classifier() : Model("Classifier"), hidden_(add_layer(nn::Dense(128, "relu"))),
//                           out_(add_layer(nn::Dense(10, "softmax"))) {}
//        protected:
//            Tensor call(const Tensor& x, bool training) override { return out_(hidden_(x)); }
//        private:
//            nn::Dense hidden_, out_;
//        };
// A Model is a Layer, so models nest inside models and Sequentials.
#pragma once

#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <xgrad/nn/callbacks.hpp>
#include <xgrad/nn/compile_args.hpp>
#include <xgrad/nn/fit_options.hpp>
#include <xgrad/nn/layer.hpp>
#include <xgrad/nn/symbolic.hpp>

namespace xgrad::nn {

class Model : public Layer {
public:
    // For subclasses: `class_name` names the class ("Classifier" -> automatic name "classifier").
    explicit Model(const std::string& class_name = "Model", const std::string& name = "");
    // The functional API: a graph from the inputs to the output, checked and built here.
    Model(const SymbolicTensor& input, const SymbolicTensor& output, const std::string& name = "");
    Model(const std::vector<SymbolicTensor>& inputs, const SymbolicTensor& output, const std::string& name = "");
    XGRAD_LAYER(Model)

    bool is_functional() const { return graph_ != nullptr; }
    // The sublayer called `name`; throws ValueError listing the names.
    Layer& get_layer(const std::string& name) const;

    // ---- training (nn/training.cpp) ----
    void compile(OptimizerArg optimizer, LossArg loss, std::vector<MetricArg> metrics = {});
    History fit(const Tensor& x, const Tensor& y, const FitOptions& options = {});
    History fit(const std::vector<Tensor>& x, const Tensor& y, const FitOptions& options = {});
    // Loss and metrics over (x, y), batch by batch, in inference mode.
    Logs evaluate(const Tensor& x, const Tensor& y, const EvaluateOptions& options = {});
    Logs evaluate(const std::vector<Tensor>& x, const Tensor& y, const EvaluateOptions& options = {});
    Tensor predict(const Tensor& x, std::size_t batch_size = 32);
    Tensor predict(const std::vector<Tensor>& x, std::size_t batch_size = 32);
    // One optimizer step on (x, y) in training mode; the loss and metrics of this batch.
    Logs train_on_batch(const Tensor& x, const Tensor& y);
    Logs train_on_batch(const std::vector<Tensor>& x, const Tensor& y);
    // The loss and metrics of one batch, in inference mode.
    Logs test_on_batch(const Tensor& x, const Tensor& y);
    Logs test_on_batch(const std::vector<Tensor>& x, const Tensor& y);

    const std::shared_ptr<optim::Optimizer>& optimizer() const { return optimizer_; }
    const std::shared_ptr<Loss>& loss() const { return loss_; }
    const std::vector<std::shared_ptr<Metric>>& metrics() const { return metrics_; }
    bool stop_training = false;

    // Keras's model.summary() table (with "Connected to" for a functional graph that is not a chain).
    void summary(std::ostream& out = std::cout) const;

    // By the path's ending: ".weights.h5" Keras 3's weights file, ".npz" numpy's savez layout,
    // otherwise a directory of one .npy per weight (dotted names) plus manifest.txt. Atomic.
    // Under data parallelism (xgrad::distributed) only rank 0 writes; save() likewise.
    // include_optimizer (directories): the compiled optimizer's state (optim save_state) goes into
    // the same directory as "optimizer.state", swapped in together with the weights.
    void save_weights(const std::string& path, bool include_optimizer = false) const;
    // Checks names and shapes; throws IOError naming the mismatch (nothing changes then).
    // include_optimizer: also restores "optimizer.state" into the compiled optimizer, for the
    // trainable variables (by name), so fit(initial_epoch) resumes exactly where the saved run was.
    void load_weights(const std::string& path, bool include_optimizer = false);
    // Writes a Keras 3 .keras archive (nn/saving/saving.hpp; load it with nn::load_model).
    void save(const std::string& path) const;
    // The metrics as compile() received them (names or objects).
    const std::vector<MetricArg>& compiled_metrics() const { return metric_args_; }

    Shape compute_output_shape(const Shape& input_shape) const override;
    Shape compute_output_shape_multi(const std::vector<Shape>& input_shapes) const override;
    LogitsOf output_logits_of() const override;
    // Functional: Keras 3's {"name", "trainable", "layers": [...with "inbound_nodes"], "input_layers", "output_layers"}.
    Json get_config() const override;
    std::string config_module() const override;
    static LayerPtr functional_from_config(const Json& config);

protected:
    Tensor call(const Tensor& x, bool training) override;
    Tensor call_multi(const std::vector<Tensor>& inputs, bool training) override;
    Tensor call_logits(const std::vector<Tensor>& inputs, bool training) override;
    void build_multi(const std::vector<Shape>& input_shapes) override;
    // The order summary() lists the sublayers in, and their output shapes when known.
    virtual std::vector<std::pair<const Layer*, std::optional<Shape>>> summary_rows() const;

private:
    struct Graph {
        std::vector<SymbolicTensor> inputs;
        SymbolicTensor output;
        bool inputs_as_list = false;
        std::vector<const GraphNode*> order;  // topological, inputs first
    };
    void init_graph(const std::vector<SymbolicTensor>& inputs, const SymbolicTensor& output, bool as_list);
    Tensor run_graph(const std::vector<Tensor>& inputs, bool training, bool logits);
    void summary_graph(std::ostream& out) const;
    // The nodes of `layer` in this model, in the order they were made.
    std::vector<const GraphNode*> nodes_of(const Layer& layer) const;
    // A node's index among the nodes of its layer in this model (Keras's node_index).
    std::size_t node_index(const GraphNode* node) const;

    // ---- training internals (nn/training.cpp) ----
    struct StepOutput {
        Tensor loss;    // reduced, on the tape in training
        Tensor y_pred;  // what the metrics see (probabilities when the loss took logits)
    };
    // sample_weight: one weight per sample, or undefined (no weighting: the unweighted path).
    StepOutput forward_loss(const std::vector<Tensor>& x, const Tensor& y, bool training,
                            const Tensor& sample_weight = Tensor());
    void require_compiled(const char* what) const;
    void resolve_metrics(const Shape& output_shape);
    void check_xy(const char* what, const std::vector<Tensor>& x, const Tensor& y);
    void train_step(const std::vector<Tensor>& x, const Tensor& y, const Tensor& sample_weight = Tensor());
    History fit_loop(const std::vector<Tensor>& x, const Tensor& y, const Tensor& sample_weight, const Tensor& val_weight,
                     const std::optional<std::pair<std::vector<Tensor>, Tensor>>& val, const FitOptions& options);
    void test_step(const std::vector<Tensor>& x, const Tensor& y, const Tensor& sample_weight = Tensor());
    // The per-sample weights of fit/evaluate: sample_weight, or class_weight looked up by each
    // sample's label (Keras's class_weight_to_sample_weights), or undefined for neither.
    Tensor sample_weights_for(const char* what, const Tensor& y, const Tensor& sample_weight,
                              const std::map<int, double>& class_weight) const;
    void track(const StepOutput& step, const Tensor& y, std::size_t batch);
    Logs current_logs() const;
    void reset_metrics();

    std::shared_ptr<const Graph> graph_;
    std::shared_ptr<optim::Optimizer> optimizer_;
    std::shared_ptr<Loss> loss_;
    std::vector<MetricArg> metric_args_;
    std::vector<std::shared_ptr<Metric>> metrics_;
    Mean loss_tracker_{"loss"};
    std::uint64_t steps_ = 0;  // training steps so far (Dropout's StepSeed)
    std::uint64_t step_seed_ = 0;
};

}  // namespace xgrad::nn
