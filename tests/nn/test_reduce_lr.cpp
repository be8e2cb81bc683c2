// ReduceLROnPlateau, driven epoch by epoch with synthetic logs on a compiled tiny
// model, with the semantics of Keras 3's reduce_lr_on_plateau_test.py.
#include <catch2/catch.hpp>
#include <cmath>
#include <xgrad/core/random.hpp>
#include <xgrad/nn/callbacks.hpp>
#include <xgrad/nn/layers/dense.hpp>
#include <xgrad/nn/sequential.hpp>
#include <xgrad/optim/adam.hpp>

using namespace xgrad;
using Catch::Contains;

namespace {
// Keras's test model: Dense(5), Dense(2), mse, Adam(0.1).
std::unique_ptr<nn::Sequential> test_model()
{
    set_seed(31);
    auto model = std::make_unique<nn::Sequential>(
        std::vector<nn::LayerRef>{nn::Input({3}), nn::Dense(5), nn::Dense(2)});
    model->compile(std::make_shared<optim::Adam>(optim::AdamOptions{}.learning_rate(0.1)), "mse");
    return model;
}

double lr(const nn::Model& model) { return model.optimizer()->learning_rate(); }

// Runs `cb` over epochs whose logs hold `monitor` = values[e]; returns each epoch's logs.
std::vector<nn::Logs> run(nn::Callback& cb, nn::Model& model, const std::string& monitor,
                          const std::vector<double>& values)
{
    cb.set_model(&model);
    cb.on_train_begin({});
    std::vector<nn::Logs> all;
    for (int e = 0; e < static_cast<int>(values.size()); ++e) {
        nn::Logs logs{{monitor, values[e]}};
        cb.on_epoch_end(e, logs);
        all.push_back(logs);
    }
    cb.on_train_end({});
    return all;
}
}  // namespace

TEST_CASE("ReduceLROnPlateau: Keras's defaults, and reduces after patience epochs (test_reduces_lr_with_model_fit)")
{
    auto model = test_model();
    // patience 1, factor 0.1, min_delta 100: epoch 1 is no improvement, 0.1 -> 0.01.
    nn::ReduceLROnPlateau reduce("val_loss", 0.1, 1, 0, nn::Mode::Auto, 100);
    const auto logs = run(reduce, *model, "val_loss", {0.5, 0.4});
    CHECK(lr(*model) == Approx(0.01));
    // "learning_rate" is logged before this epoch's reduction, as Keras 3.
    CHECK(logs[0].at("learning_rate") == Approx(0.1));
    CHECK(logs[1].at("learning_rate") == Approx(0.1));
    // The defaults: monitor val_loss, factor 0.1, patience 10, min_delta 1e-4.
    auto fresh = test_model();
    nn::ReduceLROnPlateau defaults;
    std::vector<double> flat(10, 1.0);
    run(defaults, *fresh, "val_loss", flat);  // 9 epochs without improvement
    CHECK(lr(*fresh) == Approx(0.1));
    CHECK(defaults.wait() == 9);
    nn::Logs one{{"val_loss", 1.0}};
    defaults.on_epoch_end(10, one);
    CHECK(lr(*fresh) == Approx(0.01));
    CHECK(defaults.wait() == 0);
}

TEST_CASE("ReduceLROnPlateau: min_lr is a floor (test_honors_min_lr)")
{
    auto model = test_model();
    nn::ReduceLROnPlateau reduce("val_loss", 0.1, 1, 0, nn::Mode::Auto, 10, 0, 0.005);
    run(reduce, *model, "val_loss", {0.5, 0.5, 0.5, 0.5});
    CHECK(lr(*model) == Approx(0.005));
    // At min_lr (compared in float32) nothing is reduced, so no cooldown starts.
    CHECK(reduce.wait() == 1);
}

TEST_CASE("ReduceLROnPlateau: cooldown (test_cooldown) and the state reset (test_state_reset_across_fit_calls)")
{
    auto model = test_model();
    nn::ReduceLROnPlateau reduce("val_loss", 0.1, 1, 0, nn::Mode::Auto, 100, 2);
    // Epoch 1 reduces (0.01) and starts a 2-epoch cooldown; epoch 3 reduces again.
    run(reduce, *model, "val_loss", {0.5, 0.5, 0.5});
    CHECK(lr(*model) == Approx(0.01));
    CHECK(reduce.in_cooldown());
    nn::Logs logs{{"val_loss", 0.5}};
    reduce.on_epoch_end(3, logs);
    CHECK(lr(*model) == Approx(0.001));
    CHECK(reduce.cooldown_counter() == 2);
    // A new fit: on_train_begin clears best, wait and the cooldown.
    reduce.on_train_begin({});
    CHECK(std::isnan(reduce.best()));
    CHECK(reduce.wait() == 0);
    CHECK(reduce.cooldown_counter() == 0);
}

TEST_CASE("ReduceLROnPlateau: min_delta as Keras (current + min_delta < best; - for max), mode, missing monitor")
{
    auto model = test_model();
    // 0.95 is within min_delta 0.1 of 1.0 (no improvement); 0.85 improves (0.95 < 1.0).
    nn::ReduceLROnPlateau reduce("loss", 0.5, 2, 0, nn::Mode::Auto, 0.1);
    run(reduce, *model, "loss", {1.0, 0.95, 0.85, 0.8});
    CHECK(reduce.best() == 0.85);
    CHECK(reduce.wait() == 1);
    CHECK(lr(*model) == Approx(0.1));
    // Auto maximizes accuracy: 0.6 -> 0.65 is within min_delta, 0.75 is not.
    nn::ReduceLROnPlateau acc("val_accuracy", 0.5, 1, 0, nn::Mode::Auto, 0.1);
    run(acc, *model, "val_accuracy", {0.6, 0.65, 0.75, 0.76});
    CHECK(acc.best() == 0.75);
    CHECK(lr(*model) == Approx(0.025));  // reduced at epochs 1 and 3
    // Mode::Max on a loss-like name.
    nn::ReduceLROnPlateau maxed("score", 0.5, 1, 0, nn::Mode::Max, 0.0);
    run(maxed, *model, "score", {1.0, 2.0});
    CHECK(maxed.best() == 2.0);
    // A missing monitor: the lr is still logged, nothing changes.
    nn::ReduceLROnPlateau missing("val_loss", 0.1, 0);
    const auto logs = run(missing, *model, "loss", {1.0, 1.0});
    CHECK(logs[1].at("learning_rate") == Approx(0.025));
    CHECK(lr(*model) == Approx(0.025));
}

TEST_CASE("ReduceLROnPlateau: errors name the callback and the argument")
{
    CHECK_THROWS_WITH(nn::ReduceLROnPlateau("val_loss", 1.0), Contains("ReduceLROnPlateau") && Contains("'factor'"));
    CHECK_THROWS_WITH(nn::ReduceLROnPlateau("val_loss", 0.1, -1), Contains("ReduceLROnPlateau") && Contains("'patience'"));
    CHECK_THROWS_WITH(nn::ReduceLROnPlateau("val_loss", 0.1, 1, 0, nn::Mode::Auto, 1e-4, -1), Contains("'cooldown'"));
    CHECK_THROWS_WITH(nn::ReduceLROnPlateau("val_loss", 0.1, 1, 0, nn::Mode::Auto, 1e-4, 0, -1.0), Contains("'min_lr'"));
    nn::ReduceLROnPlateau reduce;
    nn::Logs logs{{"val_loss", 1.0}};
    CHECK_THROWS_WITH(reduce.on_epoch_end(0, logs), Contains("ReduceLROnPlateau"));
}

TEST_CASE("ReduceLROnPlateau in fit: Keras's test_reduces_lr_with_model_fit and test_cooldown, learning_rate in the history")
{
    auto model = test_model();
    Generator gen(7);
    const Tensor x(gen.normal<float>({10, 3}, 0.0f, 1.0f)), y(gen.normal<float>({10, 2}, 0.0f, 1.0f));
    const Tensor xv(gen.normal<float>({10, 3}, 0.0f, 1.0f)), yv(gen.normal<float>({10, 2}, 0.0f, 1.0f));
    auto reduce = std::make_shared<nn::ReduceLROnPlateau>("val_loss", 0.1, 1, 0, nn::Mode::Auto, 100);
    auto history = model->fit(x, y, {.epochs = 2, .validation_data = std::pair{xv, yv}, .callbacks = {reduce},
                                     .verbose = 0});
    CHECK(lr(*model) == Approx(0.01));
    REQUIRE(history.history["learning_rate"].size() == 2);
    CHECK(history.history["learning_rate"][0] == Approx(0.1));
    // Cooldown 2 over 4 epochs: reduced at epochs 1 and 3 (0.01 -> 0.001 -> 0.0001).
    auto cooled = std::make_shared<nn::ReduceLROnPlateau>("val_loss", 0.1, 1, 0, nn::Mode::Auto, 100, 2);
    model->fit(x, y, {.epochs = 4, .validation_data = std::pair{xv, yv}, .callbacks = {cooled}, .verbose = 0});
    CHECK(lr(*model) == Approx(0.0001));
}
