// Functional models (layers called on symbolic inputs) and configs of every
// model kind (Keras 3's schema), with round trips that predict bit for bit.
#include <catch2/catch.hpp>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <spawn.h>
#include <sys/wait.h>

#include <xgrad/autograd/gradient_tape.hpp>
#include <xgrad/autograd/ops.hpp>
#include <xgrad/core/npy.hpp>
#include <xgrad/core/random.hpp>
#include <xgrad/nn/layers/dense.hpp>
#include <xgrad/nn/layers/dropout.hpp>
#include <xgrad/nn/layers/merge.hpp>
#include <xgrad/nn/layers/reshaping.hpp>
#include <xgrad/nn/model.hpp>
#include <xgrad/nn/ops/cross_entropy.hpp>
#include <xgrad/nn/sequential.hpp>
#include <xgrad/nn/serialization.hpp>
#include <xgrad/optim/adam.hpp>
#include <xgrad/optim/optimizer.hpp>

extern char** environ;

using namespace xgrad;
using Catch::Contains;

namespace {
xt::xarray<float> data(const Shape& shape, std::uint64_t seed)
{
    return Generator(seed).uniform<float>(shape, -1.0f, 1.0f);
}

bool same_bits(const xt::xarray<float>& a, const xt::xarray<float>& b)
{
    return a.shape() == b.shape() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

// Two inputs, shared layer, Add and Concatenate.
nn::Model make_graph()
{
    auto left = nn::Input({3, 4}, "left");
    auto right = nn::Input({12}, "right");
    auto a = nn::Dense(6, "relu")(nn::Flatten()(left));
    nn::Dense shared(6, "tanh");
    auto b = shared(nn::Dense(6)(right));
    auto c = shared(a);  // the same layer on a second node
    auto joined = nn::Concatenate()({nn::Add()({a, b}), c});
    auto out = nn::Dense(3, "softmax")(joined);
    return nn::Model({left, right}, out, "graph");
}

// A registered subclassed model: its config holds its own arguments.
class Scaled : public nn::Model {
public:
    explicit Scaled(std::size_t units, const std::string& name = "")
        : Model("Scaled", name), units_(units), hidden_(add_layer(nn::Dense(units, "relu"))),
          out_(add_layer(nn::Dense(2))) {}
    nn::Json get_config() const override
    {
        auto config = Model::get_config();
        config["units"] = units_;
        return config;
    }
    static std::shared_ptr<Scaled> from_config(const nn::Json& config)
    {
        return std::make_shared<Scaled>(config.at("units").get<std::size_t>(), config.at("name").get<std::string>());
    }

protected:
    Tensor call(const Tensor& x, bool) override { return out_(hidden_(x)) * 0.5f; }

private:
    std::size_t units_;
    nn::Dense hidden_, out_;
};
XGRAD_REGISTER_LAYER(Scaled);

// Rebuilds `model` from its serialized config, copies the weights, and checks predictions bit for bit.
void check_round_trip(nn::Layer& model, const std::vector<Tensor>& x)
{
    const nn::Json config = nn::serialize_layer(model);
    const nn::LayerPtr copy = nn::deserialize_layer(nn::Json::parse(config.dump()));
    CHECK(copy->class_name() == model.class_name());
    CHECK(copy->name() == model.name());
    CHECK(nn::serialize_layer(*copy).dump() == config.dump());
    REQUIRE(copy->count_params() == model.count_params());
    copy->set_weights(model.get_weights());
    const Tensor a = x.size() == 1 ? model(x[0]) : model(x);
    const Tensor b = x.size() == 1 ? (*copy)(x[0]) : (*copy)(x);
    CHECK(same_bits(a.value(), b.value()));
}
}  // namespace

TEST_CASE("functional: a DAG with two inputs, a shared layer, Add and Concatenate")
{
    set_seed(5);
    auto model = make_graph();
    std::vector<std::string> names;
    for (const auto& l : model.layers()) names.push_back(l->name());
    // Keras's order (deepest first) and Keras's names (in the order the layers were created).
    CHECK(names == std::vector<std::string>{"left", "right", "flatten", "dense_2", "dense", "dense_1", "add",
                                            "concatenate", "dense_3"});
    const Tensor left(data({5, 3, 4}, 1)), right(data({5, 12}, 2));
    const Tensor y = model({left, right});
    CHECK(y.shape() == Shape{5, 3});
    // By hand, with the same weights.
    auto& flat_dense = static_cast<nn::Dense&>(model.get_layer("dense"));
    auto& shared = static_cast<nn::Dense&>(model.get_layer("dense_1"));
    auto& right_dense = static_cast<nn::Dense&>(model.get_layer("dense_2"));
    auto& head = static_cast<nn::Dense&>(model.get_layer("dense_3"));
    const Tensor a = relu(matmul(reshape(left, {5, 12}), flat_dense.kernel()) + flat_dense.bias());
    const Tensor b = xgrad::tanh(matmul(matmul(right, right_dense.kernel()) + right_dense.bias(), shared.kernel()) + shared.bias());
    const Tensor c = xgrad::tanh(matmul(a, shared.kernel()) + shared.bias());
    const Tensor expected = softmax(matmul(concat(std::vector<Tensor>{a + b, c}, -1), head.kernel()) + head.bias(), -1);
    CHECK(same_bits(y.value(), expected.value()));
    // Shapes are checked at construction and at call, naming the layers.
    auto in = nn::Input({4});
    REQUIRE_THROWS_WITH(nn::Concatenate()({nn::Dense(3)(in), nn::Reshape({2, 2})(in)}),
                        Contains("concatenate (Concatenate): inputs must agree on every axis but -1"));
    REQUIRE_THROWS_WITH(nn::Add()({nn::Dense(3)(in), nn::Dense(2)(in)}), Contains("add (Add): the inputs' shapes"));
    REQUIRE_THROWS_WITH(model({left, left}), Contains("right: expects inputs of shape (None, 12)"));
    REQUIRE_THROWS_WITH(model({left}), Contains("expects 2 inputs, got 1"));
    auto other = nn::Input({4}, "other");
    REQUIRE_THROWS_WITH(nn::Model(in, nn::Add()({nn::Dense(4)(in), other})),
                        Contains("depends on Input 'other'") && Contains("not one of the model's inputs"));
}

TEST_CASE("functional: summary prints Keras's table with Connected to")
{
    set_seed(5);
    auto model = make_graph();
    std::ostringstream out;
    model.summary(out);
    const std::string s = out.str();
    CHECK_THAT(s, Contains("┃ Layer (type)        ┃ Output Shape      ┃    Param # ┃ Connected to      ┃"));
    CHECK_THAT(s, Contains("│ left (InputLayer)   │ (None, 3, 4)      │          0 │ -                 │"));
    CHECK_THAT(s, Contains("│ dense_1 (Dense)     │ (None, 6)         │         42 │ dense_2[0][0],    │\n"
                           "│                     │                   │            │ dense[0][0]       │"));
    CHECK_THAT(s, Contains("│ concatenate         │ (None, 12)        │          0 │ add[0][0],        │\n"
                           "│ (Concatenate)       │                   │            │ dense_1[1][0]     │"));
    CHECK_THAT(s, Contains(" Total params: 237 (948.00 B)"));
}

TEST_CASE("functional: fit with two inputs equals the same model written by hand with a tape, bit for bit")
{
    set_seed(9);
    auto top = nn::Input({2, 3}), bottom = nn::Input({6});
    auto a = nn::Dense(5, "relu")(nn::Flatten()(top));
    auto b = nn::Dense(5, "relu")(bottom);
    auto out = nn::Dense(4, "softmax")(nn::Dense(7, "relu")(nn::Concatenate()({a, b})));
    nn::Model model({top, bottom}, out);
    std::vector<Variable> vars;
    for (const auto& w : model.get_weights()) vars.emplace_back(w, "copy");
    const Tensor xt_(data({12, 2, 3}, 3)), xb(data({12, 6}, 4));
    xt::xarray<float> yv = xt::xarray<float>::from_shape({12});
    for (std::size_t i = 0; i < 12; ++i) yv(i) = static_cast<float>(i % 4);
    const Tensor y(yv);
    model.compile(std::make_shared<optim::Adam>(optim::AdamOptions{}.learning_rate(0.05)),
                  "sparse_categorical_crossentropy");
    model.fit({xt_, xb}, y, {.epochs = 3, .batch_size = 4, .shuffle = false, .verbose = 0});

    optim::Adam adam(optim::AdamOptions{}.learning_rate(0.05));
    for (int epoch = 0; epoch < 3; ++epoch) {
        for (std::size_t start = 0; start < 12; start += 4) {
            std::vector<std::size_t> rows{start, start + 1, start + 2, start + 3};
            const Tensor t = gather(xt_, rows), u = gather(xb, rows), labels = gather(y, rows);
            GradientTape tape;
            const Tensor ha = relu(matmul(reshape(t, {4, 6}), vars[0]) + vars[1]);
            const Tensor hb = relu(matmul(u, vars[2]) + vars[3]);
            const Tensor h = relu(matmul(concat(std::vector<Tensor>{ha, hb}, -1), vars[4]) + vars[5]);
            const Tensor logits = matmul(h, vars[6]) + vars[7];
            const Tensor loss = reduce_mean(sparse_softmax_cross_entropy_with_logits(labels, logits));
            adam.apply_gradients(tape.gradient(loss, nn::as_tensors(vars)), vars);
        }
    }
    const auto trained = model.get_weights();
    REQUIRE(trained.size() == vars.size());
    for (std::size_t i = 0; i < vars.size(); ++i) CHECK(same_bits(trained[i], vars[i].value()));
}

TEST_CASE("configs: Keras 3's schema, and round trips of each model kind predict bit for bit")
{
    set_seed(13);
    nn::Sequential seq({nn::Input({2, 3}), nn::Flatten(), nn::Dense(4, "relu"), nn::Dropout(0.3),
                        nn::Reshape({2, 2}), nn::Flatten(), nn::Dense(2, "softmax")});
    const nn::Json config = nn::serialize_layer(seq);
    CHECK(config["module"] == "keras");
    CHECK(config["class_name"] == "Sequential");
    CHECK(config["registered_name"].is_null());
    CHECK(config["config"]["layers"][0]["class_name"] == "InputLayer");
    CHECK(config["config"]["layers"][0]["config"]["batch_shape"].dump() == "[null,2,3]");
    const auto& dense = config["config"]["layers"][2];
    CHECK(dense["module"] == "keras.layers");
    CHECK(dense["config"]["units"] == 4);
    CHECK(dense["config"]["kernel_initializer"]["class_name"] == "GlorotUniform");
    CHECK(dense["build_config"]["input_shape"].dump() == "[null,6]");
    CHECK(config["config"]["layers"][3]["config"]["rate"] == 0.3);
    check_round_trip(seq, {Tensor(data({3, 2, 3}, 1))});

    auto graph = make_graph();
    const nn::Json g = nn::serialize_layer(graph);
    CHECK(g["class_name"] == "Functional");
    CHECK(g["config"]["input_layers"].dump() == R"([["left",0,0],["right",0,0]])");
    CHECK(g["config"]["output_layers"].dump() == R"(["dense_3",0,0])");
    const auto& concat_node = g["config"]["layers"][7]["inbound_nodes"][0]["args"][0];
    CHECK(concat_node[1]["config"]["keras_history"].dump() == R"(["dense_1",1,0])");
    check_round_trip(graph, {Tensor(data({4, 3, 4}, 2)), Tensor(data({4, 12}, 3))});

    Scaled scaled(3, "scaled");
    scaled(Tensor(data({1, 5}, 4)));
    const nn::Json s = nn::serialize_layer(scaled);
    CHECK(s["registered_name"] == "Custom>Scaled");
    CHECK(s["config"]["units"] == 3);
    check_round_trip(scaled, {Tensor(data({4, 5}, 5))});

    // Unsupported settings are errors naming the class and the key.
    nn::Json bad = nn::serialize_layer(nn::Dense(3));
    bad["config"]["kernel_regularizer"] = {{"class_name", "L2"}};
    REQUIRE_THROWS_WITH(nn::deserialize_layer(bad), Contains("Dense: config key 'kernel_regularizer' is set"));
    bad = nn::serialize_layer(nn::Dense(3));
    bad["config"]["activation"] = "swish_like";
    REQUIRE_THROWS_WITH(nn::deserialize_layer(bad), Contains("config key 'activation': activation: unknown name 'swish_like'"));
    bad["class_name"] = "Conv3D";
    REQUIRE_THROWS_WITH(nn::deserialize_layer(bad), Contains("unknown layer class 'Conv3D'"));
    bad = nn::serialize_layer(nn::Dropout(0.1));
    bad["config"]["dtype"] = "float16";
    REQUIRE_THROWS_WITH(nn::deserialize_layer(bad), Contains("'dtype' is 'float16'"));
    bad = nn::serialize_layer(nn::Dropout(0.1));
    bad["config"]["surprise"] = 1;
    REQUIRE_THROWS_WITH(nn::deserialize_layer(bad), Contains("unknown or unsupported config key 'surprise'"));
}

namespace {
nn::Sequential checkpoint_model()
{
    return nn::Sequential({nn::Input({4}), nn::Dense(6, "relu"), nn::Dropout(0.2), nn::Dense(3)});
}
}  // namespace

// Run by the test below in a second process: builds unrelated models first, then the
// model, loads the checkpoint and writes its predictions.
TEST_CASE("functional: checkpoint loader child process", "[.][child]")
{
    const char* dir = std::getenv("XGRAD_CHILD_CHECKPOINT");
    REQUIRE(dir != nullptr);
    for (int i = 0; i < 3; ++i) make_graph();
    auto model = checkpoint_model();
    model.load_weights(dir);
    save_npy<float>(std::string(dir) + ".pred.npy", model.predict(Tensor(data({5, 4}, 7))).value());
}

TEST_CASE("models: save_weights in one process, load_weights in another")
{
    set_seed(17);
    auto model = checkpoint_model();
    const std::string dir =
        (std::filesystem::temp_directory_path() / ("xgrad_cross_process_" + std::to_string(::getpid()))).string();
    model.save_weights(dir);
    ::setenv("XGRAD_CHILD_CHECKPOINT", dir.c_str(), 1);
    const std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
    std::string filter = "functional: checkpoint loader child process";
    char* argv[] = {const_cast<char*>(self.c_str()), filter.data(), nullptr};
    pid_t pid = 0;
    REQUIRE(::posix_spawn(&pid, self.c_str(), nullptr, nullptr, argv, environ) == 0);
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    REQUIRE(WIFEXITED(status));
    REQUIRE(WEXITSTATUS(status) == 0);
    const auto theirs = load_npy<float>(dir + ".pred.npy");
    CHECK(same_bits(theirs, model.predict(Tensor(data({5, 4}, 7))).value()));
    std::filesystem::remove_all(dir);
    std::filesystem::remove(dir + ".pred.npy");
}
