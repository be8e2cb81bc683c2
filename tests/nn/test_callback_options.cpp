// Callback options, driven epoch by epoch without fit: EarlyStopping's
// restore_best_weights, ModelCheckpoint's save_best_only, CSVLogger's append.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <xgrad/core/random.hpp>
#include <xgrad/nn/callbacks_io.hpp>
#include <xgrad/nn/layers/dense.hpp>
#include <xgrad/nn/sequential.hpp>

using namespace xgrad;
namespace fs = std::filesystem;

namespace {
fs::path fresh_dir(const std::string& name)
{
    const fs::path dir = fs::temp_directory_path() / ("xgrad_test_cbopt_" + name);
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

// Sets every weight of `model` to `value` (a marker for the epoch).
void fill(nn::Sequential& model, float value)
{
    auto w = model.get_weights();
    for (auto& v : w) v.fill(value);
    model.set_weights(w);
}

float first_weight(const nn::Sequential& model) { return model.get_weights()[0].data()[0]; }

// Runs `cb` over epochs with the given monitored values; epoch e's weights are all e + 1.
void run(nn::Callback& cb, nn::Sequential& model, const std::string& monitor, const std::vector<double>& values)
{
    cb.set_model(&model);
    cb.on_train_begin({});
    for (int e = 0; e < static_cast<int>(values.size()) && !model.stop_training; ++e) {
        fill(model, static_cast<float>(e + 1));
        nn::Logs logs{{monitor, values[e]}};
        cb.on_epoch_end(e, logs);
    }
    cb.on_train_end({});
}

std::string read_text(const fs::path& path)
{
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), {});
}
}  // namespace

TEST_CASE("EarlyStopping(restore_best_weights) restores the best epoch's weights, stopped early or not (Keras 3)")
{
    set_seed(21);
    nn::Sequential model({nn::Input({2}), nn::Dense(2)});
    // Stops early: best at epoch 1 (loss 0.5), patience 1 runs out at epoch 2.
    nn::EarlyStopping stops("loss", 0.0, 1, nn::Mode::Auto, true);
    run(stops, model, "loss", {1.0, 0.5, 0.9, 0.8});
    CHECK(stops.stopped_epoch() == 2);
    CHECK(first_weight(model) == 2.0f);
    // Runs to the end without stopping (patience 5): Keras 3 restores all the same.
    model.stop_training = false;
    nn::EarlyStopping runs("loss", 0.0, 5, nn::Mode::Auto, true);
    run(runs, model, "loss", {1.0, 0.2, 0.9});
    CHECK(runs.stopped_epoch() == 0);
    CHECK(runs.best_epoch() == 1);
    CHECK(first_weight(model) == 2.0f);
    // Without the option the last weights stay.
    nn::EarlyStopping keeps("loss", 0.0, 5);
    run(keeps, model, "loss", {1.0, 0.2, 0.9});
    CHECK(first_weight(model) == 3.0f);
}

TEST_CASE("ModelCheckpoint(save_best_only) saves only when the monitored value improves")
{
    set_seed(22);
    const fs::path dir = fresh_dir("ckpt");
    nn::Sequential model({nn::Input({2}), nn::Dense(2, "linear", true, "glorot_uniform", "zeros", "cbopt_dense")});
    nn::ModelCheckpoint best((dir / "best").string(), "val_accuracy", true);  // Auto: maximized ("acc")
    run(best, model, "val_accuracy", {0.5, 0.7, 0.6});
    nn::Sequential loaded({nn::Input({2}), nn::Dense(2, "linear", true, "glorot_uniform", "zeros", "cbopt_dense")});
    loaded.load_weights((dir / "best").string());
    CHECK(first_weight(loaded) == 2.0f);  // epoch 1's, not epoch 2's
    nn::ModelCheckpoint every((dir / "e{epoch}").string(), "val_accuracy", true);
    run(every, model, "val_accuracy", {0.5, 0.4, 0.6});
    CHECK(fs::exists(dir / "e1"));
    CHECK(!fs::exists(dir / "e2"));
    CHECK(fs::exists(dir / "e3"));
    fs::remove_all(dir);
}

TEST_CASE("CSVLogger(append) keeps earlier rows and writes the header once")
{
    set_seed(23);
    const fs::path dir = fresh_dir("csv");
    const std::string file = (dir / "log.csv").string();
    nn::Sequential model({nn::Input({2}), nn::Dense(2)});
    nn::CSVLogger first(file);
    run(first, model, "loss", {0.5, 0.25});
    nn::CSVLogger appended(file, ',', true);
    run(appended, model, "loss", {0.125});
    CHECK(read_text(file) == "epoch,loss\n0,0.5\n1,0.25\n0,0.125\n");
    nn::CSVLogger replaced(file);
    run(replaced, model, "loss", {1.5});
    CHECK(read_text(file) == "epoch,loss\n0,1.5\n");
    fs::remove_all(dir);
}
