#include <catch2/catch.hpp>
#include <xgrad/xgrad.hpp>

TEST_CASE("tape: gradient of a small linear model")
{
    xgrad::Variable w(xgrad::array<float>({2, 1}, {1, 2}), "w");
    xgrad::Variable b(xt::xarray<float>{0.5f}, "b");
    xgrad::Tensor x(xt::xarray<float>{{1.0f, 2.0f}, {3.0f, 4.0f}});
    xgrad::GradientTape tape;
    auto y = xgrad::matmul(x, w) + b;          // [[5.5], [11.5]]
    auto loss = xgrad::reduce_mean(xgrad::square(y));
    auto grads = tape.gradient(loss, {w, b});
    // dL/dy = y (mean of 2 squares -> 2y/2); dL/dw = x^T y, dL/db = sum y
    CHECK(grads[0](0, 0) == Approx(1 * 5.5 + 3 * 11.5));
    CHECK(grads[0](1, 0) == Approx(2 * 5.5 + 4 * 11.5));
    CHECK(grads[1](0) == Approx(17.0));
}
