// A dense network, Keras style: Dense(10, relu) -> Dense(2, softmax) on inputs
// of shape (batch, 10, 10) (Dense acts on the last axis), categorical
// cross-entropy, Adam with Keras's defaults, one fit step. After one Adam step
// every weight with a non-negligible gradient moves by about the learning rate
// (0.001), whatever the size of its gradient; weights with a zero gradient stay put.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>

#include <xgrad/xgrad.hpp>

#include "example_support.hpp"

namespace {
int run(int argc, char** argv)
{
    example::Args args(argc, argv,
                       "Dense(10, relu) -> Dense(2, softmax) on random (2, 10, 10) inputs, Adam, one fit step:\n"
                       "summary, optimizer config, first-layer weights before and after.",
                       {{"--seed", "N", "seed for the inputs, labels and initial weights", "42"}});
    const auto seed = static_cast<std::uint64_t>(args.integer("--seed", 0));
    const std::string out = args.out_dir();
    xgrad::set_seed(seed);

    // Random inputs (2, 10, 10) and one-hot labels (2, 10, 2).
    xgrad::Generator gen(seed);
    const xgrad::Tensor x(gen.uniform<float>({2, 10, 10}));
    xt::xarray<float> labels = xt::zeros<float>({2, 10, 2});
    for (std::size_t i = 0; i < 2; ++i)
        for (std::size_t j = 0; j < 10; ++j) labels(i, j, gen.next_u64() % 2) = 1.0f;
    const xgrad::Tensor y(labels);

    xgrad::nn::Sequential model({xgrad::nn::Input({10, 10}), xgrad::nn::Dense(10, "relu"),
                                 xgrad::nn::Dense(2, "softmax")});
    model.compile("adam", "categorical_crossentropy", {"accuracy"});
    model.summary();
    std::cout << "\nOptimizer config:\n" << model.optimizer()->get_config().to_string() << "\n\n";

    const auto params = model.named_parameters();
    const auto& [kernel_name, kernel] = params.front();
    const xt::xarray<float> before = kernel.value();
    // The gradient fit's single step will see (same batch, same loss).
    xt::xarray<float> grad;
    {
        xgrad::GradientTape tape;
        const auto loss = (*model.loss())(y, model(x));
        grad = tape.gradient(loss, kernel).value();
    }
    std::cout << kernel_name << " before the step:\n" << before << "\n\n";
    model.fit(x, y, {.epochs = 1, .batch_size = 2, .shuffle = false, .verbose = 2});
    const xt::xarray<float>& after = kernel.value();
    std::cout << "\n" << kernel_name << " after one Adam step:\n" << after << "\n\n";

    std::vector<std::vector<double>> rows;
    float largest = 0.0f, smallest = INFINITY;
    std::size_t moved = 0;
    for (std::size_t i = 0; i < before.size(); ++i) {
        const float change = std::abs(after.flat(i) - before.flat(i));
        rows.push_back({double(i), before.flat(i), after.flat(i), grad.flat(i), change});
        largest = std::max(largest, change);
        smallest = std::min(smallest, change);
        if (std::abs(grad.flat(i)) > 1e-3f) ++moved;
    }
    std::printf("largest |change| = %.8f, smallest |change| = %.8f (learning rate 0.001)\n", largest, smallest);
    std::printf("%zu of %zu weights have |gradient| > 1e-3; Adam's first step moves each of them by ~0.001,\n"
                "and weights whose gradient is zero (dead ReLU units) do not move at all.\n",
                moved, before.size());
    const auto csv = example::write_csv(out + "/dense_network_first_layer.csv",
                                        "index,before,after,gradient,abs_change", rows);
    std::cout << "per-weight table: " << csv << "\n";
    return 0;
}
}  // namespace

int main(int argc, char** argv) { return example::guarded_main(argc, argv, run); }
