// A new optimizer, AdaBelief, written outside the library in one short file
// (adabelief.hpp), trained on the dense network next to the built-in Adam:
// it is used exactly like a built-in optimizer (made by name from the registry,
// compile, fit, get_config).
#include <cstdio>
#include <iostream>
#include <memory>

#include <xgrad/xgrad.hpp>

#include "adabelief.hpp"
#include "example_support.hpp"

namespace nn = xgrad::nn;

namespace {

// Inputs (n, 10, 10); each of the 10 rows of a sample is labelled 1 when its
// values sum to more than 5 (one-hot over 2 classes): a problem the dense network can learn.
std::pair<xgrad::Tensor, xgrad::Tensor> make_data(std::size_t n, std::uint64_t seed)
{
    xgrad::Generator gen(seed);
    xt::xarray<float> x = gen.uniform<float>({n, 10, 10});
    xt::xarray<float> y(xgrad::Shape{n, 10, 2}, 0.0f);
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t r = 0; r < 10; ++r) {
            float sum = 0.0f;
            for (std::size_t c = 0; c < 10; ++c) sum += x(i, r, c);
            y(i, r, sum > 5.0f ? 1 : 0) = 1.0f;
        }
    }
    return {xgrad::Tensor(x), xgrad::Tensor(y)};
}

nn::History train(nn::Sequential& model, std::shared_ptr<xgrad::optim::Optimizer> optimizer,
                  const xgrad::Tensor& x, const xgrad::Tensor& y, int epochs)
{
    model.compile(optimizer, "categorical_crossentropy", {"accuracy"});
    return model.fit(x, y, {.epochs = epochs, .batch_size = 32, .verbose = 0, .seed = 3});
}

}  // namespace

namespace {
int run(int argc, char** argv)
{
    example::Args args(argc, argv,
                       "A user-written optimizer (AdaBelief, examples/adabelief.hpp) next to the built-in Adam,\n"
                       "both training Dense(10, relu) -> Dense(2, softmax) on (n, 10, 10) inputs.",
                       {{"--epochs", "N", "training epochs", "20"}, {"--samples", "N", "training samples", "512"}});
    const int epochs = static_cast<int>(args.integer("--epochs"));
    const auto [x, y] = make_data(static_cast<std::size_t>(args.integer("--samples")), 11);
    const std::string out = args.out_dir();

    // The same initial weights for both models.
    xgrad::set_seed(5);
    nn::Sequential with_adam({nn::Input({10, 10}), nn::Dense(10, "relu"), nn::Dense(2, "softmax")});
    nn::Sequential with_adabelief({nn::Input({10, 10}), nn::Dense(10, "relu"), nn::Dense(2, "softmax")});
    with_adabelief.set_weights(with_adam.get_weights());

    // One line in adabelief.hpp (XGRAD_REGISTER_OPTIMIZER) put it in the registry, next to the built-ins.
    auto adabelief = xgrad::optim::make_optimizer("adabelief", xgrad::optim::Config{}.set("learning_rate", 0.01));
    auto adam = std::make_shared<xgrad::optim::Adam>(xgrad::optim::AdamOptions{}.learning_rate(0.01));
    std::cout << "AdaBelief made by name from the registry: make_optimizer(\"adabelief\", {'learning_rate': 0.01})\n";
    std::cout << "AdaBelief config: " << adabelief->get_config().to_string() << "\n\n";
    const auto h_adam = train(with_adam, adam, x, y, epochs);
    const auto h_belief = train(with_adabelief, adabelief, x, y, epochs);

    std::printf("epoch   Adam loss  Adam acc   AdaBelief loss  AdaBelief acc\n");
    std::vector<std::vector<double>> rows;
    for (int e = 0; e < epochs; ++e) {
        const double la = h_adam.history.at("loss")[e], aa = h_adam.history.at("accuracy")[e];
        const double lb = h_belief.history.at("loss")[e], ab = h_belief.history.at("accuracy")[e];
        std::printf("%5d   %9.4f  %8.4f   %14.4f  %13.4f\n", e + 1, la, aa, lb, ab);
        rows.push_back({double(e + 1), la, aa, lb, ab});
    }
    std::printf("\nAdaBelief ran %lld steps through the same base class as Adam (%lld steps).\n",
                static_cast<long long>(adabelief->iterations()), static_cast<long long>(adam->iterations()));
    const auto csv = example::write_csv(out + "/custom_optimizer.csv",
                                        "epoch,adam_loss,adam_accuracy,adabelief_loss,adabelief_accuracy", rows);
    std::cout << "curves: " << csv << "\n";
    example::plot_png(out + "/custom_optimizer.png",
                      "set title 'Dense network: built-in Adam vs user-written AdaBelief (lr 0.01)'\n"
                      "set xlabel 'epoch'\nset ylabel 'loss'\n"
                      "plot '" + csv + "' using 1:2 with linespoints title 'Adam', "
                      "'' using 1:4 with linespoints title 'AdaBelief'\n");
    return 0;
}
}  // namespace

int main(int argc, char** argv) { return example::guarded_main(argc, argv, run); }
