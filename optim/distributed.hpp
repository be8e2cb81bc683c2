// Data parallelism in the optimizer: the reduce stage that averages every
// step's gradients over the ranks of xgrad::distributed::world() (Horovod's
// DistributedOptimizer, as one stage of apply_gradients):
//   auto opt = std::make_shared<xgrad::optim::Adam>();
//   opt->set_gradient_reducer(std::make_shared<xgrad::optim::AverageAcrossRanks>());
// Per real step (after accumulation, before the finiteness check and clipping, so
// clipnorm and global_clipnorm see the global gradient): all gradients are packed
// into ONE buffer with this rank's weight w (default 1), summed over the ranks in
// ONE allreduce (in rank order: every rank gets the same bits), and divided by the
// summed weight:  g = sum_r w_r g_r / sum_r w_r. fit sets w = the rank's batch rows,
// which makes the result the gradient of the global batch's mean loss.
#pragma once

#include <vector>

#include <xgrad/core/communicator.hpp>
#include <xgrad/optim/optimizer.hpp>

namespace xgrad::optim {

class AverageAcrossRanks : public GradientReducer {
public:
    AverageAcrossRanks() = default;
    bool active() const override { return distributed::active(); }
    void reduce(const std::vector<float*>& grads, const std::vector<std::size_t>& sizes) override;
    // This rank's weight in the next reductions (fit: its rows of the global batch).
    void set_local_weight(float weight) { weight_ = weight; }

private:
    float weight_ = 1.0f;
    std::vector<float> buffer_;
};

// Every variable gets root's value (the same starting weights on every rank).
void broadcast_variables(const std::vector<Variable>& vars, int root = 0);

}  // namespace xgrad::optim
