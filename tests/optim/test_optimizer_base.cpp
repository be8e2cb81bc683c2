// What the Optimizer base owns: counter, learning rate, clipping, decay, EMA,
// accumulation, missing and NaN gradients, schedules.
#include <catch2/catch.hpp>

#include <cmath>
#include <iostream>
#include <sstream>
#include <limits>

#include <xgrad/optim/adam.hpp>
#include <xgrad/optim/gradient_descent.hpp>
#include <xgrad/optim/momentum.hpp>
#include <xgrad/optim/schedules.hpp>

using namespace xgrad::optim;
using xgrad::Tensor;
using xgrad::Variable;

namespace {
Tensor t(std::initializer_list<float> v) { return Tensor(xgrad::array<float>({v.size()}, v)); }
Variable var(std::initializer_list<float> v, const std::string& name) { return Variable(xgrad::array<float>({v.size()}, v), name); }
}  // namespace

TEST_CASE("base: iterations counts applies, never tensors")
{
    Adam adam;
    auto a = var({1, 2}, "a"), b = var({3}, "b"), c = var({4, 5, 6}, "c");
    for (int step = 1; step <= 5; ++step) {
        adam.apply_gradients({t({1, 1}), t({1}), t({1, 1, 1})}, {a, b, c});
        REQUIRE(adam.iterations() == step);
    }
    // A step where one gradient is missing still counts once, and leaves that variable alone.
    const float c0 = c(0);
    adam.apply_gradients({t({1, 1}), t({1}), Tensor()}, {a, b, c});
    CHECK(adam.iterations() == 6);
    CHECK(c(0) == c0);
    // Adam's t is per optimizer: a variable first seen at step 7 uses t = 7, as Keras.
    CHECK(adam.slot(a, "momentum")(0) != 0.0f);
}

TEST_CASE("base: a learning-rate change mid-run separates the two momentum conventions")
{
    const double mu = 0.9, lr1 = 0.1, lr2 = 0.01;
    Momentum keras(MomentumOptions{}.learning_rate(lr1).momentum(mu));
    Momentum torch(MomentumOptions{}.learning_rate(lr1).momentum(mu).convention(MomentumConvention::PyTorch));
    auto wk = var({0}, "w"), wt = var({0}, "w");
    double m = 0, buf = 0, expect_k = 0, expect_t = 0;  // the two formulas with g = 1, in double
    for (int step = 0; step < 6; ++step) {
        const double lr = step < 3 ? lr1 : lr2;
        if (step == 3) {
            keras.set_learning_rate(lr2);
            torch.set_learning_rate(lr2);
            CHECK(keras.learning_rate() == static_cast<float>(lr2));
        }
        keras.apply_gradients({t({1})}, {wk});
        torch.apply_gradients({t({1})}, {wt});
        m = mu * m - lr * 1.0;
        expect_k += m;
        buf = mu * buf + 1.0;
        expect_t -= lr * buf;
        CHECK(wk(0) == Approx(expect_k).margin(1e-5));
        CHECK(wt(0) == Approx(expect_t).margin(1e-5));
        if (step < 3) CHECK(wk(0) == Approx(wt(0)).margin(1e-5));  // constant lr: the conventions agree
    }
    CHECK(std::abs(wk(0) - wt(0)) > 0.1);  // Keras's velocity still carries the old lr
}

TEST_CASE("base: clipnorm, clipvalue and global_clipnorm")
{
    SECTION("clipnorm scales each gradient to norm <= clipnorm")
    {
        GradientDescent sgd(GradientDescentOptions{}.learning_rate(1.0).clipnorm(1.0));
        auto a = var({0, 0}, "a"), b = var({0, 0}, "b");
        sgd.apply_gradients({t({3, 4}), t({0.3f, 0.4f})}, {a, b});
        CHECK(a(0) == Approx(-0.6));
        CHECK(a(1) == Approx(-0.8));
        CHECK(b(0) == Approx(-0.3));  // norm 0.5: unchanged
    }
    SECTION("clipvalue clips elementwise")
    {
        GradientDescent sgd(GradientDescentOptions{}.learning_rate(1.0).clipvalue(0.5));
        auto a = var({0, 0, 0}, "a");
        sgd.apply_gradients({t({3, -0.2f, -7})}, {a});
        CHECK(a(0) == Approx(-0.5));
        CHECK(a(1) == Approx(0.2));
        CHECK(a(2) == Approx(0.5));
    }
    SECTION("global_clipnorm scales all gradients by one factor")
    {
        GradientDescent sgd(GradientDescentOptions{}.learning_rate(1.0).global_clipnorm(1.0));
        auto a = var({0}, "a"), b = var({0}, "b");
        sgd.apply_gradients({t({3}), t({4})}, {a, b});
        CHECK(a(0) == Approx(-0.6));
        CHECK(b(0) == Approx(-0.8));
    }
    SECTION("norms are summed in float32, element by element from the first")
    {
        // 4096^2 = 2^24: adding 1 in float32 rounds back to 2^24 each time, so the
        // norm is exactly 4096; summed in double (2^24 + 3, rounded once) it would be
        // sqrt(16777220) and the clipped gradient 0.99999988 instead of 1.
        GradientDescent per(GradientDescentOptions{}.learning_rate(1.0).clipnorm(1.0));
        auto a = var({0, 0, 0, 0}, "a");
        per.apply_gradients({t({4096, 1, 1, 1})}, {a});
        CHECK(a(0) == -1.0f);
        GradientDescent global(GradientDescentOptions{}.learning_rate(1.0).global_clipnorm(1.0));
        auto b = var({0, 0, 0, 0}, "b"), c = var({0}, "c");  // per variable, then across: 2^24 + 1 -> 2^24
        global.apply_gradients({t({4096, 1, 1, 1}), t({1})}, {b, c});
        CHECK(b(0) == -1.0f);
    }
}

TEST_CASE("base: decoupled weight decay comes before the step, with exclusion by variable and by name")
{
    const double lr = 0.1, wd = 0.5, b1 = 0.9, b2 = 0.999, eps = 1e-7;
    Adam adam(AdamOptions{}.learning_rate(lr).weight_decay(wd));
    auto kernel = var({2, -4}, "dense.kernel"), bias = var({2}, "dense.bias"), other = var({2}, "other");
    adam.exclude_from_weight_decay({other}, {"bias"});
    // Keras's Adam written out in double with g = 1 on every step; `first` decays
    // before the step (Keras), `after` would decay the stepped weight instead.
    double m = 0, v = 0, first = 2, after = 2, plain = 2;
    for (int k = 1; k <= 3; ++k) {
        adam.apply_gradients({t({1, 1}), t({1}), t({1})}, {kernel, bias, other});
        m += (1 - m) * (1 - b1);
        v += (1 - v) * (1 - b2);
        const double step = (lr * std::sqrt(1 - std::pow(b2, k)) / (1 - std::pow(b1, k))) * m / (std::sqrt(v) + eps);
        first = (first - first * wd * lr) - step;
        after = (after - step) * (1 - wd * lr);
        plain -= step;
        CHECK(kernel(0) == Approx(first).epsilon(1e-5));
        CHECK(std::abs(after - first) > 1e-3);  // the other order is detectably different
        CHECK(std::abs(kernel(0) - after) > 1e-3);
        CHECK(bias(0) == Approx(plain).epsilon(1e-5));  // excluded by name
        CHECK(other(0) == Approx(plain).epsilon(1e-5));  // excluded by variable
    }
}

TEST_CASE("base: EMA of the weights, finalize_variable_values and overwrite frequency")
{
    SECTION("average and finalize")
    {
        GradientDescent sgd(GradientDescentOptions{}.learning_rate(0.1).use_ema(true).ema_momentum(0.5));
        auto w = var({1}, "w");
        for (int i = 0; i < 3; ++i) sgd.apply_gradients({t({1})}, {w});
        // w: 0.9, 0.8, 0.7; average: 0.9 (first step copies), 0.85, 0.775
        CHECK(w(0) == Approx(0.7));
        CHECK(sgd.slot(w, "average")(0) == Approx(0.775));
        sgd.finalize_variable_values({w});
        CHECK(w(0) == Approx(0.775));
    }
    SECTION("overwrite every 2 steps")
    {
        GradientDescent sgd(GradientDescentOptions{}.learning_rate(0.1).use_ema(true).ema_momentum(0.5)
                                .ema_overwrite_frequency(2));
        auto w = var({1}, "w");
        sgd.apply_gradients({t({1})}, {w});
        CHECK(w(0) == Approx(0.9));
        sgd.apply_gradients({t({1})}, {w});
        CHECK(w(0) == Approx(0.85));  // overwritten with the average
    }
}

TEST_CASE("base: gradient accumulation updates every N applies with the mean gradient")
{
    GradientDescent sgd(GradientDescentOptions{}.learning_rate(1.0).gradient_accumulation_steps(2));
    auto w = var({0}, "w");
    sgd.apply_gradients({t({1})}, {w});
    CHECK(w(0) == 0.0f);
    CHECK(sgd.iterations() == 0);
    sgd.apply_gradients({t({3})}, {w});
    CHECK(w(0) == Approx(-2.0));
    CHECK(sgd.iterations() == 1);
    CHECK(sgd.raw_iterations() == 2);
    CHECK(sgd.slot(w, "gradient_accumulator")(0) == 0.0f);  // reset after the update
}

TEST_CASE("base: with accumulation, weight decay and clipping act on the real update only")
{
    GradientDescent sgd(GradientDescentOptions{}.learning_rate(0.1).gradient_accumulation_steps(2).weight_decay(0.5)
                            .clipnorm(0.5));
    auto w = var({2}, "w");
    sgd.apply_gradients({t({3})}, {w});
    CHECK(w(0) == 2.0f);                                      // no decay on an accumulation-only call
    CHECK(sgd.slot(w, "gradient_accumulator")(0) == 3.0f);   // accumulated unclipped
    sgd.apply_gradients({t({-1})}, {w});
    // mean (3 - 1) / 2 = 1, clipped to 0.5; w = 2 - 2 * 0.5 * 0.1 = 1.9, then 1.9 - 0.1 * 0.5
    CHECK(w(0) == Approx(1.85).epsilon(1e-6));
    CHECK(sgd.iterations() == 1);
}

TEST_CASE("base: EMA with accumulation follows Keras 3: averaged on every call, momentum 0 until the first real update")
{
    // keras/src/optimizers/base_optimizer.py apply(): the EMA update sits after the
    // accumulation cond, so accumulation-only calls average too, and its momentum
    // is 0 while iterations() (= raw // N) is 0.
    GradientDescent sgd(GradientDescentOptions{}.learning_rate(0.1).gradient_accumulation_steps(2).use_ema(true)
                            .ema_momentum(0.5));
    auto w = var({1}, "w");
    const double expect_w[] = {1.0, 0.9, 0.9, 0.8, 0.8, 0.7};
    const double expect_avg[] = {1.0, 0.9, 0.9, 0.85, 0.825, 0.7625};  // only on real updates: 0.85, 0.775 at the end
    for (int call = 0; call < 6; ++call) {
        sgd.apply_gradients({t({1})}, {w});
        CHECK(w(0) == Approx(expect_w[call]).epsilon(1e-6));
        CHECK(sgd.slot(w, "average")(0) == Approx(expect_avg[call]).epsilon(1e-6));
    }
    CHECK(sgd.iterations() == 3);
}

TEST_CASE("base: a NaN gradient skips the step or throws, never corrupting state")
{
    const float nan = std::numeric_limits<float>::quiet_NaN();
    SECTION("skip")
    {
        Adam adam;
        auto a = var({1, 2}, "a"), b = var({3}, "b");
        adam.apply_gradients({t({1, 1}), t({1})}, {a, b});
        const auto a1 = a.value(), b1 = b.value(), m1 = adam.slot(a, "momentum");
        std::ostringstream captured;
        std::streambuf* const saved = std::cerr.rdbuf(captured.rdbuf());
        try {
            adam.apply_gradients({t({1, 1}), t({nan})}, {a, b});
        } catch (...) {
            std::cerr.rdbuf(saved);
            throw;
        }
        std::cerr.rdbuf(saved);
        CHECK_THAT(captured.str(), Catch::Contains("xgrad warning: Adam.apply_gradients: the gradient for variable 'b' "
                                                   "contains nan at flat index 0 (iterations = 1); the whole step is skipped"));
        CHECK(adam.iterations() == 1);
        CHECK(adam.raw_iterations() == 1);
        CHECK(static_cast<bool>(a.value() == a1));
        CHECK(static_cast<bool>(b.value() == b1));
        CHECK(static_cast<bool>(adam.slot(a, "momentum") == m1));
    }
    SECTION("throw")
    {
        Adam adam(AdamOptions{}.on_nan_gradient(NanGradientPolicy::Throw));
        auto a = var({1, 2}, "a");
        REQUIRE_THROWS_AS(adam.apply_gradients({t({1, nan})}, {a}), xgrad::NumericsError);
        REQUIRE_THROWS_WITH(adam.apply_gradients({t({1, nan})}, {a}),
                            Catch::Contains("variable 'a' contains nan at flat index 1"));
        CHECK(adam.iterations() == 0);
        CHECK(a(0) == 1.0f);
    }
}

TEST_CASE("base: schedules and callables give the learning rate at iterations")
{
    auto decay = std::make_shared<ExponentialDecay>(0.1, 2, 0.5);
    GradientDescent sgd(GradientDescentOptions{}.learning_rate(decay));
    auto w = var({0}, "w");
    for (int step = 0; step < 4; ++step) {
        CHECK(sgd.learning_rate() == Approx(0.1 * std::pow(0.5, step / 2.0)));
        sgd.apply_gradients({t({1})}, {w});
    }
    CHECK(w(0) == Approx(-(0.1 + 0.1 * std::pow(0.5, 0.5) + 0.05 + 0.05 * std::pow(0.5, 0.5))));
    REQUIRE_THROWS_WITH(sgd.set_learning_rate(0.1), Catch::Contains("cannot be set"));

    GradientDescent fn(GradientDescentOptions{}.learning_rate([](std::int64_t it) { return 1.0f / float(it + 1); }));
    auto v = var({0}, "v");
    fn.apply_gradients({t({1})}, {v});
    fn.apply_gradients({t({1})}, {v});
    CHECK(v(0) == Approx(-1.5));

    CHECK(PiecewiseConstantDecay({10, 20}, {1.0, 0.5, 0.1})(10) == 1.0f);
    CHECK(PiecewiseConstantDecay({10, 20}, {1.0, 0.5, 0.1})(11) == 0.5f);
    CHECK(PiecewiseConstantDecay({10, 20}, {1.0, 0.5, 0.1})(21) == 0.1f);
    CHECK(InverseTimeDecay(0.1, 10, 0.5)(20) == Approx(0.1 / (1 + 0.5 * 2)));
    CHECK(InverseTimeDecay(0.1, 10, 0.5, true)(15) == Approx(0.1 / (1 + 0.5 * 1)));
    CHECK(PolynomialDecay(0.1, 10, 0.01, 2.0)(5) == Approx(0.09 * 0.25 + 0.01));
    CHECK(PolynomialDecay(0.1, 10, 0.01)(50) == Approx(0.01));
    CHECK(PolynomialDecay(0.1, 10, 0.01, 1.0, true)(15) == Approx(0.09 * 0.25 + 0.01));
    CHECK(CosineDecay(0.1, 10, 0.1)(5) == Approx(0.1 * (0.9 * 0.5 + 0.1)));
    CHECK(CosineDecay(0.1, 10)(100) == Approx(0.0).margin(1e-9));
    CHECK(CosineDecay(0.0, 10, 0.0, "CosineDecay", 0.2, 4)(2) == Approx(0.1));
    CHECK(CosineDecay(0.0, 10, 0.0, "CosineDecay", 0.2, 4)(9) == Approx(0.2 * 0.5 * (1 + std::cos(M_PI * 0.5))));
}
