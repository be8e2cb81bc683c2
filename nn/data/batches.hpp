// Mini-batches of rows: batch b holds rows order[b*size .. (b+1)*size) of x
// and y (the last batch may be smaller). With shuffle, `order` is a fresh
// permutation per epoch from a Generator seeded with `seed` (so epoch e of a
// run is the same every time); without, rows come in order.
//   xgrad::nn::BatchIterator batches(x, y, 32, true, 42);
//   for (std::size_t b = 0; b < batches.size(); ++b) { auto [xb, yb] = batches.batch(b); ... }
//   batches.next_epoch();   // reshuffles
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include <xgrad/autograd/tensor.hpp>
#include <xgrad/core/random.hpp>

namespace xgrad::nn {

// Copies rows x[indices[i]] into a new array (any rank; rows along axis 0).
xt::xarray<float> take_rows(const xt::xarray<float>& x, const std::size_t* indices, std::size_t count);

class BatchIterator {
public:
    // x and y must have the same number of rows (ShapeError otherwise); batch_size > 0.
    BatchIterator(Tensor x, Tensor y, std::size_t batch_size, bool shuffle = true, std::uint64_t seed = 0);

    // Batches per epoch: ceil(rows / batch_size).
    std::size_t size() const { return (rows_ + batch_size_ - 1) / batch_size_; }
    std::size_t rows() const { return rows_; }
    // Batch b of the current epoch (x rows, y rows).
    std::pair<Tensor, Tensor> batch(std::size_t b) const;
    // Batch b's rows of t, another tensor with as many rows (a second input of the model).
    Tensor rows_of(const Tensor& t, std::size_t b) const;
    // Starts a new epoch: a new permutation when shuffling.
    void next_epoch();
    const std::vector<std::size_t>& order() const { return order_; }

private:
    Tensor x_, y_;
    std::size_t rows_, batch_size_;
    bool shuffle_;
    Generator gen_;
    std::vector<std::size_t> order_;
};

}  // namespace xgrad::nn
