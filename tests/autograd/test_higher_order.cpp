// Higher-order gradients through nested tapes: d2/dx2 x^3, a Hessian-vector
// product of a small MLP loss against finite differences of its gradient.
#include "helpers.hpp"

using namespace xgrad;
using xgrad::test::uniform;

TEST_CASE("nested tapes: d2/dx2 x^3 = 6x, d3/dx3 = 6")
{
    for (double x0 : {-1.5, 0.5, 2.0}) {
        Variable64 x(xt::xarray<double>{x0}, "x");
        GradientTape t3;
        GradientTape t2;
        GradientTape t1;
        const auto y = x * x * x;
        const auto dy = t1.gradient(y, x);
        const auto d2y = t2.gradient(dy, x);
        const auto d3y = t3.gradient(d2y, x);
        CHECK(dy(0) == Approx(3 * x0 * x0));
        CHECK(d2y(0) == Approx(6 * x0));
        CHECK(d3y(0) == Approx(6.0));
    }
    // The same through pow, in float32.
    Variable x(xt::xarray<float>{2.0f}, "x");
    GradientTape outer;
    Tensor dy;
    {
        GradientTape inner;
        dy = inner.gradient(pow(x, 3.0f), x);
    }
    CHECK(dy(0) == 12.0f);
    CHECK(outer.gradient(dy, x)(0) == 12.0f);
}

TEST_CASE("nested tapes: no outer tape, nothing extra recorded")
{
    Variable x(xt::xarray<float>{2.0f}, "x");
    GradientTape tape;
    const auto g = tape.gradient(x * x * x, x);
    CHECK(g(0) == 12.0f);
    // The gradient is a plain constant: a later tape sees no path from it to x.
    GradientTape later;
    CHECK_FALSE(later.gradient(g * 1.0f, x).defined());
}

namespace {
struct Mlp {
    Tensor64 x, y;
    // loss(W1, b1, W2) = mean((tanh(x W1 + b1) W2 - y)^2)
    Tensor64 loss(const std::vector<Tensor64>& p) const
    {
        const auto h = tanh(matmul(x, p[0]) + p[1]);
        return reduce_mean(square(matmul(h, p[2]) - y));
    }
    std::vector<Tensor64> gradient(const std::vector<Tensor64>& p) const
    {
        GradientTape tape;
        for (const auto& t : p) tape.watch(t);
        return tape.gradient(loss(p), p);
    }
};
}  // namespace

TEST_CASE("nested tapes: Hessian-vector product of an MLP loss matches finite differences")
{
    const Mlp mlp{Tensor64(uniform({5, 3}, -1, 1, 1)), Tensor64(uniform({5, 1}, -1, 1, 2))};
    const std::vector<xt::xarray<double>> params{uniform({3, 4}, -1, 1, 3), uniform({4}, -0.5, 0.5, 4),
                                                 uniform({4, 1}, -1, 1, 5)};
    const std::vector<xt::xarray<double>> v{uniform({3, 4}, -1, 1, 6), uniform({4}, -1, 1, 7),
                                            uniform({4, 1}, -1, 1, 8)};
    std::vector<Variable64> vars;
    for (std::size_t i = 0; i < params.size(); ++i) vars.emplace_back(params[i], "p" + std::to_string(i));
    const std::vector<Tensor64> p(vars.begin(), vars.end());

    // Hv = d/dp <grad L(p), v>
    std::vector<Tensor64> hv;
    {
        GradientTape outer;
        const auto g = mlp.gradient(p);
        Tensor64 dot = scalar<double>(0.0);
        for (std::size_t i = 0; i < g.size(); ++i) dot = dot + reduce_sum(g[i] * Tensor64(v[i]));
        hv = outer.gradient(dot, p);
    }

    // (grad L(p + eps v) - grad L(p - eps v)) / 2 eps
    const double eps = 1e-5;
    auto shifted = [&](double sign) {
        std::vector<Tensor64> q;
        for (std::size_t i = 0; i < params.size(); ++i) q.emplace_back(xt::xarray<double>(params[i] + sign * eps * v[i]));
        return mlp.gradient(q);
    };
    const auto plus = shifted(1.0), minus = shifted(-1.0);
    double max_err = 0.0, max_val = 0.0;
    for (std::size_t i = 0; i < params.size(); ++i) {
        REQUIRE(hv[i].shape() == params[i].shape());
        const xt::xarray<double> fd = (plus[i].value() - minus[i].value()) / (2 * eps);
        max_err = std::max(max_err, xt::amax(xt::abs(fd - hv[i].value()))());
        max_val = std::max(max_val, xt::amax(xt::abs(fd))());
    }
    INFO("max |Hv - fd| = " << max_err << ", max |fd| = " << max_val);
    CHECK(max_val > 1e-2);  // a real, non-trivial product
    CHECK(max_err < 1e-7);
}

TEST_CASE("nested tapes: persistent inner and outer tapes, gradient and jacobian of a gradient")
{
    Variable64 x(xt::xarray<double>{0.3, -0.7}, "x");
    GradientTape outer(true);
    GradientTape inner(true);
    const auto y = reduce_sum(exp(x) * x);
    const auto g = inner.gradient(y, x);  // e^x (1 + x)
    CHECK(inner.gradient(y, x).value() == g.value());
    const auto h = outer.gradient(g, x);  // e^x (2 + x)
    const auto j = outer.jacobian(g, x);  // diag(e^x (2 + x))
    for (std::size_t i = 0; i < 2; ++i) {
        const double xi = x(i);
        CHECK(g(i) == Approx(std::exp(xi) * (1 + xi)));
        CHECK(h(i) == Approx(std::exp(xi) * (2 + xi)));
        CHECK(j(i, i) == Approx(std::exp(xi) * (2 + xi)));
        CHECK(j(i, 1 - i) == 0.0);
    }
}
