// A subclassed Model, as Keras's `class MyModel(keras.Model)` or a torch
// nn.Module: a residual block (Dense -> Dropout -> Dense, plus the skip) and a
// classifier head, trained with fit on Fashion-MNIST (pixels / 255, Adam,
// batch 32). The layers are members registered with add_layer, so the model
// owns them: their weights train, save and show in summary().
// Short by default (12,000 images, 2 epochs); --full trains on all 60,000 for 5 epochs.
#include <cstdio>
#include <iostream>

#include <xgrad/xgrad.hpp>

#include "example_data.hpp"

namespace {

using xgrad::Tensor;
namespace nn = xgrad::nn;

// h + Dense(units)(Dropout(rate)(Dense(units, relu)(h))), then relu.
class ResidualBlock : public nn::Layer {
public:
    ResidualBlock(std::size_t units, double rate, const std::string& name = "")
        : Layer("ResidualBlock", name), inner_(add_layer(nn::Dense(units, "relu"))),
          dropout_(add_layer(nn::Dropout(rate))), outer_(add_layer(nn::Dense(units)))
    {
    }

protected:
    Tensor call(const Tensor& h, bool training) override
    {
        // dropout_ inherits `training` from this call (Keras's call context).
        return xgrad::relu(h + outer_(dropout_(inner_(h))));
    }

private:
    nn::Dense inner_;
    nn::Dropout dropout_;
    nn::Dense outer_;
};

class Classifier : public nn::Model {
public:
    Classifier(std::size_t units, double dropout)
        : Model("Classifier"), project_(add_layer(nn::Dense(units, "relu"))),
          block_(add_layer(ResidualBlock(units, dropout))), head_(add_layer(nn::Dense(10, "softmax")))
    {
    }

protected:
    Tensor call(const Tensor& x, bool training) override { return head_(block_(project_(x))); }

private:
    nn::Dense project_;
    ResidualBlock block_;
    nn::Dense head_;
};

}  // namespace

namespace {
int run(int argc, char** argv)
{
    example::Args args(argc, argv,
                       "Fashion-MNIST with a subclassed Model: a residual block (Dense -> Dropout -> Dense + skip)\n"
                       "and a softmax head, trained with fit (Adam, batch 32).",
                       {{"--full", "", "all 60,000 training images, 5 epochs", ""},
                        {"--train", "N", "training images in short mode", "12000"},
                        {"--epochs", "N", "epochs in short mode", "2"},
                        {"--units", "N", "width of the residual block", "512"},
                        {"--dropout", "X", "the block's dropout rate", "0.4"},
                        {"--data", "DIR", "folder of the IDX files", nn::fashion_mnist_default_dir}});
    const bool full = args.flag("--full");
    const int epochs = full ? 5 : static_cast<int>(args.integer("--epochs"));
    const std::string out = args.out_dir();
    xgrad::set_seed(7);

    const auto data = nn::load_fashion_mnist(args.str("--data"));
    const auto train = full ? data.train : example::first_rows(data.train, static_cast<std::size_t>(args.integer("--train")));
    std::cout << "Fashion-MNIST: " << train.x.shape()[0] << " training images, " << data.test.x.shape()[0]
              << " test images, " << epochs << " epochs, batch size 32\n\n";

    Classifier model(static_cast<std::size_t>(args.integer("--units")), std::stod(args.str("--dropout")));
    model.compile("adam", "sparse_categorical_crossentropy", {"accuracy"});
    const auto history = model.fit(Tensor(train.x), Tensor(train.y), {.epochs = epochs, .batch_size = 32, .seed = 7});
    model.summary();
    std::cout << "\nweights (dotted paths):";
    for (const auto& [name, v] : model.named_parameters()) std::cout << " " << name;
    std::cout << "\n";
    const auto test = model.evaluate(Tensor(data.test.x), Tensor(data.test.y), {.batch_size = 256, .verbose = 0});
    std::printf("\ntest accuracy %.4f (loss %.4f)\n", test.at("accuracy"), test.at("loss"));

    example::write_fit_curves(out, "custom_model", "Subclassed model (residual block), Fashion-MNIST", history);
    return 0;
}
}  // namespace

int main(int argc, char** argv) { return example::guarded_main(argc, argv, run); }
