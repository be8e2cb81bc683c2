// Fashion-MNIST 784-128-10 (relu, softmax), Adam, 5 epochs at batch size 32:
// at least 87% test accuracy (PyTorch reaches 87.2% on the same setup).
#include <catch2/catch.hpp>
#include <chrono>
#include <iostream>
#include <xgrad/core/random.hpp>
#include <xgrad/nn/data/fashion_mnist.hpp>
#include <xgrad/nn/layers/dense.hpp>
#include <xgrad/nn/sequential.hpp>

TEST_CASE("Fashion-MNIST: 784-128-10 with Adam reaches 87% in 5 epochs", "[slow]")
{
    using namespace xgrad;
    set_seed(42);
    const auto data = nn::load_fashion_mnist();
    REQUIRE(data.train.x.shape() == Shape{60000, 784});
    REQUIRE(data.test.x.shape() == Shape{10000, 784});
    nn::Sequential model({nn::Input({784}), nn::Dense(128, "relu"), nn::Dense(10, "softmax")});
    model.compile("adam", "sparse_categorical_crossentropy", {"accuracy"});
    const auto start = std::chrono::steady_clock::now();
    model.fit(data.train.x, data.train.y, {.epochs = 5, .batch_size = 32, .verbose = 2});
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const auto logs = model.evaluate(data.test.x, data.test.y, {.verbose = 0});
    std::cout << "Fashion-MNIST test accuracy: " << logs.at("accuracy") << " (loss " << logs.at("loss")
              << "), training time " << seconds << " s\n";
    CHECK(logs.at("accuracy") >= 0.87);
}
