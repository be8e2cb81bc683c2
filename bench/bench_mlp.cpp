// The mlp workload: Fashion-MNIST with xgrad::nn (Sequential, Dense, compile,
// fit), Adam (lr 1e-3, epsilon 1e-7), softmax + sparse categorical
// cross-entropy (fused by nn), as torch_bench.py's Linear + CrossEntropyLoss.
//
// Like-for-like with torch: `mlp_init hidden=... epochs=E dir=DIR` writes the
// model's initial weights (save_weights: one .npy per parameter, Keras
// glorot-uniform kernels (in, out), zero biases, from xgrad's seeded generator)
// and the permutation fit will use in each epoch (perm_<e>.npy, int64) into DIR;
// torch_bench.py's mlp init=DIR starts from those weights and visits the batches
// in that order. `mlp init=DIR` loads the same weights and trains with fit, whose
// shuffle (BatchIterator over Generator(fit_seed)) draws exactly those permutations.
#include <cstdint>
#include <sstream>
#include <stdexcept>

#include <xgrad/xgrad.hpp>

#include "bench_common.hpp"
#include "bench_workloads.hpp"

namespace xgrad::bench {

namespace {

constexpr std::uint64_t kFitSeed = 1;  // fit's shuffle seed; mlp_init exports its permutations

nn::Sequential make_model(const std::string& hidden_list)
{
    std::vector<nn::LayerRef> layers{nn::Input({784})};
    std::istringstream hidden(hidden_list);
    for (std::string h; std::getline(hidden, h, ',');) layers.emplace_back(nn::Dense(std::stoul(h), "relu"));
    layers.emplace_back(nn::Dense(10, "softmax"));
    return nn::Sequential(layers);
}

}  // namespace

void run_mlp_init(const Options& o)
{
    const std::string hidden_list = o.get("hidden", "128"), dir = o.get("dir", "");
    const int epochs = static_cast<int>(o.number("epochs", 1));
    const auto rows = static_cast<std::size_t>(o.number("rows", 60000));
    if (dir.empty()) throw std::invalid_argument("mlp_init: dir=... is required");
    set_seed(static_cast<std::uint64_t>(o.number("seed", 0)));
    nn::Sequential model = make_model(hidden_list);
    model.save_weights(dir + "/weights");
    Generator gen(kFitSeed);  // as fit's BatchIterator: one permutation at construction, one per next epoch
    for (int e = 0; e < epochs; ++e) save_npy_int64(dir + "/perm_" + std::to_string(e) + ".npy", gen.permutation(rows));
    Result{}.add("workload", "mlp_init").add("hidden", hidden_list).add("epochs", epochs).print();
}

void run_mlp(const Options& o)
{
    const std::string hidden_list = o.get("hidden", "128"), init = o.get("init", "");
    const auto batch = static_cast<std::size_t>(o.number("batch", 32));
    const int epochs = static_cast<int>(o.number("epochs", 1));
    const int threads = static_cast<int>(o.number("threads", 1));
    set_threads(threads);
    set_seed(static_cast<std::uint64_t>(o.number("seed", 0)));
    auto data = nn::load_fashion_mnist();

    nn::Sequential model = make_model(hidden_list);
    if (!init.empty()) model.load_weights(init + "/weights");  // the arrays torch starts from
    model.compile(std::make_shared<optim::Adam>(optim::AdamOptions{}.learning_rate(1e-3).epsilon(1e-7)),
                  "sparse_categorical_crossentropy");

    const Tensor x(std::move(data.train.x)), y(std::move(data.train.y));  // no copies: peak memory counts
    const auto start = Clock::now();
    auto history = model.fit(x, y, {.epochs = epochs, .batch_size = batch, .verbose = 0, .seed = kFitSeed});
    const double sec_per_epoch = seconds_since(start) / epochs;

    const Tensor p = model.predict(Tensor(std::move(data.test.x)));
    const auto& probs = p.value();
    std::size_t correct = 0;
    for (std::size_t i = 0; i < probs.shape()[0]; ++i) {
        std::size_t best = 0;
        for (std::size_t j = 1; j < 10; ++j) best = probs(i, j) > probs(i, best) ? j : best;
        correct += best == static_cast<std::size_t>(data.test.y(i));
    }
    Result{}.add("workload", "mlp").add("hidden", hidden_list).add("batch", double(batch)).add("threads", threads)
        .add("sec_per_epoch", sec_per_epoch).add("accuracy", double(correct) / probs.shape()[0])
        .add("loss", history.history["loss"].back()).add("peak_rss_mib", peak_rss_kib() / 1024.0).print();
}

}  // namespace xgrad::bench
