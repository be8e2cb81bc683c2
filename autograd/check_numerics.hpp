// Anomaly mode (like tf.debugging.enable_check_numerics and
// torch.autograd.detect_anomaly): while on, the first NaN or Inf that an op
// produces, in the forward or the backward pass, throws NumericsError naming
// the op, its input shapes and the file:line where the op was recorded.
//   xgrad::CheckNumerics guard;   // on for this scope
#pragma once

#include <atomic>

namespace xgrad {

namespace detail {
// Read by every op: inline, one relaxed load.
inline std::atomic<bool> check_numerics_flag{false};
}  // namespace detail
inline void set_check_numerics(bool enabled) { detail::check_numerics_flag.store(enabled, std::memory_order_relaxed); }
inline bool check_numerics_enabled() { return detail::check_numerics_flag.load(std::memory_order_relaxed); }

// Turns anomaly mode on for its lifetime, then restores the previous setting.
class [[nodiscard]] CheckNumerics {
public:
    CheckNumerics() : previous_(check_numerics_enabled()) { set_check_numerics(true); }
    ~CheckNumerics() { set_check_numerics(previous_); }
    CheckNumerics(const CheckNumerics&) = delete;
    CheckNumerics& operator=(const CheckNumerics&) = delete;

private:
    bool previous_;
};

}  // namespace xgrad
