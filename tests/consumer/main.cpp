// Fits y = 2x + 1 with the tape loop and plain gradient descent; exits 0 when
// the weights are recovered.
#include <cmath>
#include <iostream>

#include <xgrad/xgrad.hpp>

int main()
{
    xgrad::Variable w(xt::xarray<float>{0.0f}, "w");
    xgrad::Variable b(xt::xarray<float>{0.0f}, "b");
    const xgrad::Tensor x(xt::xarray<float>{0.0f, 1.0f, 2.0f, 3.0f});
    const xgrad::Tensor y(xt::xarray<float>{1.0f, 3.0f, 5.0f, 7.0f});
    for (int step = 0; step < 500; ++step) {
        xgrad::GradientTape tape;
        auto loss = xgrad::reduce_mean(xgrad::square(w * x + b - y));
        auto grads = tape.gradient(loss, {w, b});
        w.assign_sub(0.05f * grads[0].value());
        b.assign_sub(0.05f * grads[1].value());
    }
    std::cout << "w = " << w.value() << ", b = " << b.value() << "\n";
    const bool ok = std::abs(w(0) - 2.0f) < 1e-3f && std::abs(b(0) - 1.0f) < 1e-3f;
    std::cout << (ok ? "consumer OK" : "consumer FAILED: expected w = 2, b = 1") << "\n";
    return ok ? 0 : 1;
}
