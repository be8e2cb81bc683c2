// Callbacks hooked into fit(), as Keras's: each sees the logs (metric name ->
// value; validation metrics prefixed "val_") at the end of every batch/epoch
// and may stop training (model->stop_training = true).
//   EarlyStopping:        stops when `monitor` has not improved by more than
//                         min_delta for `patience` epochs; optionally restores the best weights
//                         at the end of training, stopped early or not (as Keras 3)
//   TerminateOnNaN:       stops at the first batch whose loss is NaN or Inf
//   LearningRateScheduler: lr = schedule(epoch, lr) before each epoch
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
    // mode Auto: Max for names containing "acc", Min otherwise (Keras's rule).
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

}  // namespace xgrad::nn
