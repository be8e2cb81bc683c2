#include <xgrad/autograd/tensor.hpp>

#include <atomic>

namespace xgrad::detail {

std::uint64_t next_tensor_id()
{
    // Each thread takes ids in blocks: unique, increasing within a thread, and
    // without an atomic operation per tensor.
    constexpr std::uint64_t block = 1024;
    static std::atomic<std::uint64_t> counter{1};
    thread_local std::uint64_t next = 0, end = 0;
    if (next == end) {
        next = counter.fetch_add(block, std::memory_order_relaxed);
        end = next + block;
    }
    return next++;
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
template <class T>
ImplPool<T>* ImplPool<T>::get()
{
    thread_local bool gone = false;
    struct Holder {
        ImplPool<T> pool;
        bool* gone;
        ~Holder() { *gone = true; }
    };
    if (gone) return nullptr;
    thread_local Holder holder{{}, &gone};
    return &holder.pool;
}
template class ImplPool<float>;
template class ImplPool<double>;
template class ArrayCache<float>;
template class ArrayCache<double>;

}  // namespace xgrad::detail
