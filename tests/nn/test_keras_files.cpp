// Keras files: the real files Keras wrote (tests/data/keras, see its README),
// what xgrad writes read back, and the errors for what xgrad cannot honour.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include <xgrad/autograd/gradient_tape.hpp>
#include <xgrad/autograd/ops.hpp>
#include <xgrad/core/npy.hpp>
#include <xgrad/core/random.hpp>
#include <xgrad/nn/data/batches.hpp>
#include <xgrad/nn/data/fashion_mnist.hpp>
#include <xgrad/nn/layers/dense.hpp>
#include <xgrad/nn/layers/dropout.hpp>
#include <xgrad/nn/layers/merge.hpp>
#include <xgrad/nn/layers/reshaping.hpp>
#include <xgrad/nn/saving/detail/h5.hpp>
#include <xgrad/nn/saving/detail/zip.hpp>
#include <xgrad/nn/saving/saving.hpp>
#include <xgrad/nn/sequential.hpp>
#include <xgrad/optim/adam.hpp>
#include <xgrad/optim/optimizer.hpp>

using namespace xgrad;
using Catch::Contains;
namespace fs = std::filesystem;

namespace {
const std::string data_dir = std::string(XGRAD_SOURCE_DIR) + "/tests/data/keras/";
const std::string keras3_file = data_dir + "fashion_mnist_dense_dropout.keras";
const std::string legacy_file = data_dir + "moons_dense_legacy.h5";

std::string temp_path(const std::string& name)
{
    return (fs::temp_directory_path() / ("xgrad_keras_" + std::to_string(::getpid()) + "_" + name)).string();
}

bool same_bits(const xt::xarray<float>& a, const xt::xarray<float>& b)
{
    return a.shape() == b.shape() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

// The 12,000-image split of Keras's published evaluation (tests/data/keras/make_split.py).
std::pair<Tensor, Tensor> keras_split()
{
    const auto data = nn::load_fashion_mnist();
    const auto indices = load_npy<float>(data_dir + "val_indices.npy");
    std::vector<std::size_t> rows(indices.begin(), indices.end());
    xt::xarray<float> x = nn::take_rows(data.train.x, rows.data(), rows.size());
    x.reshape({rows.size(), 28, 28});
    return {Tensor(std::move(x)), Tensor(nn::take_rows(data.train.y, rows.data(), rows.size()))};
}

// Rewrites member `name` of a .keras archive.
void rewrite_member(const std::string& from, const std::string& to, const std::string& name,
                    const std::function<std::string(std::string)>& edit)
{
    auto members = nn::saving::zip::read_archive(from);
    for (auto& m : members)
        if (m.name == name) m.bytes = edit(m.bytes);
    nn::saving::zip::write_archive(to, members);
}
}  // namespace

TEST_CASE("keras files: the Keras 3.11 Fashion-MNIST model evaluates to Keras's published figures")
{
    auto model = nn::load_model(keras3_file);
    CHECK(model->class_name() == "Sequential");
    CHECK(model->name() == "sequential_4");
    std::vector<std::string> names;
    for (const auto& l : model->layers()) names.push_back(l->name() + ":" + l->class_name());
    CHECK(names == std::vector<std::string>{"flatten_4:Flatten", "dense_8:Dense", "dropout_1:Dropout", "dense_9:Dense"});
    CHECK(model->count_params() == 784 * 100 + 100 + 100 * 10 + 10);
    REQUIRE(model->optimizer());
    CHECK(model->optimizer()->kind() == "adam");
    CHECK(model->optimizer()->iterations() == 16500);
    CHECK(model->optimizer()->get_config().to_string().find("'learning_rate': 0.0010000000474974513") != std::string::npos);
    CHECK(model->loss()->name() == "sparse_categorical_crossentropy");
    const auto [x, y] = keras_split();
    const auto logs = model->evaluate(x, y, {.batch_size = 32, .verbose = 0});
    // Keras printed accuracy 0.8809166550636292, loss 0.3320513069629669.
    CHECK(logs.at("accuracy") == Approx(0.8809166550636292).margin(1e-4));
    CHECK(logs.at("loss") == Approx(0.3320513069629669).margin(2e-4));
}

TEST_CASE("keras files: one more Adam step from the loaded file is Keras's formula on the saved m, v and iterations")
{
    auto model = nn::load_model(keras3_file);
    const auto vars = model->trainable_variables();
    auto& opt = *model->optimizer();
    std::vector<xt::xarray<float>> w0, m0, v0;
    for (const auto& v : vars) {
        w0.push_back(v.value());
        m0.push_back(opt.slot(v, "momentum"));
        v0.push_back(opt.slot(v, "velocity"));
    }
    // The saved moments are real: non-zero after 16,500 steps.
    CHECK(xt::amax(xt::abs(m0[0]))() > 0.0f);
    const auto [x, y] = keras_split();
    const std::vector<std::size_t> rows{0, 1, 2, 3, 4, 5, 6, 7};
    const Tensor xb = gather(x, rows), yb = gather(y, rows);
    GradientTape tape;
    const Tensor loss = (*model->loss())(yb, (*model)(xb));
    const auto grads = tape.gradient(loss, vars);
    opt.apply_gradients(grads, vars);
    CHECK(opt.iterations() == 16501);
    // Keras 3's Adam in float32: t = 16501, alpha = lr sqrt(1 - b2^t) / (1 - b1^t).
    const float lr = 0.001f, b1 = 0.9f, b2 = 0.999f, eps = 1e-7f, t = 16501.0f;
    const float alpha = lr * std::sqrt(1.0f - std::pow(b2, t)) / (1.0f - std::pow(b1, t));
    for (std::size_t i = 0; i < vars.size(); ++i) {
        const float* g = grads[i].value().data();
        for (std::size_t k = 0; k < vars[i].size(); k += 97) {
            const float m = m0[i].data()[k] + (g[k] - m0[i].data()[k]) * (1.0f - b1);
            const float v = v0[i].data()[k] + (g[k] * g[k] - v0[i].data()[k]) * (1.0f - b2);
            const float w = w0[i].data()[k] - alpha * m / (std::sqrt(v) + eps);
            CHECK(vars[i].value().data()[k] == Approx(w).epsilon(1e-6).margin(1e-9));
        }
    }
}

TEST_CASE("keras files: save writes Keras 3's layout and reads back bit for bit, optimizer state included")
{
    auto model = nn::load_model(keras3_file);
    const std::string path = temp_path("round.keras");
    model->save(path);
    const auto members = nn::saving::zip::read_archive(path);
    REQUIRE(members.size() == 3);
    CHECK(members[0].name == "metadata.json");
    CHECK(members[1].name == "config.json");
    CHECK(members[2].name == "model.weights.h5");
    // The config schema and keys are Keras's own, key for key, compile_config included.
    const auto theirs = nlohmann::ordered_json::parse(nn::saving::zip::member(nn::saving::zip::read_archive(keras3_file),
                                                                              "config.json", keras3_file));
    auto ours = nlohmann::ordered_json::parse(members[1].bytes);
    const auto keys = [](const nlohmann::ordered_json& j) {
        std::vector<std::string> out;
        for (const auto& [k, v] : j.items()) out.push_back(k);
        return out;
    };
    CHECK(keys(ours) == keys(theirs));
    CHECK(keys(ours["config"]) == keys(theirs["config"]));
    CHECK(keys(ours["compile_config"]) == keys(theirs["compile_config"]));
    CHECK(ours["compile_config"]["optimizer"]["config"] == theirs["compile_config"]["optimizer"]["config"]);
    for (std::size_t i = 0; i < theirs["config"]["layers"].size(); ++i) {
        const auto& a = ours["config"]["layers"][i];
        const auto& b = theirs["config"]["layers"][i];
        INFO(b["class_name"]);
        CHECK(a["class_name"] == b["class_name"]);
        CHECK(a["module"] == b["module"]);
        auto ca = a["config"], cb = b["config"];
        ca.erase("dtype");
        cb.erase("dtype");  // Keras adds a shared_object_id to repeated policies
        CHECK(ca == cb);
    }
    // HDF5 names as Keras writes them.
    const auto h5 = nn::saving::h5::File::open_image(members[2].bytes, "model.weights.h5");
    const auto root = h5.root();
    CHECK(root.group("layers").children() == std::vector<std::string>{"dense", "dense_1", "dropout", "flatten"});
    CHECK(root.group("layers").group("dense").group("vars").string_attribute("name") == "dense_8");
    CHECK(root.group("layers").group("dense_1").group("vars").dataset_shape("0") == std::vector<std::size_t>{100, 10});
    CHECK(root.group("optimizer").group("vars").string_attribute("name") == "adam");
    CHECK(root.group("optimizer").group("vars").read_int_scalar("0") == 16500);
    CHECK(root.group("optimizer").group("vars").children().size() == 10);
    CHECK(root.group("vars").string_attribute("name") == "sequential_4");

    auto again = nn::load_model(path);
    const Tensor x(Generator(3).uniform<float>({5, 28, 28}));
    CHECK(same_bits(model->predict(x).value(), again->predict(x).value()));
    const auto vars = model->trainable_variables(), vars2 = again->trainable_variables();
    for (std::size_t i = 0; i < vars.size(); ++i) {
        CHECK(same_bits(model->optimizer()->slot(vars[i], "velocity"), again->optimizer()->slot(vars2[i], "velocity")));
    }
    CHECK(again->optimizer()->iterations() == 16500);
    fs::remove(path);
}

TEST_CASE("keras files: the legacy tf.keras 2.2.4 .h5 model loads with its weights, compile and Adam state")
{
    auto model = nn::load_model(legacy_file);
    std::vector<std::string> names;
    for (const auto& l : model->layers()) names.push_back(l->name());
    CHECK(names == std::vector<std::string>{"dense", "dense_1", "dense_2"});
    CHECK(model->count_params() == (2 * 10 + 10) + (10 * 10 + 10) + (10 * 2 + 2));
    REQUIRE(model->optimizer());
    CHECK(model->optimizer()->kind() == "adam");
    CHECK(model->loss()->name() == "sparse_categorical_crossentropy");
    const auto file = nn::saving::h5::File::open(legacy_file);
    const auto g = file.root().group("model_weights").group("dense_1").group("sequential").group("dense_1");
    CHECK(same_bits(model->layers()[1]->own_weights()[0].second.value(), g.read_float("kernel:0")));
    const auto opt_group = file.root().group("optimizer_weights").group("Adam");
    CHECK(model->optimizer()->iterations() == opt_group.read_int_scalar("iter:0"));
    CHECK(model->optimizer()->iterations() > 0);
    const auto& kernel = model->layers()[0]->own_weights()[0].second;
    CHECK(same_bits(model->optimizer()->slot(kernel, "velocity"),
                    opt_group.group("sequential").group("dense").group("kernel").read_float("v:0")));
    // The moons classifier works: softmax rows sum to 1.
    const auto p = model->predict(Tensor(xt::xarray<float>{{0.0f, 0.5f}, {1.5f, -0.5f}})).value();
    CHECK(p(0, 0) + p(0, 1) == Approx(1.0f));
}

TEST_CASE("keras files: .weights.h5 and .npz round trips, and numpy reads the .npz")
{
    set_seed(3);
    nn::Sequential model({nn::Input({4}), nn::Dense(5, "relu"), nn::Dense(2)});
    const std::string h5 = temp_path("w.weights.h5"), npz = temp_path("w.npz");
    model.save_weights(h5);
    model.save_weights(npz);
    nn::Sequential other({nn::Input({4}), nn::Dense(5, "relu"), nn::Dense(2)});
    other.load_weights(h5);
    for (std::size_t i = 0; i < 4; ++i) CHECK(same_bits(model.get_weights()[i], other.get_weights()[i]));
    nn::Sequential third({nn::Input({4}), nn::Dense(5, "relu"), nn::Dense(2)});
    third.load_weights(npz);
    for (std::size_t i = 0; i < 4; ++i) CHECK(same_bits(model.get_weights()[i], third.get_weights()[i]));
    nn::Sequential wrong({nn::Input({3}), nn::Dense(5, "relu"), nn::Dense(2)});
    REQUIRE_THROWS_WITH(wrong.load_weights(h5), Contains("/layers/dense/vars/0: has shape (4, 5)"));
    REQUIRE_THROWS_WITH(wrong.load_weights(npz), Contains("dense.kernel.npy: has shape (4, 5)"));
    // numpy's own reader: names and sums.
    const std::string script = temp_path("read_npz.py");
    std::ofstream(script) << "import numpy as np, sys\nz = np.load(sys.argv[1])\n"
                             "for k in sorted(z.files): print(k, z[k].shape, repr(float(z[k].astype('float64').sum())))\n";
    FILE* pipe = popen(("/usr/bin/python3 " + script + " " + npz).c_str(), "r");
    REQUIRE(pipe);
    std::string out;
    char buf[256];
    while (std::fgets(buf, sizeof buf, pipe)) out += buf;
    REQUIRE(pclose(pipe) == 0);
    for (const auto& [name, v] : model.named_parameters()) {
        double sum = 0;
        for (float f : v.value()) sum += f;
        std::ostringstream expected;
        expected.precision(17);
        expected << name << " (" << v.shape()[0] << (v.rank() == 1 ? ",)" : ", " + std::to_string(v.shape()[1]) + ")");
        INFO(out);
        CHECK(out.find(expected.str()) != std::string::npos);
        std::smatch m;
        REQUIRE(std::regex_search(out, m, std::regex(name + " \\([^)]*\\) (\\S+)")));
        CHECK(std::stod(m[1]) == Approx(sum).epsilon(1e-12));
    }
    for (const auto& p : {h5, npz, script}) fs::remove(p);
}

TEST_CASE("keras files: what xgrad cannot honour is an error naming the class, the key or the dataset")
{
    const std::string path = temp_path("bad.keras");
    const auto with_config = [&](const std::function<void(nlohmann::ordered_json&)>& edit) {
        rewrite_member(keras3_file, path, "config.json", [&](std::string text) {
            auto j = nlohmann::ordered_json::parse(text);
            edit(j);
            return j.dump();
        });
    };
    with_config([](auto& j) { j["config"]["layers"][2]["class_name"] = "Conv3D"; });
    REQUIRE_THROWS_WITH(nn::load_model(path), Contains("unknown layer class 'Conv3D'"));
    with_config([](auto& j) { j["config"]["layers"][2]["config"]["activation"] = "hard_swish_x"; });
    REQUIRE_THROWS_WITH(nn::load_model(path), Contains("Dense 'dense_8': config key 'activation'"));
    with_config([](auto& j) { j["config"]["layers"][2]["config"]["kernel_regularizer"] = {{"class_name", "L2"}}; });
    REQUIRE_THROWS_WITH(nn::load_model(path), Contains("config key 'kernel_regularizer' is set"));
    with_config([](auto& j) { j["config"]["layers"][2]["config"]["dtype"]["config"]["name"] = "mixed_float16"; });
    REQUIRE_THROWS_WITH(nn::load_model(path), Contains("'dtype' is 'mixed_float16'"));
    with_config([](auto& j) { j["config"]["layers"][2]["config"]["units"] = 99; });
    REQUIRE_THROWS_WITH(nn::load_model(path), Contains("/layers/dense/vars/0: has shape (784, 100)"));
    with_config([](auto& j) { j["compile_config"]["optimizer"]["config"]["beta_1"] = "high"; });
    REQUIRE_THROWS_WITH(nn::load_model(path), Contains("compile_config optimizer Adam"));
    // A missing member, a missing weight, and a truncated archive.
    auto members = nn::saving::zip::read_archive(keras3_file);
    members.pop_back();
    nn::saving::zip::write_archive(path, members);
    REQUIRE_THROWS_WITH(nn::load_model(path), Contains("no member 'model.weights.h5'"));
    std::string bytes;
    {
        std::ifstream in(keras3_file, std::ios::binary);
        bytes.assign(std::istreambuf_iterator<char>(in), {});
    }
    std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size() / 2));
    REQUIRE_THROWS_AS(nn::load_model(path), IOError);
    fs::remove(path);
}

TEST_CASE("keras files: a seeded mutation fuzz of the loaders never crashes, only throws or loads")
{
    std::string bytes;
    {
        std::ifstream in(keras3_file, std::ios::binary);
        bytes.assign(std::istreambuf_iterator<char>(in), {});
    }
    const std::string path = temp_path("fuzz.keras");
    Generator gen(99);
    int loaded = 0, failed = 0;
    for (int round = 0; round < 40; ++round) {
        std::string mutated = bytes;
        const auto flips = 1 + gen.next_u64() % 8;
        for (std::uint64_t f = 0; f < flips; ++f) {
            // Aim at the small members and the HDF5 metadata at the start of the weights.
            const std::size_t at = gen.next_u64() % std::min<std::size_t>(mutated.size(), 8192);
            mutated[at] = static_cast<char>(gen.next_u64());
        }
        std::ofstream(path, std::ios::binary).write(mutated.data(), static_cast<std::streamsize>(mutated.size()));
        try {
            auto model = nn::load_model(path);
            ++loaded;
        } catch (const Error&) {
            ++failed;
        } catch (const std::exception& e) {
            FAIL("a non-xgrad exception escaped: " << e.what());
        }
    }
    CHECK(loaded + failed == 40);
    CHECK(failed > 0);
    fs::remove(path);
}
