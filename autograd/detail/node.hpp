// One recorded operation on a tape: which tensors went in, which came out, and
// the closure that maps the output's gradient to the inputs' gradients.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstddef>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

#include <xgrad/autograd/tensor.hpp>

namespace xgrad::detail {

// The gradients a backward closure returns, one per input in input order (an
// undefined tensor for an input that gets none). Up to kInline of them live
// inline: most ops have one or two inputs, and a reverse pass makes one of
// these per node. `Gradients<T>{dx, dy}` moves its arguments in; a closure
// that builds a std::vector may return it (it is moved in too).
template <class T>
class Gradients {
public:
    static constexpr std::size_t kInline = 3;

    Gradients() = default;
    template <class... A>
        requires(sizeof...(A) > 0 && (std::is_convertible_v<A &&, TensorOf<T>> && ...))
    [[gnu::always_inline]] Gradients(A&&... grads)
    {
        if constexpr (sizeof...(A) > kInline) heap_.reserve(sizeof...(A));
        (push_back(TensorOf<T>(std::forward<A>(grads))), ...);
    }
    Gradients(std::vector<TensorOf<T>>&& grads)
    {
        if (grads.size() > kInline) {
            heap_ = std::move(grads);
            size_ = heap_.size();
            return;
        }
        for (auto& g : grads) push_back(std::move(g));
    }
    Gradients(const std::vector<TensorOf<T>>& grads) : Gradients(std::vector<TensorOf<T>>(grads)) {}

    std::size_t size() const { return size_; }
    const TensorOf<T>& operator[](std::size_t i) const { return data()[i]; }
    // Moves gradient i out (the reverse pass hands it on without a copy).
    TensorOf<T> take(std::size_t i) { return std::move(const_cast<TensorOf<T>&>(data()[i])); }
    const TensorOf<T>* begin() const { return data(); }
    const TensorOf<T>* end() const { return data() + size_; }

private:
    const TensorOf<T>* data() const { return heap_.empty() ? inline_.data() : heap_.data(); }
    [[gnu::always_inline]] void push_back(TensorOf<T>&& g)
    {
        if (heap_.empty() && size_ < kInline) inline_[size_++] = std::move(g);
        else push_back_heap(std::move(g));
    }
    [[gnu::noinline]] void push_back_heap(TensorOf<T>&& g)
    {
        if (heap_.empty()) {
            heap_.reserve(2 * kInline);
            for (auto& x : inline_) heap_.push_back(std::move(x));
        }
        heap_.push_back(std::move(g));
        ++size_;
    }

    std::array<TensorOf<T>, kInline> inline_{};
    std::vector<TensorOf<T>> heap_;
    std::size_t size_ = 0;
};

// A backward closure: maps the output's gradient to the inputs' gradients.
// Written with differentiable ops, so an outer tape records it (higher-order
// gradients). A move-only std::function whose captures (a few tensors and
// numbers) live inline, so recording an op allocates no closure; larger
// captures go to the heap.
// Ops capture as `[x = x]`, not `[x]`: a plain capture of a `const TensorOf&`
// parameter is a const member, which the closure's move into the buffer would
// copy (an atomic increment and decrement per tensor per op).
template <class T>
class BackwardFn {
public:
    BackwardFn() = default;
    template <class F>
        requires(!std::is_same_v<std::remove_cvref_t<F>, BackwardFn> &&
                 std::is_invocable_v<F&, const TensorOf<T>&>)
    BackwardFn(F&& f)
    {
        using Fn = std::remove_cvref_t<F>;
        if constexpr (sizeof(Fn) <= kInline && alignof(Fn) <= alignof(std::max_align_t) &&
                      std::is_nothrow_move_constructible_v<Fn>) {
            new (buffer_) Fn(std::forward<F>(f));
            ops_ = &inline_ops<Fn>;
        } else {
            *reinterpret_cast<Fn**>(buffer_) = new Fn(std::forward<F>(f));
            ops_ = &heap_ops<Fn>;
        }
    }
    BackwardFn(BackwardFn&& other) noexcept { take(other); }
    BackwardFn& operator=(BackwardFn&& other) noexcept
    {
        if (this != &other) {
            reset();
            take(other);
        }
        return *this;
    }
    BackwardFn(const BackwardFn&) = delete;
    BackwardFn& operator=(const BackwardFn&) = delete;
    ~BackwardFn() { reset(); }

    explicit operator bool() const { return ops_ != nullptr; }
    Gradients<T> operator()(const TensorOf<T>& grad) const { return ops_->call(buffer_, grad); }

private:
    static constexpr std::size_t kInline = 128;  // reduce_sum's closure (a shape and an axis list) takes 128
    struct Ops {
        Gradients<T> (*call)(const unsigned char* buffer, const TensorOf<T>& grad);
        void (*move)(unsigned char* from, unsigned char* to);  // and destroys `from`
        void (*destroy)(unsigned char* buffer);
    };
    template <class Fn>
    static constexpr Ops inline_ops{
        [](const unsigned char* b, const TensorOf<T>& g) -> Gradients<T> {
            return (*std::launder(reinterpret_cast<Fn*>(const_cast<unsigned char*>(b))))(g);
        },
        [](unsigned char* from, unsigned char* to) {
            Fn* f = std::launder(reinterpret_cast<Fn*>(from));
            new (to) Fn(std::move(*f));
            f->~Fn();
        },
        [](unsigned char* b) { std::launder(reinterpret_cast<Fn*>(b))->~Fn(); }};
    template <class Fn>
    static constexpr Ops heap_ops{
        [](const unsigned char* b, const TensorOf<T>& g) -> Gradients<T> {
            return (**reinterpret_cast<Fn* const*>(b))(g);
        },
        [](unsigned char* from, unsigned char* to) { *reinterpret_cast<Fn**>(to) = *reinterpret_cast<Fn**>(from); },
        [](unsigned char* b) { delete *reinterpret_cast<Fn**>(b); }};

    void take(BackwardFn& other) noexcept
    {
        if (other.ops_) other.ops_->move(other.buffer_, buffer_);
        ops_ = std::exchange(other.ops_, nullptr);
    }
    void reset() noexcept
    {
        if (ops_) std::exchange(ops_, nullptr)->destroy(buffer_);
    }

    alignas(std::max_align_t) mutable unsigned char buffer_[kInline];
    const Ops* ops_ = nullptr;
};

// A vector whose first N elements live inline (no allocation); past N all of
// them move to the heap. Contiguous either way. The inline room is raw storage:
// only the elements pushed are constructed (and destroyed), so an unused
// SmallVector of 16 tensors costs nothing to create.
template <class V, std::size_t N>
class SmallVector {
public:
    SmallVector() = default;
    SmallVector(const SmallVector&) = delete;
    SmallVector& operator=(const SmallVector&) = delete;
    ~SmallVector() { destroy_inline(); }

    void reserve(std::size_t n)
    {
        if (n > N) heap_.reserve(n);
    }
    // Inline while the elements fit; the spill to the heap is out of line.
    [[gnu::always_inline]] void push_back(const V& v)
    {
        if (size_ < N) {
            new (raw_slot(size_)) V(v);
            ++size_;
        } else {
            push_back_heap(V(v));
        }
    }
    [[gnu::always_inline]] void push_back(V&& v)
    {
        if (size_ < N) {
            new (raw_slot(size_)) V(std::move(v));
            ++size_;
        } else {
            push_back_heap(std::move(v));
        }
    }
    // Destroys the elements.
    void clear()
    {
        destroy_inline();
        heap_.clear();
        size_ = 0;
    }
    bool empty() const { return size_ == 0; }
    // Makes an empty vector hold n copies of v.
    void assign(std::size_t n, const V& v)
    {
        if (n <= N) std::uninitialized_fill_n(raw_slot(0), n, v);
        else heap_.assign(n, v);
        size_ = n;
    }
    std::size_t size() const { return size_; }
    const V* data() const { return size_ <= N ? inline_data() : heap_.data(); }
    V* data() { return size_ <= N ? inline_data() : heap_.data(); }
    const V* begin() const { return data(); }
    const V* end() const { return data() + size_; }
    V* begin() { return data(); }
    V* end() { return data() + size_; }
    const V& operator[](std::size_t i) const { return data()[i]; }
    V& operator[](std::size_t i) { return data()[i]; }

private:
    // Where element i is to be built (no object there yet, so not laundered).
    V* raw_slot(std::size_t i) { return reinterpret_cast<V*>(inline_) + i; }
    // The inline elements that exist.
    V* inline_data() { return std::launder(reinterpret_cast<V*>(inline_)); }
    const V* inline_data() const { return std::launder(reinterpret_cast<const V*>(inline_)); }
    // The inline elements, while they are the ones in use (past N they moved to the heap).
    void destroy_inline()
    {
        if (size_ <= N) std::destroy_n(inline_data(), size_);
    }
    [[gnu::noinline]] void push_back_heap(V&& v)
    {
        if (size_ == N && std::is_nothrow_move_constructible_v<V> && heap_.capacity() > N) {
            // reserve() made room: the elements move into it and cannot throw.
            for (std::size_t i = 0; i < N; ++i) heap_.push_back(std::move(inline_data()[i]));
            std::destroy_n(inline_data(), N);
            heap_.push_back(std::move(v));
        } else if (size_ == N) {
            // Into a new vector first: should an allocation throw, the inline elements are still ours.
            std::vector<V> moved;
            moved.reserve(std::max(2 * N, heap_.capacity()));
            for (std::size_t i = 0; i < N; ++i) moved.push_back(std::move(inline_data()[i]));
            moved.push_back(std::move(v));
            std::destroy_n(inline_data(), N);
            heap_ = std::move(moved);
        } else {
            heap_.push_back(std::move(v));
        }
        ++size_;
    }

    alignas(V) unsigned char inline_[N * sizeof(V)];
    std::vector<V> heap_;
    std::size_t size_ = 0;
};

// Most ops have one or two inputs: kept inline, without an allocation.
template <class T>
struct Node {
    template <class MakeBackward>
    Node(const char* op_name, std::uint64_t output_id, const Where& recorded_at, MakeBackward&& make_backward)
        : op(op_name), output(output_id), where(recorded_at), backward(make_backward())
    {
    }
    const char* op;
    SmallVector<std::uint64_t, 3> inputs;  // 3: linear's x, kernel and bias
    SmallVector<Shape, 3> input_shapes;
    std::uint64_t output;
    Where where;
    BackwardFn<T> backward;
};

}  // namespace xgrad::detail
