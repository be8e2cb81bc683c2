// The arguments of Model::compile: each a Keras name or an object.
//   model.compile("adam", "sparse_categorical_crossentropy", {"accuracy"});
//   model.compile(std::make_shared<xgrad::optim::Adam>(...), nn::CategoricalCrossentropy(true), {...});
#pragma once

#include <concepts>
#include <memory>
#include <string>
#include <vector>

#include <xgrad/autograd/variable.hpp>
#include <xgrad/nn/losses.hpp>
#include <xgrad/nn/metrics.hpp>

namespace xgrad::optim {
class Optimizer;
}

namespace xgrad::nn {

struct OptimizerArg {
    OptimizerArg(const char* name) : name(name) {}
    OptimizerArg(std::string name) : name(std::move(name)) {}
    template <class O>
    OptimizerArg(std::shared_ptr<O> optimizer) : optimizer(std::move(optimizer)) {}
    std::string name;
    std::shared_ptr<optim::Optimizer> optimizer;
};

struct LossArg {
    LossArg(const char* name) : loss(make_loss(name)) {}
    LossArg(const std::string& name) : loss(make_loss(name)) {}
    template <std::derived_from<Loss> L>
    LossArg(std::shared_ptr<L> loss) : loss(std::move(loss)) {}
    template <std::derived_from<Loss> L>
    LossArg(L loss) : loss(std::make_shared<L>(std::move(loss))) {}
    std::shared_ptr<Loss> loss;
};

struct MetricArg {
    MetricArg(const char* name) : name(name) {}
    MetricArg(std::string name) : name(std::move(name)) {}
    template <std::derived_from<Metric> M>
    MetricArg(std::shared_ptr<M> metric) : metric(std::move(metric)) {}
    std::string name;
    std::shared_ptr<Metric> metric;
};

// The variables as Tensors (shared, not copied), for GradientTape::gradient.
inline std::vector<Tensor> as_tensors(const std::vector<Variable>& vars)
{
    return std::vector<Tensor>(vars.begin(), vars.end());
}

}  // namespace xgrad::nn
