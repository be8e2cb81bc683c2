// Data-parallel costs, run under mpirun (or alone for one rank):
//   mpirun -np 2 build/bench/xgrad_bench_distributed
// For the 784-128-10 and 784-512-512-10 MLPs: the time of the one allreduce of
// all gradients per step (deterministic rank-order sum and MPI_Allreduce), and
// an epoch of fit on Fashion-MNIST at batch 32 per rank (step time, allreduce share).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

#include <xgrad/xgrad.hpp>

namespace {
namespace dist = xgrad::distributed;
namespace nn = xgrad::nn;
using clock_type = std::chrono::steady_clock;

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

double allreduce_ms(std::size_t n, dist::Deterministic mode, int reps)
{
    auto& comm = dist::world();
    comm.set_deterministic(mode);
    std::vector<float> buffer(n + 1, 1.0f);
    std::vector<double> times;
    for (int r = 0; r < reps; ++r) {
        comm.barrier();
        const auto t0 = clock_type::now();
        comm.allreduce_sum(buffer.data(), buffer.size());
        times.push_back(std::chrono::duration<double, std::milli>(clock_type::now() - t0).count());
    }
    comm.set_deterministic(dist::Deterministic::On);
    return median(times);
}
}  // namespace

int main(int argc, char** argv)
{
    dist::Session session(argc, argv);
    auto& comm = dist::world();
    const auto data = nn::load_fashion_mnist();
    for (const char* hidden : {"128", "512,512"}) {
        xgrad::set_seed(1);
        std::vector<nn::LayerRef> layers{nn::Input({784})};
        std::size_t params = 0, in = 784;
        for (std::size_t units : std::string(hidden) == "128" ? std::vector<std::size_t>{128} : std::vector<std::size_t>{512, 512}) {
            layers.push_back(nn::Dense(units, "relu"));
            params += in * units + units;
            in = units;
        }
        layers.push_back(nn::Dense(10, "softmax"));
        params += in * 10 + 10;
        nn::Sequential model(layers);
        model.compile("adam", "sparse_categorical_crossentropy", {"accuracy"});
        const double det = allreduce_ms(params, dist::Deterministic::On, 50);
        const double mpi = allreduce_ms(params, dist::Deterministic::Off, 50);
        const auto t0 = clock_type::now();
        model.fit(xgrad::Tensor(data.train.x), xgrad::Tensor(data.train.y), {.epochs = 1, .batch_size = 32, .verbose = 0, .seed = 1});
        const double epoch = std::chrono::duration<double>(clock_type::now() - t0).count();
        const double steps = std::ceil(60000.0 / (32.0 * comm.size()));
        if (dist::is_writer()) {
            std::printf("784-%s-10 (%zu params, %.2f MB of gradients): ranks %d, allreduce %.3f ms (rank order) / %.3f ms "
                        "(MPI_Allreduce), epoch %.3f s at batch 32 per rank = %.0f steps, %.3f ms/step, allreduce %.1f%% of a step\n",
                        hidden, params, params * 4.0 / 1e6, comm.size(), det, mpi, epoch, steps, 1e3 * epoch / steps,
                        comm.size() > 1 ? 100.0 * det / (1e3 * epoch / steps) : 0.0);
        }
    }
    return 0;
}
