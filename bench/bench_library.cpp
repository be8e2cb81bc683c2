// The workloads that measure the library's optimizers (xgrad::optim):
// an optimizer step over many parameters, and the tutorial loop.
#include <memory>
#include <sstream>
#include <stdexcept>

#include <xgrad/xgrad.hpp>

#include "../examples/adabelief.hpp"
#include "bench_common.hpp"
#include "bench_workloads.hpp"

namespace xgrad::bench {

namespace {
// Adam as the tutorial and torch.optim.Adam use it (lr, eps 1e-7); momentum in
// PyTorch's convention (buf = mu buf + g; w -= lr buf), as torch.optim.SGD.
// nan: xgrad's default (a step with a NaN/Inf gradient is skipped, which costs a
// read of every gradient before the update) or Apply (no check, as Keras and torch).
// adabelief: the user-written optimizer of examples/adabelief.hpp, compiled with
// this file: in-tree in xgrad_bench, as a user's code in bench/consumer.
std::unique_ptr<optim::Optimizer> make_optimizer(const std::string& opt, double lr,
                                                 optim::NanGradientPolicy nan = optim::NanGradientPolicy::SkipStep)
{
    if (opt == "adam") {
        return std::make_unique<optim::Adam>(optim::AdamOptions{}.learning_rate(lr).epsilon(1e-7).on_nan_gradient(nan));
    }
    if (opt == "momentum") {
        return std::make_unique<optim::Momentum>(optim::MomentumOptions{}
                                                     .learning_rate(lr)
                                                     .momentum(0.9)
                                                     .convention(optim::MomentumConvention::PyTorch)
                                                     .on_nan_gradient(nan));
    }
    if (opt == "adabelief") {
        return std::make_unique<AdaBelief>(AdaBeliefOptions{}.learning_rate(lr).on_nan_gradient(nan));
    }
    if (opt == "gd") return std::make_unique<optim::GradientDescent>(optim::GradientDescentOptions{}.learning_rate(lr));
    throw std::invalid_argument("unknown optimizer '" + opt + "'");
}
// 9 significant digits: a float32 round-trips, so equal values print equal (tutorial_hand's x).
std::string nine_digits(float v)
{
    std::ostringstream s;
    s.precision(9);
    s << v;
    return s.str();
}
}  // namespace

double time_library_step(const std::string& opt, const std::vector<std::size_t>& sizes, int reps, bool check_finite,
                         bool produced)
{
    std::vector<Variable> vars;
    std::vector<Tensor> grads, halves;
    for (auto size : sizes) {
        vars.emplace_back(xt::xarray<float>(Shape{size}, 0.5f), "w" + std::to_string(vars.size()));
        grads.emplace_back(xt::xarray<float>(Shape{size}, 1e-3f));
        halves.emplace_back(xt::xarray<float>(Shape{size}, 1e-3f / 2));  // h + h == 1e-3f exactly
    }
    auto optimizer = make_optimizer(opt, 1e-3, check_finite ? optim::NanGradientPolicy::SkipStep
                                                             : optim::NanGradientPolicy::Apply);
    if (!produced) return time_median(2, reps, [&] { optimizer->apply_gradients(grads, vars); });
    // Fresh gradients every step, made (untimed) by the elementwise kernel the tape's
    // accumulation uses; the previous step's are freed first, as in training.
    std::vector<double> t;
    long faults = 0;
    for (int i = 0; i < 2 + reps; ++i) {
        for (std::size_t k = 0; k < grads.size(); ++k) {
            grads[k] = Tensor();
            grads[k] = add(halves[k], halves[k]);
        }
        const long before = minor_faults();
        const auto start = Clock::now();
        optimizer->apply_gradients(grads, vars);
        if (i >= 2) {
            t.push_back(seconds_since(start));
            faults += minor_faults() - before;
        }
    }
    faults_per_timed_call() = reps > 0 ? double(faults) / reps : 0.0;
    return median(std::move(t));
}

namespace {
// One iteration of the tutorial: the README's tape loop.
void tutorial_step(optim::Optimizer& optimizer, const Variable& x)
{
    GradientTape tape;
    auto y = 2.0f * pow(x, 4.0f) + 3.0f * pow(x, 3.0f) + 2.0f;
    optimizer.apply_gradients(tape.gradient(y, std::vector<Tensor>{x}), {x});
}

// The same iteration with no tape: the tensor ops the tape's iteration runs, called
// directly, then the same step. Forward: the 6 ops of y (the constants are the cached
// ones that `2.0f * ...` uses). Backward, the ops the reverse pass runs: the seed
// ones_like(y); the adds pass it on unchanged (sum_to to the same shape); each mul by
// a constant gives mul(g, c) to its pow; each pow gives pow_grad; x's two gradients
// are summed. Which of the two terms of y the tape records first is the compiler's
// choice (operator+'s operands are unsequenced), so the order of the two branches may
// differ from the tape's; each branch depends only on its own values and the final
// sum is one float addition, which commutes. Same ops, same rounding: the final x
// equals the tutorial's bit for bit (compare.py warns if it does not).
void untaped_step(optim::Optimizer& optimizer, const Variable& x)
{
    const Tensor c2 = detail::constant_scalar(2.0f), c3 = detail::constant_scalar(3.0f);
    const Tensor p4 = pow(x, 4.0f), p3 = pow(x, 3.0f);
    const Tensor y = add(add(mul(c2, p4), mul(c3, p3)), detail::constant_scalar(2.0f));
    const Tensor seed = ones_like(y);
    const Tensor g3 = pow_grad(mul(seed, c3), x, 3.0f);
    const Tensor g4 = pow_grad(mul(seed, c2), x, 4.0f);
    optimizer.apply_gradients({add(g3, g4)}, {x});
}

// Tensors one call of step makes: the tensor ids it takes (a thread takes ids in
// blocks; the least of a few calls is one without a block change).
template <class Step>
std::uint64_t tensors_per_step(optim::Optimizer& optimizer, const Variable& x, Step step)
{
    std::uint64_t least = ~std::uint64_t{0};
    for (int k = 0; k < 3; ++k) {
        const std::uint64_t before = detail::next_tensor_id();
        step(optimizer, x);
        least = std::min(least, detail::next_tensor_id() - before - 1);
    }
    return least;
}

// tutorial (tape=1, the README's loop) or tutorial_untaped (tape=0, the floor: its tensor ops alone).
void run_tutorial_loop(const Options& o, bool tape)
{
    const std::string opt = o.get("opt", "gd");
    const int iters = static_cast<int>(o.number("iters", 2000));
    const int reps = static_cast<int>(o.number("reps", 3));
    const double lr = o.number("lr", 1e-3);
    const auto step = tape ? &tutorial_step : &untaped_step;
    set_threads(1);
    float final_x = 0;
    const auto [sec, cpu_sec] = time_median_wall_cpu(1, reps, [&] {
        Variable x(xt::xarray<float>(2.0f), "x");
        auto optimizer = make_optimizer(opt, lr);
        for (int i = 0; i < iters; ++i) step(*optimizer, x);
        final_x = x.item();
    });
    Variable probe(xt::xarray<float>(2.0f), "x");
    const auto tensors = tensors_per_step(*make_optimizer(opt, lr), probe, step);
    Result{}.add("workload", tape ? "tutorial" : "tutorial_untaped").add("opt", opt).add("iters", iters)
        .add("us_per_iter", sec * 1e6 / iters).add("x", nine_digits(final_x))
        .add("cpu_us_per_iter", cpu_sec * 1e6 / iters).add("tensors_per_iter", tensors).print();
}
}  // namespace

void run_tutorial(const Options& o) { run_tutorial_loop(o, true); }
void run_tutorial_untaped(const Options& o) { run_tutorial_loop(o, false); }

}  // namespace xgrad::bench
