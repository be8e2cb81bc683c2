// Resuming training: fit in two halves equals fit in one, bit for bit, both
// with the same model object and from a ModelCheckpoint alone (a new model
// that loads the weights and the optimizer state); use_ema ends fit on the
// moving averages.
#include <catch2/catch.hpp>
#include <cstring>
#include <filesystem>
#include <unistd.h>
#include <xgrad/core/random.hpp>
#include <xgrad/nn/callbacks_io.hpp>
#include <xgrad/nn/layers/dense.hpp>
#include <xgrad/nn/layers/input_layer.hpp>
#include <xgrad/nn/losses.hpp>
#include <xgrad/nn/sequential.hpp>
#include <xgrad/optim/adam.hpp>

using namespace xgrad;
using Catch::Contains;
namespace fs = std::filesystem;

namespace {
struct Data {
    Tensor x, y;
};

// 60 samples (batches of 16: the last one short), 5 features, 3 classes.
Data data()
{
    Generator gen(21);
    xt::xarray<float> x = gen.normal<float>({60, 5}, 0.0f, 1.0f);
    xt::xarray<float> y = xt::xarray<float>::from_shape({60});
    for (std::size_t i = 0; i < 60; ++i) y(i) = static_cast<float>((x(i, 0) > 0) + (x(i, 1) > 0.5f));
    return {Tensor(x), Tensor(y)};
}

// Dense(8, relu) -> Dense(3) with fixed layer names (checkpoints and optimizer state go by name),
// weights drawn from seed 5, compiled with Adam.
nn::Sequential make_model(optim::AdamOptions options = {})
{
    set_seed(5);
    nn::Sequential m({nn::Input({5}), nn::Dense(8, "relu", true, "glorot_uniform", "zeros", "hidden"),
                      nn::Dense(3, "linear", true, "glorot_uniform", "zeros", "out")},
                     "resumable");
    m.compile(std::make_shared<optim::Adam>(options.learning_rate(0.01)),
              nn::SparseCategoricalCrossentropy(/*from_logits=*/true));
    return m;
}

nn::FitOptions options(int initial_epoch, int epochs, std::vector<nn::CallbackPtr> callbacks = {})
{
    return {.epochs = epochs, .batch_size = 16, .shuffle = true, .callbacks = std::move(callbacks), .verbose = 0,
            .initial_epoch = initial_epoch, .seed = 99};
}

bool same_bits(const std::vector<xt::xarray<float>>& a, const std::vector<xt::xarray<float>>& b)
{
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i].shape() != b[i].shape() || std::memcmp(a[i].data(), b[i].data(), a[i].size() * sizeof(float)) != 0)
            return false;
    }
    return true;
}

std::string temp_dir(const std::string& name)
{
    const auto dir = fs::temp_directory_path() / ("xgrad_resume_" + name + "_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir.string();
}
}  // namespace

TEST_CASE("fit: 2 epochs, then fit(initial_epoch=2, epochs=4) on the same model equals 4 epochs, bit for bit")
{
    const auto [x, y] = data();
    auto straight = make_model();
    straight.fit(x, y, options(0, 4));
    const auto expected = straight.get_weights();

    auto halves = make_model();
    halves.fit(x, y, options(0, 2));
    const auto after_two = halves.get_weights();
    halves.fit(x, y, options(2, 4));
    CHECK(halves.optimizer()->iterations() == 16);
    CHECK(same_bits(halves.get_weights(), expected));
    CHECK_FALSE(same_bits(after_two, expected));

    // Resuming with epoch 0's order instead of epoch 2's gives other weights: the permutation matters.
    auto wrong = make_model();
    wrong.fit(x, y, options(0, 2));
    wrong.fit(x, y, options(0, 2));
    CHECK_FALSE(same_bits(wrong.get_weights(), expected));
}

TEST_CASE("ModelCheckpoint(include_optimizer): a new model resumes from the checkpoint alone, bit for bit")
{
    const auto [x, y] = data();
    auto straight = make_model();
    straight.fit(x, y, options(0, 4));
    const auto expected = straight.get_weights();

    const std::string dir = temp_dir("ckpt");
    auto first = make_model();
    auto ckpt = std::make_shared<nn::ModelCheckpoint>(dir + "/ckpt_{epoch:02d}", "loss", false, nn::Mode::Auto, 0,
                                                      /*include_optimizer=*/true);
    first.fit(x, y, options(0, 2, {ckpt}));
    REQUIRE(fs::exists(dir + "/ckpt_02/optimizer.state"));
    REQUIRE(fs::exists(dir + "/ckpt_02/manifest.txt"));

    auto resumed = make_model();  // fresh weights and a fresh Adam
    resumed.load_weights(dir + "/ckpt_02", /*include_optimizer=*/true);
    CHECK(resumed.optimizer()->iterations() == 8);
    resumed.fit(x, y, options(2, 4));
    CHECK(same_bits(resumed.get_weights(), expected));

    // Weights alone restart Adam's moments and step counter: not the same run.
    auto weights_only = make_model();
    weights_only.load_weights(dir + "/ckpt_02");
    weights_only.fit(x, y, options(2, 4));
    CHECK_FALSE(same_bits(weights_only.get_weights(), expected));

    // A checkpoint saved without the optimizer cannot restore one; the error names the path.
    first.save_weights(dir + "/plain");
    REQUIRE_THROWS_AS(weights_only.load_weights(dir + "/plain", true), IOError);
    REQUIRE_THROWS_WITH(weights_only.load_weights(dir + "/plain", true),
                        Contains("plain") && Contains("holds no optimizer state"));
    fs::remove_all(dir);
}

namespace {
// Records the trainable weights after every training step.
class WeightRecorder : public nn::Callback {
public:
    std::vector<std::vector<xt::xarray<float>>> steps;
    void on_train_batch_end(int, const nn::Logs&) override
    {
        std::vector<xt::xarray<float>> w;
        for (const auto& v : model_->trainable_variables()) w.push_back(v.value());
        steps.push_back(std::move(w));
    }
};
}  // namespace

TEST_CASE("fit with use_ema ends on the EMA of the weights, computed here by its formula")
{
    const auto [x, y] = data();
    auto m = make_model(optim::AdamOptions{}.use_ema(true).ema_momentum(0.9));
    auto recorder = std::make_shared<WeightRecorder>();
    m.fit(x, y, options(0, 2, {recorder}));
    REQUIRE(recorder->steps.size() == 8);

    // average = m * average + (1 - m) * w after each step, m = 0 at the first (float32, as the optimizer).
    std::vector<xt::xarray<float>> average = recorder->steps[0];
    const float mom = 0.9f, one_minus = 1.0f - mom;
    for (std::size_t s = 1; s < recorder->steps.size(); ++s) {
        for (std::size_t k = 0; k < average.size(); ++k) {
            auto& a = average[k];
            const auto& w = recorder->steps[s][k];
            for (std::size_t i = 0; i < a.size(); ++i) a.data()[i] = mom * a.data()[i] + one_minus * w.data()[i];
        }
    }
    std::vector<xt::xarray<float>> final_weights;
    for (const auto& v : m.trainable_variables()) final_weights.push_back(v.value());
    CHECK(same_bits(final_weights, average));
    CHECK_FALSE(same_bits(final_weights, recorder->steps.back()));  // not the last step's raw weights
    const auto vars = m.trainable_variables();
    std::vector<xt::xarray<float>> slots;
    for (const auto& v : vars) slots.push_back(m.optimizer()->slot(v, "average"));
    CHECK(same_bits(slots, average));
}
