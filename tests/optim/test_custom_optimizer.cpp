// A new optimizer written outside the library in a few lines, used exactly
// like a built-in one: the base class provides the loop, counter, clipping,
// decay, slots (of any shape), config and state save/restore; one line
// registers it by name.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>

#include <xgrad/xgrad.hpp>
#include <xgrad/optim/factory.hpp>

#include "../../examples/adabelief.hpp"

namespace {

using xgrad::optim::Config;

// Signed momentum descent: m = beta * m + (1 - beta) * g;  w -= lr * sign(m).
// Also keeps a per-row count of positive steps: a slot of shape (rows,) for a 2-D variable.
struct SignMomentumOptions : xgrad::optim::OptionsBase<SignMomentumOptions> {
    SignMomentumOptions() : OptionsBase("sign_momentum", 0.01) {}
    XGRAD_OPTION(double, beta, 0.9, in_range(0.0, 1.0, "[)"))
    XGRAD_OPTION(std::int64_t, warmup, 0, at_least(0))
};

class SignMomentum : public xgrad::optim::Optimizer {
public:
    using Options = SignMomentumOptions;
    explicit SignMomentum(const SignMomentumOptions& o = {}) : Optimizer(o, "SignMomentum") {}
    std::string kind() const override { return "sign_momentum"; }

protected:
    void build(const xgrad::Variable& var) override
    {
        add_slot(var, "m");
        if (var.shape().size() == 2) add_slot(var, "row_steps", {var.shape()[0]});
    }
    void update_step(xgrad::optim::UpdateContext& u) override
    {
        const float beta = float(options<SignMomentumOptions>().beta());
        float* m = u.slot("m");
        for (std::size_t i = 0; i < u.n; ++i) {
            m[i] = beta * m[i] + (1.0f - beta) * u.g[i];
            u.w[i] -= u.learning_rate * float((m[i] > 0) - (m[i] < 0));
        }
        if (u.shape().size() == 2) {
            float* rows = u.slot("row_steps");
            for (std::size_t r = 0; r < u.shape()[0]; ++r) rows[r] += 1.0f;
        }
    }
};

}  // namespace

XGRAD_REGISTER_OPTIMIZER(SignMomentum, "sign_momentum");

TEST_CASE("custom optimizer: a user-written update rule gets the whole base for free")
{
    SignMomentum opt(SignMomentumOptions{}.learning_rate(0.5).beta(0.5).clipvalue(1.0));
    xgrad::Variable w(xt::xarray<float>{0.0f, 0.0f}, "w");
    xgrad::Variable frozen(xt::xarray<float>{7.0f}, "frozen");
    opt.apply_gradients({xgrad::Tensor(xt::xarray<float>{2.0f, -0.5f}), xgrad::Tensor()}, {w, frozen});
    CHECK(w(0) == -0.5f);
    CHECK(w(1) == 0.5f);
    CHECK(frozen(0) == 7.0f);
    CHECK(opt.slot(w, "m")(0) == 0.5f);  // clipped to 1 before the update: 0.5 * 0 + 0.5 * 1
    CHECK(opt.iterations() == 1);
    CHECK(opt.get_config().to_string().find("'name': 'sign_momentum', 'learning_rate': 0.5") != std::string::npos);
    CHECK(opt.get_config().to_string().find("'clipvalue': 1.0") != std::string::npos);
    CHECK(opt.get_config().to_string().find("'beta': 0.5, 'warmup': 0}") != std::string::npos);

    const std::string path = std::string(XGRAD_BINARY_DIR) + "/optim_test_custom.state";
    opt.save_state(path);
    SignMomentum restored(SignMomentumOptions{}.learning_rate(0.5).beta(0.5).clipvalue(1.0));
    restored.load_state(path, {w, frozen});
    CHECK(restored.iterations() == 1);
    CHECK(restored.slot(w, "m")(0) == 0.5f);
    std::remove(path.c_str());
}

TEST_CASE("custom optimizer: options declared once give setters, checks, config and from_config")
{
    REQUIRE_THROWS_WITH(SignMomentum(SignMomentumOptions{}.beta(1.0)),
                        Catch::Contains("SignMomentum: option 'beta' must be in [0.0, 1.0), got 1.0"));
    REQUIRE_THROWS_WITH(SignMomentum(SignMomentumOptions{}.warmup(-1)),
                        Catch::Contains("SignMomentum: option 'warmup' must be an integer >= 0, got -1"));
    const auto o = SignMomentumOptions::from_config(Config{}.set("beta", 0.25).set("warmup", 3).set("clipnorm", 2.0));
    CHECK(o.beta() == 0.25);
    CHECK(o.warmup() == 3);
    CHECK(o.clipnorm() == 2.0);
    REQUIRE_THROWS_WITH(SignMomentumOptions::from_config(Config{}.set("betta", 0.25)),
                        Catch::Contains("config key(s) not recognized: 'betta'"));
    CHECK(o.option_names().size() == 14);  // name, learning_rate, 10 base options, beta, warmup
}

TEST_CASE("custom optimizer: registered by name, it is made, listed and round-tripped as a built-in")
{
    const auto ids = xgrad::optim::optimizer_identifiers();
    CHECK(std::find(ids.begin(), ids.end(), "sign_momentum") != ids.end());
    CHECK(std::find(ids.begin(), ids.end(), "adabelief") != ids.end());
    auto opt = xgrad::optim::make_optimizer("Sign_Momentum", Config{}.set("beta", 0.5).set("learning_rate", 0.5));
    CHECK(opt->kind() == "sign_momentum");
    auto again = xgrad::optim::make_optimizer(opt->kind(), opt->get_config());
    CHECK(again->get_config().to_string() == opt->get_config().to_string());
    REQUIRE_THROWS_WITH(xgrad::optim::make_optimizer("sign_momentum", Config{}.set("beta", 2.0)),
                        Catch::Contains("SignMomentum: option 'beta'"));
    REQUIRE_THROWS_WITH(xgrad::optim::register_optimizer("SIGN_MOMENTUM", xgrad::optim::optimizer_maker<SignMomentum>("x")),
                        Catch::Contains("already registered as 'sign_momentum'"));

    // AdaBelief, the example's 25-line optimizer, by name with its options from a dict.
    auto belief = xgrad::optim::make_optimizer("adabelief", Config{}.set("learning_rate", 0.01).set("beta_1", 0.8));
    CHECK(belief->kind() == "adabelief");
    CHECK(belief->get_config().get_double("beta_1") == 0.8);
    CHECK(xgrad::optim::make_optimizer("adabelief", belief->get_config())->get_config().to_string() ==
          belief->get_config().to_string());
    REQUIRE_THROWS_WITH(xgrad::optim::make_optimizer("adabelief", Config{}.set("epsilon", 0.0)),
                        Catch::Contains("AdaBelief: option 'epsilon' must be a finite number > 0, got 0.0"));
}

TEST_CASE("custom optimizer: slots of their own shape are saved, restored and checked")
{
    SignMomentum opt(SignMomentumOptions{}.learning_rate(0.1));
    xgrad::Variable k(xt::xarray<float>{{1.0f, 2.0f, 3.0f}, {4.0f, 5.0f, 6.0f}}, "kernel");
    const xgrad::Tensor g(xt::xarray<float>{{1.0f, -1.0f, 1.0f}, {1.0f, 1.0f, -1.0f}});
    opt.apply_gradients({g}, {k});
    opt.apply_gradients({g}, {k});
    CHECK(opt.slot(k, "row_steps").shape() == xgrad::Shape{2});
    CHECK(opt.slot(k, "row_steps")(1) == 2.0f);
    const std::string path = std::string(XGRAD_BINARY_DIR) + "/optim_test_custom_shapes.state";
    opt.save_state(path);
    SignMomentum restored(SignMomentumOptions{}.learning_rate(0.1));
    restored.load_state(path, {k});
    CHECK(restored.slot(k, "row_steps")(0) == 2.0f);
    // A variable of another shape: its row slot would have another shape too.
    xgrad::Variable wide(xt::xarray<float>::from_shape({3, 3}), "kernel");
    SignMomentum other(SignMomentumOptions{}.learning_rate(0.1));
    REQUIRE_THROWS_WITH(other.load_state(path, {wide}), Catch::Contains("slot 'm' of variable 'kernel' has shape (2, 3)"));
    std::remove(path.c_str());
}

TEST_CASE("custom optimizer: nn's compile(\"adabelief\") makes the registered optimizer by name")
{
    xgrad::nn::Sequential model({xgrad::nn::Input({1}), xgrad::nn::Dense(1)});
    model.compile("adabelief", "mse");
    REQUIRE(model.optimizer());
    CHECK(model.optimizer()->kind() == "adabelief");
    CHECK(model.optimizer()->get_config().get_double("epsilon") == 1e-16);
}
