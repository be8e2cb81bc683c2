#include <xgrad/nn/callbacks.hpp>

#include <algorithm>
#include <cmath>
#include <iostream>

#include <xgrad/nn/model.hpp>
#include <xgrad/optim/optimizer.hpp>

namespace xgrad::nn {

bool maximizes(Mode mode, const std::string& monitor)
{
    if (mode == Mode::Auto) {
        for (const char* up : {"acc", "auc", "precision", "recall"})
            if (monitor.find(up) != std::string::npos) return true;
        return false;
    }
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

namespace xgrad::nn {

ReduceLROnPlateau::ReduceLROnPlateau(std::string monitor, double factor, int patience, int verbose, Mode mode,
                                     double min_delta, int cooldown, double min_lr)
    : monitor_(std::move(monitor)), factor_(factor), patience_(patience), verbose_(verbose),
      maximize_(maximizes(mode, monitor_)), min_delta_(std::fabs(min_delta)), cooldown_(cooldown), min_lr_(min_lr)
{
    if (!(factor < 1.0)) {
        throw ValueError(detail::cat("ReduceLROnPlateau: argument 'factor' must be < 1.0 (does not support a factor >= 1.0), got ",
                                     factor));
    }
    if (patience < 0) throw ValueError(detail::cat("ReduceLROnPlateau: argument 'patience' must be >= 0, got ", patience));
    if (cooldown < 0) throw ValueError(detail::cat("ReduceLROnPlateau: argument 'cooldown' must be >= 0, got ", cooldown));
    if (!(min_lr >= 0.0)) throw ValueError(detail::cat("ReduceLROnPlateau: argument 'min_lr' must be >= 0, got ", min_lr));
}

void ReduceLROnPlateau::on_train_begin(const Logs&)
{
    best_ = std::numeric_limits<double>::quiet_NaN();
    cooldown_counter_ = 0;
    wait_ = 0;
}

void ReduceLROnPlateau::on_epoch_end(int epoch, Logs& logs)
{
    if (!model_) throw Error("ReduceLROnPlateau: no model (set_model first)");
    auto& opt = model_->optimizer();
    if (!opt) throw Error("ReduceLROnPlateau: the model has no optimizer (compile it first)");
    logs["learning_rate"] = opt->learning_rate();
    const auto it = logs.find(monitor_);
    if (it == logs.end()) {
        if (!warned_) {
            std::string available;
            for (const auto& [k, v] : logs) available += (available.empty() ? "" : ",") + k;
            std::cerr << "ReduceLROnPlateau: learning rate reduction is conditioned on metric '" << monitor_
                      << "' which is not available. Available metrics are: " << available << ".\n";
            warned_ = true;
        }
        return;
    }
    const double current = it->second;
    if (in_cooldown()) {
        --cooldown_counter_;
        wait_ = 0;
    }
    const bool improved = std::isnan(best_) || (maximize_ ? current - min_delta_ > best_ : current + min_delta_ < best_);
    if (improved) {
        best_ = current;
        wait_ = 0;
    } else if (!in_cooldown()) {
        ++wait_;
        if (wait_ >= patience_) {
            const double old_lr = opt->learning_rate();
            // Keras compares the float32 variable's value with np.float32(min_lr).
            if (static_cast<float>(old_lr) > static_cast<float>(min_lr_)) {
                const double new_lr = std::max(old_lr * factor_, min_lr_);
                opt->set_learning_rate(new_lr);
                if (verbose_ > 0) {
                    std::cout << "\nEpoch " << epoch + 1 << ": ReduceLROnPlateau reducing learning rate to " << new_lr
                              << ".\n";
                }
                cooldown_counter_ = cooldown_;
                wait_ = 0;
            }
        }
    }
}

}  // namespace xgrad::nn
