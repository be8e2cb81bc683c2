// Gradients of a list of targets (their sum), jacobian with several sources and
// batch_jacobian, with TensorFlow's numbers (backprop_test.py).
#include "helpers.hpp"

using namespace xgrad;
using Catch::Contains;

TEST_CASE("tape: a list of targets means the gradient of their sum (TF testTapeGradientMultiTargetOneIsSource)")
{
    Tensor x(xt::xarray<float>{2.0f});
    {
        GradientTape t;
        t.watch(x);
        const auto y = x * x;
        CHECK(t.gradient({x, y}, {x})[0](0) == 5.0f);  // 1 + 2x
    }
    // Two targets sharing a subgraph, with seeds: d/dx (3 * x^2 + 1 * x^3) at x = 2 is 12 + 12 = 24.
    Tensor64 x64(xt::xarray<double>{2.0});
    GradientTape t(/*persistent=*/true);
    t.watch(x64);
    const auto y = x64 * x64;
    const auto z = y * x64;
    const Tensor64 three(xt::xarray<double>{3.0});
    CHECK(t.gradient({y, z}, {x64}, {three, Tensor64()})[0](0) == 24.0);
    CHECK(t.gradient({y, y}, {x64})[0](0) == 8.0);  // the same target twice counts twice
    REQUIRE_THROWS_WITH(t.gradient({y, z}, {x64}, {three}), Contains("'output_gradients' has 1 tensors for 2 targets"));
    REQUIRE_THROWS_WITH(t.gradient({y, Tensor64()}, {x64}), Contains("'targets[1]' is an undefined tensor"));
    REQUIRE_THROWS_WITH(t.gradient({y, z}, {x64}, {three, Tensor64(xt::xarray<double>{1.0, 2.0})}),
                        Contains("'output_gradients[1]' has shape (2) but 'targets[1]' has shape (1)"));
}

TEST_CASE("tape: jacobian with several sources (TF JacobianTest: z = x*x*y)")
{
    Tensor x(xt::xarray<float>{1.0f, 2.0f}), y(xt::xarray<float>{3.0f, 4.0f}), c(xt::xarray<float>{5.0f, 6.0f});
    GradientTape g;
    g.watch(x);
    g.watch(y);
    const auto z = x * x * y;
    const auto j = g.jacobian(z, {x, y, c}, UnconnectedGradients::Zero);
    REQUIRE(j.size() == 3);
    CHECK(j[0].value() == xt::xarray<float>{{6.0f, 0.0f}, {0.0f, 16.0f}});  // diag(2 x y)
    CHECK(j[1].value() == xt::xarray<float>{{1.0f, 0.0f}, {0.0f, 4.0f}});   // diag(x x)
    CHECK(j[2].value() == xt::xarray<float>({2, 2}, 0.0f));                 // c unwatched: zeros on request
}

TEST_CASE("tape: jacobian of a matrix by several sources has shape target + source; unconnected is undefined")
{
    Tensor64 a(xt::xarray<double>{{1.0, 2.0}, {3.0, 4.0}}), b(xt::xarray<double>{0.5, -1.0, 2.0});
    GradientTape g(/*persistent=*/true);
    g.watch(a);
    g.watch(b);
    const auto y = reduce_sum(a, {1}) * reduce_sum(b);  // y_i = (sum_k a_ik) (sum_m b_m), shape (2)
    const auto j = g.jacobian(y, {a, b});
    REQUIRE(j[0].shape() == Shape{2, 2, 2});
    REQUIRE(j[1].shape() == Shape{2, 3});
    for (std::size_t i = 0; i < 2; ++i) {
        for (std::size_t r = 0; r < 2; ++r)
            for (std::size_t k = 0; k < 2; ++k) CHECK(j[0](i, r, k) == (i == r ? 1.5 : 0.0));
        for (std::size_t m = 0; m < 3; ++m) CHECK(j[1](i, m) == (i == 0 ? 3.0 : 7.0));
    }
    Tensor64 unused(xt::xarray<double>{1.0});
    g.watch(unused);
    const auto none = g.jacobian(y, {unused, b});
    CHECK_FALSE(none[0].defined());
    CHECK(none[1].defined());
}

TEST_CASE("tape: batch_jacobian (TF BatchJacobianTest: z = x*x*y, rows independent)")
{
    Tensor x(xt::xarray<float>{{1.0f, 2.0f}, {3.0f, 4.0f}}), y(xt::xarray<float>{{3.0f, 4.0f}, {5.0f, 6.0f}});
    GradientTape g;
    g.watch(x);
    const auto z = x * x * y;
    const auto bj = g.batch_jacobian(z, x);
    // stack(diag(2 x[0] y[0]), diag(2 x[1] y[1]))
    CHECK(bj.value() == xt::xarray<float>{{{6.0f, 0.0f}, {0.0f, 16.0f}}, {{30.0f, 0.0f}, {0.0f, 48.0f}}});
}

TEST_CASE("tape: batch_jacobian of a dense layer equals each row's full Jacobian, any rank")
{
    // target (b, 2, 2) = reshape(tanh(x W)), x (b, 3): result (b, 2, 2, 3), checked against jacobian().
    const Tensor64 w(test::uniform({3, 4}, -1, 1, 5));
    Tensor64 x(test::uniform({3, 3}, -1, 1, 6));
    GradientTape g(/*persistent=*/true);
    g.watch(x);
    const auto t = reshape(tanh(matmul(x, w)), {3, 2, 2});
    const auto bj = g.batch_jacobian(t, x);
    const auto full = g.jacobian(t, x);  // (3, 2, 2, 3, 3)
    REQUIRE(bj.shape() == Shape{3, 2, 2, 3});
    for (std::size_t b = 0; b < 3; ++b)
        for (std::size_t i = 0; i < 2; ++i)
            for (std::size_t j = 0; j < 2; ++j)
                for (std::size_t k = 0; k < 3; ++k) CHECK(bj(b, i, j, k) == Approx(full(b, i, j, b, k)).epsilon(1e-14));
    // Rank-1 target: (b) -> (b, 3).
    const auto s = reduce_sum(square(x), {1});
    const auto bs = g.batch_jacobian(s, x);
    REQUIRE(bs.shape() == Shape{3, 3});
    for (std::size_t b = 0; b < 3; ++b)
        for (std::size_t k = 0; k < 3; ++k) CHECK(bs(b, k) == Approx(2 * x(b, k)));
    REQUIRE_THROWS_AS(g.batch_jacobian(reduce_sum(x), x), ShapeError);
    REQUIRE_THROWS_WITH(g.batch_jacobian(t, reshape(x, {9})),
                        Contains("first dimension of 'target' (shape (3, 2, 2)) and of 'source' (shape (9))"));
}
