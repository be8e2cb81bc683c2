#include <xgrad/nn/progbar.hpp>

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <optional>

namespace xgrad::nn {
namespace {
std::string printf_string(const char* format, double v)
{
    char buf[64];
    std::snprintf(buf, sizeof buf, format, v);
    return buf;
}

std::string counter(std::size_t current, std::size_t target)
{
    const int digits = static_cast<int>(std::floor(std::log10(static_cast<double>(target)))) + 1;
    char buf[64];
    std::snprintf(buf, sizeof buf, "%*zu/%zu", digits, current, target);
    return buf;
}

std::string eta_string(double eta)
{
    const long s = static_cast<long>(eta);
    char buf[64];
    if (eta > 3600) std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, (s % 3600) / 60, s % 60);
    else if (eta > 60) std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
    else std::snprintf(buf, sizeof buf, "%lds", s);
    return buf;
}
}  // namespace

bool stdout_is_terminal() { return isatty(STDOUT_FILENO) == 1; }

Progbar::Progbar(std::size_t target, int verbose, std::ostream& out, bool colors)
    : target_(std::max<std::size_t>(target, 1)), verbose_(verbose), out_(out), colors_(colors),
      start_(Clock::now()), last_update_(start_ - std::chrono::seconds(1))
{
}

double Progbar::seconds_since(Clock::time_point t) const
{
    return std::chrono::duration<double>(Clock::now() - t).count();
}

std::string Progbar::format_time_per_step(double s)
{
    if (s >= 1 || s == 0) return printf_string(" %.0fs/step", s);
    if (s >= 1e-3) return printf_string(" %.0fms/step", s * 1e3);
    return printf_string(" %.0fus/step", s * 1e6);
}

std::string Progbar::format_values(const Logs& values)
{
    std::string out;
    for (const auto& [name, v] : values)
        out += " - " + name + ":" + printf_string(std::fabs(v) > 1e-3 ? " %.4f" : " %.4e", v);
    return out;
}

void Progbar::update(std::size_t current, const Logs& values, bool finalize)
{
    const auto now = Clock::now();
    double per_step = 0;
    if (current > 0) {
        if (after_first_step_ && current > 1)
            per_step = std::chrono::duration<double>(now - *after_first_step_).count() / double(current - 1);
        else
            per_step = std::chrono::duration<double>(now - start_).count() / double(current);
        if (current == 1 && !after_first_step_) after_first_step_ = now;
    }
    if (verbose_ == 2) {
        if (!finalize) return;
        out_ << counter(current, target_) << " - " << printf_string("%.0fs", seconds_since(start_)) << " -"
             << format_time_per_step(per_step) << format_values(values) << "\n"
             << std::flush;
        return;
    }
    if (verbose_ != 1) return;
    if (!finalize && std::chrono::duration<double>(now - last_update_).count() < 0.05) return;
    last_update_ = now;
    const std::size_t width = 20, filled = width * std::min(current, target_) / target_;
    std::string bar, plain = counter(current, target_) + " ";
    bar = colors_ ? "\x1b[1m" + counter(current, target_) + "\x1b[0m " : plain;
    std::string done, rest;
    for (std::size_t i = 0; i < width; ++i) (i < filled ? done : rest) += "━";
    if (colors_) bar += (filled ? "\x1b[32m" + done + "\x1b[0m" : "") + "\x1b[37m" + rest + "\x1b[0m";
    else bar += done + rest;
    std::string info = finalize ? printf_string(" %.0fs", seconds_since(start_))
                                : " " + eta_string(per_step * double(target_ - std::min(current, target_)));
    info += format_time_per_step(per_step) + format_values(values);
    const std::size_t total_width = plain.size() + width + info.size();
    std::string line = "\r" + bar + info;
    if (prev_width_ > total_width) line += std::string(prev_width_ - total_width, ' ');
    prev_width_ = total_width;
    out_ << line << (finalize ? "\n" : "") << std::flush;
}

}  // namespace xgrad::nn
