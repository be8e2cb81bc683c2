// The conv workloads, mirrored by torch_bench.py:
//   conv layer=1|2 threads=T reps=R: forward + backward of one Conv2D(f, 3x3, relu) layer,
//     layer 1: (64, 28, 28, 1) -> 32 filters; layer 2: (64, 13, 13, 32) -> 64 filters
//     (the two convolutions of examples/cnn_fashion_mnist.cpp). Backward: the kernel and
//     bias gradients, and the input gradient for layer 2 only (layer 1 reads the images).
//   cnn threads=T epochs=E: one epoch of the example's convnet on Fashion-MNIST (batch 64, Adam).
//     dropout=R (default 0.5); opt=adam (lr 1e-3) or sgd (plain gradient descent, lr 0.05: unlike
//     Adam, not invariant to the gradients' scale); adam=keras|torch|torch_cpu (Adam's epsilon
//     placement; torch_cpu: torch.optim.Adam's step bit for bit); init=DIR (start from cnn_init's
//     weights and batch order); losses=FILE (fit's running-mean loss after each batch, one a line).
//   cnn_init dir=DIR epochs=E: like mlp_init, the convnet's initial weights and fit's
//     per-epoch permutations, for torch_bench.py's cnn init=DIR (same weights, same batches).
#include <cstdint>
#include <fstream>
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

namespace {

constexpr std::uint64_t kCnnFitSeed = 1;  // fit's shuffle seed; cnn_init exports its permutations

nn::Sequential make_cnn(double dropout)
{
    return nn::Sequential({nn::Input({28, 28, 1}), nn::Conv2D(32, 3, "relu"), nn::MaxPooling2D(2),
                           nn::Conv2D(64, 3, "relu"), nn::MaxPooling2D(2), nn::Flatten(), nn::Dropout(dropout),
                           nn::Dense(10, "softmax")});
}

// Records fit's running-mean loss after every batch (Keras's batch logs).
class BatchLosses : public nn::Callback {
public:
    void on_train_batch_end(int, const nn::Logs& logs) override { losses.push_back(logs.at("loss")); }
    std::vector<double> losses;
};

}  // namespace

void run_cnn_init(const Options& o)
{
    const std::string dir = o.get("dir", "");
    const int epochs = static_cast<int>(o.number("epochs", 1));
    const auto rows = static_cast<std::size_t>(o.number("rows", 60000));
    if (dir.empty()) throw std::invalid_argument("cnn_init: dir=... is required");
    set_seed(static_cast<std::uint64_t>(o.number("seed", 0)));
    nn::Sequential model = make_cnn(0.5);
    model.save_weights(dir + "/weights");
    Generator gen(kCnnFitSeed);  // as fit's BatchIterator: one permutation at construction, one per next epoch
    for (int e = 0; e < epochs; ++e) save_npy_int64(dir + "/perm_" + std::to_string(e) + ".npy", gen.permutation(rows));
    Result{}.add("workload", "cnn_init").add("epochs", epochs).print();
}

void run_cnn(const Options& o)
{
    const int threads = static_cast<int>(o.number("threads", 1));
    const int epochs = static_cast<int>(o.number("epochs", 1));
    const double dropout = o.number("dropout", 0.5);
    const std::string init = o.get("init", ""), losses_file = o.get("losses", "");
    const std::string opt = o.get("opt", "adam"), adam = o.get("adam", "keras");
    if (opt != "adam" && opt != "sgd") throw std::invalid_argument("cnn: opt=adam|sgd");
    if (adam != "keras" && adam != "torch" && adam != "torch_cpu") throw std::invalid_argument("cnn: adam=keras|torch|torch_cpu");
    set_threads(threads);
    set_seed(static_cast<std::uint64_t>(o.number("seed", 0)));
    auto data = nn::load_fashion_mnist();
    data.train.x.reshape({data.train.x.shape()[0], 28, 28, 1});
    data.test.x.reshape({data.test.x.shape()[0], 28, 28, 1});
    nn::Sequential model = make_cnn(dropout);
    if (!init.empty()) model.load_weights(init + "/weights");  // the arrays torch starts from
    const auto placement = adam == "keras"   ? optim::EpsilonPlacement::Keras
                           : adam == "torch" ? optim::EpsilonPlacement::PyTorch
                                             : optim::EpsilonPlacement::PyTorchCPU;
    std::shared_ptr<optim::Optimizer> optimizer;
    if (opt == "sgd") {
        optimizer = std::make_shared<optim::GradientDescent>(optim::GradientDescentOptions{}.learning_rate(0.05));
    } else {
        optimizer = std::make_shared<optim::Adam>(
            optim::AdamOptions{}.learning_rate(1e-3).epsilon(1e-7).epsilon_placement(placement));
    }
    model.compile(optimizer, "sparse_categorical_crossentropy", {"accuracy"});
    const Tensor x(std::move(data.train.x)), y(std::move(data.train.y));
    auto recorder = std::make_shared<BatchLosses>();
    const auto start = Clock::now();
    auto history = model.fit(x, y, {.epochs = epochs, .batch_size = 64, .callbacks = {recorder}, .verbose = 0,
                                    .seed = kCnnFitSeed});
    const double sec_per_epoch = seconds_since(start) / epochs;
    const auto test = model.evaluate(Tensor(std::move(data.test.x)), Tensor(std::move(data.test.y)),
                                     {.batch_size = 256, .verbose = 0});
    if (!losses_file.empty()) {  // one running-mean loss a line, per batch, epochs one after another
        std::ofstream out(losses_file);
        out.precision(9);
        for (double l : recorder->losses) out << l << "\n";
        if (!out) throw std::runtime_error("cannot write " + losses_file);
    }
    Result{}.add("workload", "cnn").add("threads", threads).add("dropout", dropout).add("opt", opt == "sgd" ? opt : "adam_" + adam)
        .add("sec_per_epoch", sec_per_epoch).add("accuracy", test.at("accuracy"))
        .add("test_loss", test.at("loss")).add("loss", history.history["loss"].back())
        .add("peak_rss_mib", peak_rss_kib() / 1024.0).print();
}

}  // namespace xgrad::bench
