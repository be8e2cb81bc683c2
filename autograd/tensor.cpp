#include <xgrad/autograd/tensor.hpp>

#include <atomic>

namespace xgrad::detail {

std::uint64_t next_tensor_id()
{
    static std::atomic<std::uint64_t> counter{1};
    return counter.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace xgrad::detail
