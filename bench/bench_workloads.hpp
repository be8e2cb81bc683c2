// The workloads of xgrad_bench. Each takes its parameters as key=value
// options and prints one result line (see bench_common.hpp).
#pragma once

#include <map>
#include <string>
#include <vector>

namespace xgrad::bench {

struct Options {
    std::map<std::string, std::string> values;
    std::string get(const std::string& key, const std::string& fallback) const;
    double number(const std::string& key, double fallback) const;
};

// a = b + s * c over n floats: the memory-bandwidth ceiling (STREAM triad, 12 bytes/element).
void run_triad(const Options& o);
// One optimizer step (adam|momentum|adabelief) over n parameters split into `tensors` variables;
// impl=lib (the library, default settings), lib-unchecked (on_nan_gradient=apply: no
// finiteness check, as Keras and torch) or ref (a bench-local fused loop; not for
// adabelief, the user-written optimizer of examples/adabelief.hpp). grad= (impl=lib and
// lib-unchecked): constant (default: gradient tensors made once from arrays, as a user's
// constant; no kernel recorded their finiteness, so the NaN-gradient check reads them
// every step) or produced (each step's gradients come fresh from an op, add(h, h) with
// h = g / 2, as the tape's accumulation of a variable used twice: the kernel records
// their finiteness as it writes them and the check reads nothing; the op is not timed).
void run_optim(const Options& o);
// The tutorial loop: minimise 2x^4 + 3x^3 + 2 with the tape rebuilt each iteration.
void run_tutorial(const Options& o);
// The floor of that loop in today's tensors: the same tensor ops and step with no tape (same final x).
void run_tutorial_untaped(const Options& o);
// Median seconds of one library optimizer step (adam|momentum|adabelief) over variables of `sizes`,
// with or without the check that skips a step with a non-finite gradient, on constant or
// freshly produced gradients (see run_optim).
double time_library_step(const std::string& opt, const std::vector<std::size_t>& sizes, int reps, bool check_finite,
                         bool produced = false);
// Fashion-MNIST MLP training: seconds per epoch, test accuracy, peak memory.
void run_mlp(const Options& o);
// Writes the MLP's initial weights and fit's per-epoch permutations into dir= (for torch_bench.py).
void run_mlp_init(const Options& o);

// Forward + backward of one of the convnet's Conv2D layers (layer=1|2): ms, peak memory.
void run_conv(const Options& o);
// One epoch of examples/cnn_fashion_mnist.cpp's convnet: seconds per epoch, test accuracy, peak memory.
void run_cnn(const Options& o);
// Writes the convnet's initial weights and fit's per-epoch permutations into dir= (for torch_bench.py).
void run_cnn_init(const Options& o);

// Issue 17's small rows (bench_small.cpp), each with a hand-written C++ reference:
// the tutorial loop on a minimal hand-written scalar tape (opt=gd|adam; same final x as tutorial),
// and one Adam step of a 2-16-16-1 tanh MLP on batch 8 (impl=tape|model|hand, adam=keras|torch).
void run_tutorial_hand(const Options& o);
void run_tiny_mlp(const Options& o);
// The parts of a small graph's time (bench_tape_costs.cpp): an op, a tape, recording one op,
// one node of the reverse pass, gradient()'s fixed part, one GD and one Adam step on a scalar.
void run_tape_costs(const Options& o);

}  // namespace xgrad::bench
