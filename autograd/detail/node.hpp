// One recorded operation on a tape: which tensors went in, which came out, and
// the closure that maps the output's gradient to the inputs' gradients.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <vector>

#include <xgrad/autograd/tensor.hpp>

namespace xgrad::detail {

// Returns one gradient per input, in input order; an undefined tensor for an
// input that gets none. Written with differentiable ops, so an outer tape
// records it (higher-order gradients).
template <class T>
using BackwardFn = std::function<std::vector<TensorOf<T>>(const TensorOf<T>& grad)>;

// A vector whose first N elements live inline (no allocation); past N all of
// them move to the heap. Contiguous either way.
template <class V, std::size_t N>
class SmallVector {
public:
    void reserve(std::size_t n)
    {
        if (n > N) heap_.reserve(n);
    }
    void push_back(const V& v)
    {
        if (size_ < N) {
            inline_[size_++] = v;
            return;
        }
        if (size_ == N) {
            heap_.reserve(N + 1);
            for (auto& x : inline_) heap_.push_back(std::move(x));
        }
        heap_.push_back(v);
        ++size_;
    }
    std::size_t size() const { return size_; }
    const V* data() const { return size_ <= N ? inline_.data() : heap_.data(); }
    const V* begin() const { return data(); }
    const V* end() const { return data() + size_; }
    const V& operator[](std::size_t i) const { return data()[i]; }
    V& operator[](std::size_t i) { return const_cast<V*>(data())[i]; }

private:
    std::array<V, N> inline_{};
    std::vector<V> heap_;
    std::size_t size_ = 0;
};

// Most ops have one or two inputs: kept inline, without an allocation.
template <class T>
struct Node {
    const char* op;
    SmallVector<std::uint64_t, 2> inputs;
    SmallVector<Shape, 2> input_shapes;
    std::uint64_t output;
    Where where;
    BackwardFn<T> backward;
};

}  // namespace xgrad::detail
