// Callbacks that write files.
//   ModelCheckpoint(filepath): saves the weights (save_weights) after each
//     epoch; "{epoch}" / "{epoch:02d}" in the path become the 1-based epoch.
//     With save_best_only, only when `monitor` improved. With include_optimizer,
//     the optimizer's state too (save_weights(path, true)), so a new model that
//     loads it (load_weights(path, true)) resumes with fit(initial_epoch) exactly.
//   CSVLogger(filename): one row per epoch, "epoch,<metric names sorted>",
//     values in shortest round-trip form (as Python's csv writes floats).
//     With append, rows go after the file's existing ones (no second header).
#pragma once

#include <fstream>
#include <string>
#include <vector>

#include <xgrad/nn/callbacks.hpp>

namespace xgrad::nn {

class ModelCheckpoint : public Callback {
public:
    explicit ModelCheckpoint(std::string filepath, std::string monitor = "val_loss", bool save_best_only = false,
                             Mode mode = Mode::Auto, int verbose = 0, bool include_optimizer = false);
    void on_epoch_end(int epoch, Logs& logs) override;
    // The path for 0-based `epoch` (placeholders filled in).
    std::string path_for_epoch(int epoch) const;

private:
    std::string filepath_, monitor_;
    bool save_best_only_, maximize_, include_optimizer_;
    int verbose_;
    bool have_best_ = false;
    double best_ = 0;
};

class CSVLogger : public Callback {
public:
    explicit CSVLogger(std::string filename, char separator = ',', bool append = false);
    void on_train_begin(const Logs&) override;
    void on_epoch_end(int epoch, Logs& logs) override;
    void on_train_end(const Logs&) override;

private:
    std::string filename_;
    char separator_;
    bool append_, write_header_ = true;
    std::ofstream out_;
    std::vector<std::string> keys_;
};

// Python's repr of a float: the shortest string that reads back as the same double.
std::string format_shortest(double value);

}  // namespace xgrad::nn
