// Optimizer state in Keras 3's layout (optimizer/vars/<i> of a .keras file):
// iterations, the learning rate, then the slots (see optimizer.hpp).
#include <xgrad/optim/optimizer.hpp>

#include <algorithm>

namespace xgrad::optim {
namespace {
// Keras creates velocity_hat in a second add_optimizer_variables call, after every momentum and velocity.
bool created_last(const std::string& slot) { return slot == "velocity_hat"; }
}  // namespace

bool Optimizer::has_numeric_learning_rate() const { return std::holds_alternative<double>(base_options().learning_rate()); }

std::vector<std::pair<std::string, xt::xarray<float>>> Optimizer::keras_slots(const std::vector<Variable>& vars)
{
    if (base_options().use_ema() || base_options().gradient_accumulation_steps()) {
        throw ValueError(detail::cat(display_name_, ": the state of an optimizer with use_ema or "
                                                    "gradient_accumulation_steps has no Keras file layout in xgrad"));
    }
    std::vector<std::pair<std::string, xt::xarray<float>>> out;
    for (bool last : {false, true}) {
        for (const auto& v : vars) {
            const auto& s = ensure_built(v);
            for (std::size_t i = 0; i < s.slots.names.size(); ++i) {
                if (created_last(s.slots.names[i]) == last) out.emplace_back(v.name() + "/" + s.slots.names[i], s.slots.arrays[i]);
            }
        }
    }
    return out;
}

void Optimizer::set_keras_state(const std::vector<Variable>& vars, std::int64_t iterations,
                                std::optional<double> learning_rate, const std::vector<xt::xarray<float>>& slots)
{
    const auto expected = keras_slots(vars);
    if (slots.size() != expected.size()) {
        throw ValueError(detail::cat(display_name_, ": the saved state has ", slots.size(), " slot arrays, this ",
                                     "optimizer has ", expected.size(), " for ", vars.size(), " variables"));
    }
    for (std::size_t i = 0; i < slots.size(); ++i) {
        if (slots[i].shape() != expected[i].second.shape()) {
            throw ShapeError(detail::cat(display_name_, ": saved slot ", i, " ('", expected[i].first, "') has shape ",
                                         to_string(slots[i].shape()), ", expected ",
                                         to_string(expected[i].second.shape())));
        }
    }
    if (iterations < 0) throw ValueError(detail::cat(display_name_, ": saved iterations ", iterations, " is negative"));
    if (learning_rate && has_numeric_learning_rate()) set_learning_rate(*learning_rate);
    std::size_t k = 0;
    for (bool last : {false, true}) {
        for (const auto& v : vars) {
            auto& s = ensure_built(v);
            for (std::size_t i = 0; i < s.slots.names.size(); ++i)
                if (created_last(s.slots.names[i]) == last) s.slots.arrays[i] = slots[k++];
        }
    }
    raw_iterations_ = iterations;
}

}  // namespace xgrad::optim
