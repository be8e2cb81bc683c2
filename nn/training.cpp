// Model's compile/fit/evaluate/predict: Keras 3's training loop, for any model.
// Per training step (train_step), in training mode:
//   tape { y_pred = model(x, training=true); loss = reduce(loss_fn(y, y_pred)) }
//   grads = tape.gradient(loss, trainable_variables); optimizer.apply_gradients(grads, vars)
//   loss tracker += loss weighted by the batch size; metrics += (y, y_pred)
// When the loss takes the logits of the model's output activation
// (Loss::takes_logits_of == Layer::output_logits_of), the loss is computed from
// those logits, as Keras does through _keras_logits, and the metrics see the
// activation of the logits.
#include <xgrad/nn/model.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>

#include <xgrad/autograd/gradient_tape.hpp>
#include <xgrad/core/communicator.hpp>
#include <xgrad/optim/distributed.hpp>
#include <xgrad/autograd/ops.hpp>
#include <xgrad/nn/data/batches.hpp>
#include <xgrad/nn/layers/dropout.hpp>
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

std::vector<Tensor> rows(const std::vector<Tensor>& xs, std::size_t begin, std::size_t end)
{
    std::vector<Tensor> out;
    for (const auto& x : xs) out.push_back(rows(x, begin, end));
    return out;
}

std::vector<Shape> shapes_of(const std::vector<Tensor>& xs)
{
    std::vector<Shape> out;
    for (const auto& x : xs) out.push_back(x.shape());
    return out;
}

// Dropout's per-step key under fit: the shuffle seed, mixed once more.
constexpr std::uint64_t dropout_stream = 0x64726f706f7574ULL;
}  // namespace

void Model::compile(OptimizerArg optimizer, LossArg loss, std::vector<MetricArg> metrics)
{
    optimizer_ = optimizer.optimizer ? optimizer.optimizer : optimizer_by_name(optimizer.name);
    if (!loss.loss) throw ValueError(detail::cat(name(), ".compile: the loss is null"));
    loss_ = loss.loss;
    metric_args_ = std::move(metrics);
    metrics_.clear();
    // Names like "accuracy" resolve from the loss and the output's width: now when the
    // model is built, else at the first fit/evaluate (check_xy).
    if (built() && !build_shapes().empty()) resolve_metrics(compute_output_shape_multi(build_shapes()));
}

void Model::resolve_metrics(const Shape& output_shape)
{
    const std::size_t units = output_shape.empty() ? 0 : output_shape.back();
    metrics_.clear();
    for (auto& m : metric_args_) metrics_.push_back(m.metric ? m.metric : make_metric(m.name, loss_->name(), units));
}

void Model::require_compiled(const char* what) const
{
    if (!optimizer_ || !loss_) throw Error(detail::cat(name(), ".", what, ": call compile(optimizer, loss) first"));
}

void Model::check_xy(const char* what, const std::vector<Tensor>& xs, const Tensor& y)
{
    if (xs.empty()) throw ValueError(detail::cat(what, ": x is an empty list of inputs"));
    if (!y.defined()) throw ValueError(detail::cat(what, ": y is an undefined tensor"));
    for (std::size_t i = 0; i < xs.size(); ++i) {
        const Tensor& x = xs[i];
        if (!x.defined()) throw ValueError(detail::cat(what, ": x[", i, "] is an undefined tensor"));
        if (x.rank() == 0 || y.rank() == 0 || x.shape()[0] != y.shape()[0]) {
            throw ShapeError(detail::cat(what, ": x", xs.size() > 1 ? detail::cat("[", i, "]") : "", " has ",
                                         x.rank() ? x.shape()[0] : 0, " samples (shape ", to_string(x.shape()),
                                         ") but y has ", y.rank() ? y.shape()[0] : 0, " (shape ", to_string(y.shape()),
                                         ")"));
        }
    }
    if (xs[0].shape()[0] == 0) throw ValueError(detail::cat(what, ": x has no samples"));
    if (!built()) build(shapes_of(xs));
    const Shape out = compute_output_shape_multi(shapes_of(xs));
    const std::size_t classes = out.empty() ? 0 : out.back();
    if (loss_ && metrics_.size() != metric_args_.size()) resolve_metrics(out);
    if (loss_ && loss_->name() == "sparse_categorical_crossentropy") {
        const float* labels = y.value().data();
        for (std::size_t i = 0; i < y.size(); ++i) {
            if (!(labels[i] >= 0.0f && labels[i] < float(classes)) || labels[i] != std::floor(labels[i])) {
                throw ValueError(detail::cat(what, ": label ", labels[i], " at sample ", i,
                                             " is out of range: the model has ", classes,
                                             " output classes, labels must be integers in [0, ", classes, ")"));
            }
        }
    } else if (loss_) {
        // Keras's rule: y of shape (n,) against an output (n, 1) is fine, then the formula broadcasts.
        const auto [t, p] = keras_matched_shapes(y.shape(), out);
        if (!shapes_broadcast(t, p) || t.empty() || t[0] != p[0]) {
            throw ShapeError(detail::cat(what, ": y has shape ", to_string(y.shape()), " but the model outputs shape ",
                                         to_string(out), " for x of shape ", to_string(xs[0].shape()), " (loss ",
                                         loss_->name(), ")"));
        }
    }
}

Model::StepOutput Model::forward_loss(const std::vector<Tensor>& x, const Tensor& y, bool training,
                                      const Tensor& sample_weight)
{
    const auto reduce = [&](const Tensor& values) {
        return loss_->reduce(sample_weight.defined() ? loss_->apply_sample_weight(values, sample_weight) : values);
    };
    const LogitsOf fuse = loss_->takes_logits_of();
    if (fuse != LogitsOf::none && fuse == output_logits_of()) {
        const Tensor logits = this->logits(x, training);
        // The probabilities for the metrics, off the tape.
        return {reduce(loss_->call_from_logits_of(y, logits)), apply_logits_activation(fuse, stop_gradient(logits))};
    }
    const Tensor out = x.size() == 1 ? (*this)(x[0], training) : (*this)(x, training);
    return {reduce(loss_->call(y, out)), out};
}

Tensor Model::sample_weights_for(const char* what, const Tensor& y, const Tensor& sample_weight,
                                 const std::map<int, double>& class_weight) const
{
    const std::size_t n = y.shape()[0];
    if (sample_weight.defined() && !class_weight.empty()) {
        throw ValueError(detail::cat(what, ": arguments 'sample_weight' and 'class_weight' cannot be used together"));
    }
    if (sample_weight.defined()) {
        if (sample_weight.rank() != 1 || sample_weight.shape()[0] != n) {
            throw ShapeError(detail::cat(what, ": argument 'sample_weight' must hold one weight per sample, shape (", n,
                                         ",), got shape ", to_string(sample_weight.shape()), " for y of shape ",
                                         to_string(y.shape())));
        }
        return Tensor(xt::xarray<float>(sample_weight.value()));
    }
    if (class_weight.empty()) return Tensor();
    if (y.rank() > 2) {
        throw ShapeError(detail::cat(what, ": argument 'class_weight' needs labels of shape (n,), (n, 1) or (n, classes), "
                                           "got y of shape ", to_string(y.shape())));
    }
    const std::size_t width = y.rank() == 2 ? y.shape()[1] : 1;
    const float* labels = y.value().data();
    xt::xarray<float> weights = xt::ones<float>({n});
    for (std::size_t i = 0; i < n; ++i) {
        const float* row = labels + i * width;
        long label = 0;
        if (width == 1) {
            label = std::lround(row[0]);
        } else {
            label = static_cast<long>(std::max_element(row, row + width) - row);
        }
        const auto it = class_weight.find(static_cast<int>(label));
        if (it != class_weight.end()) weights(i) = static_cast<float>(it->second);
    }
    return Tensor(std::move(weights));
}

void Model::reset_metrics()
{
    loss_tracker_.reset_state();
    for (auto& m : metrics_) m->reset_state();
}

Logs Model::current_logs() const
{
    Logs logs;
    if (!distributed::active()) {
        logs["loss"] = loss_tracker_.result();
        for (const auto& m : metrics_) logs[m->name()] = m->result();
        return logs;
    }
    // Under data parallelism every metric's additive state is summed over the ranks: the same logs everywhere.
    std::vector<double> sums = loss_tracker_.state();
    std::vector<std::size_t> starts;
    for (const auto& m : metrics_) {
        starts.push_back(sums.size());
        const auto st = m->state();
        sums.insert(sums.end(), st.begin(), st.end());
    }
    distributed::world().allreduce_sum(sums.data(), sums.size());
    const auto slice = [&](std::size_t begin, std::size_t end) {
        return std::vector<double>(sums.begin() + static_cast<long>(begin), sums.begin() + static_cast<long>(end));
    };
    logs["loss"] = loss_tracker_.result_from_state(slice(0, starts.empty() ? sums.size() : starts[0]));
    for (std::size_t k = 0; k < metrics_.size(); ++k) {
        const std::size_t end = k + 1 < starts.size() ? starts[k + 1] : sums.size();
        logs[metrics_[k]->name()] = metrics_[k]->result_from_state(slice(starts[k], end));
    }
    return logs;
}

void Model::track(const StepOutput& step, const Tensor& y, std::size_t batch)
{
    double value = 0;
    for (float v : step.loss.value()) value += v;
    loss_tracker_.update(value / static_cast<double>(step.loss.size()), static_cast<double>(batch));
    for (auto& m : metrics_) m->update_state(y, step.y_pred);
}

void Model::train_step(const std::vector<Tensor>& x, const Tensor& y, const Tensor& sample_weight)
{
    StepSeed seed(step_seed_, steps_++);
    if (x[0].shape()[0] == 0) {
        // A rank whose share of the last global batch is empty still takes part in the step's reduction.
        std::vector<Tensor> zeros;
        for (const auto& v : trainable_variables()) zeros.push_back(xgrad::zeros<float>(v.shape()));
        optimizer_->apply_gradients(zeros, trainable_variables());
        return;
    }
    GradientTape tape;
    const StepOutput step = forward_loss(x, y, true, sample_weight);
    // After the forward pass: a subclassed model creates its weights in its first call.
    const auto vars = trainable_variables();
    const auto grads = tape.gradient(step.loss, as_tensors(vars));
    optimizer_->apply_gradients(grads, vars);
    track(step, y, x[0].shape()[0]);
}

void Model::test_step(const std::vector<Tensor>& x, const Tensor& y, const Tensor& sample_weight)
{
    track(forward_loss(x, y, false, sample_weight), y, x[0].shape()[0]);
}

Logs Model::train_on_batch(const Tensor& x, const Tensor& y) { return train_on_batch(std::vector<Tensor>{x}, y); }

Logs Model::train_on_batch(const std::vector<Tensor>& x, const Tensor& y)
{
    require_compiled("train_on_batch");
    check_xy("train_on_batch", x, y);
    reset_metrics();
    train_step(x, y);
    return current_logs();
}

Logs Model::test_on_batch(const Tensor& x, const Tensor& y) { return test_on_batch(std::vector<Tensor>{x}, y); }

Logs Model::test_on_batch(const std::vector<Tensor>& x, const Tensor& y)
{
    require_compiled("test_on_batch");
    check_xy("test_on_batch", x, y);
    reset_metrics();
    test_step(x, y);
    return current_logs();
}

History Model::fit(const Tensor& x, const Tensor& y, const FitOptions& options)
{
    return fit(std::vector<Tensor>{x}, y, options);
}

History Model::fit(const std::vector<Tensor>& x, const Tensor& y, const FitOptions& options)
{
    require_compiled("fit");
    check_xy("fit", x, y);
    if (options.batch_size == 0) throw ValueError("fit: argument 'batch_size' must be positive, got 0");
    if (options.epochs < 0) throw ValueError(detail::cat("fit: argument 'epochs' must be >= 0, got ", options.epochs));
    if (options.initial_epoch < 0) {
        throw ValueError(detail::cat("fit: argument 'initial_epoch' must be >= 0, got ", options.initial_epoch));
    }
    if (!(options.validation_split >= 0.0 && options.validation_split < 1.0)) {
        throw ValueError(detail::cat("fit: argument 'validation_split' must be in [0, 1), got ", options.validation_split));
    }
    std::vector<Tensor> x_train = x;
    Tensor y_train = y;
    // validation_split splits sample_weight with the rows (the validation loss is weighted too);
    // class_weight, as Keras applies it to the training data only, weights only the training rows.
    Tensor w_train = sample_weights_for("fit", y, options.sample_weight, options.class_weight), w_val;
    std::optional<std::pair<std::vector<Tensor>, Tensor>> val;
    if (options.validation_data) {
        val = std::make_pair(std::vector<Tensor>{options.validation_data->first}, options.validation_data->second);
        check_xy("fit (validation_data)", val->first, val->second);
    } else if (options.validation_split > 0.0) {
        const std::size_t n = y.shape()[0];
        const auto split_at = static_cast<std::size_t>(std::ceil(double(n) * (1.0 - options.validation_split)));
        if (split_at == 0 || split_at >= n) {
            throw ValueError(detail::cat("fit: validation_split ", options.validation_split, " of ", n,
                                         " samples leaves an empty training or validation set"));
        }
        x_train = rows(x, 0, split_at);
        y_train = rows(y, 0, split_at);
        if (w_train.defined()) {
            if (options.sample_weight.defined()) w_val = rows(w_train, split_at, n);
            w_train = rows(w_train, 0, split_at);
        }
        val = std::make_pair(rows(x, split_at, n), rows(y, split_at, n));
    }
    return distributed::abort_on_error([&] { return fit_loop(x_train, y_train, w_train, w_val, val, options); });
}

History Model::fit_loop(const std::vector<Tensor>& x_train, const Tensor& y_train, const Tensor& w_train,
                        const Tensor& w_val, const std::optional<std::pair<std::vector<Tensor>, Tensor>>& val, const FitOptions& options)
{
    auto& comm = distributed::world();
    const auto ranks = static_cast<std::size_t>(comm.size()), rank = static_cast<std::size_t>(comm.rank());
    std::uint64_t seed = options.seed ? *options.seed : global_generator().next_u64();
    // Data parallelism: rank 0's seed and weights on every rank, and the optimizer's reduce stage.
    std::shared_ptr<optim::AverageAcrossRanks> average;
    const auto previous_reducer = optimizer_->gradient_reducer();
    if (ranks > 1) {
        double halves[2] = {double(seed >> 32), double(seed & 0xffffffffULL)};
        comm.broadcast(halves, 2, 0);
        seed = (static_cast<std::uint64_t>(halves[0]) << 32) | static_cast<std::uint64_t>(halves[1]);
        optim::broadcast_variables(weights());
        average = std::make_shared<optim::AverageAcrossRanks>();
        optimizer_->set_gradient_reducer(average);
    }
    // Each global batch holds batch_size rows per rank; this rank takes its contiguous share.
    BatchIterator batches(x_train[0], y_train, options.batch_size * ranks, options.shuffle, seed);
    // Resuming at initial_epoch uses that epoch's order, as a run that never stopped would.
    for (int e = 0; e < options.initial_epoch; ++e) batches.next_epoch();
    step_seed_ = mix_seed(seed, dropout_stream);
    const int verbose = distributed::is_writer() ? resolve_verbose(options.verbose) : 0;

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
            std::vector<Tensor> xb;
            for (const auto& xi : x_train) xb.push_back(batches.rows_of(xi, b));
            Tensor yb = batches.rows_of(y_train, b);
            Tensor wb = w_train.defined() ? batches.rows_of(w_train, b) : Tensor();
            if (ranks > 1) {
                const std::size_t n = yb.shape()[0], begin = n * rank / ranks, end = n * (rank + 1) / ranks;
                xb = rows(xb, begin, end);
                yb = rows(yb, begin, end);
                if (wb.defined()) wb = rows(wb, begin, end);
                average->set_local_weight(static_cast<float>(end - begin));
            }
            steps_ = static_cast<std::uint64_t>(epoch) * batches.size() + b;
            train_step(xb, yb, wb);
            steps = b + 1;
            const Logs logs = current_logs();
            if (verbose == 1) bar.update(steps, logs);
            for (auto& cb : callbacks) cb->on_train_batch_end(static_cast<int>(b), logs);
        }
        Logs logs = current_logs();
        if (val) {
            const Logs val_logs =
                evaluate(val->first, val->second, {.batch_size = options.batch_size, .verbose = 0, .sample_weight = w_val});
            for (const auto& [k, v] : val_logs) logs["val_" + k] = v;
        }
        for (auto& cb : callbacks) cb->on_epoch_end(epoch, logs);
        bar.update(steps, logs, true);
        batches.next_epoch();
        if (stop_training) break;
    }
    // With use_ema, the weights become their moving averages (Keras's fit ends so).
    optimizer_->finalize_variable_values(trainable_variables());
    if (ranks > 1) optimizer_->set_gradient_reducer(previous_reducer);
    for (auto& cb : callbacks) cb->on_train_end({});
    return *history;
}

Logs Model::evaluate(const Tensor& x, const Tensor& y, const EvaluateOptions& options)
{
    return evaluate(std::vector<Tensor>{x}, y, options);
}

Logs Model::evaluate(const std::vector<Tensor>& x, const Tensor& y, const EvaluateOptions& options)
{
    require_compiled("evaluate");
    check_xy("evaluate", x, y);
    if (options.batch_size == 0) throw ValueError("evaluate: argument 'batch_size' must be positive, got 0");
    const std::size_t n = y.shape()[0], steps = (n + options.batch_size - 1) / options.batch_size;
    const int verbose = resolve_verbose(options.verbose);
    const Tensor weights = sample_weights_for("evaluate", y, options.sample_weight, options.class_weight);
    reset_metrics();
    Progbar bar(steps, verbose);
    for (std::size_t s = 0; s < steps; ++s) {
        const std::size_t begin = s * options.batch_size, end = std::min(n, begin + options.batch_size);
        test_step(rows(x, begin, end), rows(y, begin, end), weights.defined() ? rows(weights, begin, end) : Tensor());
        if (verbose == 1) bar.update(s + 1, current_logs());
    }
    const Logs logs = current_logs();
    bar.update(steps, logs, true);
    return logs;
}

Tensor Model::predict(const Tensor& x, std::size_t batch_size) { return predict(std::vector<Tensor>{x}, batch_size); }

Tensor Model::predict(const std::vector<Tensor>& x, std::size_t batch_size)
{
    if (x.empty()) throw ValueError(detail::cat(name(), ".predict: x is an empty list of inputs"));
    for (const auto& xi : x) {
        if (!xi.defined() || xi.rank() == 0 || xi.shape()[0] == 0 || xi.shape()[0] != x[0].shape()[0]) {
            throw ValueError(detail::cat(name(), ".predict: every input must have the same, non-zero number of samples"));
        }
    }
    if (batch_size == 0) throw ValueError("predict: argument 'batch_size' must be positive, got 0");
    const std::size_t n = x[0].shape()[0];
    xt::xarray<float> out;
    std::size_t width = 0;
    for (std::size_t begin = 0; begin < n; begin += batch_size) {
        const std::size_t end = std::min(n, begin + batch_size);
        const auto xb = rows(x, begin, end);
        const Tensor y = xb.size() == 1 ? (*this)(xb[0], false) : (*this)(xb, false);
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
