#include <xgrad/optim/factory.hpp>

#include <algorithm>
#include <cctype>
#include <functional>
#include <map>

#include <xgrad/core/error.hpp>
#include <xgrad/optim/adagrad.hpp>
#include <xgrad/optim/adam.hpp>
#include <xgrad/optim/adamax.hpp>
#include <xgrad/optim/gradient_descent.hpp>
#include <xgrad/optim/lion.hpp>
#include <xgrad/optim/momentum.hpp>
#include <xgrad/optim/nadam.hpp>
#include <xgrad/optim/rmsprop.hpp>

namespace xgrad::optim {

namespace {

using Maker = std::function<std::shared_ptr<Optimizer>(const Config&)>;

template <class Opt>
std::shared_ptr<Optimizer> make(const Config& config)
{
    return std::make_shared<Opt>(Opt::Options::from_config(config));
}

std::shared_ptr<Optimizer> make_sgd(const Config& config)
{
    const bool momentum = config.contains("momentum") && config.get_double("momentum") != 0.0;
    return momentum ? make<Momentum>(config) : make<GradientDescent>(config);
}

const std::map<std::string, Maker>& registry()
{
    static const std::map<std::string, Maker> makers = {
        {"sgd", make_sgd},          {"gradient_descent", make<GradientDescent>}, {"momentum", make<Momentum>},
        {"adam", make<Adam>},       {"adamw", make<AdamW>},                      {"rmsprop", make<RMSprop>},
        {"adagrad", make<Adagrad>}, {"adamax", make<Adamax>},                    {"nadam", make<Nadam>},
        {"lion", make<Lion>},
    };
    return makers;
}

}  // namespace

std::shared_ptr<Optimizer> make_optimizer(const std::string& identifier, const Config& config)
{
    std::string key = identifier;
    std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) { return std::tolower(c); });
    const auto it = registry().find(key);
    if (it == registry().end()) {
        std::string known;
        for (const auto& name : optimizer_identifiers()) known += (known.empty() ? "" : ", ") + name;
        throw ValueError(detail::cat("make_optimizer: unknown optimizer '", identifier, "' (known: ", known, ")"));
    }
    return it->second(config);
}

std::vector<std::string> optimizer_identifiers()
{
    std::vector<std::string> names;
    for (const auto& entry : registry()) names.push_back(entry.first);
    return names;
}

}  // namespace xgrad::optim
