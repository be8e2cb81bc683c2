// Sequential's compile/fit/evaluate/predict: Keras 3's training loop.
// Per training step (train_step):
//   tape { y_pred = model(x); loss = reduce(loss_fn(y, y_pred)) }
//   grads = tape.gradient(loss, trainable_variables); optimizer.apply_gradients(grads, vars)
//   loss tracker += loss weighted by the batch size; metrics += (y, y_pred)
// When the last layer is a Dense with the activation the loss can fuse
// (softmax for the categorical cross-entropies, sigmoid for binary), the loss
// is computed from that layer's logits, as Keras does through _keras_logits.
#include <xgrad/nn/sequential.hpp>

#include <cmath>
#include <cstring>

#include <xgrad/autograd/gradient_tape.hpp>
#include <xgrad/autograd/ops.hpp>
#include <xgrad/nn/data/batches.hpp>
#include <xgrad/nn/dense.hpp>
#include <xgrad/nn/progbar.hpp>
#include <xgrad/optim/factory.hpp>
#include <xgrad/optim/optimizer.hpp>

namespace xgrad::nn {
namespace {
std::shared_ptr<optim::Optimizer> optimizer_by_name(const std::string& name)
{
    try {
        return optim::make_optimizer(name);
    } catch (const Error& e) {
        throw ValueError(detail::cat("compile: unknown optimizer '", name, "' (", e.what(), ")"));
    }
}

int resolve_verbose(int verbose) { return verbose < 0 ? (stdout_is_terminal() ? 1 : 2) : verbose; }

// Rows [begin, end) of x as a new tensor.
Tensor rows(const Tensor& x, std::size_t begin, std::size_t end)
{
    std::vector<std::size_t> idx(end - begin);
    for (std::size_t i = 0; i < idx.size(); ++i) idx[i] = begin + i;
    return Tensor(take_rows(x.value(), idx.data(), idx.size()));
}
}  // namespace

void Sequential::compile(OptimizerArg optimizer, LossArg loss, std::vector<MetricArg> metrics)
{
    optimizer_ = optimizer.optimizer ? optimizer.optimizer : optimizer_by_name(optimizer.name);
    if (!loss.loss) throw ValueError(detail::cat(name_, ".compile: the loss is null"));
    loss_ = loss.loss;
    metrics_.clear();
    std::size_t units = 0;
    if (auto* dense = layers_.empty() ? nullptr : dynamic_cast<Dense*>(layers_.back().get())) units = dense->units();
    for (auto& m : metrics) metrics_.push_back(m.metric ? m.metric : make_metric(m.name, loss_->name(), units));
}

void Sequential::require_compiled(const char* what) const
{
    if (!optimizer_ || !loss_) throw Error(detail::cat(name_, ".", what, ": call compile(optimizer, loss) first"));
}

void Sequential::check_xy(const char* what, const Tensor& x, const Tensor& y)
{
    if (!x.defined() || !y.defined()) throw ValueError(detail::cat(what, ": x or y is an undefined tensor"));
    if (x.rank() == 0 || y.rank() == 0 || x.shape()[0] != y.shape()[0]) {
        throw ShapeError(detail::cat(what, ": x has ", x.rank() ? x.shape()[0] : 0, " samples (shape ",
                                     to_string(x.shape()), ") but y has ", y.rank() ? y.shape()[0] : 0, " (shape ",
                                     to_string(y.shape()), ")"));
    }
    if (x.shape()[0] == 0) throw ValueError(detail::cat(what, ": x has no samples"));
    if (!build_shape_) build(x.shape());
    Shape out = x.shape();
    for (const auto& layer : layers_) out = layer->compute_output_shape(out);
    const std::size_t classes = out.back();
    if (loss_ && loss_->name() == "sparse_categorical_crossentropy") {
        const float* labels = y.value().data();
        for (std::size_t i = 0; i < y.size(); ++i) {
            if (!(labels[i] >= 0.0f && labels[i] < float(classes)) || labels[i] != std::floor(labels[i])) {
                throw ValueError(detail::cat(what, ": label ", labels[i], " at sample ", i,
                                             " is out of range: the model has ", classes,
                                             " output classes, labels must be integers in [0, ", classes, ")"));
            }
        }
    } else if (loss_ && y.shape() != out) {
        throw ShapeError(detail::cat(what, ": y has shape ", to_string(y.shape()), " but the model outputs shape ",
                                     to_string(out), " for x of shape ", to_string(x.shape()), " (loss ",
                                     loss_->name(), ")"));
    }
}

Sequential::Forward Sequential::forward(const Tensor& x, bool for_loss)
{
    if (layers_.empty()) throw ValueError(detail::cat(name_, ": the model has no layers"));
    if (!build_shape_) build(x.shape());
    const std::string fuse = for_loss && loss_ ? loss_->fuses_activation() : "";
    auto* dense = dynamic_cast<Dense*>(layers_.back().get());
    if (fuse.empty() || !dense || dense->activation() != fuse) return {call(x), Tensor()};
    Tensor h = x;
    for (std::size_t i = 0; i + 1 < layers_.size(); ++i) h = (*layers_[i])(h);
    Tensor logits = dense->linear(h);
    // The probabilities for the metrics, off the tape.
    return {get_activation(fuse)(stop_gradient(logits)), logits};
}

void Sequential::reset_metrics()
{
    loss_tracker_.reset_state();
    for (auto& m : metrics_) m->reset_state();
}

Logs Sequential::current_logs(const std::string& prefix) const
{
    Logs logs;
    logs[prefix + "loss"] = loss_tracker_.result();
    for (const auto& m : metrics_) logs[prefix + m->name()] = m->result();
    return logs;
}

Tensor Sequential::train_step(const Tensor& x, const Tensor& y)
{
    const auto vars = trainable_variables();
    GradientTape tape;
    const Forward f = forward(x, true);
    const Tensor loss = loss_->reduce(f.logits.defined() ? loss_->call_from_logits_of(y, f.logits)
                                                         : loss_->call(y, f.output));
    const auto grads = tape.gradient(loss, as_tensors(vars));
    optimizer_->apply_gradients(grads, vars);
    const double batch = static_cast<double>(x.shape()[0]);
    double value = 0;
    for (float v : loss.value()) value += v;
    loss_tracker_.update(value / static_cast<double>(loss.size()), batch);
    for (auto& m : metrics_) m->update_state(y, f.output);
    return loss;
}

void Sequential::test_step(const Tensor& x, const Tensor& y)
{
    const Forward f = forward(x, true);
    const Tensor loss = loss_->reduce(f.logits.defined() ? loss_->call_from_logits_of(y, f.logits)
                                                         : loss_->call(y, f.output));
    double value = 0;
    for (float v : loss.value()) value += v;
    loss_tracker_.update(value / static_cast<double>(loss.size()), static_cast<double>(x.shape()[0]));
    for (auto& m : metrics_) m->update_state(y, f.output);
}

Logs Sequential::train_on_batch(const Tensor& x, const Tensor& y)
{
    require_compiled("train_on_batch");
    check_xy("train_on_batch", x, y);
    reset_metrics();
    train_step(x, y);
    return current_logs();
}

History Sequential::fit(const Tensor& x, const Tensor& y, const FitOptions& options)
{
    require_compiled("fit");
    check_xy("fit", x, y);
    if (options.batch_size == 0) throw ValueError("fit: argument 'batch_size' must be positive, got 0");
    if (options.epochs < 0) throw ValueError(detail::cat("fit: argument 'epochs' must be >= 0, got ", options.epochs));
    if (!(options.validation_split >= 0.0 && options.validation_split < 1.0)) {
        throw ValueError(detail::cat("fit: argument 'validation_split' must be in [0, 1), got ", options.validation_split));
    }
    Tensor x_train = x, y_train = y;
    std::optional<std::pair<Tensor, Tensor>> val = options.validation_data;
    if (val) {
        check_xy("fit (validation_data)", val->first, val->second);
    } else if (options.validation_split > 0.0) {
        const std::size_t n = x.shape()[0];
        const auto split_at = static_cast<std::size_t>(std::ceil(double(n) * (1.0 - options.validation_split)));
        if (split_at == 0 || split_at >= n) {
            throw ValueError(detail::cat("fit: validation_split ", options.validation_split, " of ", n,
                                         " samples leaves an empty training or validation set"));
        }
        x_train = rows(x, 0, split_at);
        y_train = rows(y, 0, split_at);
        val = std::make_pair(rows(x, split_at, n), rows(y, split_at, n));
    }
    const std::uint64_t seed = options.seed ? *options.seed : global_generator().next_u64();
    BatchIterator batches(x_train, y_train, options.batch_size, options.shuffle, seed);
    const int verbose = resolve_verbose(options.verbose);

    auto history = std::make_shared<History>();
    std::vector<CallbackPtr> callbacks = options.callbacks;
    callbacks.push_back(history);
    for (auto& cb : callbacks) cb->set_model(this);
    stop_training = false;
    for (auto& cb : callbacks) cb->on_train_begin({});
    for (int epoch = options.initial_epoch; epoch < options.epochs; ++epoch) {
        reset_metrics();
        for (auto& cb : callbacks) cb->on_epoch_begin(epoch, {});
        if (verbose > 0 && options.epochs > 1) std::cout << "Epoch " << epoch + 1 << "/" << options.epochs << "\n";
        Progbar bar(batches.size(), verbose);
        std::size_t steps = 0;
        for (std::size_t b = 0; b < batches.size() && !stop_training; ++b) {
            for (auto& cb : callbacks) cb->on_train_batch_begin(static_cast<int>(b), {});
            const auto [xb, yb] = batches.batch(b);
            train_step(xb, yb);
            steps = b + 1;
            const Logs logs = current_logs();
            if (verbose == 1) bar.update(steps, logs);
            for (auto& cb : callbacks) cb->on_train_batch_end(static_cast<int>(b), logs);
        }
        Logs logs = current_logs();
        if (val) {
            const Logs val_logs = evaluate(val->first, val->second, {.batch_size = options.batch_size, .verbose = 0});
            for (const auto& [k, v] : val_logs) logs["val_" + k] = v;
        }
        for (auto& cb : callbacks) cb->on_epoch_end(epoch, logs);
        bar.update(steps, logs, true);
        batches.next_epoch();
        if (stop_training) break;
    }
    for (auto& cb : callbacks) cb->on_train_end({});
    return *history;
}

Logs Sequential::evaluate(const Tensor& x, const Tensor& y, const EvaluateOptions& options)
{
    require_compiled("evaluate");
    check_xy("evaluate", x, y);
    if (options.batch_size == 0) throw ValueError("evaluate: argument 'batch_size' must be positive, got 0");
    const std::size_t n = x.shape()[0], steps = (n + options.batch_size - 1) / options.batch_size;
    const int verbose = resolve_verbose(options.verbose);
    reset_metrics();
    Progbar bar(steps, verbose);
    for (std::size_t s = 0; s < steps; ++s) {
        const std::size_t begin = s * options.batch_size, end = std::min(n, begin + options.batch_size);
        test_step(rows(x, begin, end), rows(y, begin, end));
        if (verbose == 1) bar.update(s + 1, current_logs());
    }
    const Logs logs = current_logs();
    bar.update(steps, logs, true);
    return logs;
}

Tensor Sequential::predict(const Tensor& x, std::size_t batch_size)
{
    if (!x.defined() || x.rank() == 0 || x.shape()[0] == 0) {
        throw ValueError(detail::cat(name_, ".predict: x must have at least one sample"));
    }
    if (batch_size == 0) throw ValueError("predict: argument 'batch_size' must be positive, got 0");
    const std::size_t n = x.shape()[0];
    xt::xarray<float> out;
    std::size_t width = 0;
    for (std::size_t begin = 0; begin < n; begin += batch_size) {
        const std::size_t end = std::min(n, begin + batch_size);
        const Tensor y = call(rows(x, begin, end));
        if (begin == 0) {
            Shape shape = y.shape();
            shape[0] = n;
            out = xt::xarray<float>::from_shape(shape);
            width = y.size() / (end - begin);
        }
        std::memcpy(out.data() + begin * width, y.value().data(), y.size() * sizeof(float));
    }
    return Tensor(std::move(out));
}

}  // namespace xgrad::nn
