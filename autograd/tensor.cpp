#include <xgrad/autograd/tensor.hpp>

#include <atomic>

namespace xgrad::detail {

void throw_undefined_tensor()
{
    throw Error("tensor: use of an undefined tensor (a gradient that was None?)");
}

std::uint64_t next_id_block()
{
    static std::atomic<std::uint64_t> counter{1};  // 0 is no id (IdIndex's empty slot)
    return counter.fetch_add(1024, std::memory_order_relaxed);
}

template class ImplPool<float>;
template class ImplPool<double>;
template class ArrayCache<float>;
template class ArrayCache<double>;

}  // namespace xgrad::detail
