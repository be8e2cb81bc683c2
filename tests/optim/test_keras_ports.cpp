// Keras 3's own tests of the optimizers added in issue 15, ported number for
// number (keras/src/optimizers/{adadelta,adafactor,ftrl,lamb,loss_scale_optimizer}_test.py,
// schedules/learning_rate_schedule_test.py): test_single_step, test_weight_decay,
// test_correctness_with_golden, configs from Keras's get_config() dicts.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <numbers>

#include <xgrad/optim/adadelta.hpp>
#include <xgrad/optim/adafactor.hpp>
#include <xgrad/optim/factory.hpp>
#include <xgrad/optim/ftrl.hpp>
#include <xgrad/optim/gradient_descent.hpp>
#include <xgrad/optim/lamb.hpp>
#include <xgrad/optim/loss_scale_optimizer.hpp>
#include <xgrad/optim/momentum.hpp>
#include <xgrad/optim/schedules.hpp>

using namespace xgrad::optim;
using Catch::Contains;
using xgrad::Tensor;
using xgrad::Variable;

namespace {

void require_close(const Variable& v, const std::vector<double>& want, double tol)
{
    REQUIRE(v.size() == want.size());
    const float* got = v.value().data();
    for (std::size_t i = 0; i < want.size(); ++i) {
        INFO("element " << i << ": got " << got[i] << ", want " << want[i]);
        CHECK(std::abs(got[i] - want[i]) <= tol + tol * std::abs(want[i]));  // numpy's allclose(rtol=atol=tol)
    }
}

// test_single_step: grads [1, 6, 7, 2] on vars [1, 2, 3, 4].
void single_step(Optimizer& opt, const std::vector<double>& want)
{
    Variable vars(xt::xarray<float>{1.0f, 2.0f, 3.0f, 4.0f}, "vars");
    opt.apply_gradients({Tensor(xt::xarray<float>{1.0f, 6.0f, 7.0f, 2.0f})}, {vars});
    require_close(vars, want, 1e-4);
}

// test_weight_decay: three optimizers with lr 1, weight_decay 0.004 on zero gradients.
void weight_decay(const std::string& kind)
{
    const Config c = Config{}.set("learning_rate", 1.0).set("weight_decay", 0.004);
    Variable var1(xt::xarray<float>(2.0f), "var1"), var2(xt::xarray<float>(2.0f), "exclude"),
        var3(xt::xarray<float>(2.0f), "var3");
    const Tensor zero(xt::xarray<float>(0.0f));
    make_optimizer(kind, c)->apply_gradients({zero}, {var1});
    auto opt2 = make_optimizer(kind, c);
    opt2->exclude_from_weight_decay({}, {"exclude"});
    opt2->apply_gradients({zero, zero}, {var1, var2});
    auto opt3 = make_optimizer(kind, c);
    opt3->exclude_from_weight_decay({var3});
    opt3->apply_gradients({zero, zero}, {var1, var3});
    CHECK(var1(0) == Approx(1.9760959).margin(1e-6));
    CHECK(var2(0) == Approx(2.0).margin(1e-6));
    CHECK(var3(0) == Approx(2.0).margin(1e-6));
}

// test_correctness_with_golden: x = ones(10), one step of 0.01s, then grads 0.1, 0.2, ..., 1.0.
void golden(Optimizer& opt, const std::vector<std::vector<double>>& rows)
{
    Variable x(xt::xarray<float>(xgrad::Shape{10}, 1.0f), "x");
    xt::xarray<float> grads = xt::xarray<float>::from_shape({10});
    for (std::size_t i = 0; i < 10; ++i) grads(i) = static_cast<float>(0.1 * double(i + 1));
    opt.apply_gradients({Tensor(xt::xarray<float>(xgrad::Shape{10}, 0.01f))}, {x});
    for (const auto& row : rows) {
        require_close(x, row.size() == 1 ? std::vector<double>(10, row[0]) : row, 5e-4);
        opt.apply_gradients({Tensor(grads)}, {x});
    }
}

// Keras's base get_config() keys with their defaults, then the optimizer's own.
Config keras_config(const std::string& name, double lr)
{
    return Config{}
        .set("name", name)
        .set("learning_rate", lr)
        .set("weight_decay", ConfigValue())
        .set("clipnorm", ConfigValue())
        .set("global_clipnorm", ConfigValue())
        .set("clipvalue", ConfigValue())
        .set("use_ema", false)
        .set("ema_momentum", 0.99)
        .set("ema_overwrite_frequency", ConfigValue())
        .set("loss_scale_factor", ConfigValue())
        .set("gradient_accumulation_steps", ConfigValue());
}

}  // namespace

TEST_CASE("keras ports: Adadelta")
{
    Adadelta step(AdadeltaOptions{}.learning_rate(0.5));
    single_step(step, {0.9993, 1.9993, 2.9993, 3.9993});
    weight_decay("adadelta");
    Adadelta opt(AdadeltaOptions{}.learning_rate(1.0).rho(0.8).epsilon(1e-6));
    golden(opt, {{0.9978}, {0.9947}, {0.9915}, {0.9882}, {0.9849}});
}

TEST_CASE("keras ports: Adafactor (factored second moments, relative step, clipping threshold)")
{
    Adafactor one_d(AdafactorOptions{}.learning_rate(0.5));
    single_step(one_d, {-0.3693, 0.6307, 1.6307, 2.6307});

    Adafactor two_d(AdafactorOptions{}.learning_rate(0.5));
    Variable vars(xt::xarray<float>{{1.0f, 2.0f}, {3.0f, 4.0f}}, "vars");
    two_d.apply_gradients({Tensor(xt::xarray<float>{{1.0f, 6.0f}, {7.0f, 2.0f}})}, {vars});
    require_close(vars, {0.7007, -0.0081, 1.2492, 3.4407}, 1e-4);
    CHECK(two_d.slot(vars, "r").shape() == xgrad::Shape{2});  // shape[:-1]
    CHECK(two_d.slot(vars, "c").shape() == xgrad::Shape{2});  // shape[:-2] + shape[-1:]

    weight_decay("adafactor");
    Adafactor opt(AdafactorOptions{}
                      .learning_rate(0.5)
                      .beta_2_decay(-0.65)
                      .epsilon_1(1e-15)
                      .epsilon_2(1e-4)
                      .clip_threshold(0.9)
                      .relative_step(false));
    golden(opt, {{0.55},
                 {0.3031, 0.3026, 0.3025, 0.3024, 0.3024, 0.3024, 0.3024, 0.3024, 0.3024, 0.3024},
                 {0.1671, 0.1665, 0.1663, 0.1663, 0.1663, 0.1663, 0.1663, 0.1663, 0.1663, 0.1663},
                 {0.0923, 0.0916, 0.0915, 0.0914, 0.0914, 0.0914, 0.0914, 0.0914, 0.0914, 0.0914},
                 {0.0554, 0.0548, 0.0546, 0.0546, 0.0546, 0.0546, 0.0546, 0.0545, 0.0545, 0.0545}});
}

TEST_CASE("keras ports: Adafactor's factored slots of a 3-D variable are saved and checked by shape")
{
    Adafactor opt;
    Variable k(xt::xarray<float>(xgrad::Shape{2, 3, 4}, 0.5f), "kernel");
    opt.apply_gradients({Tensor(xt::xarray<float>(xgrad::Shape{2, 3, 4}, 0.25f))}, {k});
    CHECK(opt.slot(k, "r").shape() == xgrad::Shape{2, 3});
    CHECK(opt.slot(k, "c").shape() == xgrad::Shape{2, 4});
    CHECK(opt.slot(k, "velocity").shape() == xgrad::Shape{2, 3, 4});
    const std::string path = std::string(XGRAD_BINARY_DIR) + "/optim_test_adafactor.state";
    opt.save_state(path);
    Adafactor restored;
    restored.load_state(path, {k});
    CHECK(static_cast<bool>(restored.slot(k, "r") == opt.slot(k, "r")));
    Variable other(xt::xarray<float>(xgrad::Shape{2, 3, 5}, 0.5f), "kernel");
    Adafactor wrong;
    REQUIRE_THROWS_WITH(wrong.load_state(path, {other}),
                        Contains("slot 'c' of variable 'kernel' has shape (2, 4)") &&
                            Contains("this optimizer's slot has shape (2, 5) for the variable of shape (2, 3, 5)"));
    std::remove(path.c_str());
}

TEST_CASE("keras ports: Ftrl")
{
    Ftrl step(FtrlOptions{}.learning_rate(0.5));
    single_step(step, {0.2218, 1.3954, 2.3651, 2.8814});
    Ftrl opt(FtrlOptions{}
                 .learning_rate(0.05)
                 .learning_rate_power(-0.2)
                 .initial_accumulator_value(0.4)
                 .l1_regularization_strength(0.05)
                 .l2_regularization_strength(0.15)
                 .l2_shrinkage_regularization_strength(0.01)
                 .beta(0.3));
    golden(opt, {{0.0},
                 {-0.0034, -0.0077, -0.0118, -0.0157, -0.0194, -0.023, -0.0263, -0.0294, -0.0325, -0.0354},
                 {-0.0078, -0.0162, -0.0242, -0.0317, -0.0387, -0.0454, -0.0516, -0.0575, -0.0631, -0.0685},
                 {-0.0121, -0.0246, -0.0363, -0.0472, -0.0573, -0.0668, -0.0757, -0.0842, -0.0922, -0.0999},
                 {-0.0164, -0.0328, -0.0481, -0.0623, -0.0753, -0.0875, -0.099, -0.1098, -0.1201, -0.1299}});
    REQUIRE_THROWS_WITH(Ftrl(FtrlOptions{}.initial_accumulator_value(-0.1)),
                        Contains("Ftrl: option 'initial_accumulator_value' must be a finite number >= 0, got -0.1"));
    REQUIRE_THROWS_WITH(Ftrl(FtrlOptions{}.learning_rate_power(0.1)),
                        Contains("Ftrl: option 'learning_rate_power' must be a finite number <= 0, got 0.1"));
    REQUIRE_THROWS_WITH(Ftrl(FtrlOptions{}.l1_regularization_strength(-0.1)), Contains("'l1_regularization_strength'"));
    REQUIRE_THROWS_WITH(Ftrl(FtrlOptions{}.l2_regularization_strength(-0.1)), Contains("'l2_regularization_strength'"));
    REQUIRE_THROWS_WITH(Ftrl(FtrlOptions{}.l2_shrinkage_regularization_strength(-0.1)),
                        Contains("'l2_shrinkage_regularization_strength'"));
}

TEST_CASE("keras ports: Lamb")
{
    Lamb step(LambOptions{}.learning_rate(0.5));
    single_step(step, {-0.3693, 0.6306, 1.6306, 2.6306});
    weight_decay("lamb");
    Lamb opt;
    golden(opt, {{0.999}, {0.9982}, {0.9974}, {0.9965}, {0.9955}});
}

TEST_CASE("keras ports: make_optimizer builds each new optimizer from its Keras get_config() dict")
{
    struct Expected {
        std::string kind;
        Config config;
    };
    const std::vector<Expected> dicts = {
        {"adadelta", keras_config("adadelta", 0.5).set("rho", 0.9).set("epsilon", 1e-5)},
        {"adafactor", keras_config("adafactor", 0.5)
                          .set("beta_2_decay", -0.65)
                          .set("epsilon_1", 1e-15)
                          .set("epsilon_2", 0.0001)
                          .set("clip_threshold", 0.9)
                          .set("relative_step", false)},
        {"ftrl", keras_config("ftrl", 0.05)
                     .set("learning_rate_power", -0.2)
                     .set("initial_accumulator_value", 0.4)
                     .set("l1_regularization_strength", 0.05)
                     .set("l2_regularization_strength", 0.15)
                     .set("l2_shrinkage_regularization_strength", 0.01)
                     .set("beta", 0.3)},
        {"lamb", keras_config("lamb", 0.5).set("beta_1", 0.5).set("beta_2", 0.67).set("epsilon", 1e-5)},
    };
    const auto ids = optimizer_identifiers();
    for (const auto& d : dicts) {
        INFO(d.kind);
        CHECK(std::find(ids.begin(), ids.end(), d.kind) != ids.end());
        auto opt = make_optimizer(d.kind, d.config);
        CHECK(opt->kind() == d.kind);
        // The same dict back, key for key (0.5 and 0.05 print as their float32 values, as Keras does).
        Config want = d.config;
        want.set("learning_rate", double(float(d.config.get_double("learning_rate"))));
        CHECK(opt->get_config().to_string() == want.to_string());
    }
}

TEST_CASE("keras ports: LossScaleOptimizer (dynamic loss scaling)")
{
    const std::vector<double> finite = {0.5, -1.0, -0.5, 3.0};
    SECTION("finite step: gradients are unscaled, the inner optimizer applies them")
    {
        LossScaleOptimizer opt(std::make_shared<GradientDescent>(GradientDescentOptions{}.learning_rate(0.5)));
        Variable vars(xt::xarray<float>{1.0f, 2.0f, 3.0f, 4.0f}, "vars");
        const float s = float(opt.loss_scale_options().initial_scale());
        opt.apply_gradients({Tensor(xt::xarray<float>{1.0f * s, 6.0f * s, 7.0f * s, 2.0f * s})}, {vars});
        require_close(vars, finite, 1e-4);
        CHECK(opt.iterations() == 1);
    }
    SECTION("finite step with an inner loss_scale_factor: it is turned off")
    {
        LossScaleOptimizer opt(
            std::make_shared<GradientDescent>(GradientDescentOptions{}.learning_rate(0.5).loss_scale_factor(100.0)));
        Variable vars(xt::xarray<float>{1.0f, 2.0f, 3.0f, 4.0f}, "vars");
        const float s = float(opt.loss_scale_options().initial_scale());
        opt.apply_gradients({Tensor(xt::xarray<float>{1.0f * s, 6.0f * s, 7.0f * s, 2.0f * s})}, {vars});
        require_close(vars, finite, 1e-4);
        CHECK(opt.inner_optimizer()->get_config().at("loss_scale_factor").is_none());
    }
    SECTION("infinite step: nothing is applied, the scale halves")
    {
        LossScaleOptimizer opt(std::make_shared<GradientDescent>(GradientDescentOptions{}.learning_rate(0.5)));
        Variable vars(xt::xarray<float>{1.0f, 2.0f, 3.0f, 4.0f}, "vars");
        opt.apply_gradients({Tensor(xt::xarray<float>{INFINITY, INFINITY, INFINITY, INFINITY})}, {vars});
        require_close(vars, {1.0, 2.0, 3.0, 4.0}, 1e-4);
        CHECK(opt.iterations() == 0);
        CHECK(opt.dynamic_scale() == 16384.0f);
    }
    SECTION("downscaling: four infinite steps from 400 give 25")
    {
        LossScaleOptimizer opt(std::make_shared<GradientDescent>(GradientDescentOptions{}.learning_rate(0.5)),
                               LossScaleOptimizerOptions{}.initial_scale(400.0));
        Variable vars(xt::xarray<float>{1.0f, 2.0f, 3.0f, 4.0f}, "vars");
        for (int i = 0; i < 4; ++i) opt.apply_gradients({Tensor(xt::xarray<float>(xgrad::Shape{4}, INFINITY))}, {vars});
        CHECK(opt.scale_loss(Tensor(xt::xarray<float>(1.0f))).item() == Approx(25.0));
    }
    SECTION("upscaling: 8 finite steps with growth every 2 take 2 to 32; iterations count every step")
    {
        LossScaleOptimizer opt(std::make_shared<GradientDescent>(GradientDescentOptions{}.learning_rate(0.5)),
                               LossScaleOptimizerOptions{}.initial_scale(2.0).dynamic_growth_steps(2));
        Variable vars(xt::xarray<float>{1.0f, 2.0f, 3.0f, 4.0f}, "vars");
        for (int i = 0; i < 8; ++i) {
            opt.apply_gradients({Tensor(xt::xarray<float>{1.0f, 6.0f, 7.0f, 2.0f})}, {vars});
            CHECK(opt.iterations() == i + 1);
        }
        CHECK(opt.scale_loss(Tensor(xt::xarray<float>(1.0f))).item() == Approx(32.0));
        // The scale and its counter are saved with the inner optimizer's state.
        const std::string path = std::string(XGRAD_BINARY_DIR) + "/optim_test_lso.state";
        opt.save_state(path);
        LossScaleOptimizer restored(std::make_shared<GradientDescent>(GradientDescentOptions{}.learning_rate(0.5)),
                                    LossScaleOptimizerOptions{}.initial_scale(2.0).dynamic_growth_steps(2));
        restored.load_state(path, {vars});
        CHECK(restored.dynamic_scale() == 32.0f);
        CHECK(restored.iterations() == 8);
        std::remove(path.c_str());
    }
    SECTION("config: Keras's four keys; from_config, including old configs with default base keys")
    {
        LossScaleOptimizer opt(std::make_shared<GradientDescent>(GradientDescentOptions{}.learning_rate(0.5)),
                               LossScaleOptimizerOptions{}.initial_scale(3.0).dynamic_growth_steps(2).name("test_opt"));
        const Config c = opt.get_config();
        CHECK(c.items().size() == 4);
        CHECK(c.get_string("name") == "test_opt");
        CHECK(c.get_double("initial_scale") == 3.0);
        CHECK(c.get_int("dynamic_growth_steps") == 2);
        CHECK(c.get_dict("inner_optimizer").get_string("class_name") == "SGD");
        auto again = LossScaleOptimizer::from_config(c);
        CHECK(again->get_config().to_string() == c.to_string());

        Config old;  // keras_config without 'learning_rate' (LossScaleOptimizer's test_deserialization_backwards_compatibility)
        const Config base = keras_config("loss_scale_optimizer", 0.5);
        for (const auto& [key, value] : base.items()) {
            if (key != "learning_rate") old.set(key, value);
        }
        old.set("inner_optimizer", Config{}
                                       .set("module", "keras.optimizers")
                                       .set("class_name", "SGD")
                                       .set("config", keras_config("SGD", 0.5).set("momentum", 0.0).set("nesterov", false))
                                       .set("registered_name", ConfigValue()))
            .set("initial_scale", 2.0)
            .set("dynamic_growth_steps", 2);
        CHECK(LossScaleOptimizer::from_config(old)->inner_optimizer()->kind() == "gradient_descent");
        REQUIRE_THROWS_WITH(LossScaleOptimizer::from_config(Config(old).set("clipnorm", 0.5)),
                            Contains("LossScaleOptimizer does not support `clipnorm`. Instead, set `clipnorm` on the "
                                     "`inner_optimizer`."));
        REQUIRE_THROWS_WITH(LossScaleOptimizer::from_config(Config(old).set("foo", true).set("bar", 3)),
                            Contains("LossScaleOptimizer does not support arguments: `foo`, `bar`."));
        REQUIRE_THROWS_WITH(LossScaleOptimizer::from_config(Config(old).set("dynamic", false)),
                            Contains("set `loss_scale_factor`"));
        CHECK(LossScaleOptimizer::from_config(Config(old).set("dynamic", true))->dynamic_scale() == 2.0f);
    }
}

TEST_CASE("keras ports: CosineDecayRestarts follows SGDR, and set_learning_rate takes a schedule")
{
    // learning_rate_schedule_test.py's np_cosine_decay_restarts
    const auto reference = [](double step, double decay_steps, double t_mul, double m_mul, double alpha) {
        double fac = 1.0;
        while (step >= decay_steps) {
            step -= decay_steps;
            decay_steps *= t_mul;
            fac *= m_mul;
        }
        const double decay = fac * 0.5 * (1.0 + std::cos(std::numbers::pi * step / decay_steps));
        return (1.0 - alpha) * decay + alpha;
    };
    struct Args {
        double t_mul, m_mul, alpha;
    };
    for (const Args a : {Args{2.0, 1.0, 0.0}, Args{2.0, 1.0, 0.1}, Args{2.0, 0.9, 0.0}, Args{1.0, 1.0, 0.0}}) {
        for (int step = 0; step < 1500; step += 250) {
            INFO("t_mul " << a.t_mul << ", m_mul " << a.m_mul << ", alpha " << a.alpha << ", step " << step);
            const CosineDecayRestarts lr(1.0, 1000, a.t_mul, a.m_mul, a.alpha);
            CHECK(lr(step) == Approx(reference(step, 1000, a.t_mul, a.m_mul, a.alpha)).margin(1e-6));
        }
    }
    const CosineDecayRestarts cdr(0.05, 10, 3.0, 4.0, 0.1, "my_cdr");
    CHECK(cdr.get_config().to_string() == "{'initial_learning_rate': 0.05, 'first_decay_steps': 10, 't_mul': 3.0, "
                                          "'m_mul': 4.0, 'alpha': 0.1, 'name': 'my_cdr'}");
    const auto rebuilt = schedule_from_config(cdr.serialize());
    CHECK(rebuilt->get_config().to_string() == cdr.get_config().to_string());
    REQUIRE_THROWS_WITH(CosineDecayRestarts(0.1, 0), Contains("CosineDecayRestarts: option 'first_decay_steps' must be > 0"));

    // An optimizer made with a number gets a schedule later; its config then serializes it.
    Momentum opt(MomentumOptions{}.learning_rate(0.1));
    Variable w(xt::xarray<float>{1.0f}, "w");
    opt.apply_gradients({Tensor(xt::xarray<float>{1.0f})}, {w});
    opt.set_learning_rate(std::make_shared<CosineDecayRestarts>(0.1, 4));
    CHECK(opt.learning_rate() == CosineDecayRestarts(0.1, 4)(1));
    CHECK(opt.get_config().get_dict("learning_rate").get_string("class_name") == "CosineDecayRestarts");
    REQUIRE_THROWS_WITH(opt.set_learning_rate(0.5), Contains("cannot be set to a number"));
    opt.set_learning_rate([](std::int64_t it) { return 0.25f / float(it + 1); });
    CHECK(opt.learning_rate() == 0.125f);
    auto again = make_optimizer("momentum", make_optimizer("momentum", Config{}.set("learning_rate", CosineDecayRestarts(0.1, 4).serialize()))->get_config());
    CHECK(again->learning_rate() == CosineDecayRestarts(0.1, 4)(0));
}
