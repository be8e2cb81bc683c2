// Float64 finite-difference checks of matmul, transpose, the shape ops and the
// reductions, plus their values and second derivatives.
#include "helpers.hpp"

using namespace xgrad;
using xgrad::test::In;
using xgrad::test::t64;
using xgrad::test::uniform;

TEST_CASE("gradcheck: matmul with all four transpose-flag combinations")
{
    // op(a) is (3, 4), op(b) is (4, 2).
    const auto a = uniform({3, 4}, -1, 1, 1), at = uniform({4, 3}, -1, 1, 2);
    const auto b = uniform({4, 2}, -1, 1, 3), bt = uniform({2, 4}, -1, 1, 4);
    CHECK_GRADIENTS([](const In& in) { return matmul(in[0], in[1]); }, {a, b});
    CHECK_GRADIENTS([](const In& in) { return matmul(in[0], in[1], true, false); }, {at, b});
    CHECK_GRADIENTS([](const In& in) { return matmul(in[0], in[1], false, true); }, {a, bt});
    CHECK_GRADIENTS([](const In& in) { return matmul(in[0], in[1], true, true); }, {at, bt});
    // The flags give the same values as explicit transposes.
    const auto ref = matmul(t64(a), t64(b)).value();
    CHECK(xt::allclose(matmul(t64(at), t64(b), true, false).value(), matmul(transpose(t64(at)), t64(b)).value()));
    CHECK(xt::allclose(matmul(t64(a), t64(bt), false, true).value(), matmul(t64(a), transpose(t64(bt))).value()));
    CHECK(ref.shape() == Shape{3, 2});
    CHECK(ref(1, 1) == Approx(a(1, 0) * b(0, 1) + a(1, 1) * b(1, 1) + a(1, 2) * b(2, 1) + a(1, 3) * b(3, 1)));
}

TEST_CASE("gradcheck: matmul of a (batch, 10, 10) input on its last axis, as Keras Dense")
{
    const auto x = uniform({2, 10, 10}, -1, 1, 5);
    const auto w = uniform({10, 3}, -1, 1, 6);
    CHECK_GRADIENTS([](const In& in) { return matmul(in[0], in[1]); }, {x, w});
    CHECK_GRADIENTS([](const In& in) { return matmul(in[0], in[1], false, true); }, {x, uniform({3, 10}, -1, 1, 7)});
    const auto y = matmul(t64(x), t64(w)).value();
    REQUIRE(y.shape() == Shape{2, 10, 3});
    double expected = 0;
    for (std::size_t k = 0; k < 10; ++k) expected += x(1, 4, k) * w(k, 2);
    CHECK(y(1, 4, 2) == Approx(expected));
}

TEST_CASE("matmul in float32 matches float64 to float precision")
{
    const auto a = uniform({5, 7}, -1, 1, 8), b = uniform({7, 3}, -1, 1, 9);
    const xt::xarray<float> af = xt::cast<float>(a), bf = xt::cast<float>(b);
    const auto c32 = matmul(Tensor(af), Tensor(bf)).value();
    const auto c64 = matmul(t64(a), t64(b)).value();
    CHECK(xt::allclose(xt::cast<double>(c32), c64, 1e-5, 1e-6));
}

TEST_CASE("gradcheck: transpose, reshape, broadcast_to, sum_to")
{
    const auto x = uniform({2, 3, 4});
    CHECK_GRADIENTS([](const In& in) { return transpose(in[0]); }, {x});
    CHECK_GRADIENTS([](const In& in) { return transpose(in[0], {2, 0, 1}); }, {x});
    CHECK_GRADIENTS([](const In& in) { return reshape(in[0], {6, -1}); }, {x});
    CHECK_GRADIENTS([](const In& in) { return reshape(in[0], {24}); }, {x});
    CHECK_GRADIENTS([](const In& in) { return broadcast_to(in[0], {2, 3, 4}); }, {uniform({3, 1})});
    CHECK_GRADIENTS([](const In& in) { return broadcast_to(in[0], {2, 3}); }, {uniform({})});
    CHECK_GRADIENTS([](const In& in) { return sum_to(in[0], {3, 1}); }, {x});
    CHECK_GRADIENTS([](const In& in) { return sum_to(in[0], {1, 4}); }, {x});
    CHECK_GRADIENTS([](const In& in) { return sum_to(in[0], {}); }, {x});

    CHECK(transpose(t64(x), {2, 0, 1}).shape() == Shape{4, 2, 3});
    CHECK(transpose(t64(x), {2, 0, 1})(3, 1, 2) == x(1, 2, 3));
    CHECK(reshape(t64(x), {-1, 4}).shape() == Shape{6, 4});
    const auto s = sum_to(t64(x), {3, 1}).value();
    CHECK(s(2, 0) == Approx(xt::sum(xt::view(x, xt::all(), 2, xt::all()))()));
    // Values of each broadcast layout: a row (bias), a column, a middle axis (xtensor's general path).
    for (const Shape& from : {Shape{4}, Shape{3, 1}, Shape{2, 1, 4}, Shape{1, 3, 1}}) {
        const auto small = uniform(from);
        const xt::xarray<double> expected = xt::broadcast(small, Shape{2, 3, 4});
        CHECK(broadcast_to(t64(small), {2, 3, 4}).value() == expected);
    }
}

TEST_CASE("gradcheck: reduce_sum, reduce_mean, reduce_max over axes, with keepdims")
{
    const auto x = uniform({2, 3, 4});
    const std::vector<Axes> axes_list{{}, {0}, {-1}, {0, 2}, {1, 2}, {0, 1, 2}};
    for (const auto& axes : axes_list) {
        for (bool keepdims : {false, true}) {
            INFO("axes size " << axes.size() << (axes.empty() ? "" : ", first " + std::to_string(axes[0]))
                              << ", keepdims " << keepdims);
            CHECK_GRADIENTS([&](const In& in) { return reduce_sum(in[0], axes, keepdims); }, {x});
            CHECK_GRADIENTS([&](const In& in) { return reduce_mean(in[0], axes, keepdims); }, {x});
            CHECK_GRADIENTS([&](const In& in) { return reduce_max(in[0], axes, keepdims); }, {x});
        }
    }
    CHECK(reduce_sum(t64(x), {0, 2}, true).shape() == Shape{1, 3, 1});
    CHECK(reduce_mean(t64(x), {1}).shape() == Shape{2, 4});
    CHECK(reduce_mean(t64(x)).item() == Approx(xt::mean(x)()));
    CHECK(reduce_max(t64(x), {-1})(1, 2) == xt::amax(xt::view(x, 1, 2, xt::all()))());
}

TEST_CASE("reduce_max shares the gradient among tied maxima")
{
    const Tensor64 x(xt::xarray<double>{{1.0, 3.0, 3.0}, {2.0, 0.0, -1.0}});
    GradientTape tape;
    tape.watch(x);
    const auto g = tape.gradient(reduce_max(x, {1}), x);
    CHECK(g.value() == xt::xarray<double>{{0.0, 0.5, 0.5}, {1.0, 0.0, 0.0}});
}

TEST_CASE("gradcheck: concat, slice, gather")
{
    const auto a = uniform({2, 3}, -1, 1, 1), b = uniform({1, 3}, -1, 1, 2), c = uniform({2, 2}, -1, 1, 3);
    CHECK_GRADIENTS([](const In& in) { return concat(In{in[0], in[1], in[0]}, 0); }, {a, b});
    CHECK_GRADIENTS([](const In& in) { return concat(In{in[0], in[1]}, -1); }, {a, c});
    const auto x = uniform({4, 3, 2});
    CHECK_GRADIENTS([](const In& in) { return slice(in[0], 0, 1, 3); }, {x});
    CHECK_GRADIENTS([](const In& in) { return slice(in[0], 1, 2, 3); }, {x});
    CHECK_GRADIENTS([](const In& in) { return slice(in[0], -1, 0, 1); }, {x});
    CHECK_GRADIENTS([](const In& in) { return gather(in[0], {3, 0, 3, 1}); }, {x});

    const auto cat_value = concat(std::vector<Tensor64>{t64(a), t64(c)}, 1).value();
    CHECK(cat_value.shape() == Shape{2, 5});
    CHECK(cat_value(1, 4) == c(1, 1));
    CHECK(slice(t64(x), 1, 1, 3)(2, 1, 0) == x(2, 2, 0));
    // numpy's negative bounds: x[:, -2:] along axis 1 is x[:, 1:3] here.
    CHECK(slice(t64(x), 1, -2, 3)(2, 1, 0) == x(2, 2, 0));
    CHECK(slice(t64(x), 1, 0, -1).shape() == slice(t64(x), 1, 0, 2).shape());
    const auto rows = gather(t64(x), {3, 0, 3}).value();
    CHECK(rows.shape() == Shape{3, 3, 2});
    CHECK(rows(2, 1, 1) == x(3, 1, 1));

    // Repeated indices add up in the gradient.
    const Tensor64 m(xt::xarray<double>{{1, 2}, {3, 4}, {5, 6}});
    GradientTape tape;
    tape.watch(m);
    CHECK(tape.gradient(gather(m, {2, 0, 2}), m).value() == xt::xarray<double>{{1, 1}, {0, 0}, {2, 2}});
}

TEST_CASE("stop_gradient: the same value, no gradient through it")
{
    const Tensor64 x(xt::xarray<double>{1.0, -2.0});
    GradientTape tape(true);
    tape.watch(x);
    const auto s = stop_gradient(x);
    CHECK(s.value() == x.value());
    CHECK_FALSE(tape.gradient(s, x).defined());
    CHECK(tape.gradient(s, x, {}, UnconnectedGradients::Zero).value() == xt::xarray<double>{0.0, 0.0});
    // x * stop_gradient(x): only the first factor carries a gradient.
    CHECK(tape.gradient(mul(x, stop_gradient(x)), x).value() == x.value());
    // The gradient check of the other factor still passes.
    const Tensor64 c(xt::xarray<double>{3.0, 4.0});
    CHECK_GRADIENTS([c](const In& in) { return mul(in[0], stop_gradient(c * c)); }, {uniform({2})});
}

TEST_CASE("second derivatives of the structural ops (nested tapes)")
{
    const auto x = uniform({2, 3, 4});
    const auto w = uniform({4, 2}, -1, 1, 41);
    CHECK_SECOND_ORDER([](const In& in) { return tanh(matmul(in[0], in[1])); }, {x, w});
    CHECK_SECOND_ORDER([](const In& in) { return tanh(matmul(in[1], in[0], true, true)); }, {uniform({4, 3}), uniform({3, 2}, -1, 1, 2)});
    CHECK_SECOND_ORDER([](const In& in) { return square(transpose(in[0], {1, 2, 0})); }, {x});
    CHECK_SECOND_ORDER([](const In& in) { return square(reshape(in[0], {4, -1})); }, {x});
    CHECK_SECOND_ORDER([](const In& in) { return square(broadcast_to(in[0], {2, 3, 4})); }, {uniform({3, 1})});
    CHECK_SECOND_ORDER([](const In& in) { return square(sum_to(in[0], {3, 1})); }, {x});
    CHECK_SECOND_ORDER([](const In& in) { return square(reduce_sum(in[0], {1}, true)); }, {x});
    CHECK_SECOND_ORDER([](const In& in) { return square(reduce_mean(in[0], {0, 2})); }, {x});
    CHECK_SECOND_ORDER([](const In& in) { return square(reduce_max(in[0], {2})); }, {x});
    CHECK_SECOND_ORDER([](const In& in) { return square(concat(In{in[0], in[0]}, 1)); }, {x});
    CHECK_SECOND_ORDER([](const In& in) { return square(slice(in[0], 2, 1, 3)); }, {x});
    CHECK_SECOND_ORDER([](const In& in) { return square(gather(in[0], {1, 1, 0})); }, {x});
}
