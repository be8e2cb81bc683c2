// A functional model with two inputs (Keras's functional API): each image is
// cut into its top 14 rows and its bottom 14 rows, each half goes through its
// own Dense tower, the towers are joined with Concatenate, then a Dense layer
// and a softmax. summary() shows the graph ("Connected to"); fit takes the
// two inputs as a list.
// Short by default (12,000 images, 2 epochs); --full trains on all 60,000 for 5 epochs.
#include <cstdio>
#include <iostream>

#include <xgrad/xgrad.hpp>

#include "example_data.hpp"

namespace {

using xgrad::Tensor;
namespace nn = xgrad::nn;

// Rows [0, 14) and [14, 28) of each (n, 784) image as (n, 14, 28) arrays.
std::pair<Tensor, Tensor> halves(const xt::xarray<float>& x, std::size_t n)
{
    xt::xarray<float> top = xt::view(x, xt::range(0, n), xt::range(0, 392));
    xt::xarray<float> bottom = xt::view(x, xt::range(0, n), xt::range(392, 784));
    top.reshape({n, 14, 28});
    bottom.reshape({n, 14, 28});
    return {Tensor(std::move(top)), Tensor(std::move(bottom))};
}

}  // namespace

namespace {
int run(int argc, char** argv)
{
    example::Args args(argc, argv,
                       "Fashion-MNIST with a two-input functional model: top and bottom halves of each image\n"
                       "through their own Dense towers, Concatenate, Dense, softmax.",
                       {{"--full", "", "all 60,000 training images, 5 epochs", ""},
                        {"--train", "N", "training images in short mode", "12000"},
                        {"--epochs", "N", "epochs in short mode", "2"},
                        {"--data", "DIR", "folder of the IDX files", nn::fashion_mnist_default_dir}});
    const bool full = args.flag("--full");
    const int epochs = full ? 5 : static_cast<int>(args.integer("--epochs"));
    const std::string out = args.out_dir();
    xgrad::set_seed(11);

    const auto data = nn::load_fashion_mnist(args.str("--data"));
    const std::size_t n = full ? data.train.x.shape()[0]
                               : std::min<std::size_t>(args.integer("--train"), data.train.x.shape()[0]);
    const auto [top_train, bottom_train] = halves(data.train.x, n);
    const Tensor y_train(xt::xarray<float>(xt::view(data.train.y, xt::range(0, n))));
    const auto [top_test, bottom_test] = halves(data.test.x, data.test.x.shape()[0]);
    std::cout << "Fashion-MNIST: " << n << " training images, " << data.test.x.shape()[0] << " test images, "
              << epochs << " epochs, batch size 32\n\n";

    auto top = nn::Input({14, 28}, "top_half");
    auto bottom = nn::Input({14, 28}, "bottom_half");
    auto a = nn::Dense(128, "relu")(nn::Flatten()(top));
    auto b = nn::Dense(128, "relu")(nn::Flatten()(bottom));
    auto joined = nn::Concatenate()({a, b});
    auto hidden = nn::Dense(128, "relu")(joined);
    auto out_probs = nn::Dense(10, "softmax")(hidden);
    nn::Model model({top, bottom}, out_probs, "two_halves");
    model.summary();

    model.compile("adam", "sparse_categorical_crossentropy", {"accuracy"});
    const auto history = model.fit({top_train, bottom_train}, y_train, {.epochs = epochs, .batch_size = 32, .seed = 11});
    const auto test = model.evaluate({top_test, bottom_test}, Tensor(data.test.y), {.batch_size = 256, .verbose = 0});
    std::printf("\ntest accuracy %.4f (loss %.4f)\n", test.at("accuracy"), test.at("loss"));

    example::write_fit_curves(out, "functional_model", "Two-input functional model, Fashion-MNIST", history);
    return 0;
}
}  // namespace

int main(int argc, char** argv) { return example::guarded_main(argc, argv, run); }
