#include <xgrad/nn/layers/dropout.hpp>

#include <cmath>

#include <xgrad/autograd/ops.hpp>
#include <xgrad/core/random.hpp>
#include <xgrad/nn/serialization.hpp>

namespace xgrad::nn {
namespace {
thread_local StepSeed* active_step = nullptr;
}  // namespace

std::uint64_t mix_seed(std::uint64_t a, std::uint64_t b)
{
    std::uint64_t z = a ^ (b + 0x9e3779b97f4a7c15ULL + (a << 6) + (a >> 2));
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

StepSeed::StepSeed(std::uint64_t seed, std::uint64_t step) : seed_(seed), step_(step), outer_(active_step)
{
    active_step = this;
}

StepSeed::~StepSeed() { active_step = outer_; }

std::optional<std::uint64_t> StepSeed::next_key()
{
    if (!active_step) return std::nullopt;
    return mix_seed(mix_seed(active_step->seed_, active_step->step_), active_step->draws_++);
}

Dropout::Dropout(double rate, std::optional<std::uint64_t> seed, const std::string& name)
    : Layer("Dropout", name), rate_(rate), seed_(seed), stream_(std::make_shared<Stream>())
{
    if (!(rate >= 0.0 && rate < 1.0)) {
        throw ValueError(detail::cat(this->name(), ": argument 'rate' must be in [0, 1), got ", rate));
    }
    stream_->seed = seed;
}

Tensor Dropout::call(const Tensor& x, bool training)
{
    if (!training || rate_ == 0.0) return x;
    std::uint64_t key = 0;
    if (auto step = StepSeed::next_key()) {
        key = seed_ ? mix_seed(*step, *seed_) : *step;
    } else {
        if (!stream_->seed) stream_->seed = global_generator().next_u64();
        key = mix_seed(*stream_->seed, stream_->calls++);
    }
    const float rate = static_cast<float>(rate_);
    const float scale = static_cast<float>(1.0 / (1.0 - rate_));
    xt::xarray<float> mask = Generator(key).uniform<float>(x.shape());
    for (float& m : mask) m = m >= rate ? scale : 0.0f;
    return mul(x, Tensor(std::move(mask)));
}

Json Dropout::get_config() const
{
    Json config = Layer::get_config();
    config["rate"] = rate_;
    config["seed"] = seed_ ? Json(*seed_) : Json(nullptr);
    config["noise_shape"] = nullptr;
    return config;
}

std::shared_ptr<Dropout> Dropout::from_config(const Json& config)
{
    ConfigReader r(config, "Dropout");
    const std::string name = r.read_name();
    const double rate = r.get_number("rate");
    const auto seed = r.get_optional_seed("seed");
    r.require_null({"noise_shape"});
    r.finish();
    return std::make_shared<Dropout>(rate, seed, name);
}

}  // namespace xgrad::nn
