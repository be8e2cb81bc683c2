// custom_gradient (tf.custom_gradient): a straight-through round, gradient
// clipping inside backward, a user backward written with ops under nested
// tapes, and errors that name the op.
#include "helpers.hpp"

using namespace xgrad;
using Catch::Contains;

namespace {
Tensor straight_through_round(const Tensor& x)
{
    return custom_gradient(
        "straight_through_round", x, [](const Tensor& v) { return Tensor(xt::xarray<float>(xt::round(v.value()))); },
        [](const Tensor&, const Tensor&, const Tensor& dy) { return dy; });
}

Tensor clip_gradient(const Tensor& x)
{
    return custom_gradient(
        "clip_gradient", x, [](const Tensor& v) { return v; },
        [](const Tensor&, const Tensor&, const Tensor& dy) { return clip(dy, -1.0f, 1.0f); });
}

// x^3 with its derivative written by hand, with ops: 3 x^2 dy.
Tensor64 cube(const Tensor64& x)
{
    return custom_gradient(
        "cube", x, [](const Tensor64& v) { return v * v * v; },
        [](const Tensor64& v, const Tensor64&, const Tensor64& dy) { return 3.0 * v * v * dy; });
}
}  // namespace

TEST_CASE("custom_gradient: a straight-through round passes the gradient unchanged")
{
    Variable x(xt::xarray<float>{0.4f, 1.6f, -2.5f, 3.5f}, "x");
    const Tensor w(xt::xarray<float>{2.0f, -1.0f, 0.5f, 3.0f});
    GradientTape tape;
    const auto y = straight_through_round(x);
    CHECK(y.value() == xt::xarray<float>{0.0f, 2.0f, -3.0f, 4.0f});
    const auto g = tape.gradient(reduce_sum(y * w), x);
    CHECK(g.value() == w.value());  // round's own derivative would be 0 everywhere
}

TEST_CASE("custom_gradient: gradient clipping inside backward, identity forward")
{
    Variable x(xt::xarray<float>{1.0f, 2.0f, 3.0f}, "x");
    const Tensor c(xt::xarray<float>{3.0f, -0.5f, -4.0f});
    GradientTape tape;
    const auto y = clip_gradient(x);
    CHECK(y.value() == x.value());
    CHECK(y.id() != x.id());
    CHECK(tape.gradient(reduce_sum(y * c), x).value() == xt::xarray<float>{1.0f, -0.5f, -1.0f});
    // Upstream of the clip, the chain rule still applies: d/dx sum(2 * clip_gradient(x)^2 ...) clips 2*2x*1.
    GradientTape tape2;
    const auto z = reduce_sum(square(clip_gradient(x * 0.1f)));  // dz/dy = 2y = 0.2, 0.4, 0.6: not clipped
    const auto gz = tape2.gradient(z, x);
    for (std::size_t i = 0; i < 3; ++i) CHECK(gz(i) == Approx(0.02f * x(i)));
}

TEST_CASE("custom_gradient: a backward written with ops gives second and third derivatives under nested tapes")
{
    for (double x0 : {-1.5, 0.5, 2.0}) {
        Tensor64 x(xt::xarray<double>{x0});
        GradientTape t2;
        t2.watch(x);
        GradientTape t1;
        t1.watch(x);
        const auto dy = t1.gradient(cube(x), x);
        const auto d2y = t2.gradient(dy, x);
        CHECK(dy(0) == Approx(3 * x0 * x0));
        CHECK(d2y(0) == Approx(6 * x0));
    }
    // Against finite differences, first and second order, with a two-input custom op:
    // f(a, b) = a * exp(b), backward written with ops.
    auto f = [](const std::vector<Tensor64>& in) {
        return custom_gradient(
            "a_exp_b", in, [](const std::vector<Tensor64>& v) { return v[0] * exp(v[1]); },
            [](const std::vector<Tensor64>& v, const Tensor64& y, const Tensor64& dy) {
                return std::vector<Tensor64>{dy * exp(v[1]), dy * v[0] * exp(v[1])};
            });
    };
    CHECK_GRADIENTS(f, {test::uniform({2, 3}), test::uniform({2, 3}, -1, 1, 8)});
    CHECK_SECOND_ORDER(f, {test::uniform({2, 3}), test::uniform({2, 3}, -1, 1, 8)});
    auto cube_fn = [](const std::vector<Tensor64>& in) { return cube(in[0]); };
    CHECK_SECOND_ORDER(cube_fn, {test::uniform({5})});
}

TEST_CASE("custom_gradient: the forward pass is not recorded, only the custom op")
{
    Variable64 x(xt::xarray<double>{2.0}, "x");
    GradientTape tape(/*persistent=*/true);
    // A backward that ignores the forward formula: the tape uses the user's rule (here: 10 dy).
    const auto y = custom_gradient(
        "ten", x, [](const Tensor64& v) { return v * v; },
        [](const Tensor64&, const Tensor64&, const Tensor64& dy) { return 10.0 * dy; });
    CHECK(y(0) == 4.0);
    CHECK(tape.gradient(y, x)(0) == 10.0);
}

TEST_CASE("custom_gradient: errors name the op")
{
    Variable x(xt::xarray<float>{1.0f, 2.0f}, "x");
    {
        GradientTape tape;
        const auto y = custom_gradient(
            "bad_count", std::vector<Tensor>{x}, [](const std::vector<Tensor>& v) { return v[0] * 2.0f; },
            [](const std::vector<Tensor>&, const Tensor&, const Tensor& dy) { return std::vector<Tensor>{dy, dy}; });
        REQUIRE_THROWS_AS(tape.gradient(y, x), TapeError);
    }
    {
        GradientTape tape;
        const auto y = custom_gradient(
            "bad_shape", x, [](const Tensor& v) { return v * 2.0f; },
            [](const Tensor&, const Tensor&, const Tensor& dy) { return reduce_sum(dy); });
        REQUIRE_THROWS_WITH(tape.gradient(y, x), Contains("bad_shape") && Contains("shape () for inputs[0] of shape (2)"));
    }
    REQUIRE_THROWS_WITH(custom_gradient(
                            "undefined_out", x, [](const Tensor&) { return Tensor(); },
                            [](const Tensor&, const Tensor&, const Tensor& dy) { return dy; }),
                        Contains("undefined_out: the forward function returned an undefined tensor"));
}
