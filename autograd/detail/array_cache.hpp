// Buffers of small arrays, recycled per thread. A tiny tensor op's cost is
// dominated by the allocator: xt::xarray asks for a 64-byte aligned block
// (posix_memalign, which glibc serves from its arena, never from its
// per-thread cache). A tensor of at most kSmallElements elements gives its
// buffer back here when it dies, and new_array() reuses it.
#pragma once

#include <array>
#include <cstddef>
#include <vector>

#include <xtensor/xarray.hpp>
#include <xtensor/xstrides.hpp>

#include <xgrad/autograd/detail/thread_instance.hpp>
#include <xgrad/core/shape.hpp>

namespace xgrad::detail {

// Arrays of at most this many elements recycle their buffers.
inline constexpr std::size_t kSmallElements = 16;

template <class T>
class ArrayCache {
public:
    using Storage = typename xt::xarray<T>::storage_type;
    // At most this many spare buffers of each size (the rest go back to the allocator).
    static constexpr std::size_t kPerSize = 64;

    // This thread's cache; nullptr while the thread is exiting.
    static ArrayCache* get() { return this_thread_instance<ArrayCache>(); }

    // A buffer of n elements (n <= kSmallElements), recycled when possible.
    Storage take(std::size_t n)
    {
        auto& spare = spare_[n];
        if (spare.empty()) return Storage(n);
        Storage s = std::move(spare.back());
        spare.pop_back();
        return s;
    }
    void give(Storage&& s)
    {
        auto& spare = spare_[s.size()];
        if (spare.size() < kPerSize) spare.push_back(std::move(s));
    }

private:
    std::array<std::vector<Storage>, kSmallElements + 1> spare_;
};

// An uninitialized array of `shape`, on a recycled buffer when it is small.
template <class T>
xt::xarray<T> new_array(const typename xt::xarray<T>::shape_type& shape)
{
    const std::size_t n = num_elements(shape, "tensor");
    ArrayCache<T>* cache = n != 0 && n <= kSmallElements ? ArrayCache<T>::get() : nullptr;
    if (!cache) return xt::xarray<T>::from_shape(shape);
    typename xt::xarray<T>::inner_strides_type strides(shape.size(), 0);
    xt::compute_strides(shape, xt::layout_type::row_major, strides);
    auto s = shape;
    return xt::xarray<T>(cache->take(n), std::move(s), std::move(strides));
}

// Hands a dying array's buffer to the cache when it is small.
template <class T>
void recycle(xt::xarray<T>& a)
{
    const std::size_t n = a.storage().size();
    if (n == 0 || n > kSmallElements) return;
    if (ArrayCache<T>* cache = ArrayCache<T>::get()) cache->give(std::move(a.storage()));
}

}  // namespace xgrad::detail
