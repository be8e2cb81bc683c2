// Keras 3's progress bar (keras/src/utils/progbar.py), one per epoch:
//   verbose 1 (a terminal; redrawn in place with \r):
//     1875/1875 ━━━━━━━━━━━━━━━━━━━━ 2s 1ms/step - accuracy: 0.8201 - loss: 0.5087
//     while running, the elapsed time is replaced by the ETA ("1:05", "12s").
//   verbose 2 (one line at the end):
//     1875/1875 - 2s - 1ms/step - accuracy: 0.8201 - loss: 0.5087
// Values print with "%.4f", or "%.4e" when |v| <= 1e-3. Time per step is the
// mean after the first step (which includes warm-up), as Keras estimates it.
#pragma once

#include <chrono>
#include <iostream>
#include <optional>
#include <string>

#include <xgrad/nn/callbacks.hpp>

namespace xgrad::nn {

class Progbar {
public:
    Progbar(std::size_t target, int verbose, std::ostream& out = std::cout, bool colors = true);
    // Shows progress after `current` steps with these values (redrawn at most every 50 ms unless finalize).
    void update(std::size_t current, const Logs& values, bool finalize = false);

    // " 1ms/step", " 12us/step", " 2s/step"
    static std::string format_time_per_step(double seconds);
    // " - name: value" for each value
    static std::string format_values(const Logs& values);

private:
    using Clock = std::chrono::steady_clock;
    double seconds_since(Clock::time_point t) const;
    std::size_t target_;
    int verbose_;
    std::ostream& out_;
    bool colors_;
    Clock::time_point start_, last_update_;
    std::optional<Clock::time_point> after_first_step_;
    std::size_t prev_width_ = 0;
};

// True when stdout is a terminal.
bool stdout_is_terminal();

}  // namespace xgrad::nn
