// Data-parallel training over MPI: the Fashion-MNIST MLP (784-128-10, Adam,
// pixels / 255, global batch 32) with every rank holding the whole model and
// training on its share of each batch; the gradients are averaged in one
// allreduce per step, in rank order, so the weights stay bit-identical on
// every rank. Runs as one process too.
//   mpirun -np 2 build/examples/distributed_fashion_mnist --full
//   build/examples/distributed_fashion_mnist            (one process, short mode)
// Short by default (12,000 images, 2 epochs); --full trains on all 60,000 for 5 epochs.
#include <cstdio>
#include <cstring>
#include <iostream>

#include <xgrad/xgrad.hpp>

#include "example_data.hpp"

namespace {
namespace nn = xgrad::nn;
namespace dist = xgrad::distributed;
using xgrad::Tensor;

// Counts the ranks whose weights differ from rank 0's, bit for bit (the same count on every rank).
double ranks_that_differ(const std::vector<xt::xarray<float>>& weights)
{
    double differ = 0;
    for (const auto& w : weights) {
        xt::xarray<float> root = w;
        dist::world().broadcast(root.data(), root.size(), 0);
        differ = differ || std::memcmp(root.data(), w.data(), w.size() * sizeof(float)) != 0;
    }
    dist::world().allreduce_sum(&differ, 1);
    return differ;
}
}  // namespace

namespace {
int run(int argc, char** argv)
{
    dist::Session session(argc, argv);
    example::Args args(argc, argv,
                       "Fashion-MNIST 784-128-10 with Adam, trained data-parallel over MPI (or as one process):\n"
                       "each rank takes its share of every global batch of 32; one allreduce per step.",
                       {{"--full", "", "all 60,000 training images, 5 epochs", ""},
                        {"--train", "N", "training images in short mode", "12000"},
                        {"--epochs", "N", "epochs in short mode", "2"},
                        {"--data", "DIR", "folder of the IDX files", nn::fashion_mnist_default_dir}});
    auto& comm = dist::world();
    const bool full = args.flag("--full");
    const int epochs = full ? 5 : static_cast<int>(args.integer("--epochs"));
    const std::size_t ranks = static_cast<std::size_t>(comm.size());
    if (32 % ranks != 0) {
        if (dist::is_writer()) std::cerr << "distributed_fashion_mnist: the global batch of 32 needs 1, 2, 4, 8, 16 or 32 ranks\n";
        return 2;
    }
    const std::string out = args.out_dir();
    xgrad::set_seed(1);

    const auto data = nn::load_fashion_mnist(args.str("--data"));
    const auto train = full ? data.train : example::first_rows(data.train, static_cast<std::size_t>(args.integer("--train")));
    if (dist::is_writer()) {
        std::cout << comm.name() << ", " << ranks << " rank(s): " << train.x.shape()[0] << " training images, "
                  << epochs << " epochs, global batch 32 = " << ranks << " x " << 32 / ranks << "\n\n";
    }
    nn::Sequential model({nn::Input({784}), nn::Dense(128, "relu"), nn::Dense(10, "softmax")});
    model.compile("adam", "sparse_categorical_crossentropy", {"accuracy"});
    // fit broadcasts rank 0's weights and seed, shards every epoch's permutation and averages the gradients.
    const auto history = model.fit(Tensor(train.x), Tensor(train.y), {.epochs = epochs, .batch_size = 32 / ranks, .verbose = 2, .seed = 1});
    const auto test = model.evaluate(Tensor(data.test.x), Tensor(data.test.y), {.batch_size = 256, .verbose = 0});
    const double differ = ranks_that_differ(model.get_weights());
    if (dist::is_writer()) {
        std::printf("\ntest accuracy %.4f (loss %.4f)\n", test.at("accuracy"), test.at("loss"));
        if (differ == 0) std::printf("weights identical on all %zu ranks\n", ranks);
        else std::printf("weights DIFFER on %.0f of %zu ranks\n", differ, ranks);
        example::write_fit_curves(out, "distributed_fashion_mnist",
                                  "Fashion-MNIST 784-128-10, " + std::to_string(ranks) + " rank(s)", history);
    }
    return differ == 0 ? 0 : 1;
}
}  // namespace

int main(int argc, char** argv) { return example::guarded_main(argc, argv, run); }
