// Google Benchmark micro benchmarks of the kernels behind the ops:
//   build-bench/bench/xgrad_microbench [--benchmark_filter=...]
// Sizes are (rows, cols) of float32 arrays; "Op" benchmarks go through the
// differentiable op (no tape), "Xt" ones through a plain xtensor expression,
// "Kernel" ones call core/elementwise directly.
#include <benchmark/benchmark.h>

#include <xgrad/core/elementwise.hpp>
#include <xgrad/xgrad.hpp>

#include "bench_common.hpp"

namespace {
using xgrad::Tensor;

xt::xarray<float> filled(std::vector<std::size_t> shape, std::uint64_t seed = 1)
{
    xgrad::Generator gen(seed);
    return gen.uniform<float>(xgrad::Shape(shape.begin(), shape.end()), -1.0f, 1.0f);
}

void set_bytes(benchmark::State& state, std::size_t elements, std::size_t arrays)
{
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * elements * arrays * sizeof(float)));
}

// a + b, same shape (rows, cols)
void AddSameOp(benchmark::State& state)
{
    const auto r = static_cast<std::size_t>(state.range(0)), c = static_cast<std::size_t>(state.range(1));
    const Tensor a(filled({r, c}, 1)), b(filled({r, c}, 2));
    for (auto _ : state) benchmark::DoNotOptimize(xgrad::add(a, b));
    set_bytes(state, r * c, 3);
}
// (rows, cols) + (cols): the bias add
void AddRowBroadcastOp(benchmark::State& state)
{
    const auto r = static_cast<std::size_t>(state.range(0)), c = static_cast<std::size_t>(state.range(1));
    const Tensor a(filled({r, c}, 1)), b(filled({c}, 2));
    for (auto _ : state) benchmark::DoNotOptimize(xgrad::add(a, b));
    set_bytes(state, r * c, 2);
}
// (rows, cols) - (rows, 1): softmax's shift
void SubColumnBroadcastOp(benchmark::State& state)
{
    const auto r = static_cast<std::size_t>(state.range(0)), c = static_cast<std::size_t>(state.range(1));
    const Tensor a(filled({r, c}, 1)), b(filled({r, 1}, 2));
    for (auto _ : state) benchmark::DoNotOptimize(xgrad::sub(a, b));
    set_bytes(state, r * c, 2);
}
void AddRowBroadcastXt(benchmark::State& state)
{
    const auto r = static_cast<std::size_t>(state.range(0)), c = static_cast<std::size_t>(state.range(1));
    const auto a = filled({r, c}, 1), b = filled({c}, 2);
    for (auto _ : state) benchmark::DoNotOptimize(xt::xarray<float>(a + b));
    set_bytes(state, r * c, 2);
}
void AddRowBroadcastKernel(benchmark::State& state)
{
    const auto r = static_cast<std::size_t>(state.range(0)), c = static_cast<std::size_t>(state.range(1));
    const auto a = filled({r, c}, 1), b = filled({c}, 2);
    for (auto _ : state) benchmark::DoNotOptimize(xgrad::detail::binary(xgrad::detail::BinaryOp::add, a, b));
    set_bytes(state, r * c, 2);
}
void AddSameXt(benchmark::State& state)
{
    const auto r = static_cast<std::size_t>(state.range(0)), c = static_cast<std::size_t>(state.range(1));
    const auto a = filled({r, c}, 1), b = filled({r, c}, 2);
    for (auto _ : state) benchmark::DoNotOptimize(xt::xarray<float>(a + b));
    set_bytes(state, r * c, 3);
}

// A (m, k) @ (k, n) product benchmark: x (m, k), kernel (k, n), bias (n) from the
// arguments {m, k, n}; f(x, kernel, bias) runs once per iteration; reports GFLOPS.
template <class F>
void gemm_benchmark(benchmark::State& state, F f)
{
    const auto m = static_cast<std::size_t>(state.range(0)), k = static_cast<std::size_t>(state.range(1)),
               n = static_cast<std::size_t>(state.range(2));
    const Tensor x(filled({m, k}, 1)), kernel(filled({k, n}, 2)), bias(filled({n}, 3));
    for (auto _ : state) benchmark::DoNotOptimize(f(x, kernel, bias));
    state.counters["GFLOPS"] = benchmark::Counter(2.0 * m * k * n, benchmark::Counter::kIsIterationInvariantRate,
                                                  benchmark::Counter::kIs1000);
}

// (batch, k) @ (k, n) through the op
void MatmulOp(benchmark::State& state)
{
    gemm_benchmark(state, [](const Tensor& x, const Tensor& kernel, const Tensor&) { return xgrad::matmul(x, kernel); });
}
// The dense layer's forward: relu(x @ kernel + bias) as the fused op, and as three ops.
void LinearReluFused(benchmark::State& state)
{
    gemm_benchmark(state, [](const Tensor& x, const Tensor& kernel, const Tensor& bias) {
        return xgrad::linear(x, kernel, bias, xgrad::LinearActivation::relu);
    });
}
void LinearReluSeparate(benchmark::State& state)
{
    gemm_benchmark(state, [](const Tensor& x, const Tensor& kernel, const Tensor& bias) {
        return xgrad::relu(xgrad::add(xgrad::matmul(x, kernel), bias));
    });
}

void ReduceSumAllOp(benchmark::State& state)
{
    const Tensor a(filled({static_cast<std::size_t>(state.range(0)), static_cast<std::size_t>(state.range(1))}));
    for (auto _ : state) benchmark::DoNotOptimize(xgrad::reduce_sum(a));
    set_bytes(state, a.size(), 1);
}
void ReduceSumAxis0Op(benchmark::State& state)
{
    const Tensor a(filled({static_cast<std::size_t>(state.range(0)), static_cast<std::size_t>(state.range(1))}));
    for (auto _ : state) benchmark::DoNotOptimize(xgrad::reduce_sum(a, {0}));
    set_bytes(state, a.size(), 1);
}
void SoftmaxOp(benchmark::State& state)
{
    const Tensor a(filled({static_cast<std::size_t>(state.range(0)), static_cast<std::size_t>(state.range(1))}));
    for (auto _ : state) benchmark::DoNotOptimize(xgrad::softmax(a, -1));
    set_bytes(state, a.size(), 2);
}

// Recording cost: y = x * x + x on scalars inside a tape, then the gradient (3 ops + backward).
void TapeScalarOps(benchmark::State& state)
{
    xgrad::Variable x(xt::xarray<float>(1.5f), "x");
    for (auto _ : state) {
        xgrad::GradientTape tape;
        auto y = xgrad::add(xgrad::mul(x, x), x);
        benchmark::DoNotOptimize(tape.gradient(y, x));
    }
}
// The tutorial's loss on a tape: 2x^4 + 3x^3 + 2 and its gradient.
void TapeTutorialLoss(benchmark::State& state)
{
    xgrad::Variable x(xt::xarray<float>(1.5f), "x");
    for (auto _ : state) {
        xgrad::GradientTape tape;
        auto y = 2.0f * xgrad::pow(x, 4.0f) + 3.0f * xgrad::pow(x, 3.0f) + 2.0f;
        benchmark::DoNotOptimize(tape.gradient(y, x));
    }
}
// One scalar op outside any tape: the fixed cost of an op.
void ScalarOpNoTape(benchmark::State& state)
{
    const Tensor a(xt::xarray<float>(1.5f)), b(xt::xarray<float>(2.0f));
    for (auto _ : state) benchmark::DoNotOptimize(xgrad::mul(a, b));
}

}  // namespace

#define XGRAD_SHAPES(fn) BENCHMARK(fn)->Args({32, 128})->Args({128, 512})->Args({1000, 10000})
XGRAD_SHAPES(AddSameOp);
XGRAD_SHAPES(AddSameXt);
XGRAD_SHAPES(AddRowBroadcastOp);
XGRAD_SHAPES(AddRowBroadcastXt);
XGRAD_SHAPES(AddRowBroadcastKernel);
XGRAD_SHAPES(SubColumnBroadcastOp);
XGRAD_SHAPES(ReduceSumAllOp);
XGRAD_SHAPES(ReduceSumAxis0Op);
XGRAD_SHAPES(SoftmaxOp);
#define XGRAD_GEMM_SHAPES(fn) BENCHMARK(fn)->Args({32, 784, 128})->Args({128, 784, 512})->Args({128, 512, 512})
XGRAD_GEMM_SHAPES(MatmulOp);
XGRAD_GEMM_SHAPES(LinearReluFused);
XGRAD_GEMM_SHAPES(LinearReluSeparate);
BENCHMARK(TapeScalarOps);
BENCHMARK(TapeTutorialLoss);
BENCHMARK(ScalarOpNoTape);

BENCHMARK_MAIN();
