// Every validation message names the option or variable and the bad value.
#include <catch2/catch.hpp>

#include <cmath>

#include <xgrad/optim/adagrad.hpp>
#include <xgrad/optim/adam.hpp>
#include <xgrad/optim/adamax.hpp>
#include <xgrad/optim/factory.hpp>
#include <xgrad/optim/gradient_descent.hpp>
#include <xgrad/optim/lion.hpp>
#include <xgrad/optim/momentum.hpp>
#include <xgrad/optim/nadam.hpp>
#include <xgrad/optim/rmsprop.hpp>

using namespace xgrad::optim;
using Catch::Contains;

TEST_CASE("validation: options are checked at construction")
{
    const double nan = std::nan("");
    REQUIRE_THROWS_AS(Adam(AdamOptions{}.learning_rate(-0.1)), xgrad::ValueError);
    REQUIRE_THROWS_WITH(Adam(AdamOptions{}.learning_rate(-0.1)),
                        Contains("Adam: option 'learning_rate' must be a finite number >= 0, got -0.1"));
    REQUIRE_THROWS_WITH(Adam(AdamOptions{}.learning_rate(nan)), Contains("option 'learning_rate'") && Contains("got nan"));
    REQUIRE_THROWS_WITH(Adam(AdamOptions{}.beta_1(1.0)), Contains("Adam: option 'beta_1' must be in [0.0, 1.0), got 1.0"));
    REQUIRE_THROWS_WITH(Adam(AdamOptions{}.beta_2(-0.1)), Contains("option 'beta_2' must be in [0.0, 1.0), got -0.1"));
    REQUIRE_THROWS_WITH(Adam(AdamOptions{}.epsilon(0.0)), Contains("Adam: option 'epsilon' must be a finite number > 0, got 0.0"));
    REQUIRE_THROWS_WITH(AdamW(AdamWOptions{}.epsilon(-1e-7)), Contains("AdamW: option 'epsilon'") && Contains("got -1e-07"));
    REQUIRE_THROWS_WITH(AdamW(AdamWOptions{}.weight_decay(std::nullopt)), Contains("AdamW: option 'weight_decay' must be set"));
    REQUIRE_THROWS_WITH(Adam(AdamOptions{}.clipnorm(1.0).clipvalue(0.5)),
                        Contains("only one of 'clipnorm', 'clipvalue' and 'global_clipnorm' can be set, got clipnorm=1.0, "
                                 "clipvalue=0.5, global_clipnorm=None"));
    REQUIRE_THROWS_WITH(GradientDescent(GradientDescentOptions{}.clipvalue(1.0).global_clipnorm(2.0)),
                        Contains("GradientDescent: only one of"));
    REQUIRE_THROWS_WITH(Adam(AdamOptions{}.clipnorm(-1.0)), Contains("option 'clipnorm' must be a finite number > 0, got -1.0"));
    REQUIRE_THROWS_WITH(Adam(AdamOptions{}.global_clipnorm(0.0)), Contains("option 'global_clipnorm'"));
    REQUIRE_THROWS_WITH(Adam(AdamOptions{}.weight_decay(-0.01)), Contains("option 'weight_decay'") && Contains("got -0.01"));
    REQUIRE_THROWS_WITH(Adam(AdamOptions{}.use_ema(true).ema_momentum(1.5)),
                        Contains("option 'ema_momentum' must be in [0.0, 1.0], got 1.5"));
    REQUIRE_THROWS_WITH(Adam(AdamOptions{}.ema_overwrite_frequency(0)),
                        Contains("option 'ema_overwrite_frequency' must be an integer >= 1 or unset, got 0"));
    REQUIRE_THROWS_WITH(Adam(AdamOptions{}.gradient_accumulation_steps(1)),
                        Contains("option 'gradient_accumulation_steps' must be an integer >= 2 or unset, got 1"));
    REQUIRE_THROWS_WITH(Adam(AdamOptions{}.loss_scale_factor(0.0)), Contains("option 'loss_scale_factor'"));
    REQUIRE_THROWS_WITH(Momentum(MomentumOptions{}.momentum(1.5)), Contains("Momentum: option 'momentum' must be in [0.0, 1.0], got 1.5"));
    REQUIRE_THROWS_WITH(RMSprop(RMSpropOptions{}.rho(1.0)), Contains("RMSprop: option 'rho' must be in [0.0, 1.0), got 1.0"));
    REQUIRE_THROWS_WITH(RMSprop(RMSpropOptions{}.momentum(-0.5)), Contains("RMSprop: option 'momentum'"));
    REQUIRE_THROWS_WITH(RMSprop(RMSpropOptions{}.epsilon(0.0)), Contains("RMSprop: option 'epsilon'"));
    REQUIRE_THROWS_WITH(Adagrad(AdagradOptions{}.initial_accumulator_value(-1.0)),
                        Contains("Adagrad: option 'initial_accumulator_value' must be a finite number >= 0, got -1.0"));
    REQUIRE_THROWS_WITH(Adagrad(AdagradOptions{}.epsilon(-1.0)), Contains("Adagrad: option 'epsilon'"));
    REQUIRE_THROWS_WITH(Adamax(AdamaxOptions{}.beta_1(1.0)), Contains("Adamax: option 'beta_1'"));
    REQUIRE_THROWS_WITH(Adamax(AdamaxOptions{}.epsilon(0.0)), Contains("Adamax: option 'epsilon'"));
    REQUIRE_THROWS_WITH(Nadam(NadamOptions{}.beta_2(1.0)), Contains("Nadam: option 'beta_2'"));
    REQUIRE_THROWS_WITH(Nadam(NadamOptions{}.epsilon(0.0)), Contains("Nadam: option 'epsilon'"));
    REQUIRE_THROWS_WITH(Lion(LionOptions{}.beta_1(0.0)), Contains("Lion: option 'beta_1' must be in (0.0, 1.0], got 0.0"));
    REQUIRE_THROWS_WITH(Lion(LionOptions{}.beta_2(1.5)), Contains("Lion: option 'beta_2'"));
    REQUIRE_THROWS_WITH(ExponentialDecay(0.1, 0, 0.9), Contains("ExponentialDecay: option 'decay_steps' must be > 0, got 0"));
    REQUIRE_THROWS_WITH(PiecewiseConstantDecay({10}, {1.0}), Contains("one element less than 'values'"));
    REQUIRE_THROWS_WITH(CosineDecay(0.1, -5), Contains("CosineDecay: option 'decay_steps'"));
}

TEST_CASE("validation: apply_gradients checks counts and shapes, naming the variable")
{
    Adam adam;
    xgrad::Variable w(xgrad::array<float>({2, 1}, {1, 2}), "dense.kernel");
    xgrad::Variable b(xt::xarray<float>{0.0f}, "dense.bias");
    xgrad::Tensor g(xt::xarray<float>{1.0f, 2.0f, 3.0f});
    REQUIRE_THROWS_WITH(adam.apply_gradients({g}, {w, b}), Contains("Adam.apply_gradients: got 1 gradients for 2 variables"));
    REQUIRE_THROWS_AS(adam.apply_gradients({g}, {w}), xgrad::ShapeError);
    REQUIRE_THROWS_WITH(adam.apply_gradients({g}, {w}),
                        Contains("the gradient for variable 'dense.kernel' has shape (3), the variable has shape (2, 1)"));
    REQUIRE_THROWS_WITH(adam.apply_gradients({xgrad::Tensor(), xgrad::Tensor()}, {w, b}),
                        Contains("no gradients provided for any variable"));
    CHECK(adam.iterations() == 0);
    REQUIRE_THROWS_WITH(adam.set_learning_rate(-1.0), Contains("Adam: option 'learning_rate' must be a finite number >= 0, got -1.0"));
    REQUIRE_THROWS_WITH(adam.slot(w, "momentum"), Contains("variable 'dense.kernel' has no optimizer state"));
}

TEST_CASE("validation: factory and from_config name the bad identifier or key")
{
    REQUIRE_THROWS_WITH(make_optimizer("adamm"), Contains("make_optimizer: unknown optimizer 'adamm' (known: adabelief, adadelta, adafactor, adagrad, adam,"));
    REQUIRE_THROWS_WITH(make_optimizer("adam", Config{}.set("beta_3", 0.5)), Contains("Adam: config key(s) not recognized: 'beta_3'"));
    REQUIRE_THROWS_WITH(make_optimizer("adam", Config{}.set("beta_1", "high")), Contains("config: key 'beta_1' must be a number, got 'high'"));
    REQUIRE_THROWS_WITH(make_optimizer("momentum", Config{}.set("convention", "tf2")),
                        Contains("Momentum: config key 'convention' must be 'keras' or 'pytorch', got 'tf2'"));
}

TEST_CASE("validation: schedule arguments are checked at construction")
{
    const double nan = std::nan("");
    REQUIRE_THROWS_AS(ExponentialDecay(-0.1, 10, 0.9), xgrad::ValueError);
    REQUIRE_THROWS_WITH(ExponentialDecay(-0.1, 10, 0.9),
                        Contains("ExponentialDecay: option 'initial_learning_rate' must be a finite number >= 0, got -0.1"));
    REQUIRE_THROWS_WITH(ExponentialDecay(0.1, 10, -0.5), Contains("ExponentialDecay: option 'decay_rate'") && Contains("got -0.5"));
    REQUIRE_THROWS_WITH(InverseTimeDecay(nan, 10, 0.5), Contains("InverseTimeDecay: option 'initial_learning_rate'") && Contains("got nan"));
    REQUIRE_THROWS_WITH(InverseTimeDecay(0.1, 10, -1.0), Contains("InverseTimeDecay: option 'decay_rate'"));
    REQUIRE_THROWS_WITH(PolynomialDecay(-1.0, 10), Contains("PolynomialDecay: option 'initial_learning_rate'") && Contains("got -1.0"));
    REQUIRE_THROWS_WITH(PolynomialDecay(0.1, 10, -0.01), Contains("PolynomialDecay: option 'end_learning_rate'") && Contains("got -0.01"));
    REQUIRE_THROWS_WITH(PolynomialDecay(0.1, 10, 0.0, -2.0), Contains("PolynomialDecay: option 'power'"));
    REQUIRE_THROWS_WITH(CosineDecay(-0.1, 10), Contains("CosineDecay: option 'initial_learning_rate'") && Contains("got -0.1"));
    REQUIRE_THROWS_WITH(CosineDecay(0.1, 10, 1.5), Contains("CosineDecay: option 'alpha' must be in [0.0, 1.0], got 1.5"));
    REQUIRE_THROWS_WITH(CosineDecay(0.0, 10, 0.0, "c", -0.2, 4), Contains("CosineDecay: option 'warmup_target'") && Contains("got -0.2"));
    REQUIRE_THROWS_WITH(PiecewiseConstantDecay({10}, {1.0, -0.5}),
                        Contains("PiecewiseConstantDecay: option 'values[1]' must be a finite number >= 0, got -0.5"));
    REQUIRE_THROWS_WITH(PiecewiseConstantDecay({10, 5}, {1.0, 0.5, 0.1}), Contains("strictly increasing, got 10 then 5"));
}

TEST_CASE("validation: the learning rate of each step is checked before anything changes")
{
    xgrad::Variable w(xt::xarray<float>{1.0f, 2.0f}, "w");
    const xgrad::Tensor g(xt::xarray<float>{1.0f, 1.0f});
    SECTION("a callable returning NaN at the third step")
    {
        Adam adam(AdamOptions{}.learning_rate([](std::int64_t it) { return it < 2 ? 0.1f : std::nanf(""); }));
        adam.apply_gradients({g}, {w});
        adam.apply_gradients({g}, {w});
        const auto w2 = w.value();
        const auto m2 = adam.slot(w, "momentum");
        REQUIRE_THROWS_AS(adam.apply_gradients({g}, {w}), xgrad::ValueError);
        REQUIRE_THROWS_WITH(adam.apply_gradients({g}, {w}),
                            Contains("Adam.apply_gradients: 'learning_rate' must be a finite number >= 0, got nan "
                                     "at iterations = 2"));
        CHECK(adam.iterations() == 2);
        CHECK(static_cast<bool>(w.value() == w2));
        CHECK(static_cast<bool>(adam.slot(w, "momentum") == m2));
    }
    SECTION("a negative callable value, before the first step builds any state")
    {
        GradientDescent sgd(GradientDescentOptions{}.learning_rate([](std::int64_t) { return -0.1f; }));
        REQUIRE_THROWS_WITH(sgd.apply_gradients({g}, {w}),
                            Contains("GradientDescent.apply_gradients: 'learning_rate'") &&
                                Contains("got -0.10000000149011612 at iterations = 0"));
        CHECK(w(0) == 1.0f);
        REQUIRE_THROWS_WITH(sgd.slot(w, "momentum"), Contains("no optimizer state"));
    }
    SECTION("a custom schedule that overflows to inf")
    {
        struct Exploding : LearningRateSchedule {
            float operator()(std::int64_t step) const override { return step == 0 ? 0.1f : INFINITY; }
            std::string class_name() const override { return "Exploding"; }
            Config get_config() const override { return Config{}; }
        };
        Momentum mom(MomentumOptions{}.learning_rate(std::make_shared<Exploding>()).momentum(0.9));
        mom.apply_gradients({g}, {w});
        const auto w1 = w.value();
        REQUIRE_THROWS_WITH(mom.apply_gradients({g}, {w}), Contains("Momentum.apply_gradients") && Contains("got inf at iterations = 1"));
        CHECK(static_cast<bool>(w.value() == w1));
        CHECK(mom.iterations() == 1);
    }
}

TEST_CASE("validation: a variable passed twice in one call is rejected, naming it")
{
    GradientDescent sgd(GradientDescentOptions{}.learning_rate(1.0));
    xgrad::Variable w(xt::xarray<float>{1.0f}, "dense.kernel");
    xgrad::Variable b(xt::xarray<float>{0.0f}, "dense.bias");
    const xgrad::Tensor g(xt::xarray<float>{1.0f});
    REQUIRE_THROWS_AS(sgd.apply_gradients({g, g, g}, {w, b, w}), xgrad::ValueError);
    REQUIRE_THROWS_WITH(sgd.apply_gradients({g, g, g}, {w, b, w}),
                        Contains("GradientDescent.apply_gradients: variable 'dense.kernel' is passed more than once"));
    REQUIRE_THROWS_WITH(sgd.apply_gradients({{g, b}, {g, b}}), Contains("variable 'dense.bias' is passed more than once"));
    CHECK(w(0) == 1.0f);
    CHECK(sgd.iterations() == 0);
    sgd.apply_gradients({g, g}, {w, b});  // each once: applied once
    CHECK(w(0) == 0.0f);
}

TEST_CASE("validation: options are checked in float32, the precision the update computes in")
{
    // epsilon = 1e-50 is > 0 in double but 0 in float32: a zero gradient would then give 0 / 0 = NaN.
    REQUIRE_THROWS_AS(Adam(AdamOptions{}.epsilon(1e-50)), xgrad::ValueError);
    REQUIRE_THROWS_WITH(Adam(AdamOptions{}.epsilon(1e-50)),
                        Contains("Adam: option 'epsilon' must be a finite number > 0, got 1e-50 (0.0 in float32"));
    REQUIRE_THROWS_WITH(Adam(AdamOptions{}.learning_rate(1e39)),
                        Contains("Adam: option 'learning_rate' must be a finite number >= 0, got 1e+39 (inf in float32"));
    REQUIRE_THROWS_WITH(Adam(AdamOptions{}.beta_1(1.0 - 1e-10)),
                        Contains("option 'beta_1' must be in [0.0, 1.0), got 0.9999999999 (1.0 in float32"));
    REQUIRE_THROWS_WITH(RMSprop(RMSpropOptions{}.epsilon(1e-46)), Contains("RMSprop: option 'epsilon'") && Contains("in float32"));
    REQUIRE_THROWS_WITH(Adam(AdamOptions{}.clipnorm(1e-300)), Contains("option 'clipnorm'") && Contains("(0.0 in float32"));
    REQUIRE_THROWS_WITH(Adam(AdamOptions{}.weight_decay(4e38)), Contains("option 'weight_decay'") && Contains("(inf in float32"));
    REQUIRE_THROWS_WITH(make_optimizer("adam", Config{}.set("epsilon", 1e-50)), Contains("Adam: option 'epsilon'"));
    REQUIRE_THROWS_WITH(ExponentialDecay(1e39, 10, 0.9), Contains("ExponentialDecay: option 'initial_learning_rate'") &&
                                                             Contains("(inf in float32"));
    Adam adam;
    REQUIRE_THROWS_WITH(adam.set_learning_rate(1e39), Contains("option 'learning_rate'") && Contains("(inf in float32"));
    CHECK(adam.learning_rate() == 0.001f);
    // The smallest float32 values still pass: 1e-45 rounds to the subnormal 1.4e-45, not 0.
    Adam tiny(AdamOptions{}.epsilon(1e-45).learning_rate(3e38));
    CHECK(tiny.learning_rate() == 3e38f);
}

TEST_CASE("validation: a schedule config of the wrong type or with unknown keys names the key")
{
    const Config exponential = ExponentialDecay(0.1, 10, 0.9).serialize();
    const Config piecewise = PiecewiseConstantDecay({10}, {0.1, 0.01}).serialize();
    const auto with_config = [](Config serialized, const std::string& key, ConfigValue value) {
        Config inner = serialized.get_dict("config");
        inner.set(key, std::move(value));
        return serialized.set("config", inner);
    };
    // These used to leak std::bad_variant_access.
    REQUIRE_THROWS_AS(schedule_from_config(Config(exponential).set("config", 5)), xgrad::ValueError);
    REQUIRE_THROWS_WITH(schedule_from_config(Config(exponential).set("config", 5)),
                        Contains("key 'config' must be a dict, got 5"));
    REQUIRE_THROWS_WITH(make_optimizer("adam", Config{}.set("learning_rate", Config(exponential).set("config", "x"))),
                        Contains("key 'config' must be a dict, got 'x'"));
    REQUIRE_THROWS_AS(schedule_from_config(with_config(piecewise, "boundaries", 10)), xgrad::ValueError);
    REQUIRE_THROWS_WITH(schedule_from_config(with_config(piecewise, "boundaries", 10)),
                        Contains("key 'boundaries' must be a list, got 10"));
    REQUIRE_THROWS_WITH(schedule_from_config(with_config(piecewise, "values", 0.1)), Contains("key 'values' must be a list, got 0.1"));
    REQUIRE_THROWS_WITH(schedule_from_config(with_config(piecewise, "boundaries", ConfigValue::List{10, "x"})),
                        Contains("key 'boundaries[1]' must be an integer, got 'x'"));
    // Unknown keys are rejected, as for optimizers.
    REQUIRE_THROWS_WITH(schedule_from_config(with_config(exponential, "decay_sterps", 5)),
                        Contains("ExponentialDecay: config key(s) not recognized: 'decay_sterps'"));
    REQUIRE_THROWS_WITH(schedule_from_config(with_config(piecewise, "boundary", ConfigValue::List{5})),
                        Contains("PiecewiseConstantDecay: config key(s) not recognized: 'boundary'"));
    REQUIRE_THROWS_WITH(schedule_from_config(Config(exponential).set("extra", 1)),
                        Contains("schedule_from_config: config key(s) not recognized: 'extra'"));
    REQUIRE_THROWS_WITH(schedule_from_config(with_config(exponential, "staircase", "yes")),
                        Contains("key 'staircase' must be True or False, got 'yes'"));
    // Missing optional keys take the constructor's defaults (Keras's cls(**config)).
    const auto polynomial = schedule_from_config(
        Config{}.set("class_name", "PolynomialDecay").set("config", Config{}.set("initial_learning_rate", 0.1).set("decay_steps", 10)));
    CHECK(polynomial->get_config().to_string() == PolynomialDecay(0.1, 10).get_config().to_string());
    CHECK((*polynomial)(5) == PolynomialDecay(0.1, 10)(5));
    REQUIRE_THROWS_WITH(schedule_from_config(Config{}.set("class_name", "CosineDecay").set("config", Config{}.set("decay_steps", 10))),
                        Contains("missing key 'initial_learning_rate'"));
}
