// Callbacks hooked into fit(), as Keras's: each sees the logs (metric name ->
// value; validation metrics prefixed "val_") at the end of every batch/epoch
// and may stop training (model->stop_training = true).
//   EarlyStopping:        stops when `monitor` has not improved by more than
//                         min_delta for `patience` epochs; optionally restores the best weights
//                         at the end of training, stopped early or not (as Keras 3)
//   TerminateOnNaN:       stops at the first batch whose loss is NaN or Inf
//   LearningRateScheduler: lr = schedule(epoch, lr) before each epoch
//   ReduceLROnPlateau:    lr = max(lr * factor, min_lr) when `monitor` has not improved
//                         for `patience` epochs, then waits `cooldown` epochs
//   ModelCheckpoint, CSVLogger: see callbacks_io.hpp
#pragma once

#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <xtensor/xarray.hpp>

namespace xgrad::nn {

class Model;

// Metric name -> value, sorted by name (the order Keras 3 prints them in).
using Logs = std::map<std::string, double>;

class Callback {
public:
    virtual ~Callback() = default;
    void set_model(Model* model) { model_ = model; }
    virtual void on_train_begin(const Logs&) {}
    virtual void on_train_end(const Logs&) {}
    virtual void on_epoch_begin(int epoch, const Logs&) {}
    virtual void on_epoch_end(int epoch, Logs& logs) {}
    virtual void on_train_batch_begin(int batch, const Logs&) {}
    virtual void on_train_batch_end(int batch, const Logs& logs) {}

protected:
    Model* model_ = nullptr;
};

using CallbackPtr = std::shared_ptr<Callback>;

// Records every epoch's logs: history["loss"][e]. fit() returns one.
class History : public Callback {
public:
    void on_train_begin(const Logs&) override;
    void on_epoch_end(int epoch, Logs& logs) override;
    std::map<std::string, std::vector<double>> history;
    std::vector<int> epoch;
};

enum class Mode { Auto, Min, Max };

class EarlyStopping : public Callback {
public:
    // mode Auto: Max for names containing "acc", "auc", "precision" or "recall" (the metrics
    // Keras marks as going up), Min otherwise.
    explicit EarlyStopping(std::string monitor = "val_loss", double min_delta = 0.0, int patience = 0,
                           Mode mode = Mode::Auto, bool restore_best_weights = false, int start_from_epoch = 0);
    void on_train_begin(const Logs&) override;
    void on_epoch_end(int epoch, Logs& logs) override;
    void on_train_end(const Logs&) override;
    // The epoch training stopped at (0 = it did not stop early), as Keras's stopped_epoch.
    int stopped_epoch() const { return stopped_epoch_; }
    int best_epoch() const { return best_epoch_; }
    double best() const { return best_; }

private:
    bool improved(double value) const;
    std::string monitor_;
    double min_delta_;
    int patience_, start_from_epoch_;
    bool maximize_, restore_best_weights_;
    int wait_ = 0, stopped_epoch_ = 0, best_epoch_ = 0;
    double best_ = 0;
    std::vector<xt::xarray<float>> best_weights_;
    bool warned_ = false;
};

class TerminateOnNaN : public Callback {
public:
    void on_train_batch_end(int batch, const Logs& logs) override;
};

class LearningRateScheduler : public Callback {
public:
    using Schedule = std::function<double(int epoch, double lr)>;
    explicit LearningRateScheduler(Schedule schedule, int verbose = 0)
        : schedule_(std::move(schedule)), verbose_(verbose) {}
    void on_epoch_begin(int epoch, const Logs&) override;
    // Adds "learning_rate" to the epoch's logs, as Keras 3 does.
    void on_epoch_end(int epoch, Logs& logs) override;

private:
    Schedule schedule_;
    int verbose_;
};

// As Keras 3's ReduceLROnPlateau: an epoch improves when monitor + min_delta < best
// (mode Min; monitor - min_delta > best for Max; the first value always improves).
// While cooling down (cooldown epochs after a reduction) the wait stays 0. After
// `patience` epochs without improvement, lr > min_lr (compared in float32, as Keras's
// variable) becomes max(lr * factor, min_lr), and the cooldown starts. Adds
// "learning_rate" (before any reduction of this epoch) to the logs, as Keras 3.
class ReduceLROnPlateau : public Callback {
public:
    // mode Auto: Max for names containing "acc", "auc", "precision" or "recall", Min otherwise.
    explicit ReduceLROnPlateau(std::string monitor = "val_loss", double factor = 0.1, int patience = 10,
                               int verbose = 0, Mode mode = Mode::Auto, double min_delta = 1e-4, int cooldown = 0,
                               double min_lr = 0.0);
    void on_train_begin(const Logs&) override;
    void on_epoch_end(int epoch, Logs& logs) override;
    bool in_cooldown() const { return cooldown_counter_ > 0; }
    int wait() const { return wait_; }
    int cooldown_counter() const { return cooldown_counter_; }
    // The best monitored value so far; NaN before the first.
    double best() const { return best_; }

private:
    std::string monitor_;
    double factor_;
    int patience_, verbose_;
    bool maximize_;
    double min_delta_;
    int cooldown_;
    double min_lr_;
    int wait_ = 0, cooldown_counter_ = 0;
    double best_ = std::numeric_limits<double>::quiet_NaN();
    bool warned_ = false;
};

}  // namespace xgrad::nn
