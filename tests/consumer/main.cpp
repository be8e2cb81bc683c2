// A user's program, built against an installed xgrad by the README's CMake
// project (tests/consumer/CMakeLists.txt), with no standard or flag of its own:
// a gradient value, the tape loop, and a tiny model trained by a user-written
// optimizer (AdaBelief, examples/adabelief.hpp) compiled here. Exits 0 when all hold.
#include <cmath>
#include <iostream>
#include <memory>

#include <xgrad/xgrad.hpp>

#include "../../examples/adabelief.hpp"

namespace {
int failures = 0;

void check(bool ok, const char* what)
{
    std::cout << (ok ? "ok:     " : "FAILED: ") << what << "\n";
    failures += ok ? 0 : 1;
}
}  // namespace

int main()
{
    // loss = mean((w x + b - y)^2) at w = b = 0: dloss/dw = -2 mean(x y) = -17, dloss/db = -2 mean(y) = -8.
    xgrad::Variable w(xt::xarray<float>{0.0f}, "w");
    xgrad::Variable b(xt::xarray<float>{0.0f}, "b");
    const xgrad::Tensor x(xt::xarray<float>{0.0f, 1.0f, 2.0f, 3.0f});
    const xgrad::Tensor y(xt::xarray<float>{1.0f, 3.0f, 5.0f, 7.0f});
    {
        xgrad::GradientTape tape;
        auto grads = tape.gradient(xgrad::reduce_mean(xgrad::square(w * x + b - y)), {w, b});
        check(grads[0].item() == -17.0f && grads[1].item() == -8.0f, "gradient of the squared error is (-17, -8)");
    }

    // The tape loop with plain gradient descent recovers y = 2x + 1.
    for (int step = 0; step < 500; ++step) {
        xgrad::GradientTape tape;
        auto loss = xgrad::reduce_mean(xgrad::square(w * x + b - y));
        auto grads = tape.gradient(loss, {w, b});
        w.assign_sub(0.05f * grads[0].value());
        b.assign_sub(0.05f * grads[1].value());
    }
    std::cout << "w = " << w.value() << ", b = " << b.value() << "\n";
    check(std::abs(w(0) - 2.0f) < 1e-3f && std::abs(b(0) - 1.0f) < 1e-3f, "gradient descent fits w = 2, b = 1");

    // A Dense(1) model fitted by the user's AdaBelief, compiled in this project.
    xgrad::set_seed(1);
    xgrad::nn::Sequential model({xgrad::nn::Input({1}), xgrad::nn::Dense(1)});
    model.compile(std::make_shared<AdaBelief>(AdaBeliefOptions{}.learning_rate(0.1)), "mse");
    const xgrad::Tensor inputs(xgrad::array<float>({4, 1}, {0, 1, 2, 3}));
    const xgrad::Tensor targets(xgrad::array<float>({4, 1}, {1, 3, 5, 7}));
    const auto history = model.fit(inputs, targets, {.epochs = 300, .batch_size = 4, .verbose = 0});
    const auto& loss = history.history.at("loss");
    std::cout << "AdaBelief: loss " << loss.front() << " -> " << loss.back() << "\n";
    check(loss.back() < 1e-2 && loss.back() < loss.front() / 100, "AdaBelief trains the Dense(1) model");

    std::cout << (failures == 0 ? "consumer OK" : "consumer FAILED") << "\n";
    return failures == 0 ? 0 : 1;
}
