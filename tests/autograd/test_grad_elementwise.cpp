// Float64 finite-difference checks of every elementwise op, with broadcasting,
// and their second derivatives through nested tapes.
#include "helpers.hpp"

using namespace xgrad;
using xgrad::test::away_from_zero;
using xgrad::test::In;
using xgrad::test::t64;
using xgrad::test::uniform;

TEST_CASE("gradcheck: add, sub, mul, div with numpy broadcasting")
{
    const auto a = uniform({2, 3});
    const auto row = uniform({3}, -1, 1, 8);
    const auto col = uniform({2, 1}, -1, 1, 9);
    const auto s = uniform({}, -1, 1, 10);
    const auto positive_row = uniform({3}, 0.5, 2.0, 12);
    for (const auto& b : {row, col, s, a}) {
        CHECK_GRADIENTS([](const In& in) { return add(in[0], in[1]); }, {a, b});
        CHECK_GRADIENTS([](const In& in) { return sub(in[0], in[1]); }, {a, b});
        CHECK_GRADIENTS([](const In& in) { return sub(in[1], in[0]); }, {a, b});
        CHECK_GRADIENTS([](const In& in) { return mul(in[0], in[1]); }, {a, b});
        CHECK_GRADIENTS([](const In& in) { return div(in[0], in[1] * in[1] + 0.5); }, {a, b});
    }
    // Both sides broadcast: (2, 1, 3) with (4, 1) -> (2, 4, 3).
    const auto a3 = uniform({2, 1, 3});
    const auto b2 = uniform({4, 1}, 0.5, 2.0, 13);
    CHECK_GRADIENTS([](const In& in) { return sub(in[0], in[1]); }, {a3, b2});
    CHECK_GRADIENTS([](const In& in) { return mul(in[0], in[1]); }, {a3, b2});
    CHECK_GRADIENTS([](const In& in) { return div(in[0], in[1]); }, {a3, b2});
    CHECK_GRADIENTS([](const In& in) { return div(in[1], in[0] * in[0] + 1.0); }, {a3, positive_row});
}

TEST_CASE("gradcheck: neg, square, operators with scalars")
{
    const auto x = uniform({3, 2});
    CHECK_GRADIENTS([](const In& in) { return neg(in[0]); }, {x});
    CHECK_GRADIENTS([](const In& in) { return -in[0]; }, {x});
    CHECK_GRADIENTS([](const In& in) { return square(in[0]); }, {x});
    CHECK_GRADIENTS([](const In& in) { return 2.0 * in[0] + 1 - in[0] / 4.0; }, {x});
    CHECK_GRADIENTS([](const In& in) { return 1.0 - 3 / (in[0] * in[0] + 1.0); }, {x});
}

TEST_CASE("gradcheck: pow with a scalar and with a tensor exponent")
{
    const auto x = uniform({2, 3}, 0.5, 2.0);
    for (double p : {3.0, 2.5, -1.5, 0.5, 1.0}) {
        INFO("p = " << p);
        CHECK_GRADIENTS([p](const In& in) { return pow(in[0], p); }, {x});
    }
    // Integer powers of negative numbers are fine.
    CHECK_GRADIENTS([](const In& in) { return pow(in[0], 3.0); }, {uniform({4}, -2, 2)});
    const auto y = uniform({3}, -2.0, 2.0, 5);
    CHECK_GRADIENTS([](const In& in) { return pow(in[0], in[1]); }, {x, y});
    CHECK_GRADIENTS([](const In& in) { return pow(in[1], in[0]); }, {uniform({2, 1}, -1, 1, 3), uniform({3}, 0.5, 2, 4)});
}

TEST_CASE("pow: d/dy is 0 where x <= 0 (TensorFlow's rule), never NaN")
{
    const Tensor64 x(xt::xarray<double>{-2.0, 0.0, 2.0});
    const Tensor64 y(xt::xarray<double>{2.0, 2.0, 2.0});
    GradientTape tape;
    tape.watch(x);
    tape.watch(y);
    const auto g = tape.gradient(pow(x, y), {x, y});
    CHECK(g[0](0) == Approx(-4.0));
    CHECK(g[0](2) == Approx(4.0));
    CHECK(g[1](0) == 0.0);
    CHECK(g[1](1) == 0.0);
    CHECK(g[1](2) == Approx(4.0 * std::log(2.0)));
}

TEST_CASE("gradcheck: sqrt, exp, log, abs, erf")
{
    const auto positive = uniform({2, 3}, 0.3, 3.0);
    CHECK_GRADIENTS([](const In& in) { return sqrt(in[0]); }, {positive});
    CHECK_GRADIENTS([](const In& in) { return exp(in[0]); }, {uniform({2, 3}, -3, 3)});
    CHECK_GRADIENTS([](const In& in) { return log(in[0]); }, {positive});
    CHECK_GRADIENTS([](const In& in) { return abs(in[0]); }, {away_from_zero({2, 3})});
    CHECK_GRADIENTS([](const In& in) { return erf(in[0]); }, {uniform({2, 3}, -2, 2)});
}

TEST_CASE("gradcheck: log near 0 (1/x up to 1000)")
{
    const xt::xarray<double> tiny{1e-3, 2e-3, 5e-3, 1e-2};
    CHECK_GRADIENTS([](const In& in) { return log(in[0]); }, {tiny});
    GradientTape tape;
    const Tensor64 x(tiny);
    tape.watch(x);
    CHECK(tape.gradient(log(x), x)(0) == Approx(1000.0));
}

TEST_CASE("abs and relu at their kink: gradient 0 (TensorFlow's subgradient), finite")
{
    const Tensor64 x(xt::xarray<double>{-1.0, 0.0, 2.0});
    GradientTape tape(true);
    tape.watch(x);
    const auto ga = tape.gradient(abs(x), x);
    const auto gr = tape.gradient(relu(x), x);
    CHECK(ga.value() == xt::xarray<double>{-1.0, 0.0, 1.0});
    CHECK(gr.value() == xt::xarray<double>{0.0, 0.0, 1.0});
}

TEST_CASE("gradcheck: maximum, minimum with broadcasting; ties go to the first argument")
{
    const auto a = uniform({2, 3}, -1, 1, 21);
    const auto b = uniform({3}, -1, 1, 22);
    CHECK_GRADIENTS([](const In& in) { return maximum(in[0], in[1]); }, {a, b});
    CHECK_GRADIENTS([](const In& in) { return minimum(in[0], in[1]); }, {a, b});
    CHECK_GRADIENTS([](const In& in) { return maximum(in[1], in[0]); }, {a, uniform({2, 1}, -1, 1, 23)});

    const Tensor64 x(xt::xarray<double>{1.0, 2.0});
    const Tensor64 y(xt::xarray<double>{1.0, 3.0});
    GradientTape tape(true);
    tape.watch(x);
    tape.watch(y);
    const auto gmax = tape.gradient(maximum(x, y), {x, y});
    CHECK(gmax[0].value() == xt::xarray<double>{1.0, 0.0});
    CHECK(gmax[1].value() == xt::xarray<double>{0.0, 1.0});
    const auto gmin = tape.gradient(minimum(x, y), {x, y});
    CHECK(gmin[0].value() == xt::xarray<double>{1.0, 1.0});
    CHECK(gmin[1].value() == xt::xarray<double>{0.0, 0.0});
}

TEST_CASE("gradcheck: clip passes the gradient inside [lo, hi] only")
{
    const xt::xarray<double> x{-2.0, -0.7, 0.1, 0.9, 1.6};
    CHECK_GRADIENTS([](const In& in) { return clip(in[0], -1.0, 1.0); }, {x});
    GradientTape tape;
    const Tensor64 t(x);
    tape.watch(t);
    CHECK(tape.gradient(clip(t, -1.0, 1.0), t).value() == xt::xarray<double>{0, 1, 1, 1, 0});
    CHECK(clip(t, -1.0, 1.0).value() == xt::xarray<double>{-1.0, -0.7, 0.1, 0.9, 1.0});
}

TEST_CASE("gradcheck: where routes the gradient by the condition, with broadcasting")
{
    const Tensor64 cond(xt::xarray<double>{{1, 0, 1}, {0, 0, 1}});
    CHECK_GRADIENTS([cond](const In& in) { return where(cond, in[0], in[1]); }, {uniform({2, 3}), uniform({3}, -1, 1, 3)});
    CHECK_GRADIENTS([cond](const In& in) { return where(cond, in[0], in[1]); }, {uniform({}), uniform({2, 1}, -1, 1, 4)});
    const Tensor64 row_cond(xt::xarray<double>{0, 1, 0});
    CHECK_GRADIENTS([row_cond](const In& in) { return where(row_cond, in[0], in[1]); }, {uniform({2, 3}), uniform({2, 1}, -1, 1, 5)});
}

TEST_CASE("relu_grad: mul(g, greater(y, 0)) bit for bit, differentiable in g, shape errors")
{
    const xt::xarray<float> g = Generator(7).uniform<float>({4, 5}, -2, 2), y = Generator(8).uniform<float>({4, 5}, -1, 1);
    CHECK(xt::all(xt::equal(relu_grad(Tensor(g), Tensor(y)).value(),
                            mul(Tensor(g), greater(Tensor(y), scalar<float>(0))).value())));
    const Tensor64 y64(away_from_zero({3, 4}, 0.2, 1.5, 9));
    CHECK_GRADIENTS([y64](const In& in) { return relu_grad(in[0], y64); }, {uniform({3, 4})});
    CHECK_SECOND_ORDER([y64](const In& in) { return mul(relu_grad(in[0], y64), in[0]); }, {uniform({3, 4})});
    try {
        relu_grad(Tensor(g), Tensor(xt::xarray<float>(xt::zeros<float>({5, 4}))));
        FAIL("no exception");
    } catch (const Error& e) {
        CHECK(std::string(e.what()) == "relu_grad: arguments 'g' of shape (4, 5) and 'y' of shape (5, 4) must have the same shape");
    }
}

TEST_CASE("tanh_grad and sigmoid_grad: the composites they replace bit for bit, first and second order, shape errors")
{
    // Sizes on both sides of the small-loop limit (4096) and a rank-0 one.
    for (const xgrad::Shape shape : {xgrad::Shape{}, xgrad::Shape{4, 5}, xgrad::Shape{70, 90}}) {
        const xt::xarray<float> g = Generator(17).uniform<float>(shape, -2, 2);
        const xt::xarray<float> y = Generator(18).uniform<float>(shape, -1, 1);
        const Tensor tg(g), ty(y), one = scalar<float>(1);
        CHECK(xt::all(xt::equal(tanh_grad(tg, ty).value(), mul(tg, sub(one, square(ty))).value())));
        CHECK(xt::all(xt::equal(sigmoid_grad(tg, ty).value(), mul(tg, mul(ty, sub(one, ty))).value())));
    }
    // In g and in y, first and second order (float64 finite differences).
    const auto g0 = uniform({3, 4}, -1, 1, 21), y0 = uniform({3, 4}, -0.9, 0.9, 22);
    CHECK_GRADIENTS([](const In& in) { return tanh_grad(in[0], in[1]); }, {g0, y0});
    CHECK_GRADIENTS([](const In& in) { return sigmoid_grad(in[0], in[1]); }, {g0, y0});
    CHECK_SECOND_ORDER([](const In& in) { return mul(tanh_grad(in[0], in[1]), in[1]); }, {g0, y0});
    CHECK_SECOND_ORDER([](const In& in) { return mul(sigmoid_grad(in[0], in[1]), in[0]); }, {g0, y0});
    // The second derivative of tanh through its fused backward: d^2/dx^2 tanh(x) = -2 y (1 - y^2).
    Variable64 x(xt::xarray<double>{0.3, -1.2, 2.0}, "x");
    GradientTape outer;
    Tensor64 dy;
    {
        GradientTape inner;
        const auto y = xgrad::tanh(x);
        dy = inner.gradient(y, x);
    }
    const auto d2y = outer.gradient(dy, x).value();
    for (std::size_t i = 0; i < 3; ++i) {
        const double t = std::tanh(x.value()(i));
        CHECK(d2y(i) == Approx(-2 * t * (1 - t * t)).epsilon(1e-12));
    }
    try {
        sigmoid_grad(Tensor(xt::xarray<float>(xt::zeros<float>({2, 3}))), Tensor(xt::xarray<float>(xt::zeros<float>({3, 2}))));
        FAIL("no exception");
    } catch (const Error& e) {
        CHECK(std::string(e.what()) == "sigmoid_grad: arguments 'g' of shape (2, 3) and 'y' of shape (3, 2) must have the same shape");
    }
}

TEST_CASE("pow_grad: the composite it replaces bit for bit, first and second order, shape errors")
{
    // Rank 0, and sizes on both sides of the scalar-pow limit (15 floats with AVX-512, fewer without).
    for (const xgrad::Shape shape : {xgrad::Shape{}, xgrad::Shape{3}, xgrad::Shape{4, 5}, xgrad::Shape{70, 90}}) {
        const xt::xarray<float> g = Generator(23).uniform<float>(shape, -2, 2);
        const xt::xarray<float> x = Generator(24).uniform<float>(shape, 0.1f, 3);
        const Tensor tg(g), tx(x);
        for (const float p : {4.0f, 3.0f, 2.5f, -1.5f}) {
            CHECK(xt::all(xt::equal(pow_grad(tg, tx, p).value(),
                                    mul(mul(tg, scalar<float>(p)), xgrad::pow(tx, p - 1)).value())));
        }
    }
    // In g and in x, first and second order (float64 finite differences).
    const auto g0 = uniform({3, 4}, -1, 1, 25), x0 = uniform({3, 4}, 0.2, 2.0, 26);
    CHECK_GRADIENTS([](const In& in) { return pow_grad(in[0], in[1], 3.0); }, {g0, x0});
    CHECK_GRADIENTS([](const In& in) { return pow_grad(in[0], in[1], -0.5); }, {g0, x0});
    CHECK_SECOND_ORDER([](const In& in) { return mul(pow_grad(in[0], in[1], 3.0), in[1]); }, {g0, x0});
    CHECK_SECOND_ORDER([](const In& in) { return mul(pow_grad(in[0], in[1], 2.5), in[0]); }, {g0, x0});
    // Third derivative of x^4 through two fused backwards: d^3/dx^3 x^4 = 24 x.
    Variable64 x(xt::xarray<double>{0.5, -1.5, 2.0}, "x");
    GradientTape outer;
    Tensor64 d2y;
    {
        GradientTape middle;
        Tensor64 dy;
        {
            GradientTape inner;
            dy = inner.gradient(xgrad::pow(x, 4.0), x);
        }
        d2y = middle.gradient(dy, x);
    }
    const auto d3y = outer.gradient(d2y, x).value();
    for (std::size_t i = 0; i < 3; ++i) CHECK(d3y(i) == Approx(24 * x.value()(i)).epsilon(1e-12));
    try {
        pow_grad(Tensor(xt::xarray<float>(xt::zeros<float>({2, 3}))), Tensor(xt::xarray<float>(xt::zeros<float>({3, 2}))), 2.0f);
        FAIL("no exception");
    } catch (const Error& e) {
        CHECK(std::string(e.what()) == "pow_grad: arguments 'g' of shape (2, 3) and 'x' of shape (3, 2) must have the same shape");
    }
}

TEST_CASE("gradcheck: relu, leaky_relu, sigmoid, tanh, gelu")
{
    const auto x = away_from_zero({3, 4}, 0.05, 3.0);
    CHECK_GRADIENTS([](const In& in) { return relu(in[0]); }, {x});
    CHECK_GRADIENTS([](const In& in) { return leaky_relu(in[0]); }, {x});
    CHECK_GRADIENTS([](const In& in) { return leaky_relu(in[0], 0.01); }, {x});
    CHECK_GRADIENTS([](const In& in) { return sigmoid(in[0]); }, {x});
    CHECK_GRADIENTS([](const In& in) { return tanh(in[0]); }, {x});
    CHECK_GRADIENTS([](const In& in) { return gelu(in[0]); }, {x});
    // Saturated sigmoid: finite values and gradients.
    const Tensor64 big(xt::xarray<double>{-800.0, 800.0});
    CHECK(sigmoid(big).value() == xt::xarray<double>{0.0, 1.0});
}

TEST_CASE("activation values match their formulas")
{
    const Tensor x(xt::xarray<float>{-2.0f, 0.0f, 1.5f});
    CHECK(relu(x).value() == xt::xarray<float>{0.0f, 0.0f, 1.5f});
    // NaN propagates (TensorFlow, PyTorch): a relu must not hide a diverged value.
    xt::xarray<float> with_nan = xt::linspace<float>(-2.0f, 2.0f, 40);  // SIMD lanes and a scalar tail
    with_nan(5) = with_nan(37) = std::numeric_limits<float>::quiet_NaN();
    const xt::xarray<float> r = relu(Tensor(with_nan)).value();
    CHECK(std::isnan(r(5)));
    CHECK(std::isnan(r(37)));
    CHECK(r(0) == 0.0f);
    CHECK(r(39) == 2.0f);
    CHECK(leaky_relu(x).value()(0) == Approx(-0.4));
    CHECK(sigmoid(x).value()(2) == Approx(1.0 / (1.0 + std::exp(-1.5))));
    CHECK(gelu(x).value()(2) == Approx(0.5 * 1.5 * (1.0 + std::erf(1.5 / std::sqrt(2.0)))));
    CHECK(tanh(x).value()(0) == Approx(std::tanh(-2.0)));
}

TEST_CASE("gradcheck: softmax and log_softmax on each axis")
{
    const auto x = uniform({3, 4}, -2, 2);
    for (long axis : {-1L, 0L, 1L}) {
        INFO("axis = " << axis);
        CHECK_GRADIENTS([axis](const In& in) { return softmax(in[0], axis); }, {x});
        CHECK_GRADIENTS([axis](const In& in) { return log_softmax(in[0], axis); }, {x});
    }
    CHECK_GRADIENTS([](const In& in) { return softmax(in[0], 1); }, {uniform({2, 3, 2})});
}

TEST_CASE("softmax and log_softmax stay finite and correct for logits near 1000")
{
    const xt::xarray<double> logits{{1000.0, 999.0, 998.0}, {-1000.0, -1001.0, -1000.5}};
    const Tensor64 x(logits);
    const auto sm = softmax(x).value();
    const auto lsm = log_softmax(x).value();
    const double z = 1.0 + std::exp(-1.0) + std::exp(-2.0);
    CHECK(sm(0, 0) == Approx(1.0 / z));
    CHECK(sm(0, 2) == Approx(std::exp(-2.0) / z));
    CHECK(lsm(0, 1) == Approx(-1.0 - std::log(z)));
    CHECK(xt::all(xt::isfinite(sm)));
    CHECK(xt::all(xt::isfinite(lsm)));
    CHECK_GRADIENTS([](const In& in) { return softmax(in[0]); }, {logits});
    CHECK_GRADIENTS([](const In& in) { return log_softmax(in[0]); }, {logits});
    // float32 as well
    const Tensor x32(xt::xarray<float>{1000.0f, 0.0f});
    CHECK(softmax(x32).value() == xt::xarray<float>{1.0f, 0.0f});
    CHECK(log_softmax(x32).value()(1) == Approx(-1000.0f));
}

TEST_CASE("second derivatives of the elementwise ops (nested tapes)")
{
    const auto x = uniform({2, 3}, 0.4, 2.0);
    const auto y = uniform({3}, -1, 1, 31);
    CHECK_SECOND_ORDER([](const In& in) { return mul(in[0], in[1]); }, {x, y});
    CHECK_SECOND_ORDER([](const In& in) { return div(in[1], in[0]); }, {x, y});
    CHECK_SECOND_ORDER([](const In& in) { return pow(in[0], 3.5); }, {x});
    CHECK_SECOND_ORDER([](const In& in) { return pow(in[0], in[1]); }, {x, y});
    CHECK_SECOND_ORDER([](const In& in) { return square(in[0]); }, {x});
    CHECK_SECOND_ORDER([](const In& in) { return sqrt(in[0]); }, {x});
    CHECK_SECOND_ORDER([](const In& in) { return exp(in[0]); }, {x});
    CHECK_SECOND_ORDER([](const In& in) { return log(in[0]); }, {x});
    CHECK_SECOND_ORDER([](const In& in) { return erf(in[0]); }, {x});
    CHECK_SECOND_ORDER([](const In& in) { return abs(in[0]) * in[0]; }, {away_from_zero({4})});
    CHECK_SECOND_ORDER([](const In& in) { return maximum(in[0], in[1]) * in[0]; }, {x, y});
    CHECK_SECOND_ORDER([](const In& in) { return clip(in[0], 0.5, 1.5) * in[0]; }, {xt::xarray<double>{0.2, 0.9, 1.7}});
    CHECK_SECOND_ORDER([](const In& in) { return relu(in[0]) * in[0]; }, {away_from_zero({4})});
    CHECK_SECOND_ORDER([](const In& in) { return leaky_relu(in[0]) * in[0]; }, {away_from_zero({4})});
    CHECK_SECOND_ORDER([](const In& in) { return sigmoid(in[0]); }, {x});
    CHECK_SECOND_ORDER([](const In& in) { return tanh(in[0]); }, {x});
    CHECK_SECOND_ORDER([](const In& in) { return gelu(in[0]); }, {x});
    CHECK_SECOND_ORDER([](const In& in) { return softmax(in[0]); }, {x});
    CHECK_SECOND_ORDER([](const In& in) { return log_softmax(in[0], 0); }, {x});
}
