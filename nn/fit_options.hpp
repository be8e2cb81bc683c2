// Options of fit/evaluate/predict, set with designated initializers:
//   model.fit(x, y, {.epochs = 5, .batch_size = 32, .validation_split = 0.1});
// verbose: -1 auto (a progress bar on a terminal, one line per epoch otherwise),
// 0 silent, 1 progress bar, 2 one line per epoch (Keras's verbose=2).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include <xgrad/autograd/tensor.hpp>
#include <xgrad/nn/callbacks.hpp>

namespace xgrad::nn {

struct FitOptions {
    int epochs = 1;
    std::size_t batch_size = 32;
    // Fraction of the samples, taken from the end before shuffling, held out for validation.
    double validation_split = 0.0;
    // (x_val, y_val); takes precedence over validation_split.
    std::optional<std::pair<Tensor, Tensor>> validation_data;
    bool shuffle = true;
    std::vector<CallbackPtr> callbacks;
    int verbose = -1;
    int initial_epoch = 0;
    // Shuffle seed; unset: drawn from the global generator (xgrad::set_seed makes runs repeatable).
    std::optional<std::uint64_t> seed;
    // One weight per training sample (shape (n,)), batched with the rows and handed to the
    // loss (Keras's sample_weight); split with validation_split as x and y are.
    Tensor sample_weight{};
    // Weight of each class, for sparse (class index) or one-hot labels: each sample gets
    // the weight of its label (1 for classes not listed). Not together with sample_weight.
    std::map<int, double> class_weight{};
};

struct EvaluateOptions {
    std::size_t batch_size = 32;
    int verbose = -1;  // as FitOptions::verbose; 0 for silence
    Tensor sample_weight{};                // as FitOptions::sample_weight
    std::map<int, double> class_weight{};  // as FitOptions::class_weight
};

}  // namespace xgrad::nn
