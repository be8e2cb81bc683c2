// Data parallelism. Every case runs twice in CTest: as a plain process (one
// rank: the single-process communicator, bit-identical to no communicator) and
// under `mpirun -np 2` on loopback (label mpi).
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <iostream>

#include <xgrad/autograd/gradient_tape.hpp>
#include <xgrad/autograd/ops.hpp>
#include <xgrad/core/communicator.hpp>
#include <xgrad/core/random.hpp>
#include <xgrad/nn/layers/dense.hpp>
#include <xgrad/nn/sequential.hpp>
#include <xgrad/optim/adam.hpp>
#include <xgrad/optim/distributed.hpp>

using namespace xgrad;
namespace dist = xgrad::distributed;

namespace {
// MPI_Init before main when launched by mpirun; nothing otherwise.
dist::Session session;

xt::xarray<float> inputs(std::size_t n, std::uint64_t seed) { return Generator(seed).uniform<float>({n, 6}, -1.0f, 1.0f); }

xt::xarray<float> targets(const xt::xarray<float>& x)
{
    xt::xarray<float> y = xt::xarray<float>::from_shape({x.shape()[0], 2});
    for (std::size_t i = 0; i < x.shape()[0]; ++i) {
        y(i, 0) = x(i, 0) * x(i, 1) - x(i, 2);
        y(i, 1) = x(i, 3) + 0.5f * x(i, 4) * x(i, 5);
    }
    return y;
}

nn::Sequential make_model()
{
    return nn::Sequential({nn::Input({6}), nn::Dense(16, "tanh"), nn::Dense(2)});
}

// The largest |a - b| / max|b| over all weights.
double max_relative_difference(const std::vector<xt::xarray<float>>& a, const std::vector<xt::xarray<float>>& b)
{
    double diff = 0, scale = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        for (std::size_t k = 0; k < a[i].size(); ++k) {
            diff = std::max(diff, double(std::fabs(a[i].data()[k] - b[i].data()[k])));
            scale = std::max(scale, double(std::fabs(b[i].data()[k])));
        }
    }
    return diff / scale;
}

// 1 when this rank's weights are rank 0's bit for bit on every rank, else 0 (the same answer everywhere).
bool identical_on_all_ranks(const std::vector<xt::xarray<float>>& weights)
{
    double mismatches = 0;
    for (const auto& w : weights) {
        xt::xarray<float> root = w;
        dist::world().broadcast(root.data(), root.size(), 0);
        mismatches += std::memcmp(root.data(), w.data(), w.size() * sizeof(float)) != 0;
    }
    dist::world().allreduce_sum(&mismatches, 1);
    return mismatches == 0;
}

// The reference: one process, the whole global batch of 32 rows per step, in order.
std::vector<xt::xarray<float>> single_process_steps(const std::vector<xt::xarray<float>>& initial, const Tensor& x,
                                                    const Tensor& y, int steps)
{
    auto model = make_model();
    model.set_weights(initial);
    optim::Adam adam(optim::AdamOptions{}.learning_rate(0.01));
    const std::size_t n = x.shape()[0];
    for (int s = 0; s < steps; ++s) {
        std::vector<std::size_t> rows;
        for (std::size_t i = 0; i < 32; ++i) rows.push_back((s * 32 + i) % n);
        GradientTape tape;
        const Tensor loss = reduce_mean(reduce_mean(square(model(gather(x, rows)) - gather(y, rows)), {-1}));
        adam.apply_gradients(tape.gradient(loss, model.trainable_variables()), model.trainable_variables());
    }
    return model.get_weights();
}
}  // namespace

TEST_CASE("distributed: fit gives bit-identical weights on every rank and matches one process on the global batch", "[mpi]")
{
    const int ranks = dist::world().size();
    set_seed(100 + static_cast<std::uint64_t>(dist::world().rank()));  // different initial weights per rank...
    auto model = make_model();
    const Tensor x(inputs(320, 1)), y(targets(inputs(320, 1)));
    optim::broadcast_variables(model.weights());  // ...until rank 0's are broadcast
    REQUIRE(identical_on_all_ranks(model.get_weights()));
    const auto initial = model.get_weights();
    model.compile(std::make_shared<optim::Adam>(optim::AdamOptions{}.learning_rate(0.01)), "mse");
    // Per-rank batch 32 / ranks on a fixed order: the global batch is 32 rows, as the reference's.
    for (int steps : {10, 100}) {
        model.set_weights(initial);
        model.compile(std::make_shared<optim::Adam>(optim::AdamOptions{}.learning_rate(0.01)), "mse");
        const int epochs = steps / 10;
        model.fit(x, y, {.epochs = epochs, .batch_size = static_cast<std::size_t>(32 / ranks), .shuffle = false, .verbose = 0});
        CHECK(model.optimizer()->iterations() == steps);
        CHECK(identical_on_all_ranks(model.get_weights()));
        const auto reference = single_process_steps(initial, x, y, steps);
        const double rel = max_relative_difference(model.get_weights(), reference);
        if (dist::is_writer()) {
            std::cout << "distributed: " << ranks << " rank(s) x batch " << 32 / ranks << " vs 1 process x batch 32, "
                      << steps << " steps: max relative weight difference " << rel << "\n";
        }
        if (ranks == 1) CHECK(rel == 0.0);  // -np 1 is bit-identical to no communicator
        else CHECK(rel < 1e-5);
    }
}

TEST_CASE("distributed: every rank sees its shard, and every sample is seen once per epoch", "[mpi]")
{
    const std::size_t n = 103;  // not a multiple of the global batch: the last batch is uneven
    xt::xarray<float> x = xt::xarray<float>::from_shape({n, 6});
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < 6; ++j) x(i, j) = static_cast<float>(i) / 128.0f;  // exact, and small
    auto seen = std::make_shared<std::vector<double>>(n, 0.0);
    struct Recorder : nn::Layer {
        std::shared_ptr<std::vector<double>> seen;
        explicit Recorder(std::shared_ptr<std::vector<double>> s) : Layer("Recorder"), seen(std::move(s)) {}
        Shape compute_output_shape(const Shape& s) const override { return s; }
        Tensor call(const Tensor& x, bool training) override
        {
            if (training)
                for (std::size_t r = 0; r < x.shape()[0]; ++r) (*seen)[static_cast<std::size_t>(x(r, 0) * 128.0f)] += 1;
            return x;
        }
    };
    nn::Sequential model({nn::Input({6}), Recorder(seen), nn::Dense(2)});
    model.compile("sgd", "mse");
    for (int epochs : {1, 2}) {
        std::fill(seen->begin(), seen->end(), 0.0);
        model.fit(Tensor(x), Tensor(targets(x)), {.epochs = epochs, .batch_size = 8, .verbose = 0, .seed = 5});
        std::vector<double> total = *seen;
        dist::world().allreduce_sum(total.data(), total.size());
        double local = 0;
        for (double v : *seen) local += v;
        for (std::size_t i = 0; i < n; ++i) CHECK(total[i] == double(epochs));
        // Shards are disjoint and about equal: each rank saw about n / ranks samples per epoch.
        CHECK(local == Approx(double(n * epochs) / dist::world().size()).margin(8.0 * epochs));
    }
}

TEST_CASE("distributed: accumulation reduces only on the real step, and global clipnorm sees the global gradient", "[mpi]")
{
    struct Counting : optim::AverageAcrossRanks {
        int calls = 0;
        bool active() const override { return true; }  // counted at one rank too
        void reduce(const std::vector<float*>& g, const std::vector<std::size_t>& n) override
        {
            ++calls;
            AverageAcrossRanks::reduce(g, n);
        }
    };
    const int ranks = dist::world().size(), rank = dist::world().rank();
    set_seed(7);
    auto model = make_model();
    const auto initial = model.get_weights();
    const Tensor x(inputs(64, 2)), y(targets(inputs(64, 2)));
    const auto options = optim::AdamOptions{}.learning_rate(0.05).gradient_accumulation_steps(2).global_clipnorm(0.1);
    // Distributed: each rank's share of each 16-row micro-batch, averaged across ranks on every second step.
    optim::Adam adam(options);
    auto counter = std::make_shared<Counting>();
    adam.set_gradient_reducer(counter);
    const std::size_t share = 16 / static_cast<std::size_t>(ranks);
    for (int s = 0; s < 4; ++s) {
        std::vector<std::size_t> rows;
        for (std::size_t i = 0; i < share; ++i) rows.push_back(static_cast<std::size_t>(s) * 16 + rank * share + i);
        GradientTape tape;
        const Tensor loss = reduce_mean(reduce_mean(square(model(gather(x, rows)) - gather(y, rows)), {-1}));
        adam.apply_gradients(tape.gradient(loss, model.trainable_variables()), model.trainable_variables());
    }
    CHECK(counter->calls == 2);
    CHECK(adam.iterations() == 2);
    CHECK(identical_on_all_ranks(model.get_weights()));
    // One process on the whole micro-batches, same options.
    auto reference = make_model();
    reference.set_weights(initial);
    optim::Adam single(options);
    for (int s = 0; s < 4; ++s) {
        std::vector<std::size_t> rows;
        for (std::size_t i = 0; i < 16; ++i) rows.push_back(static_cast<std::size_t>(s) * 16 + i);
        GradientTape tape;
        const Tensor loss = reduce_mean(reduce_mean(square(reference(gather(x, rows)) - gather(y, rows)), {-1}));
        single.apply_gradients(tape.gradient(loss, reference.trainable_variables()), reference.trainable_variables());
    }
    CHECK(max_relative_difference(model.get_weights(), reference.get_weights()) < 1e-5);
}

// Run only by the CTest entry that expects the job to end: rank 1 fails inside fit.
TEST_CASE("distributed: a rank that throws ends the job with its message", "[.][abort]")
{
    struct FailOnRankOne : nn::Layer {
        FailOnRankOne() : Layer("FailOnRankOne") {}
        Shape compute_output_shape(const Shape& s) const override { return s; }
        Tensor call(const Tensor& x, bool training) override
        {
            if (training && dist::world().rank() == 1) throw ValueError("deliberate failure on rank 1");
            return x;
        }
    };
    nn::Sequential model({nn::Input({6}), FailOnRankOne(), nn::Dense(2)});
    model.compile("sgd", "mse");
    model.fit(Tensor(inputs(32, 3)), Tensor(targets(inputs(32, 3))), {.epochs = 3, .batch_size = 4, .verbose = 0});
    FAIL("fit returned on rank " << dist::world().rank());
}
