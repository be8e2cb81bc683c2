// tape_costs [ops=N] iters=N reps=R
//   Where a small graph's time goes, per part, on float32 scalars at 1 thread (issue 17):
//     op_ns:           one mul(x, c) with no tape alive: validation, the pooled result, the
//                      arithmetic (and the loop's item() and volatile sink, a few ns);
//     tape_ns:         a GradientTape made and destroyed with nothing recorded;
//     record_ns:       what a tape adds to one op: the node and its closure, the tracking, and
//                      their release when the tape goes, plus the chain's one watch of x
//                      spread over its `ops` muls;
//     backward_ns:     one node of the reverse pass: its closure (a mul by a constant, not
//                      recorded), the bookkeeping and the accumulation into the gradient slots;
//     gradient_ns:     what one tape.gradient(y, {x}) call costs beyond its nodes: the seed,
//                      the pass's arrays, the returned vector;
//     gd_step_ns, adam_step_ns: one apply_gradients of one scalar gradient, with the default
//                      NaN-gradient check. The gradient is a constant, so the check reads it;
//                      the tutorial's comes from an op that recorded it finite (slightly less).
//   Each figure is a median of `reps` timed loops of `iters` calls (CPU time), with the
//   smaller parts subtracted from the larger:
//     record_ns   = (chain on a tape - empty tape - chain without a tape) / ops,
//     backward_ns = ((gradient - forward) for `ops` muls - the same for 1) / (ops - 1),
//     gradient_ns = (gradient - forward) for 1 mul - backward_ns.
#include <stdexcept>
#include <vector>

#include <xgrad/xgrad.hpp>

#include "bench_common.hpp"
#include "bench_workloads.hpp"

namespace xgrad::bench {

namespace {
volatile float sink = 0.0f;

// The median CPU nanoseconds of one call of fn.
template <class Fn>
double ns_per_call(int iters, int reps, Fn&& fn)
{
    const auto [wall, cpu] = time_median_wall_cpu(1, reps, [&] {
        for (int i = 0; i < iters; ++i) fn();
    });
    (void)wall;
    return cpu * 1e9 / iters;
}

// x * c * c ... (`ops` muls)
Tensor chain(const Tensor& x, const Tensor& c, int ops)
{
    Tensor y = mul(x, c);
    for (int k = 1; k < ops; ++k) y = mul(y, c);
    return y;
}
}  // namespace

void run_tape_costs(const Options& o)
{
    const int ops = static_cast<int>(o.number("ops", 8));
    const int iters = static_cast<int>(o.number("iters", 200000));
    const int reps = static_cast<int>(o.number("reps", 5));
    if (ops < 2) throw std::invalid_argument("tape_costs: ops must be at least 2");
    set_threads(1);
    const Variable x(xt::xarray<float>(2.0f), "x");
    const Tensor c = scalar(1.0f);
    const std::vector<Tensor> sources{x};

    const double op = ns_per_call(iters, reps, [&] { sink = sink + mul(x, c).item(); });
    const double untaped = ns_per_call(iters, reps, [&] { sink = sink + chain(x, c, ops).item(); });
    const double tape = ns_per_call(iters, reps, [&] { GradientTape t; });
    auto forward = [&](int n) {
        return ns_per_call(iters, reps, [&] {
            GradientTape t;
            sink = sink + chain(x, c, n).item();
        });
    };
    auto with_gradient = [&](int n) {
        return ns_per_call(iters, reps, [&] {
            GradientTape t;
            const Tensor y = chain(x, c, n);
            sink = sink + t.gradient(y, sources)[0].item();
        });
    };
    const double forward_1 = forward(1), forward_n = forward(ops);
    const double gradient_1 = with_gradient(1), gradient_n = with_gradient(ops);
    const double record = (forward_n - tape - untaped) / ops;
    const double backward = ((gradient_n - forward_n) - (gradient_1 - forward_1)) / (ops - 1);
    const double gradient = gradient_1 - forward_1 - backward;

    auto step = [&](optim::Optimizer& opt) {
        const Variable v(xt::xarray<float>(2.0f), "v");
        const std::vector<Tensor> grads{scalar(1e-3f)};
        const std::vector<Variable> vars{v};
        return ns_per_call(iters, reps, [&] { opt.apply_gradients(grads, vars); });
    };
    optim::GradientDescent gd(optim::GradientDescentOptions{}.learning_rate(1e-3));
    optim::Adam adam(optim::AdamOptions{}.learning_rate(1e-3));
    const double gd_step = step(gd), adam_step = step(adam);

    Result{}.add("workload", "tape_costs").add("ops", ops).add("op_ns", op).add("tape_ns", tape)
        .add("record_ns", record).add("backward_ns", backward).add("gradient_ns", gradient)
        .add("gd_step_ns", gd_step).add("adam_step_ns", adam_step).print();
}

}  // namespace xgrad::bench
