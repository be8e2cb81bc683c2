// The conv workloads, mirrored by torch_bench.py:
//   conv layer=1|2 threads=T reps=R: forward + backward of one Conv2D(f, 3x3, relu) layer,
//     layer 1: (64, 28, 28, 1) -> 32 filters; layer 2: (64, 13, 13, 32) -> 64 filters
//     (the two convolutions of examples/cnn_fashion_mnist.cpp). Backward: the kernel and
//     bias gradients, and the input gradient for layer 2 only (layer 1 reads the images).
//   cnn threads=T epochs=E: one epoch of the example's convnet on Fashion-MNIST (batch 64, Adam).
#include <stdexcept>

#include <xgrad/xgrad.hpp>

#include "bench_common.hpp"
#include "bench_workloads.hpp"

namespace xgrad::bench {

void run_conv(const Options& o)
{
    const int layer = static_cast<int>(o.number("layer", 1));
    const int threads = static_cast<int>(o.number("threads", 1));
    const int reps = static_cast<int>(o.number("reps", 20));
    set_threads(threads);
    if (layer != 1 && layer != 2) throw std::invalid_argument("conv: layer=1 or layer=2");
    const Shape xs = layer == 1 ? Shape{64, 28, 28, 1} : Shape{64, 13, 13, 32};
    const std::size_t f = layer == 1 ? 32 : 64;
    Generator gen(5);
    Tensor x(gen.uniform<float>(xs, 0.0f, 1.0f));
    Variable k(gen.uniform<float>({3, 3, xs[3], f}, -0.1f, 0.1f), "kernel"), b(xt::zeros<float>({f}), "bias");
    const bool input_grad = layer == 2;
    const double sec = time_median(3, reps, [&] {
        GradientTape tape;
        if (input_grad) tape.watch(x);
        const Tensor y = conv2d(x, k, b, {1, 1}, Padding::valid, {1, 1}, LinearActivation::relu);
        const Tensor loss = reduce_sum(y);
        if (input_grad) tape.gradient(loss, {x, k, b});
        else tape.gradient(loss, {k, b});
    });
    Result{}.add("workload", "conv").add("layer", layer).add("threads", threads).add("ms", sec * 1e3)
        .add("peak_rss_mib", peak_rss_kib() / 1024.0).print();
}

void run_cnn(const Options& o)
{
    const int threads = static_cast<int>(o.number("threads", 1));
    const int epochs = static_cast<int>(o.number("epochs", 1));
    set_threads(threads);
    set_seed(static_cast<std::uint64_t>(o.number("seed", 0)));
    auto data = nn::load_fashion_mnist();
    data.train.x.reshape({data.train.x.shape()[0], 28, 28, 1});
    data.test.x.reshape({data.test.x.shape()[0], 28, 28, 1});
    nn::Sequential model({nn::Input({28, 28, 1}), nn::Conv2D(32, 3, "relu"), nn::MaxPooling2D(2),
                          nn::Conv2D(64, 3, "relu"), nn::MaxPooling2D(2), nn::Flatten(), nn::Dropout(0.5),
                          nn::Dense(10, "softmax")});
    model.compile(std::make_shared<optim::Adam>(optim::AdamOptions{}.learning_rate(1e-3).epsilon(1e-7)),
                  "sparse_categorical_crossentropy", {"accuracy"});
    const Tensor x(std::move(data.train.x)), y(std::move(data.train.y));
    const auto start = Clock::now();
    auto history = model.fit(x, y, {.epochs = epochs, .batch_size = 64, .verbose = 0, .seed = 1});
    const double sec_per_epoch = seconds_since(start) / epochs;
    const auto test = model.evaluate(Tensor(std::move(data.test.x)), Tensor(std::move(data.test.y)),
                                     {.batch_size = 256, .verbose = 0});
    Result{}.add("workload", "cnn").add("threads", threads).add("sec_per_epoch", sec_per_epoch)
        .add("accuracy", test.at("accuracy")).add("loss", history.history["loss"].back())
        .add("peak_rss_mib", peak_rss_kib() / 1024.0).print();
}

}  // namespace xgrad::bench
