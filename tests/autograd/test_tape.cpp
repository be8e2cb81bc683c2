// GradientTape semantics: watching, persistence, seeds, unconnected sources,
// stop_recording, reset, accumulation, dtypes.
#include "helpers.hpp"

using namespace xgrad;
using xgrad::test::t64;

TEST_CASE("tape: trainable variables are watched automatically, constants only after watch()")
{
    Variable w(xt::xarray<float>{3.0f}, "w");
    Variable frozen(xt::xarray<float>{5.0f}, "frozen", /*trainable=*/false);
    const Tensor c(xt::xarray<float>{2.0f});
    GradientTape tape(true);
    const auto y = w * c * frozen;
    const auto g = tape.gradient(y, {w, c, frozen});
    CHECK(g[0](0) == 10.0f);
    CHECK_FALSE(g[1].defined());
    CHECK_FALSE(g[2].defined());
    REQUIRE(tape.watched_variables().size() == 1);
    CHECK(tape.watched_variables()[0].name() == "w");

    GradientTape tape2;
    tape2.watch(c);
    tape2.watch(frozen);
    const auto g2 = tape2.gradient(w * c * frozen, {c, frozen});
    CHECK(g2[0](0) == 15.0f);
    CHECK(g2[1](0) == 6.0f);
}

TEST_CASE("tape: watch_accessed_variables=false watches only what watch() names")
{
    Variable a(xt::xarray<float>{1.0f, 2.0f}, "a");
    Variable b(xt::xarray<float>{3.0f, 4.0f}, "b");
    GradientTape tape(false, /*watch_accessed_variables=*/false);
    tape.watch(b);
    const auto y = reduce_sum(a * b);
    const auto g = tape.gradient(y, {a, b});
    CHECK_FALSE(g[0].defined());
    CHECK(g[1].value() == xt::xarray<float>{1.0f, 2.0f});
    const auto watched = tape.watched_variables();
    REQUIRE(watched.size() == 1);
    CHECK(watched[0].name() == "b");
    CHECK_FALSE(tape.watch_accessed_variables());
}

TEST_CASE("tape: watched_variables lists variables in creation order (as TensorFlow), once each")
{
    Variable a(xt::xarray<float>{1.0f}, "a"), b(xt::xarray<float>{2.0f}, "b");
    Variable64 d(xt::xarray<double>{1.0}, "d");
    GradientTape tape;
    Variable c(xt::xarray<float>{3.0f}, "c");  // created after the tape, used first
    auto x = c * c;
    auto y = b * a + b;
    auto z = d * d;
    tape.watch(b);
    const auto watched = tape.watched_variables();
    REQUIRE(watched.size() == 3);
    CHECK(watched[0].name() == "a");
    CHECK(watched[1].name() == "b");
    CHECK(watched[2].name() == "c");
    REQUIRE(tape.watched_variables<double>().size() == 1);
    CHECK(tape.watched_variables<double>()[0].name() == "d");
}

TEST_CASE("tape: a persistent tape answers several gradient and jacobian calls")
{
    Variable x(xt::xarray<float>{3.0f}, "x");
    GradientTape tape(/*persistent=*/true);
    const auto y = x * x;
    const auto z = y * y;
    CHECK(tape.gradient(y, x)(0) == 6.0f);
    CHECK(tape.gradient(z, x)(0) == 108.0f);
    CHECK(tape.gradient(z, y)(0) == 18.0f);
    CHECK(tape.jacobian(y, x)(0, 0) == 6.0f);
    CHECK(tape.persistent());
}

TEST_CASE("tape: a second gradient call on a non-persistent tape is an error")
{
    Variable x(xt::xarray<float>{3.0f}, "x");
    GradientTape tape;
    const auto y = x * x;
    CHECK(tape.gradient(y, x)(0) == 6.0f);
    REQUIRE_THROWS_AS(tape.gradient(y, x), TapeError);
    REQUIRE_THROWS_WITH(tape.gradient(y, x), Catch::Contains("GradientTape.gradient") &&
                                                 Catch::Contains("non-persistent") &&
                                                 Catch::Contains("persistent=*/true"));
    REQUIRE_THROWS_WITH(tape.jacobian(y, x), Catch::Contains("GradientTape.jacobian") &&
                                                 Catch::Contains("non-persistent"));
}

TEST_CASE("tape: a non-scalar target means the gradient of its sum")
{
    Variable x(xt::xarray<float>{1.0f, 2.0f, 3.0f}, "x");
    GradientTape tape;
    const auto g = tape.gradient(x * x, x);
    CHECK(g.value() == xt::xarray<float>{2.0f, 4.0f, 6.0f});
}

TEST_CASE("tape: output_gradients seeds the vector-Jacobian product")
{
    Variable x(xt::xarray<float>{1.0f, 2.0f, 3.0f}, "x");
    GradientTape tape;
    const auto y = x * x;
    const Tensor v(xt::xarray<float>{1.0f, 0.5f, -2.0f});
    CHECK(tape.gradient(y, x, v).value() == xt::xarray<float>{2.0f, 2.0f, -12.0f});
}

TEST_CASE("tape: unconnected sources give no gradient, or zeros on request")
{
    Variable x(xt::xarray<float>{1.0f, 2.0f}, "x"), u(xt::xarray<float>{{1.0f, 2.0f}}, "u");
    GradientTape tape(true);
    const auto y = reduce_sum(x * 2.0f);
    CHECK_FALSE(tape.gradient(y, u).defined());
    CHECK_FALSE(tape.gradient(y, {x, u}, {}, UnconnectedGradients::None)[1].defined());
    const auto z = tape.gradient(y, {x, u}, {}, UnconnectedGradients::Zero);
    CHECK(z[0].value() == xt::xarray<float>{2.0f, 2.0f});
    CHECK(z[1].value() == xt::xarray<float>{{0.0f, 0.0f}});
    CHECK(z[1].shape() == Shape{1, 2});
}

TEST_CASE("tape: the target itself as a source gets ones (or the seed)")
{
    Variable x(xt::xarray<float>{1.0f, 2.0f}, "x");
    GradientTape tape(true);
    CHECK(tape.gradient(x, x).value() == xt::xarray<float>{1.0f, 1.0f});
    const auto y = x * 3.0f;
    CHECK(tape.gradient(y, {y, x}, Tensor(xt::xarray<float>{2.0f, 1.0f}))[0].value() == xt::xarray<float>{2.0f, 1.0f});
}

TEST_CASE("tape: nothing is recorded inside stop_recording()")
{
    Variable x(xt::xarray<float>{2.0f}, "x");
    GradientTape tape(true);
    const auto a = x * x;
    Tensor b;
    {
        auto pause = tape.stop_recording();
        b = a * x;  // a constant to the tape
    }
    const auto c = a * x;
    CHECK_FALSE(tape.gradient(b, x).defined());
    CHECK(tape.gradient(c, x)(0) == 12.0f);
}

TEST_CASE("tape: reset() forgets what was recorded and watched")
{
    Variable x(xt::xarray<float>{2.0f}, "x");
    const Tensor c(xt::xarray<float>{3.0f});
    GradientTape tape;
    tape.watch(c);
    const auto before = x * c;
    tape.reset();
    CHECK(tape.watched_variables().empty());
    const auto after = x * x;
    CHECK_FALSE(tape.gradient(before, x).defined());
    tape.reset();  // also allows a non-persistent tape a fresh gradient call
    const auto again = x * c;
    const auto g = tape.gradient(again, {x, c});
    CHECK(g[0](0) == 3.0f);
    CHECK_FALSE(g[1].defined());  // c is no longer watched
}

TEST_CASE("tape: gradients of a variable used several times accumulate")
{
    Variable w(xt::xarray<float>{3.0f}, "w");
    GradientTape tape;
    const auto y = w * w + w + w * 2.0f + reduce_sum(broadcast_to(w, {4}));
    CHECK(tape.gradient(y, w)(0) == 2 * 3.0f + 1 + 2 + 4);
}

TEST_CASE("tape: broadcasting in the forward pass is summed back to each input's shape")
{
    Variable b(xt::xarray<float>{1.0f, 2.0f, 3.0f}, "b");
    Variable s(xt::xarray<float>(0.5f), "s");
    const Tensor x = ones<float>({4, 3});
    GradientTape tape;
    const auto y = (x + b) * s;
    const auto g = tape.gradient(y, {b, s});
    CHECK(g[0].value() == xt::xarray<float>{2.0f, 2.0f, 2.0f});
    CHECK(g[0].shape() == Shape{3});
    CHECK(g[1].shape() == Shape{});
    CHECK(g[1].item() == 4 * (2.0f + 3.0f + 4.0f));
}

TEST_CASE("tape: float32 by default, float64 alongside")
{
    Variable w(xt::xarray<float>{0.1f}, "w");
    Variable64 w64(xt::xarray<double>{0.1}, "w64");
    GradientTape tape;
    const auto y = w * w;
    const auto y64 = w64 * w64;
    STATIC_REQUIRE(std::is_same_v<decltype(tape.gradient(y, w)), Tensor>);
    STATIC_REQUIRE(std::is_same_v<decltype(y64), const Tensor64>);
    GradientTape tape64;
    const auto y64b = w64 * w64 * w64;
    CHECK(tape64.gradient(y64b, w64)(0) == Approx(0.03).epsilon(1e-15));
    CHECK(tape.gradient(y, w)(0) == 2 * 0.1f);
}

TEST_CASE("tape: ops after the tape is destroyed are not recorded; tapes nest in any order")
{
    Variable x(xt::xarray<float>{2.0f}, "x");
    auto outer = std::make_unique<GradientTape>(true);
    auto inner = std::make_unique<GradientTape>(true);
    const auto y = x * x;
    outer.reset();  // destroy the outer tape first
    const auto z = y * x;
    CHECK(inner->gradient(z, x)(0) == 12.0f);
    inner.reset();
    CHECK(detail::active_tapes().empty());
}

TEST_CASE("tape: jacobian against hand values")
{
    Variable64 x(xt::xarray<double>{1.0, 2.0}, "x");
    const Tensor64 a(xt::xarray<double>{{1.0, 2.0}, {3.0, 4.0}, {5.0, 6.0}});
    GradientTape tape(true);
    // y_i = sum_j a_ij x_j^2  ->  dy_i/dx_j = 2 a_ij x_j
    const auto y = reshape(matmul(a, reshape(x * x, {2, 1})), {3});
    const auto j = tape.jacobian(y, x);
    REQUIRE(j.shape() == Shape{3, 2});
    CHECK(j.value() == xt::xarray<double>{{2.0, 8.0}, {6.0, 16.0}, {10.0, 24.0}});
    // Target and source with several axes: shape target.shape + source.shape.
    Variable64 m(xt::xarray<double>{{1.0, 2.0}, {3.0, 4.0}}, "m");
    const auto jm = tape.jacobian(m * 3.0, m);
    REQUIRE(jm.shape() == Shape{2, 2, 2, 2});
    CHECK(jm(1, 0, 1, 0) == 3.0);
    CHECK(jm(1, 0, 0, 1) == 0.0);
    // Unconnected: undefined by default, zeros on request.
    const Tensor64 c(xt::xarray<double>{1.0});
    CHECK_FALSE(tape.jacobian(y, c).defined());
    CHECK(tape.jacobian(y, c, UnconnectedGradients::Zero).value() == xt::zeros<double>({3, 1}));
}

TEST_CASE("tape: gradient with respect to a vector of variables")
{
    xgrad::Variable a(xt::xarray<float>{2.0f}, "a");
    xgrad::Variable b(xt::xarray<float>{3.0f}, "b");
    const std::vector<xgrad::Variable> vars{a, b};
    xgrad::GradientTape tape;
    const auto y = a * a * b;  // dy/da = 2ab = 12, dy/db = a^2 = 4
    const auto grads = tape.gradient(y, vars);
    REQUIRE(grads.size() == 2);
    CHECK(grads[0](0) == 12.0f);
    CHECK(grads[1](0) == 4.0f);
}
