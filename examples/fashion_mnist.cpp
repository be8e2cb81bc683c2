// Fashion-MNIST with a Keras-style model: Dense(128, relu) -> Dense(10, softmax)
// on 784 pixels scaled to [0, 1], sparse categorical cross-entropy, Adam.
//   Run 1: model.fit with a progress bar and a validation split, then test accuracy.
//   Run 2: the same model trained by a hand-written GradientTape step that clips
//          each gradient by its norm (tf.clip_by_norm) before apply_gradients.
// Short by default (a subset, 2 epochs); --full trains on all 60,000 images for 5 epochs.
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include <xtensor/xview.hpp>
#include <xgrad/xgrad.hpp>

#include "example_data.hpp"

namespace {

using xgrad::Tensor;
namespace nn = xgrad::nn;

nn::Sequential make_model()
{
    nn::Sequential model({nn::Input({784}), nn::Dense(128, "relu"), nn::Dense(10, "softmax")});
    model.compile("adam", "sparse_categorical_crossentropy", {"accuracy"});
    return model;
}

struct EpochLog {
    double loss, accuracy, test_accuracy;
};

// One epoch of the hand-written step: forward under a tape, gradients,
// clip_by_norm(g, clip) for each, apply_gradients.
EpochLog clipped_epoch(nn::Sequential& model, const nn::LabeledData& train, const Tensor& x_test,
                       const Tensor& y_test, std::size_t batch_size, float clip, xgrad::Generator& gen)
{
    const Tensor x(train.x), y(train.y);
    const auto order = gen.permutation(train.x.shape()[0]);
    const auto vars = model.trainable_variables();
    nn::Mean mean_loss;
    nn::SparseCategoricalAccuracy accuracy;
    for (std::size_t start = 0; start < order.size(); start += batch_size) {
        const std::vector<std::size_t> rows(order.begin() + start,
                                            order.begin() + std::min(order.size(), start + batch_size));
        const auto xb = xgrad::gather(x, rows), yb = xgrad::gather(y, rows);
        xgrad::GradientTape tape;
        const auto probs = model(xb);
        const auto loss = (*model.loss())(yb, probs);
        auto grads = tape.gradient(loss, nn::as_tensors(vars));
        for (auto& g : grads) g = xgrad::clip_by_norm(g, clip);
        model.optimizer()->apply_gradients(grads, vars);
        mean_loss.update(loss.item(), double(rows.size()));
        accuracy.update_state(yb, probs);
    }
    const auto test = model.evaluate(x_test, y_test, {.batch_size = 256, .verbose = 0});
    return {mean_loss.result(), accuracy.result(), test.at("accuracy")};
}

}  // namespace

namespace {
int run(int argc, char** argv)
{
    example::Args args(argc, argv,
                       "Fashion-MNIST, Dense(128, relu) -> Dense(10, softmax) with Adam: model.fit with a progress\n"
                       "bar, then a hand-written GradientTape step with gradients clipped by norm.",
                       {{"--full", "", "all 60,000 training images, 5 epochs", ""},
                        {"--train", "N", "training images in short mode", "12000"},
                        {"--epochs", "N", "epochs in short mode", "2"},
                        {"--batch-size", "N", "mini-batch size", "32"},
                        {"--clipnorm", "X", "clip_by_norm threshold of the hand-written step", "1.0"},
                        {"--data", "DIR", "folder of the IDX files", xgrad::nn::fashion_mnist_default_dir}});
    const bool full = args.flag("--full");
    const int epochs = full ? 5 : static_cast<int>(args.integer("--epochs"));
    const std::size_t batch = static_cast<std::size_t>(args.integer("--batch-size"));
    const float clip = std::stof(args.str("--clipnorm"));
    const std::string out = args.out_dir();
    xgrad::set_seed(1);

    const auto data = nn::load_fashion_mnist(args.str("--data"));
    const auto train = full ? data.train : example::first_rows(data.train, static_cast<std::size_t>(args.integer("--train")));
    const Tensor x_test(data.test.x), y_test(data.test.y);
    std::cout << "Fashion-MNIST: " << train.x.shape()[0] << " training images, " << data.test.x.shape()[0]
              << " test images, " << epochs << " epochs, batch size " << batch << "\n\n";

    // ---- Run 1: fit ----
    auto model = make_model();
    model.summary();
    const auto history = model.fit(Tensor(train.x), Tensor(train.y),
                                   {.epochs = epochs, .batch_size = batch, .validation_split = 0.1});
    const auto test = model.evaluate(x_test, y_test, {.batch_size = 256, .verbose = 0});
    std::printf("\nfit: test accuracy %.4f (loss %.4f)\n\n", test.at("accuracy"), test.at("loss"));

    // ---- Run 2: hand-written step with clip_by_norm ----
    std::cout << "Hand-written GradientTape step, each gradient clipped to norm " << clip << ":\n";
    auto clipped = make_model();
    xgrad::Generator gen(2);
    std::vector<EpochLog> clipped_logs;
    for (int e = 0; e < epochs; ++e) {
        clipped_logs.push_back(clipped_epoch(clipped, train, x_test, y_test, batch, clip, gen));
        const auto& l = clipped_logs.back();
        std::printf("Epoch %d/%d - accuracy: %.4f - loss: %.4f - test_accuracy: %.4f\n", e + 1, epochs, l.accuracy,
                    l.loss, l.test_accuracy);
    }
    std::printf("\nclipped tape step: test accuracy %.4f\n", clipped_logs.back().test_accuracy);

    std::vector<std::vector<double>> rows;
    const auto& h = history.history;
    for (int e = 0; e < epochs; ++e) {
        const auto& c = clipped_logs[static_cast<std::size_t>(e)];
        rows.push_back({double(e + 1), h.at("loss")[e], h.at("accuracy")[e], h.at("val_loss")[e],
                        h.at("val_accuracy")[e], c.loss, c.accuracy, c.test_accuracy});
    }
    const auto csv = example::write_csv(out + "/fashion_mnist_curves.csv",
                                        "epoch,fit_loss,fit_accuracy,fit_val_loss,fit_val_accuracy,"
                                        "clipped_loss,clipped_accuracy,clipped_test_accuracy",
                                        rows);
    std::cout << "training curves: " << csv << "\n";
    example::plot_png(out + "/fashion_mnist_curves.png",
                      "set multiplot layout 1,2 title 'Fashion-MNIST 784-128-10, Adam'\n"
                      "set xlabel 'epoch'\nset xtics 1\nset key bottom right\n"
                      "set title 'loss'\nplot '" + csv + "' using 1:2 with linespoints title 'fit', "
                      "'' using 1:4 with linespoints title 'fit (validation)', "
                      "'' using 1:6 with linespoints title 'clipped tape step'\n"
                      "set title 'accuracy'\nset key bottom right\nplot '" + csv + "' using 1:3 with linespoints title 'fit', "
                      "'' using 1:5 with linespoints title 'fit (validation)', "
                      "'' using 1:7 with linespoints title 'clipped tape step', "
                      "'' using 1:8 with linespoints title 'clipped (test)'\n"
                      "unset multiplot\n");
    return 0;
}
}  // namespace

int main(int argc, char** argv) { return example::guarded_main(argc, argv, run); }
