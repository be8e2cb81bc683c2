// Dropout(rate): in training, each element is kept with probability 1 - rate
// and scaled by 1 / (1 - rate) (TensorFlow's formula: (x * float32(1 / (1 - rate))) * keep,
// keep = uniform >= rate); in inference it is the identity.
// The mask is reproducible: under fit (or any StepSeed) it is a function of
// fit's seed, the step and the draw's position in the step; elsewhere of the
// layer's seed (given, or drawn from the global generator at the first training
// call) and the number of training calls so far.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include <xgrad/nn/layer.hpp>

namespace xgrad::nn {

// While alive, random layers on this thread draw masks from (seed, step): the k-th
// draw of the step uses key mix(seed, step, k). fit() opens one per training step.
class StepSeed {
public:
    StepSeed(std::uint64_t seed, std::uint64_t step);
    ~StepSeed();
    StepSeed(const StepSeed&) = delete;
    StepSeed& operator=(const StepSeed&) = delete;
    // The key of the next draw when a StepSeed is active on this thread.
    static std::optional<std::uint64_t> next_key();

private:
    std::uint64_t seed_, step_, draws_ = 0;
    StepSeed* outer_;
};

// SplitMix64 of a and b: a well-mixed 64-bit key.
std::uint64_t mix_seed(std::uint64_t a, std::uint64_t b);

class Dropout : public Layer {
public:
    explicit Dropout(double rate, std::optional<std::uint64_t> seed = std::nullopt, const std::string& name = "");
    XGRAD_LAYER(Dropout)
    double rate() const { return rate_; }
    Shape compute_output_shape(const Shape& input_shape) const override { return input_shape; }
    Json get_config() const override;
    static std::shared_ptr<Dropout> from_config(const Json& config);

protected:
    Tensor call(const Tensor& x, bool training) override;

private:
    double rate_;
    std::optional<std::uint64_t> seed_;
    struct Stream {
        std::optional<std::uint64_t> seed;
        std::uint64_t calls = 0;
    };
    std::shared_ptr<Stream> stream_;  // shared by copies, as the layer is
};

}  // namespace xgrad::nn
