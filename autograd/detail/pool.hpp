// PoolAllocator: per-thread free lists of fixed-size blocks for the objects
// every op allocates and frees again within a step (a tensor's shared state,
// a tape node). glibc keeps only 7 spare blocks of a size per thread; a tape
// step frees dozens at once, and the rest take its slow path.
//   std::allocate_shared<Node<T>>(PoolAllocator<Node<T>>{})
#pragma once

#include <cstddef>
#include <memory>
#include <new>

#include <xgrad/autograd/detail/thread_instance.hpp>

namespace xgrad::detail {

template <std::size_t Size>
class BlockPool {
public:
    static void* allocate()
    {
        if (BlockPool* pool = get(); pool && pool->head_) {
            Block* b = pool->head_;
            pool->head_ = b->next;
            --pool->count_;
            return b;
        }
        return ::operator new(Size);
    }
    static void deallocate(void* p)
    {
        BlockPool* pool = get();
        if (!pool || pool->count_ == kMaxSpare) {
            ::operator delete(p);
            return;
        }
        pool->head_ = new (p) Block{pool->head_};
        ++pool->count_;
    }

    BlockPool() = default;
    BlockPool(const BlockPool&) = delete;
    BlockPool& operator=(const BlockPool&) = delete;
    ~BlockPool()
    {
        // get() answers nullptr from now on: blocks freed later (at thread exit) go to the allocator.
        while (head_) {
            Block* next = head_->next;
            ::operator delete(head_);
            head_ = next;
        }
    }

private:
    static constexpr std::size_t kMaxSpare = 256;
    struct Block {
        Block* next;
    };
    static_assert(Size >= sizeof(Block));

    // This thread's pool; nullptr once it is destroyed.
    static BlockPool* get() { return this_thread_instance<BlockPool>(); }

    Block* head_ = nullptr;
    std::size_t count_ = 0;
};

template <class U>
struct PoolAllocator {
    static_assert(alignof(U) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__);
    using value_type = U;
    PoolAllocator() = default;
    template <class V>
    PoolAllocator(const PoolAllocator<V>&) noexcept {}

    U* allocate(std::size_t n)
    {
        if (n != 1) return std::allocator<U>().allocate(n);
        return static_cast<U*>(BlockPool<sizeof(U)>::allocate());
    }
    void deallocate(U* p, std::size_t n)
    {
        if (n != 1) std::allocator<U>().deallocate(p, n);
        else BlockPool<sizeof(U)>::deallocate(p);
    }
    template <class V>
    bool operator==(const PoolAllocator<V>&) const noexcept { return true; }
};

}  // namespace xgrad::detail
