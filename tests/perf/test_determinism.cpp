// Results are bit-identical at 1 and 2 OpenMP threads: an Adam
// step on 1e6 parameters, an elementwise op, a reduction and a matmul-based MLP
// training step. Speed is never asserted here.
#include <catch2/catch.hpp>

#include <omp.h>

#include <cstring>
#include <functional>

#include <xgrad/xgrad.hpp>

namespace {
void set_threads(int n)
{
    omp_set_num_threads(n);
}

// Runs `compute` at 1 and at 2 threads and checks every returned array is the same, bit for bit.
void check_thread_invariant(const std::function<std::vector<xt::xarray<float>>()>& compute)
{
    set_threads(1);
    const auto one = compute();
    set_threads(2);
    const auto two = compute();
    set_threads(omp_get_num_procs());
    REQUIRE(one.size() == two.size());
    for (std::size_t i = 0; i < one.size(); ++i) {
        INFO("result " << i);
        REQUIRE(one[i].shape() == two[i].shape());
        CHECK(std::memcmp(one[i].data(), two[i].data(), one[i].size() * sizeof(float)) == 0);
    }
}

xt::xarray<float> uniform(const xgrad::Shape& shape, std::uint64_t seed, float scale = 1.0f)
{
    return xgrad::Generator(seed).uniform<float>(shape, -scale, scale);
}
}  // namespace

TEST_CASE("determinism: Adam step on 1e6 parameters")
{
    check_thread_invariant([] {
        xgrad::Variable w(uniform({1000000}, 1), "w");
        const xgrad::Tensor g(uniform({1000000}, 2, 1e-2f));
        xgrad::optim::Adam opt(xgrad::optim::AdamOptions{}.learning_rate(1e-3));
        for (int step = 0; step < 3; ++step) opt.apply_gradients({g}, {w});
        return std::vector<xt::xarray<float>>{w.value()};
    });
}

TEST_CASE("determinism: elementwise ops with broadcasting")
{
    check_thread_invariant([] {
        const xgrad::Tensor a(uniform({1000, 1000}, 3)), row(uniform({1000}, 4)), col(uniform({1000, 1}, 5));
        return std::vector<xt::xarray<float>>{(a + row).value(), (a * col).value(), (a / a).value(),
                                              xgrad::softmax(a, -1).value()};
    });
}

TEST_CASE("determinism: reductions")
{
    check_thread_invariant([] {
        const xgrad::Tensor a(uniform({1000, 1000}, 6));
        return std::vector<xt::xarray<float>>{xgrad::reduce_sum(a).value(), xgrad::reduce_sum(a, {0}).value(),
                                              xgrad::reduce_mean(a, {1}).value()};
    });
}

TEST_CASE("determinism: an MLP training step (fused linear + relu, matmul, bias, softmax, Adam)")
{
    check_thread_invariant([] {
        const xgrad::Tensor x(uniform({256, 784}, 7));
        xt::xarray<float> labels = xt::zeros<float>({256, 10});
        for (std::size_t i = 0; i < 256; ++i) labels(i, i % 10) = 1.0f;
        const xgrad::Tensor y(labels);
        xgrad::Variable w1(uniform({784, 512}, 8, 0.05f), "w1"), b1(xt::zeros<float>({512}), "b1");
        xgrad::Variable w2(uniform({512, 10}, 9, 0.05f), "w2"), b2(xt::zeros<float>({10}), "b2");
        xgrad::optim::Adam opt(xgrad::optim::AdamOptions{}.learning_rate(1e-3));
        for (int step = 0; step < 2; ++step) {
            xgrad::GradientTape tape;
            const auto h = xgrad::linear<float>(x, w1, b1, xgrad::LinearActivation::relu);  // Dense's fused op
            const auto p = xgrad::softmax(xgrad::matmul(h, w2) + b2, -1);
            const auto loss = -xgrad::reduce_mean(xgrad::reduce_sum(y * xgrad::log(p + 1e-7f), {1}));
            opt.apply_gradients(tape.gradient(loss, {w1, b1, w2, b2}), {w1, b1, w2, b2});
        }
        return std::vector<xt::xarray<float>>{w1.value(), b1.value(), w2.value(), b2.value()};
    });
}

TEST_CASE("determinism: conv2d forward and backward, max and average pooling are bit-identical at 1 and 2 threads")
{
    const xt::xarray<float> x1 = uniform({64, 28, 28, 1}, 41), k1 = uniform({3, 3, 1, 32}, 42, 0.3f),
                            b1 = uniform({32}, 43, 0.1f);
    const xt::xarray<float> x2 = uniform({64, 13, 13, 32}, 44), k2 = uniform({3, 3, 32, 64}, 45, 0.1f),
                            b2 = uniform({64}, 46, 0.1f);
    check_thread_invariant([&] {
        std::vector<xt::xarray<float>> out;
        for (const auto padding : {xgrad::Padding::valid, xgrad::Padding::same}) {
            xgrad::Tensor x(x2), k(k2), b(b2), xa(x1), ka(k1), ba(b1);
            xgrad::GradientTape tape(true);
            tape.watch(x);
            tape.watch(k);
            tape.watch(b);
            tape.watch(xa);
            tape.watch(ka);
            const auto y = xgrad::conv2d(x, k, b, {1, 1}, padding, {1, 1}, xgrad::LinearActivation::relu);
            const auto ya = xgrad::conv2d(xa, ka, ba, {2, 2}, padding);
            const auto p = xgrad::max_pool2d(y, {2, 2}, {2, 2}, padding);
            const auto q = xgrad::avg_pool2d(ya, {3, 3}, {2, 2}, padding);
            const auto loss = xgrad::reduce_sum(xgrad::square(p)) + xgrad::reduce_sum(xgrad::square(q));
            for (const auto& g : tape.gradient(loss, {x, k, b, xa, ka})) out.push_back(g.value());
            out.push_back(y.value());
            out.push_back(p.value());
            out.push_back(q.value());
        }
        return out;
    });
}
