#include <xgrad/optim/factory.hpp>

#include <algorithm>
#include <cctype>
#include <map>
#include <mutex>

#include <xgrad/core/error.hpp>
#include <xgrad/optim/adadelta.hpp>
#include <xgrad/optim/adafactor.hpp>
#include <xgrad/optim/adagrad.hpp>
#include <xgrad/optim/adam.hpp>
#include <xgrad/optim/adamax.hpp>
#include <xgrad/optim/ftrl.hpp>
#include <xgrad/optim/gradient_descent.hpp>
#include <xgrad/optim/lamb.hpp>
#include <xgrad/optim/lion.hpp>
#include <xgrad/optim/momentum.hpp>
#include <xgrad/optim/nadam.hpp>
#include <xgrad/optim/rmsprop.hpp>

namespace xgrad::optim {

namespace {

std::string lower(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

// Keras's SGD is one class: momentum > 0 selects Momentum.
std::shared_ptr<Optimizer> make_sgd(const Config& config)
{
    const bool momentum = config.contains("momentum") && config.get_double("momentum") != 0.0;
    return momentum ? optimizer_maker<Momentum>("Momentum")(config) : optimizer_maker<GradientDescent>("GradientDescent")(config);
}

struct Registry {
    std::mutex mutex;
    std::map<std::string, OptimizerMaker> makers;
};

// The built-in optimizers, registered here (not by static objects in their own
// files, which a static library would drop unless something else uses them).
Registry& registry()
{
    static Registry r;
    static std::once_flag built_ins;
    std::call_once(built_ins, [] {
        r.makers = {
            {"sgd", make_sgd},
            {"gradient_descent", optimizer_maker<GradientDescent>("GradientDescent")},
            {"momentum", optimizer_maker<Momentum>("Momentum")},
            {"adam", optimizer_maker<Adam>("Adam")},
            {"adamw", optimizer_maker<AdamW>("AdamW")},
            {"rmsprop", optimizer_maker<RMSprop>("RMSprop")},
            {"adagrad", optimizer_maker<Adagrad>("Adagrad")},
            {"adadelta", optimizer_maker<Adadelta>("Adadelta")},
            {"adafactor", optimizer_maker<Adafactor>("Adafactor")},
            {"adamax", optimizer_maker<Adamax>("Adamax")},
            {"nadam", optimizer_maker<Nadam>("Nadam")},
            {"ftrl", optimizer_maker<Ftrl>("Ftrl")},
            {"lamb", optimizer_maker<Lamb>("Lamb")},
            {"lion", optimizer_maker<Lion>("Lion")},
        };
    });
    return r;
}

}  // namespace

bool register_optimizer(const std::string& identifier, OptimizerMaker maker)
{
    auto& r = registry();
    const std::lock_guard lock(r.mutex);
    const std::string key = lower(identifier);
    if (key.empty() || !maker) throw ValueError("register_optimizer: the identifier and the maker must not be empty");
    if (!r.makers.emplace(key, std::move(maker)).second) {
        throw ValueError(detail::cat("register_optimizer: an optimizer is already registered as '", key, "'"));
    }
    return true;
}

std::shared_ptr<Optimizer> make_optimizer(const std::string& identifier, const Config& config)
{
    OptimizerMaker maker;
    {
        auto& r = registry();
        const std::lock_guard lock(r.mutex);
        const auto it = r.makers.find(lower(identifier));
        if (it != r.makers.end()) maker = it->second;
    }
    if (!maker) {
        std::string known;
        for (const auto& name : optimizer_identifiers()) known += (known.empty() ? "" : ", ") + name;
        throw ValueError(detail::cat("make_optimizer: unknown optimizer '", identifier, "' (known: ", known, ")"));
    }
    return maker(config);
}

std::vector<std::string> optimizer_identifiers()
{
    auto& r = registry();
    const std::lock_guard lock(r.mutex);
    std::vector<std::string> names;
    for (const auto& entry : r.makers) names.push_back(entry.first);
    return names;
}

}  // namespace xgrad::optim
