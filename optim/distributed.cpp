#include <xgrad/optim/distributed.hpp>

#include <algorithm>

namespace xgrad::optim {

void AverageAcrossRanks::reduce(const std::vector<float*>& grads, const std::vector<std::size_t>& sizes)
{
    std::size_t total = 0;
    for (std::size_t n : sizes) total += n;
    buffer_.resize(total + 1);
    float* out = buffer_.data();
    const bool weighted = weight_ != 1.0f;
    for (std::size_t k = 0; k < grads.size(); ++k) {
        if (weighted) std::transform(grads[k], grads[k] + sizes[k], out, [w = weight_](float g) { return g * w; });
        else std::copy(grads[k], grads[k] + sizes[k], out);
        out += sizes[k];
    }
    buffer_[total] = weight_;
    distributed::world().allreduce_sum(buffer_.data(), buffer_.size());
    const float sum_of_weights = buffer_[total];
    const float* in = buffer_.data();
    for (std::size_t k = 0; k < grads.size(); ++k) {
        std::transform(in, in + sizes[k], grads[k], [sum_of_weights](float g) { return g / sum_of_weights; });
        in += sizes[k];
    }
}

void broadcast_variables(const std::vector<Variable>& vars, int root)
{
    auto& comm = distributed::world();
    if (comm.size() == 1) return;
    std::size_t total = 0;
    for (const auto& v : vars) total += v.size();
    std::vector<float> buffer(total);
    float* p = buffer.data();
    for (const auto& v : vars) p = std::copy(v.value().begin(), v.value().end(), p);
    comm.broadcast(buffer.data(), buffer.size(), root);
    p = buffer.data();
    for (auto v : vars) {
        std::copy(p, p + v.size(), v.mutable_value().begin());
        p += v.size();
    }
}

}  // namespace xgrad::optim
