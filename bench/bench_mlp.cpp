// The mlp workload: Fashion-MNIST with xgrad::nn (Sequential, Dense, compile,
// fit), Adam (lr 1e-3, epsilon 1e-7), softmax + sparse categorical
// cross-entropy (fused by nn), as torch_bench.py's Linear + CrossEntropyLoss.
#include <sstream>

#include <xgrad/xgrad.hpp>

#include "bench_common.hpp"
#include "bench_workloads.hpp"

namespace xgrad::bench {

void run_mlp(const Options& o)
{
    const std::string hidden_list = o.get("hidden", "128");
    const auto batch = static_cast<std::size_t>(o.number("batch", 32));
    const int epochs = static_cast<int>(o.number("epochs", 1));
    const int threads = static_cast<int>(o.number("threads", 1));
    set_threads(threads);
    set_seed(static_cast<std::uint64_t>(o.number("seed", 0)));
    auto data = nn::load_fashion_mnist();

    std::vector<nn::LayerRef> layers{nn::Input({784})};
    std::istringstream hidden(hidden_list);
    for (std::string h; std::getline(hidden, h, ',');) layers.emplace_back(nn::Dense(std::stoul(h), "relu"));
    layers.emplace_back(nn::Dense(10, "softmax"));
    nn::Sequential model(layers);
    model.compile(std::make_shared<optim::Adam>(optim::AdamOptions{}.learning_rate(1e-3).epsilon(1e-7)),
                  "sparse_categorical_crossentropy");

    const Tensor x(std::move(data.train.x)), y(std::move(data.train.y));  // no copies: peak memory counts
    const auto start = Clock::now();
    auto history = model.fit(x, y, {.epochs = epochs, .batch_size = batch, .verbose = 0, .seed = 1});
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
