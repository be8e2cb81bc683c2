// The workloads that measure the library's optimizers: optimizer step, tutorial loop.
#include <stdexcept>

#include <xgrad/xgrad.hpp>

#include "bench_common.hpp"
#include "bench_workloads.hpp"

namespace xgrad::bench {

double time_library_step(const std::string& opt, const std::vector<std::size_t>& sizes, int reps)
{
    throw std::runtime_error("optim: xgrad::optim has not landed yet; use impl=ref");
}

void run_tutorial(const Options& o)
{
    const std::string opt = o.get("opt", "gd");
    const int iters = static_cast<int>(o.number("iters", 2000));
    const int reps = static_cast<int>(o.number("reps", 3));
    const float lr = static_cast<float>(o.number("lr", 1e-3));
    set_threads(1);
    float final_x = 0;
    const double sec = time_median(1, reps, [&] {
        Variable x(xt::xarray<float>(2.0f), "x");
        for (int i = 0; i < iters; ++i) {
            GradientTape tape;
            auto y = 2.0f * pow(x, 4.0f) + 3.0f * pow(x, 3.0f) + 2.0f;
            auto g = tape.gradient(y, x);
            if (opt != "gd") throw std::runtime_error("tutorial: adam needs xgrad::optim");
            x.assign_sub(lr * g.value());
        }
        final_x = x.item();
    });
    Result{}.add("workload", "tutorial").add("opt", opt).add("iters", iters)
        .add("us_per_iter", sec * 1e6 / iters).add("x", final_x).print();
}

}  // namespace xgrad::bench
