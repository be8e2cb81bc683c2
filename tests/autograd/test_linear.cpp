// The fused dense op: linear(x, kernel, bias, act) against the separate ops it
// replaces, bit for bit (values and gradients), on the serial and the parallel
// GEMM paths; finite differences; errors.
#include <cstring>

#include "helpers.hpp"

using namespace xgrad;
using namespace xgrad::test;

namespace {

bool same_bits(const xt::xarray<float>& a, const xt::xarray<float>& b)
{
    return a.shape() == b.shape() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

struct Case {
    Shape x;  // (..., in)
    std::size_t out;
};

// Values and all three gradients of linear(...) and of its unfused form, for a
// random upstream gradient.
void check_matches_unfused(const Case& c, LinearActivation act, bool with_nan = false)
{
    Generator gen(c.x.front() * 131 + c.x.back() * 7 + c.out);
    xt::xarray<float> xv = gen.uniform<float>(c.x, -1.0f, 1.0f);
    if (with_nan) xv.flat(xv.size() / 2 + 3) = std::numeric_limits<float>::quiet_NaN();
    const Variable x(xv, "x"), kernel(gen.uniform<float>({c.x.back(), c.out}, -0.3f, 0.3f), "kernel"),
        bias(gen.uniform<float>({c.out}, -0.5f, 0.5f), "bias");
    Shape out_shape = c.x;
    out_shape.back() = c.out;
    const Tensor upstream(gen.uniform<float>(out_shape, -1.0f, 1.0f));
    auto run = [&](bool fused) {
        GradientTape tape;
        Tensor y = fused ? linear<float>(x, kernel, bias, act) : add(matmul<float>(x, kernel), bias);
        if (!fused && act == LinearActivation::relu) y = relu(y);
        auto g = tape.gradient(y, std::vector<Variable>{x, kernel, bias}, upstream);
        return std::make_pair(y.value(), g);
    };
    const auto [y1, g1] = run(true);
    const auto [y0, g0] = run(false);
    CHECK(same_bits(y1, y0));
    for (std::size_t i = 0; i < 3; ++i) {
        INFO("gradient " << i);
        CHECK(same_bits(g1[i].value(), g0[i].value()));
    }
}
}  // namespace

TEST_CASE("linear equals add(matmul(x, kernel), bias) and its relu bit for bit, gradients too")
{
    // serial product; parallel by column blocks (rows < cols); parallel by row blocks
    // (rows >= cols); rank 3 and 4 inputs (the bias gradient sums over every leading axis)
    for (const Case& c : {Case{{7, 5}, 3}, Case{{128, 784}, 512}, Case{{2048, 64}, 64}, Case{{4, 33, 20}, 24},
                          Case{{3, 2, 64, 48}, 40}}) {
        INFO(to_string(c.x) << " -> " << c.out);
        check_matches_unfused(c, LinearActivation::none);
        check_matches_unfused(c, LinearActivation::relu);
    }
    SECTION("a NaN input propagates exactly as through the separate ops")
    {
        check_matches_unfused({{64, 32}, 16}, LinearActivation::relu, true);
        check_matches_unfused({{64, 32}, 16}, LinearActivation::none, true);
    }
}

TEST_CASE("linear in anomaly mode: a -inf pre-activation is reported, though relu would make it 0")
{
    const Tensor x(xt::xarray<float>{{-std::numeric_limits<float>::infinity(), 1.0f}});
    const Tensor kernel(xgrad::array<float>({2, 1}, {1.0f, 1.0f})), bias(xgrad::array<float>({1}, {0.0f}));
    CHECK(linear(x, kernel, bias, LinearActivation::relu).value()(0, 0) == 0.0f);  // anomaly mode off
    CheckNumerics guard;
    CHECK_THROWS_WITH(linear(x, kernel, bias, LinearActivation::relu),
                      Catch::Contains("'linear'") && Catch::Contains("inf") && Catch::Contains("(1, 2), (2, 1), (1)"));
}

TEST_CASE("linear: values from the formula, rank-3 inputs")
{
    const Tensor x(xt::xarray<float>{{1.0f, 2.0f}, {-3.0f, 0.5f}});
    const Tensor kernel(xt::xarray<float>{{1.0f, -1.0f, 0.0f}, {2.0f, 1.0f, -4.0f}});
    const Tensor bias(xt::xarray<float>{0.5f, -2.0f, 1.0f});
    // rows: [1 + 4 + 0.5, -1 + 2 - 2, 0 - 8 + 1] = [5.5, -1, -7]; [-3 + 1 + 0.5, 3 + 0.5 - 2, 0 - 2 + 1] = [-1.5, 1.5, -1]
    CHECK(linear(x, kernel, bias).value() == xt::xarray<float>{{5.5f, -1.0f, -7.0f}, {-1.5f, 1.5f, -1.0f}});
    CHECK(linear(x, kernel, bias, LinearActivation::relu).value() ==
          xt::xarray<float>{{5.5f, 0.0f, 0.0f}, {0.0f, 1.5f, 0.0f}});
    const Tensor x3(xt::xarray<float>{{{1.0f, 2.0f}, {-3.0f, 0.5f}}, {{0.0f, 0.0f}, {1.0f, 1.0f}}});
    const Tensor y3 = linear(x3, kernel, bias, LinearActivation::relu);
    REQUIRE(y3.shape() == Shape{2, 2, 3});
    CHECK(y3.value()(0, 0, 0) == 5.5f);
    CHECK(y3.value()(1, 0, 0) == 0.5f);  // zero row: just the bias, relu'd
    CHECK(y3.value()(1, 1, 0) == 3.5f);  // 1 + 2 + 0.5
}

TEST_CASE("gradcheck: linear, with and without relu, first and second order")
{
    const auto x = uniform({4, 3}, -1, 1, 21), k = uniform({3, 5}, -1, 1, 22), b = uniform({5}, -1, 1, 23);
    // relu's kink: finite differences need every pre-activation away from 0.
    REQUIRE(xt::amin(xt::abs(linear(t64(x), t64(k), t64(b)).value()))() > 0.005);
    CHECK_GRADIENTS([](const In& in) { return linear(in[0], in[1], in[2]); }, {x, k, b});
    CHECK_GRADIENTS([](const In& in) { return linear(in[0], in[1], in[2], LinearActivation::relu); }, {x, k, b});
    // Nested tapes through the fused op (its backward is made of ops).
    CHECK_SECOND_ORDER([](const In& in) { return tanh(linear(in[0], in[1], in[2])); }, {x, k, b});
    CHECK_SECOND_ORDER([](const In& in) { return tanh(linear(in[1], in[0], in[2], LinearActivation::relu)); },
                       {k, x, b});
}

TEST_CASE("linear: bad shapes name the op, the argument and the shapes")
{
    const Tensor x(xt::zeros<float>({4, 3})), kernel(xt::zeros<float>({3, 5})), bias(xt::zeros<float>({5}));
    CHECK_THROWS_WITH(linear(Tensor(xt::zeros<float>({4, 2})), kernel, bias),
                      Catch::Contains("linear: argument 'x' must have shape (..., 3)") &&
                          Catch::Contains("(3, 5)") && Catch::Contains("got shape (4, 2)"));
    CHECK_THROWS_WITH(linear(x, Tensor(xt::zeros<float>({3, 5, 1})), bias),
                      Catch::Contains("linear: argument 'kernel' must be 2-D") && Catch::Contains("(3, 5, 1)"));
    CHECK_THROWS_WITH(linear(x, kernel, Tensor(xt::zeros<float>({4}))),
                      Catch::Contains("linear: argument 'bias' must have shape (5)") && Catch::Contains("got shape (4)"));
    CHECK_THROWS_WITH(linear(Tensor(xt::zeros<float>({3})), kernel, bias), Catch::Contains("linear: argument 'x'"));
    CHECK_THROWS_WITH(linear(x, kernel, Tensor()), Catch::Contains("linear: argument 'bias' is an undefined tensor"));
}
