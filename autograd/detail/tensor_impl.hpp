// A tensor's shared state (TensorImpl) and how tensors hold it: the ids, the
// per-thread pool of spare impls (ImplPool) and the intrusive reference (ImplRef).
// The public type over it is TensorOf (autograd/tensor.hpp).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <xtensor/xarray.hpp>

#include <xgrad/autograd/detail/array_cache.hpp>
#include <xgrad/autograd/detail/pool.hpp>
#include <xgrad/autograd/detail/thread_instance.hpp>
#include <xgrad/core/shape.hpp>

namespace xgrad {
namespace detail {

// Tensor ids: unique, increasing within a thread. Each thread takes them in
// blocks from one atomic counter (next_id_block), so a new tensor costs no
// atomic operation and no call.
std::uint64_t next_id_block();
inline thread_local std::uint64_t next_id = 0, end_id = 0;
inline std::uint64_t next_tensor_id()
{
    if (next_id == end_id) [[unlikely]] {
        next_id = next_id_block();
        end_id = next_id + 1024;
    }
    return next_id++;
}

// Tag of the TensorOf constructor that leaves the value uninitialized.
struct Uninitialized {};
// Throws Error for the use of an undefined tensor (kept out of line: accessors stay small).
[[noreturn, gnu::cold]] void throw_undefined_tensor();

// Whether every element of a tensor's value is finite, as recorded by the kernel
// that wrote the value (autograd/detail/finiteness.hpp); unknown unless one did.
enum class Finiteness : std::uint8_t { unknown, finite, non_finite };

// A tensor's shared state. Tensors hold it through ImplRef, a reference count
// inside the object (no separate control block). Small ones are not freed when
// their last reference goes: they wait on a per-thread list (ImplPool), value
// array and all, and the next tensor of the same shape takes them over, so a
// scalar op builds no xtensor array.
template <class T>
struct TensorImpl {
    explicit TensorImpl(xt::xarray<T>&& v) : value(std::move(v)), id(next_tensor_id()) {}
    // An uninitialized value of `shape`, built in place (on a recycled buffer when small).
    explicit TensorImpl(const Shape& shape) : value(new_array<T>(shape)), id(next_tensor_id()) {}
    ~TensorImpl() { recycle(value); }
    TensorImpl(const TensorImpl&) = delete;
    TensorImpl& operator=(const TensorImpl&) = delete;
    xt::xarray<T> value;
    std::uint64_t id;
    bool is_variable = false;
    bool trainable = false;
    Finiteness finiteness = Finiteness::unknown;  // never set on a variable (its value changes)
    std::string name;
    std::atomic<std::uint32_t> refs{1};
};

// Spare TensorImpls of this thread, kept with their value arrays for the next
// tensor of the same shape: tiny ones (at most kSmallElements elements) by
// element count, medium ones (at most kMediumElements) in hash buckets of
// their element count, up to kMediumBudget elements in all.
template <class T>
class ImplPool {
public:
    static constexpr std::size_t kMediumElements = 4096;
    static constexpr std::size_t kMediumBudget = std::size_t{1} << 18;  // 1 MiB of float32

    // This thread's pool; nullptr while the thread is exiting.
    static ImplPool* get();
    // A spare impl whose value has `shape` (renewed: a fresh id, no flags), or nullptr.
    TensorImpl<T>* take(const Shape& shape)
    {
        if (shape.empty()) {  // a scalar: any spare scalar fits, no shape to compare
            if (scalars_.empty()) return nullptr;
            return renew(pop(scalars_, scalars_.size() - 1), 1);
        }
        std::size_t n = 1;
        for (auto d : shape) n *= d;
        if (n == 0 || n > kMediumElements) return nullptr;
        auto& spare = list(n);
        // Look at the few most recently freed: the shapes a loop repeats.
        for (std::size_t k = spare.size(), seen = 0; k-- > 0 && seen < 8; ++seen) {
            if (spare[k]->value.shape() != shape) continue;
            return renew(pop(spare, k), n);
        }
        return nullptr;
    }
    // Keeps `p` (whose last reference is gone) when it has room; false: the caller frees it.
    bool give(TensorImpl<T>* p)
    {
        const std::size_t n = p->value.size();
        if (n == 0 || n > kMediumElements) return false;
        auto& spare = p->value.dimension() == 0 ? scalars_ : list(n);
        if (spare.size() == kPerList) return false;
        if (n > kSmallElements) {
            if (medium_elements_ + n > kMediumBudget) return false;
            medium_elements_ += n;
        }
        p->is_variable = false;
        p->trainable = false;
        p->finiteness = Finiteness::unknown;
        if (!p->name.empty()) p->name.clear();
        spare.push_back(p);
        return true;
    }
    ImplPool() = default;
    ~ImplPool();
    ImplPool(const ImplPool&) = delete;
    ImplPool& operator=(const ImplPool&) = delete;

private:
    static constexpr std::size_t kPerList = 64;
    static constexpr std::size_t kMediumLists = 32;
    // Removes spare[k] (the last one takes its place).
    static TensorImpl<T>* pop(std::vector<TensorImpl<T>*>& spare, std::size_t k)
    {
        TensorImpl<T>* p = spare[k];
        spare[k] = spare.back();
        spare.pop_back();
        return p;
    }
    // A spare impl of n elements made new: a fresh id, one reference.
    TensorImpl<T>* renew(TensorImpl<T>* p, std::size_t n)
    {
        if (n > kSmallElements) medium_elements_ -= n;
        p->id = next_tensor_id();
        p->refs.store(1, std::memory_order_relaxed);
        return p;
    }
    std::vector<TensorImpl<T>*>& list(std::size_t n)
    {
        if (n <= kSmallElements) return spare_[n];
        return spare_[kSmallElements + 1 + (n * 0x9E3779B97F4A7C15ull >> 40) % kMediumLists];
    }
    std::vector<TensorImpl<T>*> scalars_;  // rank 0, apart: the small graphs' common case
    std::array<std::vector<TensorImpl<T>*>, kSmallElements + 1 + kMediumLists> spare_;
    std::size_t medium_elements_ = 0;
};

template <class T>
ImplPool<T>* ImplPool<T>::get()
{
    return this_thread_instance<ImplPool<T>>();
}

template <class T>
void destroy_impl(TensorImpl<T>* p)
{
    p->~TensorImpl<T>();
    BlockPool<sizeof(TensorImpl<T>)>::deallocate(p);
}
template <class T, class Arg>
TensorImpl<T>* new_impl(Arg&& arg)
{
    static_assert(alignof(TensorImpl<T>) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__);
    void* mem = BlockPool<sizeof(TensorImpl<T>)>::allocate();
    try {
        return new (mem) TensorImpl<T>(std::forward<Arg>(arg));
    } catch (...) {
        BlockPool<sizeof(TensorImpl<T>)>::deallocate(mem);
        throw;
    }
}
// A TensorImpl of `shape` with an uninitialized value: a spare one when there is one
// (the new one's construction is kept out of line, off the path of the spare).
template <class T>
[[gnu::noinline]] TensorImpl<T>* new_unpooled_impl(const Shape& shape)
{
    return new_impl<T>(shape);
}
template <class T>
TensorImpl<T>* new_impl_of_shape(const Shape& shape)
{
    if (ImplPool<T>* pool = ImplPool<T>::get()) {
        if (TensorImpl<T>* p = pool->take(shape)) return p;
    }
    return new_unpooled_impl<T>(shape);
}

// An intrusive, thread-safe reference to a TensorImpl: copies share it; the
// last one gone hands it to this thread's ImplPool or frees it.
template <class T>
class ImplRef {
public:
    ImplRef() = default;
    explicit ImplRef(TensorImpl<T>* p) noexcept : p_(p) {}  // takes over the initial reference
    ImplRef(const ImplRef& o) noexcept : p_(o.p_)
    {
        if (p_) p_->refs.fetch_add(1, std::memory_order_relaxed);
    }
    ImplRef(ImplRef&& o) noexcept : p_(std::exchange(o.p_, nullptr)) {}
    ImplRef& operator=(const ImplRef& o) noexcept
    {
        ImplRef(o).swap(*this);
        return *this;
    }
    ImplRef& operator=(ImplRef&& o) noexcept
    {
        ImplRef(std::move(o)).swap(*this);
        return *this;
    }
    [[gnu::always_inline]] ~ImplRef() { release(); }
    void swap(ImplRef& o) noexcept { std::swap(p_, o.p_); }

    TensorImpl<T>* get() const noexcept { return p_; }
    TensorImpl<T>* operator->() const noexcept { return p_; }
    TensorImpl<T>& operator*() const noexcept { return *p_; }
    explicit operator bool() const noexcept { return p_ != nullptr; }
    friend bool operator==(const ImplRef& r, std::nullptr_t) noexcept { return r.p_ == nullptr; }

private:
    // Inline at every destruction: the count test; out of line: what the last one does.
    [[gnu::always_inline]] void release() noexcept
    {
        if (!p_) return;
        // The only reference (no other can be copied meanwhile): no atomic write needed.
        if (p_->refs.load(std::memory_order_acquire) != 1 &&
            p_->refs.fetch_sub(1, std::memory_order_acq_rel) != 1) {
            return;
        }
        recycle(std::exchange(p_, nullptr));
    }
    [[gnu::noinline]] static void recycle(TensorImpl<T>* p) noexcept
    {
        ImplPool<T>* pool = ImplPool<T>::get();
        if (!pool || !pool->give(p)) destroy_impl(p);
    }
    TensorImpl<T>* p_ = nullptr;
};

template <class T>
ImplPool<T>::~ImplPool()
{
    for (TensorImpl<T>* p : scalars_) destroy_impl(p);
    scalars_.clear();
    for (auto& spare : spare_) {
        for (TensorImpl<T>* p : spare) destroy_impl(p);
        spare.clear();
    }
}

}  // namespace detail

}  // namespace xgrad
