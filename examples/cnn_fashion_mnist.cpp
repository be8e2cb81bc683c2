// Fashion-MNIST with Keras's classic small convnet:
//   Conv2D(32, 3, relu) -> MaxPooling2D -> Conv2D(64, 3, relu) -> MaxPooling2D -> Flatten
//   -> Dropout(0.5) -> Dense(10, softmax)
// on (28, 28, 1) images with pixels scaled to [0, 1], sparse categorical cross-entropy,
// kernels from Keras's he_uniform (zero biases), batch 64, and Adam with beta_1=0.8 and
// beta_2=0.99 whose learning rate follows Keras's
//   CosineDecay(initial_learning_rate=0.004, decay_steps=epochs * ceil(rows / 64))
// (from 4e-3 down to 0 over the whole run, one step per batch; Adam's epsilon is Keras's
// default). Prints the seconds each epoch took and the test accuracy from evaluate.
// Short by default (6,000 training images, 1 epoch, 2,000 test images); --full trains on
// all 60,000 images for 5 epochs and evaluates on all 10,000 (0.9038 with seed 1, mean 0.9034
// over seeds 1-5; issue 11 asks for 0.905, which no seed of the five reaches).
// --holdout (with --full) trains on the first 50,000 training images and scores the last
// 10,000: the recipe was chosen that way, never on the test set.
// --schedule constant --learning-rate 0.001 --beta-1 0.9 --beta-2 0.999 --initializer glorot_uniform
// is Keras's plain "adam" with Keras's default initializers (about 0.89 with --full).
// The recipe and its screening: bench/results/cnn_recipe.md and examples/README.md.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include <xtensor/xview.hpp>
#include <xgrad/xgrad.hpp>

#include "example_data.hpp"
#include "example_support.hpp"

namespace {

using xgrad::Tensor;
namespace nn = xgrad::nn;

// (n, 784) -> (n, 28, 28, 1): channels_last images.
Tensor images(const xt::xarray<float>& x)
{
    xt::xarray<float> v = x;
    v.reshape({x.shape()[0], 28, 28, 1});
    return Tensor(std::move(v));
}

// "0.003", "0.001": the shortest form that reads back as the same double.
std::string example_number(double x)
{
    char buf[32];
    for (int digits = 1; digits <= 17; ++digits) {
        std::snprintf(buf, sizeof buf, "%.*g", digits, x);
        if (std::strtod(buf, nullptr) == x) break;
    }
    return buf;
}

// Times each epoch and evaluates the test set at its end.
class EpochTimer : public nn::Callback {
public:
    EpochTimer(Tensor x_test, Tensor y_test) : x_test_(std::move(x_test)), y_test_(std::move(y_test)) {}
    void on_epoch_begin(int, const nn::Logs&) override { start_ = std::chrono::steady_clock::now(); }
    void on_epoch_end(int epoch, nn::Logs& logs) override
    {
        seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count());
        const auto test = model_->evaluate(x_test_, y_test_, {.batch_size = 256, .verbose = 0});
        test_accuracy.push_back(test.at("accuracy"));
        std::printf("epoch %d: %.2f s, test accuracy %.4f\n", epoch + 1, seconds.back(), test_accuracy.back());
    }
    std::vector<double> seconds, test_accuracy;

private:
    Tensor x_test_, y_test_;
    std::chrono::steady_clock::time_point start_;
};

// A positive decimal number, or exit 2 naming the option.
double positive_number(const example::Args& args, const std::string& name)
{
    const std::string v = args.str(name);
    char* end = nullptr;
    const double x = std::strtod(v.c_str(), &end);
    if (v.empty() || *end != '\0' || !(x > 0)) {
        std::cerr << name << " expects a positive number, got '" << v << "'\n";
        std::exit(2);
    }
    return x;
}

}  // namespace

namespace {
int run(int argc, char** argv)
{
    example::Args args(argc, argv,
                       "Fashion-MNIST with a convnet: Conv2D(32, 3, relu) -> MaxPooling2D -> Conv2D(64, 3, relu)\n"
                       "-> MaxPooling2D -> Flatten -> Dropout(0.5) -> Dense(10, softmax), batch 64, Adam with\n"
                       "learning_rate=CosineDecay(0.004, decay_steps=epochs * ceil(rows / 64)) (4e-3 down to 0\n"
                       "over the run), beta_1=0.8 and beta_2=0.99, he_uniform kernels. --schedule constant\n"
                       "--learning-rate 0.001 --beta-1 0.9 --beta-2 0.999 --initializer glorot_uniform is Keras's\n"
                       "default Adam and initializers.",
                       {{"--full", "", "all 60,000 training images and 10,000 test images, 5 epochs", ""},
                        {"--train", "N", "training images in short mode", "6000"},
                        {"--test", "N", "test images in short mode", "2000"},
                        {"--epochs", "N", "epochs in short mode", "1"},
                        {"--batch-size", "N", "mini-batch size", "64"},
                        {"--learning-rate", "X", "Adam's (initial) learning rate", "0.004"},
                        {"--schedule", "NAME", "cosine (CosineDecay to 0 over the run) or constant", "cosine"},
                        {"--beta-1", "X", "Adam's beta_1 (Keras's default: 0.9)", "0.8"},
                        {"--beta-2", "X", "Adam's beta_2 (Keras's default: 0.999)", "0.99"},
                        {"--initializer", "NAME", "the conv and dense kernels' initializer (Keras's default: glorot_uniform)",
                         "he_uniform"},
                        {"--holdout", "", "with --full: train on the first 50,000 training images and evaluate on the last\n"
                         "10,000 of them, not the test set (for choosing a recipe)", ""},
                        {"--seed", "N", "seed for the initial weights, the shuffles and dropout", "1"},
                        {"--data", "DIR", "folder of the IDX files", xgrad::nn::fashion_mnist_default_dir}});
    const bool full = args.flag("--full");
    const int epochs = full ? 5 : static_cast<int>(args.integer("--epochs"));
    const std::size_t batch = static_cast<std::size_t>(args.integer("--batch-size"));
    const double learning_rate = positive_number(args, "--learning-rate");
    const std::string schedule = args.str("--schedule");
    if (schedule != "cosine" && schedule != "constant") {
        std::cerr << "--schedule expects cosine or constant, got '" << schedule << "'\n";
        return 2;
    }
    const std::string out = args.out_dir();
    xgrad::set_seed(static_cast<std::uint64_t>(args.integer("--seed", 0)));

    const auto data = nn::load_fashion_mnist(args.str("--data"));  // pixels / 255
    const bool holdout = args.flag("--holdout");
    if (holdout && !full) {
        std::cerr << "--holdout needs --full\n";
        return 2;
    }
    const auto train = holdout ? example::first_rows(data.train, 50000)
                       : full  ? data.train
                               : example::first_rows(data.train, static_cast<std::size_t>(args.integer("--train")));
    const auto test = holdout ? example::last_rows(data.train, 10000)
                      : full  ? data.test
                              : example::first_rows(data.test, static_cast<std::size_t>(args.integer("--test")));
    const Tensor x_train = images(train.x), y_train(train.y);
    const Tensor x_test = images(test.x), y_test(test.y);
    // fit takes one optimizer step per batch: the cosine reaches 0 at the last step of the last epoch.
    const auto train_rows = static_cast<std::int64_t>(train.x.shape()[0]);
    const auto per_batch = static_cast<std::int64_t>(batch);
    const std::int64_t decay_steps = epochs * ((train_rows + per_batch - 1) / per_batch);
    xgrad::optim::AdamOptions adam;
    const double beta_1 = positive_number(args, "--beta-1"), beta_2 = positive_number(args, "--beta-2");
    adam.beta_1(beta_1).beta_2(beta_2);
    const std::string initializer = args.str("--initializer");
    std::string recipe;
    if (schedule == "cosine") {
        adam.learning_rate(std::make_shared<xgrad::optim::CosineDecay>(learning_rate, decay_steps));
        recipe = "Adam, learning_rate=CosineDecay(" + example_number(learning_rate) +
                 ", decay_steps=" + std::to_string(decay_steps) + ")";
    } else {
        adam.learning_rate(learning_rate);
        recipe = "Adam, learning_rate=" + example_number(learning_rate);
    }
    recipe += ", beta_1=" + example_number(beta_1) + ", beta_2=" + example_number(beta_2) + "; kernels " + initializer;
    std::cout << "Fashion-MNIST: " << train.x.shape()[0] << " training images, " << test.x.shape()[0]
              << (holdout ? " held-out training images, " : " test images, ") << epochs << " epochs, batch size " << batch << "\n"
              << recipe << "\n\n";

    const nn::Conv2DOptions conv{.kernel_initializer = initializer};
    nn::Sequential model({nn::Input({28, 28, 1}), nn::Conv2D(32, 3, "relu", conv), nn::MaxPooling2D(2),
                          nn::Conv2D(64, 3, "relu", conv), nn::MaxPooling2D(2), nn::Flatten(), nn::Dropout(0.5),
                          nn::Dense(10, "softmax", true, initializer)});
    model.compile(std::make_shared<xgrad::optim::Adam>(adam), "sparse_categorical_crossentropy", {"accuracy"});
    model.summary();

    auto timer = std::make_shared<EpochTimer>(x_test, y_test);
    const auto history = model.fit(x_train, y_train, {.epochs = epochs, .batch_size = batch, .callbacks = {timer}});
    const auto result = model.evaluate(x_test, y_test, {.batch_size = 256, .verbose = 0});
    double total = 0;
    for (double s : timer->seconds) total += s;
    std::printf("\nseconds per epoch %.2f\n", total / epochs);
    std::printf("test accuracy %.4f (loss %.4f)\n", result.at("accuracy"), result.at("loss"));

    std::vector<std::vector<double>> rows;
    const auto& h = history.history;
    for (int e = 0; e < epochs; ++e) {
        const auto i = static_cast<std::size_t>(e);
        rows.push_back({double(e + 1), h.at("loss")[i], h.at("accuracy")[i], timer->test_accuracy[i], timer->seconds[i]});
    }
    const auto csv = example::write_csv(out + "/cnn_fashion_mnist_curves.csv",
                                        "epoch,loss,accuracy,test_accuracy,seconds", rows);
    std::cout << "training curves: " << csv << "\n";
    example::plot_png(out + "/cnn_fashion_mnist_curves.png",
                      "set multiplot layout 1,2 title 'Fashion-MNIST convnet, " + recipe + ", batch 64'\n"
                      "set xlabel 'epoch'\nset xtics 1\nset key top right\n"
                      "set title 'loss'\nplot '" + csv + "' using 1:2 with linespoints title 'train'\n"
                      "set title 'accuracy'\nset key bottom right\nplot '" + csv + "' using 1:3 with linespoints title 'train', "
                      "'' using 1:4 with linespoints title 'test'\n"
                      "unset multiplot\n");
    return 0;
}
}  // namespace

int main(int argc, char** argv) { return example::guarded_main(argc, argv, run); }
