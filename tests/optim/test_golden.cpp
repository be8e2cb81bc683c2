// Every optimizer and option combination against the trajectories written by
// tests/optim/golden/generate.py from the formulas (float32 and float64).
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <sstream>

#include <xgrad/optim/factory.hpp>
#include <xgrad/optim/schedules.hpp>

namespace {

using xgrad::optim::Config;
using xgrad::optim::ConfigValue;

struct Case {
    std::string name, kind, dtype;
    Config options;
    std::vector<std::vector<double>> steps;
};

ConfigValue parse_value(const std::string& text)
{
    if (text == "True") return true;
    if (text == "False") return false;
    if (text.find_first_not_of("-0123456789") == std::string::npos) return std::int64_t{std::stoll(text)};
    if (text.find_first_not_of("-+0123456789.e") == std::string::npos) return std::stod(text);
    return text;
}

std::vector<Case> load_cases(const char* file = "trajectories.txt")
{
    std::ifstream in(std::string(XGRAD_SOURCE_DIR) + "/tests/optim/golden/" + file);
    REQUIRE(in.good());
    std::vector<Case> cases;
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream words(line);
        std::string tag;
        words >> tag;
        if (tag == "case") {
            cases.emplace_back();
            words >> cases.back().name >> cases.back().kind >> cases.back().dtype;
        } else if (tag == "options") {
            std::string kv;
            while (words >> kv) {
                const auto eq = kv.find('=');
                const std::string key = kv.substr(0, eq), value = kv.substr(eq + 1);
                if (key == "schedule") {  // ExponentialDecay initial:steps:rate
                    double init, rate;
                    long steps;
                    char c;
                    std::istringstream(value) >> init >> c >> steps >> c >> rate;
                    cases.back().options.set("learning_rate",
                                             xgrad::optim::ExponentialDecay(init, steps, rate).serialize());
                } else {
                    cases.back().options.set(key, parse_value(value));
                }
            }
        } else if (tag == "step") {
            int k;
            words >> k;
            std::vector<double> values;
            double v;
            while (words >> v) values.push_back(v);
            cases.back().steps.push_back(values);
        }
    }
    return cases;
}

}  // namespace

TEST_CASE("golden: every optimizer follows its written-out formula step by step")
{
    const auto cases = load_cases();
    REQUIRE(cases.size() == 72);  // 36 configurations x {float32, float64}
    const xt::xarray<float> a0{1.0f, 0.5f, 2.0f}, c0{0.1f, 0.2f, -0.3f};
    const xt::xarray<float> a1{{0.3f, 1.5f}, {1.0f, 4.0f}}, c1{{0.0f, 1.0f}, {-1.0f, 0.5f}};
    for (const auto& golden : cases) {
        DYNAMIC_SECTION(golden.name << " vs " << golden.dtype << " reference")
        {
            INFO("options: " << golden.options.to_string());
            auto opt = xgrad::optim::make_optimizer(golden.kind, golden.options);
            REQUIRE(opt->kind() == golden.kind);
            xgrad::Variable w0(xt::xarray<float>{0.5f, -1.5f, 2.0f}, "w0");
            xgrad::Variable w1(xt::xarray<float>{{1.0f, -0.25f}, {0.75f, -2.0f}}, "w1");
            REQUIRE(golden.steps.size() == 12);
            for (std::size_t step = 0; step < golden.steps.size(); ++step) {
                xt::xarray<float> g0 = a0 * (w0.value() - c0);
                xt::xarray<float> g1 = a1 * (w1.value() - c1);
                opt->apply_gradients({xgrad::Tensor(g0), xgrad::Tensor(g1)}, {w0, w1});
                std::vector<float> got(w0.value().begin(), w0.value().end());
                got.insert(got.end(), w1.value().begin(), w1.value().end());
                const auto& want = golden.steps[step];
                REQUIRE(got.size() == want.size());
                for (std::size_t i = 0; i < got.size(); ++i) {
                    INFO("step " << step + 1 << ", element " << i << ": got " << got[i] << ", want " << want[i]);
                    if (golden.dtype == "float32") {
                        // Same float32 roundings in the same order: bit-identical.
                        REQUIRE(got[i] == static_cast<float>(want[i]));
                    } else {
                        REQUIRE(got[i] == Approx(want[i]).epsilon(2e-5).margin(2e-6));
                    }
                }
            }
        }
    }
}

TEST_CASE("golden: epsilon_placement='pytorch_cpu' follows torch.optim for 200 steps (AdamW's decay, RMSprop, Adagrad)")
{
    const auto cases = load_cases("torch_trajectories.txt");
    REQUIRE(cases.size() == 6);
    const xt::xarray<float> a0{1.0f, 0.5f, 2.0f}, c0{0.1f, 0.2f, -0.3f};
    const xt::xarray<float> a1{{0.3f, 1.5f}, {1.0f, 4.0f}}, c1{{0.0f, 1.0f}, {-1.0f, 0.5f}};
    for (const auto& golden : cases) {
        DYNAMIC_SECTION(golden.name << " vs torch.optim")
        {
            INFO("options: " << golden.options.to_string());
            auto opt = xgrad::optim::make_optimizer(golden.kind, golden.options);
            xgrad::Variable w0(xt::xarray<float>{0.5f, -1.5f, 2.0f}, "w0");
            xgrad::Variable w1(xt::xarray<float>{{1.0f, -0.25f}, {0.75f, -2.0f}}, "w1");
            REQUIRE(golden.steps.size() == 200);
            double worst = 0.0;
            for (std::size_t step = 0; step < golden.steps.size(); ++step) {
                xt::xarray<float> g0 = a0 * (w0.value() - c0);
                xt::xarray<float> g1 = a1 * (w1.value() - c1);
                opt->apply_gradients({xgrad::Tensor(g0), xgrad::Tensor(g1)}, {w0, w1});
                std::vector<float> got(w0.value().begin(), w0.value().end());
                got.insert(got.end(), w1.value().begin(), w1.value().end());
                const auto& want = golden.steps[step];
                for (std::size_t i = 0; i < got.size(); ++i) {
                    INFO("step " << step + 1 << ", element " << i << ": got " << got[i] << ", want " << want[i]);
                    // The issue asks for 1e-6 relative; torch's CPU arithmetic is reproduced bit for bit.
                    REQUIRE(got[i] == Approx(want[i]).epsilon(1e-6).margin(1e-12));
                    worst = std::max(worst, std::abs(double(got[i]) - want[i]) / std::max(std::abs(want[i]), 1e-30));
                }
            }
            CHECK(worst == 0.0);
        }
    }
}
