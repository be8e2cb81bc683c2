// Data-parallel communication (xgrad::distributed): one interface with a
// single-process implementation and, when built with MPI (XGRAD_WITH_MPI), an
// Open MPI one. Code written against it runs unchanged without mpirun.
//   int main(int argc, char** argv) {
//       xgrad::distributed::Session session(argc, argv);   // MPI_Init .. MPI_Finalize under mpirun
//       auto& comm = xgrad::distributed::world();           // rank(), size(), allreduce_sum(...)
//   }
// Sums are deterministic by default: every rank's buffer is summed in rank order
// (0, 1, ..., N-1) on rank 0 and the result broadcast, so every rank gets the
// same bits whatever MPI's reduction tree. Deterministic::Off uses MPI_Allreduce.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

namespace xgrad::distributed {

enum class Deterministic { On, Off };

class Communicator {
public:
    virtual ~Communicator() = default;
    virtual int rank() const = 0;
    virtual int size() const = 0;
    virtual void barrier() = 0;
    // data (n values) on every rank becomes root's.
    virtual void broadcast(float* data, std::size_t n, int root) = 0;
    virtual void broadcast(double* data, std::size_t n, int root) = 0;
    // data becomes the sum over the ranks, the same bits on every rank (in rank order when deterministic).
    virtual void allreduce_sum(float* data, std::size_t n) = 0;
    virtual void allreduce_sum(double* data, std::size_t n) = 0;
    // Ends the whole job with `message` from this rank (MPI_Abort); never returns.
    [[noreturn]] virtual void abort(const std::string& message, int code = 1) = 0;
    // What the implementation is: "single process" or "Open MPI".
    virtual std::string name() const = 0;
    Deterministic deterministic() const { return deterministic_; }
    void set_deterministic(Deterministic d) { deterministic_ = d; }

private:
    Deterministic deterministic_ = Deterministic::On;
};

// The communicator of this process: the single-process one unless a Session started MPI.
Communicator& world();
// True when more than one rank takes part.
inline bool active() { return world().size() > 1; }
// Only rank 0 prints progress and writes files.
inline bool is_writer() { return world().rank() == 0; }
// True when this build of xgrad has the MPI implementation.
bool built_with_mpi();

// Starts MPI when the process was launched by mpirun (and the build has MPI) and
// makes it world(); finalizes at the end of scope. Without mpirun: one process.
class Session {
public:
    Session(int& argc, char**& argv, Deterministic deterministic = Deterministic::On);
    // Without the command line (MPI_Init(nullptr, nullptr)).
    explicit Session(Deterministic deterministic = Deterministic::On);
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

private:
    Session(int* argc, char*** argv, Deterministic deterministic);
    std::unique_ptr<Communicator> comm_;
};

// Runs `body`; an exception on any rank of a multi-rank job ends the whole job with
// that rank's message (MPI_Abort) instead of leaving the others waiting.
template <class F>
decltype(auto) abort_on_error(F&& body)
{
    try {
        return body();
    } catch (const std::exception& e) {
        if (!active()) throw;
        world().abort(e.what());
    }
    __builtin_unreachable();  // abort() does not return
}

}  // namespace xgrad::distributed
