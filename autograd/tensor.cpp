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

namespace {
// Set when this thread's caches are destroyed: tensors that die later (static
// ones, at exit) free their buffers normally.
thread_local bool caches_gone = false;
template <class T>
struct CacheHolder {
    ArrayCache<T> cache;
    ~CacheHolder() { caches_gone = true; }
};
}  // namespace

template <class T>
ArrayCache<T>* ArrayCache<T>::get()
{
    if (caches_gone) return nullptr;
    thread_local CacheHolder<T> holder;
    return &holder.cache;
}
template class ImplPool<float>;
template class ImplPool<double>;
template class ArrayCache<float>;
template class ArrayCache<double>;

}  // namespace xgrad::detail
