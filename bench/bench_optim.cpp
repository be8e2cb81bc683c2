// triad, optim and tutorial workloads.
#include <cmath>
#include <memory>
#include <stdexcept>
#include <vector>

#include <xsimd/memory/xsimd_aligned_allocator.hpp>

#include <xgrad/xgrad.hpp>

#include "bench_common.hpp"
#include "bench_workloads.hpp"

namespace xgrad::bench {

std::string Options::get(const std::string& key, const std::string& fallback) const
{
    const auto it = values.find(key);
    return it == values.end() ? fallback : it->second;
}

double Options::number(const std::string& key, double fallback) const
{
    const auto it = values.find(key);
    return it == values.end() ? fallback : std::stod(it->second);
}

void run_triad(const Options& o)
{
    const auto n = static_cast<std::size_t>(o.number("n", 1e7));
    const int threads = static_cast<int>(o.number("threads", 1));
    const int reps = static_cast<int>(o.number("reps", 10));
    set_threads(threads);
    std::vector<float> a(n), b(n, 1.0f), c(n, 2.0f);
    float* pa = a.data();
    const float* pb = b.data();
    const float* pc = c.data();
    const float s = 3.0f;
    const double sec = time_median(2, reps, [&] {
#pragma omp parallel for simd schedule(static)
        for (std::size_t i = 0; i < n; ++i) pa[i] = pb[i] + s * pc[i];
    });
    Result{}.add("workload", "triad").add("threads", threads).add("n", double(n))
        .add("ms", sec * 1e3).add("gbps", 12.0 * n / sec / 1e9).print();
}

namespace {
// Bytes moved per parameter by one step: Adam (AdaBelief) reads w, g, m, v (s) and
// writes w, m, v (s); momentum reads w, g, buf and writes w, buf.
double bytes_per_param(const std::string& opt) { return opt == "momentum" ? 20.0 : 28.0; }

// impl=ref: a bench-local fused loop, the ceiling a library kernel should reach.
// 64-byte aligned, as xgrad's arrays: AVX-512 loads never split a cache line.
using Buffer = std::vector<float, xsimd::aligned_allocator<float, 64>>;
struct ReferenceStep {
    std::string opt;
    std::vector<Buffer> w, g, m, v;
    int t = 0;
    void operator()()
    {
        ++t;
        const float lr = 1e-3f, b1 = 0.9f, b2 = 0.999f, eps = 1e-7f, mu = 0.9f;
        const float alpha = static_cast<float>(lr * std::sqrt(1 - std::pow(0.999, t)) / (1 - std::pow(0.9, t)));
        for (std::size_t k = 0; k < w.size(); ++k) {
            float* pw = w[k].data();
            float* pm = m[k].data();
            float* pv = v[k].data();
            const float* pg = g[k].data();
            const std::size_t n = w[k].size();
            if (opt == "adam") {
#pragma omp parallel for simd schedule(static) if (n > 65536)
                for (std::size_t i = 0; i < n; ++i) {
                    pm[i] += (pg[i] - pm[i]) * (1 - b1);
                    pv[i] += (pg[i] * pg[i] - pv[i]) * (1 - b2);
                    pw[i] -= alpha * pm[i] / (std::sqrt(pv[i]) + eps);
                }
            } else {
#pragma omp parallel for simd schedule(static) if (n > 65536)
                for (std::size_t i = 0; i < n; ++i) {
                    pm[i] = mu * pm[i] + pg[i];
                    pw[i] -= lr * pm[i];
                }
            }
        }
    }
};

std::vector<std::size_t> split(std::size_t n, std::size_t parts)
{
    std::vector<std::size_t> sizes(parts, n / parts);
    sizes.back() += n % parts;
    return sizes;
}
}  // namespace

void run_optim(const Options& o)
{
    const std::string opt = o.get("opt", "adam");
    const std::string impl = o.get("impl", "lib");
    const std::string grad = o.get("grad", "constant");
    if (opt != "adam" && opt != "momentum" && opt != "adabelief") {
        throw std::invalid_argument("optim: opt must be adam, momentum or adabelief");
    }
    const auto n = static_cast<std::size_t>(o.number("n", 1e7));
    const auto tensors = static_cast<std::size_t>(o.number("tensors", 1));
    const int threads = static_cast<int>(o.number("threads", 1));
    const int reps = static_cast<int>(o.number("reps", 10));
    set_threads(threads);
    double sec = 0;
    if (impl == "ref" && opt == "adabelief") throw std::invalid_argument("optim: no impl=ref for adabelief");
    if (impl == "ref") {
        ReferenceStep step{opt, {}, {}, {}, {}};
        for (auto size : split(n, tensors)) {
            step.w.emplace_back(size, 0.5f);
            step.g.emplace_back(size, 1e-3f);
            step.m.emplace_back(size, 0.0f);
            step.v.emplace_back(size, 0.0f);
        }
        sec = time_median(2, reps, step);
    } else {
        if (impl != "lib" && impl != "lib-unchecked") throw std::invalid_argument("optim: impl must be lib, lib-unchecked or ref");
        if (grad != "constant" && grad != "produced") throw std::invalid_argument("optim: grad must be constant or produced");
        sec = time_library_step(opt, split(n, tensors), reps, impl == "lib", grad == "produced");
    }
    Result{}.add("workload", "optim").add("opt", opt).add("impl", impl).add("grad", impl == "ref" ? "n/a" : grad)
        .add("tensors", double(tensors))
        .add("threads", threads).add("n", double(n)).add("ms", sec * 1e3)
        .add("gbps", bytes_per_param(opt) * n / sec / 1e9).add("faults_per_step", faults_per_timed_call()).print();
}

}  // namespace xgrad::bench
