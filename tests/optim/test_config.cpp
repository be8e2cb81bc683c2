// get_config() prints exactly as Keras 3; from_config / make_optimizer round-trip.
#include <catch2/catch.hpp>

#include <xgrad/optim/adam.hpp>
#include <xgrad/optim/factory.hpp>
#include <xgrad/optim/gradient_descent.hpp>
#include <xgrad/optim/schedules.hpp>

using namespace xgrad::optim;

TEST_CASE("config: Python float repr")
{
    CHECK(python_float_repr(0.9) == "0.9");
    CHECK(python_float_repr(1e-7) == "1e-07");
    CHECK(python_float_repr(0.0001) == "0.0001");
    CHECK(python_float_repr(0.00001) == "1e-05");
    CHECK(python_float_repr(2.5e-10) == "2.5e-10");
    CHECK(python_float_repr(1e16) == "1e+16");
    CHECK(python_float_repr(123.0) == "123.0");
    CHECK(python_float_repr(-0.5) == "-0.5");
    CHECK(python_float_repr(0.0) == "0.0");
    CHECK(python_float_repr(static_cast<float>(0.001)) == "0.0010000000474974513");
    CHECK(python_float_repr(1234567890123456.0) == "1234567890123456.0");
}

TEST_CASE("config: Adam's default get_config() is Keras 3's dict, key for key")
{
    // Keras 3 stores the learning rate in a float32 variable and returns float(variable):
    // 0.001 prints as 0.0010000000474974513 there too.
    CHECK(Adam().get_config().to_string() ==
          "{'name': 'adam', 'learning_rate': 0.0010000000474974513, 'weight_decay': None, 'clipnorm': None, "
          "'global_clipnorm': None, 'clipvalue': None, 'use_ema': False, 'ema_momentum': 0.99, "
          "'ema_overwrite_frequency': None, 'loss_scale_factor': None, 'gradient_accumulation_steps': None, "
          "'beta_1': 0.9, 'beta_2': 0.999, 'epsilon': 1e-07, 'amsgrad': False}");
    CHECK(GradientDescent(GradientDescentOptions{}.learning_rate(0.5).clipnorm(1.0)).get_config().to_string() ==
          "{'name': 'SGD', 'learning_rate': 0.5, 'weight_decay': None, 'clipnorm': 1.0, 'global_clipnorm': None, "
          "'clipvalue': None, 'use_ema': False, 'ema_momentum': 0.99, 'ema_overwrite_frequency': None, "
          "'loss_scale_factor': None, 'gradient_accumulation_steps': None, 'momentum': 0.0, 'nesterov': False}");
    const auto schedule = std::make_shared<ExponentialDecay>(0.01, 1000, 0.96);
    CHECK(Adam(AdamOptions{}.learning_rate(schedule)).get_config().at("learning_rate").repr() ==
          "{'module': 'keras.optimizers.schedules', 'class_name': 'ExponentialDecay', 'config': "
          "{'initial_learning_rate': 0.01, 'decay_steps': 1000, 'decay_rate': 0.96, 'staircase': False, "
          "'name': 'ExponentialDecay'}, 'registered_name': None}");
}

TEST_CASE("config: every optimizer round-trips through get_config and make_optimizer")
{
    for (const auto& id : optimizer_identifiers()) {
        DYNAMIC_SECTION(id)
        {
            Config options;
            options.set("learning_rate", 0.25).set("global_clipnorm", 2.0).set("use_ema", true);
            if (id == "sgd" || id == "momentum") options.set("momentum", 0.5);
            auto first = make_optimizer(id, options);
            auto again = make_optimizer(first->kind(), first->get_config());
            CHECK(again->kind() == first->kind());
            CHECK(again->get_config().to_string() == first->get_config().to_string());
            CHECK(first->get_config().get_double("learning_rate") == 0.25);
            CHECK(first->get_config().get_double("global_clipnorm") == 2.0);
        }
    }
    // "sgd" picks Momentum when momentum > 0, as Keras's SGD does.
    CHECK(make_optimizer("SGD")->kind() == "gradient_descent");
    CHECK(make_optimizer("sgd", Config{}.set("momentum", 0.9))->kind() == "momentum");
    CHECK(make_optimizer("Adam")->name() == "adam");
    // A schedule survives the round trip.
    auto scheduled = make_optimizer("adam", Config{}.set("learning_rate", CosineDecay(0.1, 100, 0.0, "CosineDecay", 0.5, 10).serialize()));
    auto rebuilt = make_optimizer("adam", scheduled->get_config());
    CHECK(rebuilt->get_config().to_string() == scheduled->get_config().to_string());
    CHECK(rebuilt->learning_rate() == scheduled->learning_rate());
}
