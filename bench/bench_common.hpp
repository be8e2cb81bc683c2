// Helpers shared by the benchmark executables: timing, thread control
// (OpenMP and OpenBLAS together), peak memory, result lines.
#pragma once

#include <chrono>
#include <cstddef>
#include <ctime>
#include <string>
#include <utility>
#include <vector>

namespace xgrad::bench {

using Clock = std::chrono::steady_clock;

inline double seconds_since(Clock::time_point start)
{
    return std::chrono::duration<double>(Clock::now() - start).count();
}

double median(std::vector<double> v);

// Sets the OpenMP thread count (xgrad runs OpenBLAS on one thread and splits GEMMs over OpenMP threads).
void set_threads(int threads);

// Peak resident set size of this process in KiB (VmHWM).
long peak_rss_kib();

// Prints one machine-readable line: "result key=value key=value ...".
struct Result {
    std::string line = "result";
    Result& add(const std::string& key, const std::string& value);
    Result& add(const std::string& key, double value);
    void print() const;
};

// Writes a 1-D little-endian int64 .npy (format 1.0), for numpy.load.
void save_npy_int64(const std::string& path, const std::vector<std::size_t>& values);

// Minor page faults of this process so far (getrusage).
long minor_faults();
// The minor page faults per timed call of the last time_median (warm-up calls excluded):
// a timed region that faults pages in (fresh mmap'd buffers) is not measuring the kernel.
double& faults_per_timed_call();

// The median seconds per call of `fn` over `reps` calls, after `warmup` calls.
template <class Fn>
double time_median(int warmup, int reps, Fn&& fn)
{
    for (int i = 0; i < warmup; ++i) fn();
    std::vector<double> t;
    const long faults = minor_faults();
    for (int i = 0; i < reps; ++i) {
        const auto start = Clock::now();
        fn();
        t.push_back(seconds_since(start));
    }
    faults_per_timed_call() = reps > 0 ? double(minor_faults() - faults) / reps : 0.0;
    return median(std::move(t));
}

// CPU seconds used by this process, all threads (CLOCK_PROCESS_CPUTIME_ID): on a machine
// shared with other jobs it leaves out the time the scheduler gave to them.
inline double process_cpu_seconds()
{
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

// As time_median, the median wall-clock seconds and the median process CPU seconds per call.
template <class Fn>
std::pair<double, double> time_median_wall_cpu(int warmup, int reps, Fn&& fn)
{
    for (int i = 0; i < warmup; ++i) fn();
    std::vector<double> wall, cpu;
    for (int i = 0; i < reps; ++i) {
        const auto start = Clock::now();
        const double cpu_start = process_cpu_seconds();
        fn();
        cpu.push_back(process_cpu_seconds() - cpu_start);
        wall.push_back(seconds_since(start));
    }
    return {median(std::move(wall)), median(std::move(cpu))};
}

}  // namespace xgrad::bench
