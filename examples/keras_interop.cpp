// Keras files in and out: load a model Keras saved (a Keras 3 .keras archive or a
// legacy Keras 2 .h5), evaluate it, predict, fine-tune it with the optimizer state
// Keras saved, and write it back as a .keras file that Keras 3 loads.
//   keras_interop --model PATH [--x X.npy --y Y.npy] [--predict OUT.npy] [--epochs N] [--save OUT.keras]
// Without --x/--y it evaluates on the Fashion-MNIST test set, reshaped to the model's input.
#include <cstdio>
#include <cstring>
#include <iostream>

#include <xgrad/xgrad.hpp>

#include "example_support.hpp"

namespace {

using xgrad::Tensor;
namespace nn = xgrad::nn;

// Fashion-MNIST's (n, 784) images in the model's input shape (n, ...).
Tensor as_model_input(const xt::xarray<float>& images, const nn::Model& model)
{
    xgrad::Shape shape = model.build_shapes().at(0);
    shape[0] = images.shape()[0];
    if (xgrad::num_elements(shape) != images.size()) {
        throw xgrad::ValueError("keras_interop: the model's input " + xgrad::to_string(shape) +
                                " is not a Fashion-MNIST image; pass --x and --y");
    }
    xt::xarray<float> x = images;
    x.reshape(shape);
    return Tensor(std::move(x));
}

// Accuracy of integer labels against the predictions (argmax of the last axis).
double accuracy(const Tensor& y, const Tensor& predictions)
{
    nn::SparseCategoricalAccuracy metric;
    metric.update_state(y, predictions);
    return metric.result();
}

void report(nn::Model& model, const Tensor& x, const Tensor& y)
{
    const auto logs = model.evaluate(x, y, {.batch_size = 256, .verbose = 0});
    const double acc = logs.count("accuracy") ? logs.at("accuracy") : accuracy(y, model.predict(x, 256));
    std::printf("loss %.6f accuracy %.6f\n", logs.at("loss"), acc);
}

}  // namespace

namespace {
int run(int argc, char** argv)
{
    example::Args args(argc, argv,
                       "Loads a Keras model file (.keras or legacy .h5), evaluates it, and optionally predicts,\n"
                       "fine-tunes it with its restored optimizer and saves it as a Keras 3 .keras file.",
                       {{"--model", "PATH", "the Keras file", "tests/data/keras/fashion_mnist_dense_dropout.keras"},
                        {"--x", "X.npy", "inputs (float32, the model's input shape)", ""},
                        {"--y", "Y.npy", "integer labels (float32 or an integer dtype)", ""},
                        {"--predict", "OUT.npy", "write the predictions here", ""},
                        {"--epochs", "N", "fine-tune for N epochs with the restored optimizer", "0"},
                        {"--save", "OUT.keras", "write the model, reload it, check its predictions", ""},
                        {"--data", "DIR", "Fashion-MNIST's folder (without --x/--y)", nn::fashion_mnist_default_dir}});
    try {
        auto model = nn::load_model(args.str("--model"));
        model->summary();
        if (model->optimizer()) {
            std::cout << "\nrestored optimizer: " << model->optimizer()->get_config().to_string()
                      << "\n  iterations: " << model->optimizer()->iterations() << "\n";
        } else {
            std::cout << "\nthe file holds no compile config; compiling with adam and sparse_categorical_crossentropy\n";
            model->compile("adam", "sparse_categorical_crossentropy", {"accuracy"});
        }

        Tensor x, y, x_train, y_train;
        if (!args.str("--x").empty() || !args.str("--y").empty()) {
            if (args.str("--x").empty() || args.str("--y").empty()) throw xgrad::ValueError("keras_interop: give both --x and --y");
            x = Tensor(xgrad::load_npy<float>(args.str("--x")));
            y = Tensor(xgrad::load_npy_labels(args.str("--y")));
            x_train = x;
            y_train = y;
        } else {
            const auto data = nn::load_fashion_mnist(args.str("--data"));
            x = as_model_input(data.test.x, *model);
            y = Tensor(data.test.y);
            x_train = as_model_input(data.train.x, *model);
            y_train = Tensor(data.train.y);
        }
        std::cout << "\nevaluate on " << x.shape()[0] << " samples:\n";
        report(*model, x, y);

        if (!args.str("--predict").empty()) {
            xgrad::save_npy<float>(args.str("--predict"), model->predict(x, 256).value());
            std::cout << "predictions: " << args.str("--predict") << "\n";
        }
        const long epochs = args.integer("--epochs", 0);
        if (epochs > 0) {
            std::cout << "\nfine-tune " << epochs << " epoch(s) on " << x_train.shape()[0]
                      << " samples with the restored optimizer:\n";
            model->fit(x_train, y_train, {.epochs = static_cast<int>(epochs), .batch_size = 32, .seed = 1});
            report(*model, x, y);
        }
        if (!args.str("--save").empty()) {
            const std::string out = args.str("--save");
            model->save(out);
            auto again = nn::load_model(out);
            const auto a = model->predict(x, 256).value(), b = again->predict(x, 256).value();
            const bool same = a.shape() == b.shape() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
            std::cout << "\nsaved " << out << "; reloaded: predictions " << (same ? "bit-identical" : "DIFFER") << "\n";
            if (!same) return 1;
        }
    } catch (const xgrad::Error& e) {
        std::cerr << "keras_interop: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
}  // namespace

int main(int argc, char** argv) { return example::guarded_main(argc, argv, run); }
