// IdIndex: tensor id -> small integer, an open-addressing hash table in one
// flat array (no allocation per entry, unlike std::unordered_map). Tapes use it
// as the set of tensors they track and, in the reverse pass, to find each
// tensor's gradient slot. Ids are never 0, which marks an empty slot.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <utility>
#include <vector>

#include <xgrad/autograd/detail/thread_instance.hpp>

namespace xgrad::detail {

class IdIndex {
public:
    static constexpr std::uint32_t npos = ~std::uint32_t{0};

    IdIndex() = default;
    IdIndex(const IdIndex&) = delete;
    IdIndex& operator=(const IdIndex&) = delete;
    ~IdIndex() { give_back(std::move(heap_)); }

    // The index stored for `id`, or npos.
    std::uint32_t find(std::uint64_t id) const
    {
        for (std::size_t i = home(id);; i = (i + 1) & mask()) {
            if (slots_[i].id == id) return slots_[i].index;
            if (slots_[i].id == 0) return npos;
        }
    }
    bool contains(std::uint64_t id) const { return find(id) != npos; }

    // Stores `index` for `id` unless it is there: {the stored index, whether it was inserted}.
    std::pair<std::uint32_t, bool> insert(std::uint64_t id, std::uint32_t index = 0)
    {
        if (2 * (size_ + 1) > capacity_) grow();
        for (std::size_t i = home(id);; i = (i + 1) & mask()) {
            if (slots_[i].id == id) return {slots_[i].index, false};
            if (slots_[i].id == 0) {
                slots_[i] = {id, index};
                ++size_;
                return {index, true};
            }
        }
    }

    std::size_t size() const { return size_; }
    // Room for n entries without growing (one table of the final size, not a rehash per doubling).
    void reserve(std::size_t n)
    {
        std::size_t capacity = capacity_;
        while (2 * n > capacity) capacity *= 2;
        if (capacity != capacity_) rehash_into(capacity);
    }
    void clear()
    {
        give_back(std::move(heap_));
        heap_ = {};
        inline_.fill(Slot{});
        slots_ = inline_.data();
        capacity_ = kInline;
        size_ = 0;
    }

private:
    struct Slot {
        std::uint64_t id = 0;
        std::uint32_t index = 0;
    };
    // A tape of a few ops needs no allocation.
    static constexpr std::size_t kInline = 16;

    std::size_t mask() const { return capacity_ - 1; }
    // Fibonacci hashing: consecutive ids spread over the table.
    std::size_t home(std::uint64_t id) const { return (id * 0x9E3779B97F4A7C15ull >> 20) & mask(); }
    // Tables that outgrew the inline slots, kept per thread for the next tape
    // (a reverse pass of a few dozen ops would otherwise allocate each time).
    struct Spares {
        std::vector<std::vector<Slot>> tables;
    };
    static Spares* spares() { return this_thread_instance<Spares>(); }
    static std::vector<Slot> take_table(std::size_t n)
    {
        if (Spares* s = spares()) {
            auto& tables = s->tables;
            for (std::size_t i = 0; i < tables.size(); ++i) {
                if (tables[i].size() != n) continue;
                std::vector<Slot> out = std::move(tables[i]);
                if (i + 1 != tables.size()) tables[i] = std::move(tables.back());
                tables.pop_back();
                std::fill(out.begin(), out.end(), Slot{});
                return out;
            }
        }
        return std::vector<Slot>(n);
    }
    static void give_back(std::vector<Slot>&& table)
    {
        if (table.empty()) return;
        Spares* s = spares();
        if (s && s->tables.size() < 8 && table.size() <= (std::size_t{1} << 16)) s->tables.push_back(std::move(table));
    }
    void grow() { rehash_into(2 * capacity_); }
    void rehash_into(std::size_t capacity)
    {
        std::vector<Slot> next = take_table(capacity);
        const Slot* old = slots_;
        const std::size_t old_capacity = slots_ == inline_.data() ? kInline : heap_.size();
        std::vector<Slot> keep = std::move(heap_);  // owns `old` when it is on the heap
        heap_ = std::move(next);
        slots_ = heap_.data();
        capacity_ = heap_.size();
        size_ = 0;
        for (std::size_t i = 0; i < old_capacity; ++i) {
            if (old[i].id != 0) insert(old[i].id, old[i].index);
        }
        give_back(std::move(keep));
    }

    std::array<Slot, kInline> inline_{};
    std::vector<Slot> heap_;
    Slot* slots_ = inline_.data();  // capacity_ slots: a power of two, at most half full
    std::size_t capacity_ = kInline;
    std::size_t size_ = 0;
};

}  // namespace xgrad::detail
