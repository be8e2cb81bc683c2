#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <xgrad/autograd/gradient_tape.hpp>
#include <xgrad/autograd/ops.hpp>
#include <xgrad/core/random.hpp>
#include <xgrad/nn/callbacks_io.hpp>
#include <xgrad/nn/layers/dense.hpp>
#include <xgrad/nn/naming.hpp>
#include <xgrad/nn/progbar.hpp>
#include <xgrad/nn/sequential.hpp>
#include <xgrad/optim/adam.hpp>
#include <xgrad/optim/optimizer.hpp>

using namespace xgrad;
using Catch::Contains;

namespace {
// Two Gaussian blobs at (+2, +2) and (-2, -2): linearly separable.
std::pair<xt::xarray<float>, xt::xarray<float>> blobs(std::size_t n, std::uint64_t seed)
{
    Generator gen(seed);
    xt::xarray<float> x = gen.normal<float>({n, 2}, 0.0f, 0.5f);
    xt::xarray<float> y = xt::xarray<float>::from_shape({n});
    for (std::size_t i = 0; i < n; ++i) {
        const float c = i % 2 ? 2.0f : -2.0f;
        x(i, 0) += c;
        x(i, 1) += c;
        y(i) = i % 2 ? 1.0f : 0.0f;
    }
    return {x, y};
}

std::string temp_dir(const std::string& name)
{
    auto dir = std::filesystem::temp_directory_path() / ("xgrad_nn_" + name + "_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    return dir.string();
}
}  // namespace

TEST_CASE("fit: a separable problem reaches 100% accuracy; evaluate and predict agree")
{
    set_seed(1);
    auto [x, y] = blobs(200, 5);
    nn::Sequential model({nn::Dense(8, "relu"), nn::Dense(2, "softmax")});
    model.compile("adam", "sparse_categorical_crossentropy", {"accuracy"});
    auto history = model.fit(x, y, {.epochs = 10, .batch_size = 16, .validation_split = 0.2, .verbose = 0});
    REQUIRE(history.history["loss"].size() == 10);
    CHECK(history.history.count("val_accuracy") == 1);
    CHECK(history.history["loss"].back() < history.history["loss"].front());
    auto logs = model.evaluate(x, y, {.verbose = 0});
    CHECK(logs["accuracy"] == 1.0);
    Tensor p = model.predict(x);
    REQUIRE(p.shape() == Shape{200, 2});
    std::size_t correct = 0;
    for (std::size_t i = 0; i < 200; ++i) correct += (p(i, 1) > p(i, 0)) == (y(i) == 1.0f);
    CHECK(correct == 200);
}

TEST_CASE("fit: one-hot labels, categorical cross-entropy, 3-D inputs (Keras's dense example)")
{
    set_seed(2);
    nn::Sequential model({nn::Dense(10, "relu"), nn::Dense(2, "softmax")});
    model.compile(std::make_shared<optim::Adam>(), nn::CategoricalCrossentropy(), {"accuracy"});
    xt::xarray<float> x = global_generator().uniform<float>({2, 10, 10});
    xt::xarray<float> y(Shape{2, 10, 2}, 0.0f);
    for (std::size_t i = 0; i < 10; ++i) { y(0, i, 0) = 1; y(1, i, 1) = 1; }
    model.build({2, 10, 10});
    auto before = model.get_weights();
    REQUIRE(before.size() == 4);
    model.fit(x, y, {.epochs = 1, .batch_size = 2, .verbose = 0});
    auto after = model.get_weights();
    // One Adam step moves every weight with a nonzero gradient by about lr = 1e-3.
    const float moved = xt::amax(xt::abs(after[0] - before[0]))();
    CHECK(moved == Approx(1e-3).epsilon(0.01));
}

TEST_CASE("a hand-written tape step works side by side with fit")
{
    set_seed(3);
    auto [x, y] = blobs(64, 9);
    nn::Sequential model({nn::Dense(4, "tanh"), nn::Dense(2, "softmax")});
    model.compile("adam", "sparse_categorical_crossentropy", {"accuracy"});
    model.fit(x, y, {.epochs = 1, .verbose = 0});
    const auto iterations = model.optimizer()->iterations();
    auto vars = model.trainable_variables();
    for (int step = 0; step < 5; ++step) {
        GradientTape tape;
        Tensor loss = (*model.loss())(Tensor(y), model(Tensor(x)));
        auto grads = tape.gradient(loss, nn::as_tensors(vars));
        model.optimizer()->apply_gradients(grads, vars);
    }
    CHECK(model.optimizer()->iterations() == iterations + 5);
    model.fit(x, y, {.epochs = 2, .verbose = 0});
    CHECK(model.evaluate(x, y, {.verbose = 0})["accuracy"] == 1.0);
}

TEST_CASE("fit: bad input fails with clear messages")
{
    nn::Sequential model({nn::Dense(4, "relu"), nn::Dense(3, "softmax")});
    xt::xarray<float> x(Shape{10, 5}, 0.0f), y(Shape{9}, 0.0f);
    REQUIRE_THROWS_WITH(model.fit(x, y), Contains("call compile(optimizer, loss) first"));
    model.compile("adam", "sparse_categorical_crossentropy");
    REQUIRE_THROWS_WITH(model.fit(x, y, {.verbose = 0}), Contains("x has 10 samples (shape (10, 5)) but y has 9"));
    xt::xarray<float> bad(Shape{10}, 0.0f);
    bad(7) = 3.0f;
    REQUIRE_THROWS_AS(model.fit(x, bad, {.verbose = 0}), ValueError);
    REQUIRE_THROWS_WITH(model.fit(x, bad, {.verbose = 0}), Contains("label 3 at sample 7 is out of range"));
    REQUIRE_THROWS_WITH(model.fit(x, xt::xarray<float>(Shape{10}, 0.0f), {.validation_split = 1.5, .verbose = 0}),
                        Contains("'validation_split' must be in [0, 1), got 1.5"));
    model.compile("adam", "categorical_crossentropy");
    REQUIRE_THROWS_WITH(model.fit(x, xt::xarray<float>(Shape{10, 4}, 0.0f), {.verbose = 0}),
                        Contains("y has shape (10, 4) but the model outputs shape (10, 3)"));
    REQUIRE_THROWS_WITH(model.compile("adamw2", "mse"), Contains("unknown optimizer 'adamw2'"));
    REQUIRE_THROWS_WITH(model.compile("adam", "hingey"), Contains("unknown name 'hingey'"));
}

TEST_CASE("checkpoints: bit-exact round trip, names and shapes checked")
{
    set_seed(4);
    nn::Sequential a({nn::Input({6}), nn::Dense(5, "relu"), nn::Dense(3)});
    const std::string dir = temp_dir("ckpt");
    a.save_weights(dir);
    CHECK(std::filesystem::exists(dir + "/manifest.txt"));
    CHECK(std::filesystem::exists(dir + "/" + a.named_parameters()[0].first + ".npy"));
    // A second identical model in the same process has the same names: it loads.
    nn::Sequential same({nn::Input({6}), nn::Dense(5, "relu"), nn::Dense(3)});
    CHECK(same.named_parameters()[2].first == "dense_1.kernel");
    same.load_weights(dir);
    CHECK(xt::all(xt::equal(same.get_weights()[2], a.get_weights()[2])));
    nn::Sequential b({nn::Input({6}), nn::Dense(5, "relu", true, "glorot_uniform", "zeros", "hidden"), nn::Dense(3)});
    // Different names (hidden, dense): the manifest does not match.
    REQUIRE_THROWS_AS(b.load_weights(dir), IOError);
    REQUIRE_THROWS_WITH(b.load_weights(dir), Contains("that the model"));
    nn::Sequential c({nn::Input({6}), nn::Dense(5, "relu", true, "glorot_uniform", "zeros", a.layers()[0]->name()),
                      nn::Dense(3, "linear", true, "glorot_uniform", "zeros", a.layers()[1]->name())});
    c.load_weights(dir);
    const auto wa = a.get_weights(), wc = c.get_weights();
    for (std::size_t i = 0; i < wa.size(); ++i) {
        REQUIRE(wa[i].shape() == wc[i].shape());
        CHECK(std::memcmp(wa[i].data(), wc[i].data(), wa[i].size() * sizeof(float)) == 0);
    }
    nn::Sequential d({nn::Input({7}), nn::Dense(5, "relu", true, "glorot_uniform", "zeros", a.layers()[0]->name()),
                      nn::Dense(3, "linear", true, "glorot_uniform", "zeros", a.layers()[1]->name())});
    REQUIRE_THROWS_WITH(d.load_weights(dir), Contains("has shape (6, 5) in the checkpoint, the model expects (7, 5)"));
    // A corrupt manifest and a missing directory.
    { std::ofstream(dir + "/manifest.txt") << "xgrad-weights 1\n" << a.named_parameters()[0].first << " x.npy two\n"; }
    REQUIRE_THROWS_WITH(c.load_weights(dir), Contains("line 2 is corrupt"));
    REQUIRE_THROWS_WITH(c.load_weights(dir + "_missing"), Contains("cannot open the checkpoint manifest"));
    std::filesystem::remove_all(dir);
}

TEST_CASE("callbacks: EarlyStopping, TerminateOnNaN, LearningRateScheduler, CSVLogger, ModelCheckpoint")
{
    set_seed(5);
    auto [x, y] = blobs(64, 11);
    nn::Sequential model({nn::Dense(4, "relu"), nn::Dense(2, "softmax")});
    model.compile("adam", "sparse_categorical_crossentropy", {"accuracy"});
    const std::string dir = temp_dir("cb");
    std::filesystem::create_directories(dir);
    auto early = std::make_shared<nn::EarlyStopping>("loss", 10.0, 1);  // min_delta 10: never improves after epoch 0
    auto csv = std::make_shared<nn::CSVLogger>(dir + "/log.csv");
    auto ckpt = std::make_shared<nn::ModelCheckpoint>(dir + "/ckpt_{epoch:02d}", "loss");
    std::vector<double> lrs;
    auto sched = std::make_shared<nn::LearningRateScheduler>([&](int epoch, double lr) {
        lrs.push_back(lr);
        return epoch == 0 ? 0.01 : lr / 2;
    });
    auto h = model.fit(x, y, {.epochs = 10, .callbacks = {early, sched, csv, ckpt}, .verbose = 0});
    CHECK(h.epoch.size() == 2);
    CHECK(early->stopped_epoch() == 1);
    REQUIRE(h.history["learning_rate"].size() == 2);
    CHECK(h.history["learning_rate"][1] == Approx(0.005));
    CHECK(std::filesystem::exists(dir + "/ckpt_02/manifest.txt"));
    std::ifstream in(dir + "/log.csv");
    std::string header, row;
    std::getline(in, header);
    std::getline(in, row);
    CHECK(header == "epoch,accuracy,learning_rate,loss");
    CHECK(row.rfind("0,", 0) == 0);

    // TerminateOnNaN: a NaN input makes the loss NaN at the first batch.
    xt::xarray<float> xn = x;
    xn(0, 0) = NAN;
    nn::Sequential linear({nn::Dense(2, "softmax")});
    linear.compile("sgd", "sparse_categorical_crossentropy");
    auto h2 = linear.fit(xn, y, {.epochs = 3, .batch_size = 64, .shuffle = false,
                                .callbacks = {std::make_shared<nn::TerminateOnNaN>()}, .verbose = 0});
    CHECK(h2.epoch.size() == 1);
    std::filesystem::remove_all(dir);
    CHECK(nn::format_shortest(0.5) == "0.5");
    CHECK(nn::format_shortest(1.0) == "1.0");
    CHECK(nn::format_shortest(1e-5) == "1e-05");
}

TEST_CASE("progress bar: Keras 3's format")
{
    CHECK(nn::Progbar::format_time_per_step(0.0012) == " 1ms/step");
    CHECK(nn::Progbar::format_time_per_step(2.4) == " 2s/step");
    CHECK(nn::Progbar::format_time_per_step(3e-5) == " 30us/step");
    CHECK(nn::Progbar::format_values({{"loss", 0.50871}, {"accuracy", 0.82012}}) == " - accuracy: 0.8201 - loss: 0.5087");
    CHECK(nn::Progbar::format_values({{"loss", 1e-4}}) == " - loss: 1.0000e-04");
    std::ostringstream out;
    nn::Progbar bar(1875, 1, out, false);
    bar.update(1875, {{"accuracy", 0.8201}, {"loss", 0.5087}}, true);
    CHECK_THAT(out.str(), Contains("1875/1875 ━━━━━━━━━━━━━━━━━━━━ 0s"));
    CHECK_THAT(out.str(), Contains("/step - accuracy: 0.8201 - loss: 0.5087\n"));
    std::ostringstream out2;
    nn::Progbar quiet(10, 2, out2);
    quiet.update(5, {{"loss", 1.0}});
    CHECK(out2.str().empty());
    quiet.update(10, {{"loss", 1.0}}, true);
    CHECK_THAT(out2.str(), Contains("10/10 - 0s - "));
}
