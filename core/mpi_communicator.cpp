// The Open MPI communicator and Session (compiled when XGRAD_WITH_MPI is on).
#include <xgrad/core/communicator.hpp>

#include <cstdlib>
#include <iostream>
#include <vector>

#include <xgrad/core/error.hpp>

#ifdef XGRAD_HAVE_MPI
#include <mpi.h>
#endif

namespace xgrad::distributed {
namespace detail {
Communicator*& current();
}

#ifdef XGRAD_HAVE_MPI
namespace {
template <class T>
MPI_Datatype mpi_type();
template <>
MPI_Datatype mpi_type<float>() { return MPI_FLOAT; }
template <>
MPI_Datatype mpi_type<double>() { return MPI_DOUBLE; }

void check(int rc, const char* what)
{
    if (rc != MPI_SUCCESS) throw Error(xgrad::detail::cat("distributed: ", what, " failed (MPI error ", rc, ")"));
}

class Mpi final : public Communicator {
public:
    Mpi()
    {
        check(MPI_Comm_rank(MPI_COMM_WORLD, &rank_), "MPI_Comm_rank");
        check(MPI_Comm_size(MPI_COMM_WORLD, &size_), "MPI_Comm_size");
    }
    int rank() const override { return rank_; }
    int size() const override { return size_; }
    void barrier() override { check(MPI_Barrier(MPI_COMM_WORLD), "MPI_Barrier"); }
    void broadcast(float* data, std::size_t n, int root) override { bcast(data, n, root); }
    void broadcast(double* data, std::size_t n, int root) override { bcast(data, n, root); }
    void allreduce_sum(float* data, std::size_t n) override { sum(data, n); }
    void allreduce_sum(double* data, std::size_t n) override { sum(data, n); }
    [[noreturn]] void abort(const std::string& message, int code) override
    {
        // One write, so that other ranks' output does not cut through the line.
        std::cerr << xgrad::detail::cat("xgrad: rank ", rank_, " of ", size_, ": ", message, "\n") << std::flush;
        MPI_Abort(MPI_COMM_WORLD, code);
        std::exit(code);
    }
    std::string name() const override { return "Open MPI"; }

private:
    // MPI counts are int: large buffers go in pieces.
    static constexpr std::size_t chunk = std::size_t(1) << 30;

    template <class T>
    void bcast(T* data, std::size_t n, int root)
    {
        for (std::size_t off = 0; off < n; off += chunk) {
            check(MPI_Bcast(data + off, static_cast<int>(std::min(chunk, n - off)), mpi_type<T>(), root, MPI_COMM_WORLD),
                  "MPI_Bcast");
        }
    }

    template <class T>
    void sum(T* data, std::size_t n)
    {
        if (size_ == 1 || n == 0) return;
        if (deterministic() == Deterministic::Off) {
            for (std::size_t off = 0; off < n; off += chunk) {
                check(MPI_Allreduce(MPI_IN_PLACE, data + off, static_cast<int>(std::min(chunk, n - off)), mpi_type<T>(),
                                    MPI_SUM, MPI_COMM_WORLD),
                      "MPI_Allreduce");
            }
            return;
        }
        // Rank order: rank 0 receives every buffer and adds them 1, 2, ..., N-1 into its own.
        for (std::size_t off = 0; off < n; off += chunk) {
            const int count = static_cast<int>(std::min(chunk, n - off));
            if (rank_ == 0) {
                std::vector<T> incoming(static_cast<std::size_t>(count));
                for (int r = 1; r < size_; ++r) {
                    check(MPI_Recv(incoming.data(), count, mpi_type<T>(), r, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE),
                          "MPI_Recv");
                    T* d = data + off;
                    for (int i = 0; i < count; ++i) d[i] = d[i] + incoming[static_cast<std::size_t>(i)];
                }
            } else {
                check(MPI_Send(data + off, count, mpi_type<T>(), 0, 0, MPI_COMM_WORLD), "MPI_Send");
            }
        }
        bcast(data, n, 0);
    }

    int rank_ = 0, size_ = 1;
};

bool launched_by_mpirun()
{
    for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK"})
        if (std::getenv(v)) return true;
    return false;
}
}  // namespace

bool built_with_mpi() { return true; }

Session::Session(int& argc, char**& argv, Deterministic deterministic) : Session(&argc, &argv, deterministic) {}

Session::Session(Deterministic deterministic) : Session(nullptr, nullptr, deterministic) {}

Session::Session(int* argc, char*** argv, Deterministic deterministic)
{
    if (!launched_by_mpirun()) return;
    int started = 0;
    MPI_Initialized(&started);
    if (!started) check(MPI_Init(argc, argv), "MPI_Init");
    comm_ = std::make_unique<Mpi>();
    comm_->set_deterministic(deterministic);
    detail::current() = comm_.get();
}

Session::~Session()
{
    if (!comm_) return;
    detail::current() = nullptr;
    comm_.reset();
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (!finalized) MPI_Finalize();
}
#else
bool built_with_mpi() { return false; }

Session::Session(int& argc, char**& argv, Deterministic deterministic) : Session(&argc, &argv, deterministic) {}
Session::Session(Deterministic deterministic) : Session(nullptr, nullptr, deterministic) {}
Session::Session(int*, char***, Deterministic deterministic) { world().set_deterministic(deterministic); }
Session::~Session() = default;
#endif

}  // namespace xgrad::distributed
