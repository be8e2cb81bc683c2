#include <xgrad/nn/data/batches.hpp>

#include <cstring>
#include <numeric>

namespace xgrad::nn {

xt::xarray<float> take_rows(const xt::xarray<float>& x, const std::size_t* indices, std::size_t count)
{
    Shape shape = x.shape();
    const std::size_t width = shape[0] ? x.size() / shape[0] : 0;
    shape[0] = count;
    xt::xarray<float> out = xt::xarray<float>::from_shape(shape);
    for (std::size_t i = 0; i < count; ++i)
        std::memcpy(out.data() + i * width, x.data() + indices[i] * width, width * sizeof(float));
    return out;
}

BatchIterator::BatchIterator(Tensor x, Tensor y, std::size_t batch_size, bool shuffle, std::uint64_t seed)
    : x_(std::move(x)), y_(std::move(y)), batch_size_(batch_size), shuffle_(shuffle), gen_(seed)
{
    if (x_.rank() == 0 || y_.rank() == 0) {
        throw ShapeError(detail::cat("BatchIterator: x and y need a first (sample) axis, got shapes ",
                                     to_string(x_.shape()), " and ", to_string(y_.shape())));
    }
    rows_ = x_.shape()[0];
    if (y_.shape()[0] != rows_) {
        throw ShapeError(detail::cat("BatchIterator: x has ", rows_, " samples (shape ", to_string(x_.shape()),
                                     ") but y has ", y_.shape()[0], " (shape ", to_string(y_.shape()), ")"));
    }
    if (batch_size_ == 0) throw ValueError("BatchIterator: argument 'batch_size' must be positive, got 0");
    if (rows_ == 0) throw ValueError("BatchIterator: x has no samples");
    order_.resize(rows_);
    std::iota(order_.begin(), order_.end(), std::size_t{0});
    if (shuffle_) order_ = gen_.permutation(rows_);
}

std::pair<Tensor, Tensor> BatchIterator::batch(std::size_t b) const
{
    if (b >= size()) {
        throw ValueError(detail::cat("BatchIterator: batch ", b, " is out of range (", size(), " batches)"));
    }
    const std::size_t begin = b * batch_size_;
    const std::size_t count = std::min(batch_size_, rows_ - begin);
    return {Tensor(take_rows(x_.value(), order_.data() + begin, count)),
            Tensor(take_rows(y_.value(), order_.data() + begin, count))};
}

Tensor BatchIterator::rows_of(const Tensor& t, std::size_t b) const
{
    if (b >= size()) {
        throw ValueError(detail::cat("BatchIterator: batch ", b, " is out of range (", size(), " batches)"));
    }
    if (t.rank() == 0 || t.shape()[0] != rows_) {
        throw ShapeError(detail::cat("BatchIterator: a tensor of shape ", to_string(t.shape()), " does not have the ",
                                     rows_, " rows of the batched data"));
    }
    const std::size_t begin = b * batch_size_;
    return Tensor(take_rows(t.value(), order_.data() + begin, std::min(batch_size_, rows_ - begin)));
}

void BatchIterator::next_epoch()
{
    if (shuffle_) order_ = gen_.permutation(rows_);
}

}  // namespace xgrad::nn
