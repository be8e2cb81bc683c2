// The README's tape example, compiled and run so it stays correct.
#include "helpers.hpp"

namespace {
// ---- README example (keep in sync with README.md) ----
std::pair<float, float> readme_example()
{
    // Learn y = 3x - 1 from four points with the tape and plain gradient descent.
    xgrad::Variable w(xgrad::array<float>({1, 1}, {0.0f}), "w");
    xgrad::Variable b(xt::xarray<float>{0.0f}, "b");
    const xgrad::Tensor x(xgrad::array<float>({4, 1}, {0, 1, 2, 3}));
    const xgrad::Tensor y(xgrad::array<float>({4, 1}, {-1, 2, 5, 8}));
    for (int step = 0; step < 300; ++step) {
        xgrad::GradientTape tape;                                  // records while alive
        auto y_hat = xgrad::matmul(x, w) + b;                      // (4, 1)
        auto loss = xgrad::reduce_mean(xgrad::square(y_hat - y));  // scalar
        auto grads = tape.gradient(loss, {w, b});                  // d loss / d w, d loss / d b
        w.assign_sub(0.1f * grads[0].value());
        b.assign_sub(0.1f * grads[1].value());
    }
    std::cout << "w = " << w.value() << ", b = " << b.value() << "\n";  // ~3, ~-1
    return {w(0, 0), b(0)};
}
// ---- end of README example ----
}  // namespace

TEST_CASE("README: the tape example learns y = 3x - 1")
{
    const auto [w, b] = readme_example();
    CHECK(w == Approx(3.0f).margin(1e-3));
    CHECK(b == Approx(-1.0f).margin(1e-3));
}
