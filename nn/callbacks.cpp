#include <xgrad/nn/callbacks.hpp>

#include <cmath>
#include <iostream>

#include <xgrad/nn/model.hpp>
#include <xgrad/optim/optimizer.hpp>

namespace xgrad::nn {

bool maximizes(Mode mode, const std::string& monitor)
{
    if (mode == Mode::Auto) return monitor.find("acc") != std::string::npos || monitor.find("auc") != std::string::npos;
    return mode == Mode::Max;
}

void History::on_train_begin(const Logs&)
{
    history.clear();
    epoch.clear();
}

void History::on_epoch_end(int e, Logs& logs)
{
    epoch.push_back(e);
    for (const auto& [name, value] : logs) history[name].push_back(value);
}

EarlyStopping::EarlyStopping(std::string monitor, double min_delta, int patience, Mode mode,
                             bool restore_best_weights, int start_from_epoch)
    : monitor_(std::move(monitor)), min_delta_(std::fabs(min_delta)), patience_(patience),
      start_from_epoch_(start_from_epoch), maximize_(maximizes(mode, monitor_)),
      restore_best_weights_(restore_best_weights)
{
    if (patience < 0) throw ValueError(detail::cat("EarlyStopping: argument 'patience' must be >= 0, got ", patience));
}

void EarlyStopping::on_train_begin(const Logs&)
{
    wait_ = 0;
    stopped_epoch_ = 0;
    best_epoch_ = 0;
    best_ = maximize_ ? -INFINITY : INFINITY;
    best_weights_.clear();
}

bool EarlyStopping::improved(double value) const
{
    return maximize_ ? value - min_delta_ > best_ : value + min_delta_ < best_;
}

void EarlyStopping::on_epoch_end(int epoch, Logs& logs)
{
    const auto it = logs.find(monitor_);
    if (it == logs.end()) {
        if (!warned_) {
            std::string available;
            for (const auto& [k, v] : logs) available += (available.empty() ? "" : ", ") + k;
            std::cerr << "EarlyStopping: metric '" << monitor_ << "' is not available (available: " << available
                      << "); not stopping\n";
            warned_ = true;
        }
        return;
    }
    if (epoch < start_from_epoch_) return;
    if (restore_best_weights_ && best_weights_.empty()) best_weights_ = model_->get_weights();
    ++wait_;
    if (improved(it->second)) {
        best_ = it->second;
        best_epoch_ = epoch;
        wait_ = 0;
        if (restore_best_weights_) best_weights_ = model_->get_weights();
        return;
    }
    if (wait_ >= patience_ && epoch > 0) {
        stopped_epoch_ = epoch;
        model_->stop_training = true;
    }
}

void EarlyStopping::on_train_end(const Logs&)
{
    // As Keras 3: the best weights are restored at the end of training whether
    // or not it stopped early.
    if (restore_best_weights_ && !best_weights_.empty()) {
        model_->set_weights(best_weights_);
    }
}

void TerminateOnNaN::on_train_batch_end(int batch, const Logs& logs)
{
    const auto it = logs.find("loss");
    if (it != logs.end() && !std::isfinite(it->second)) {
        std::cout << "Batch " << batch << ": Invalid loss, terminating training\n";
        model_->stop_training = true;
    }
}

void LearningRateScheduler::on_epoch_begin(int epoch, const Logs&)
{
    auto& opt = model_->optimizer();
    if (!opt) throw Error("LearningRateScheduler: the model has no optimizer (compile it first)");
    const double lr = schedule_(epoch, opt->learning_rate());
    opt->set_learning_rate(lr);
    if (verbose_ > 0) {
        std::cout << "\nEpoch " << epoch + 1 << ": LearningRateScheduler setting learning rate to " << lr << ".\n";
    }
}

void LearningRateScheduler::on_epoch_end(int, Logs& logs)
{
    logs["learning_rate"] = model_->optimizer()->learning_rate();
}

}  // namespace xgrad::nn
