// Keras 3's weights layout over an HDF5 file (model.weights.h5 or a .weights.h5):
//   <layer path>/vars          attribute "name" = the layer's name; datasets 0, 1, ... its own weights,
//                              trainable first (Keras's save_own_variables)
//   <layer path>/layers/<key>  each sublayer, <key> = its class in snake case made unique among siblings
//   optimizer/vars             attribute "name"; 0 = iterations (int64), 1 = learning rate (float32,
//                              when it is a number), then the slots (Optimizer::keras_slots)
// Reading collects everything first; callers assign only once the whole file checked out.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <xgrad/nn/layer.hpp>
#include <xgrad/nn/saving/detail/h5.hpp>

namespace xgrad::optim {
class Optimizer;
}

namespace xgrad::nn::saving {

// Writes `layer`'s weights and its sublayers' under `group`.
void write_layer_weights(const h5::Group& group, const Layer& layer);
// The values for layer.weights() (named_parameters() order), read from `group`; throws IOError
// naming the dataset path for a missing group or dataset, a count or a shape that differs.
std::vector<xt::xarray<float>> read_layer_weights(const h5::Group& group, const Layer& layer);

struct OptimizerState {
    std::int64_t iterations = 0;
    std::optional<double> learning_rate;
    std::vector<xt::xarray<float>> slots;
};
void write_optimizer(const h5::Group& root, optim::Optimizer& optimizer, const std::vector<Variable>& vars);
// The optimizer's saved state, checked against what `optimizer` holds for `vars`.
OptimizerState read_optimizer(const h5::Group& root, optim::Optimizer& optimizer, const std::vector<Variable>& vars);

}  // namespace xgrad::nn::saving
