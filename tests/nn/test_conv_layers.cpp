// Convolution, pooling, normalization, embedding and activation layers: values
// against tests/nn/golden/layers.txt (written by generate_layers.py from direct
// loops), Keras's training/inference behaviour, configs that round-trip and
// predict bit for bit, and errors that name the layer, the argument and the shapes.
#include <catch2/catch.hpp>

#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include <xtensor/xmath.hpp>
#include <xtensor/xsort.hpp>
#include <xtensor/xview.hpp>

#include <xgrad/xgrad.hpp>

using namespace xgrad;
using Catch::Contains;

namespace {

struct GoldenCase {
    std::string kind, name;
    std::vector<std::string> params;
    std::map<std::string, xt::xarray<double>> arrays;
};

std::vector<GoldenCase> read_golden()
{
    std::ifstream in(std::string(XGRAD_SOURCE_DIR) + "/tests/nn/golden/layers.txt");
    REQUIRE(in.good());
    std::vector<GoldenCase> cases;
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream ls(line);
        std::string head;
        ls >> head;
        if (head == "case") {
            GoldenCase c;
            ls >> c.kind >> c.name;
            for (std::string p; ls >> p;) c.params.push_back(p);
            cases.push_back(std::move(c));
            continue;
        }
        std::size_t rank = 0;
        ls >> rank;
        std::vector<std::size_t> shape(rank);
        for (auto& d : shape) ls >> d;
        xt::xarray<double> a = xt::xarray<double>::from_shape(shape);
        for (auto& v : a) ls >> v;
        cases.back().arrays[head] = std::move(a);
    }
    return cases;
}

bool close(const xt::xarray<double>& a, const xt::xarray<double>& b, double rtol, double atol)
{
    return a.shape() == b.shape() && xt::allclose(a, b, rtol, atol);
}

bool same_bits(const xt::xarray<float>& a, const xt::xarray<float>& b)
{
    return a.shape() == b.shape() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

xt::xarray<float> data(const Shape& shape, std::uint64_t seed, float lo = -1.0f, float hi = 1.0f)
{
    return Generator(seed).uniform<float>(shape, lo, hi);
}

void check_round_trip(nn::Layer& model, const Tensor& x)
{
    const nn::Json config = nn::serialize_layer(model);
    const nn::LayerPtr copy = nn::deserialize_layer(nn::Json::parse(config.dump()));
    CHECK(copy->class_name() == model.class_name());
    CHECK(nn::serialize_layer(*copy).dump() == config.dump());
    REQUIRE(copy->count_params() == model.count_params());
    copy->set_weights(model.get_weights());
    CHECK(same_bits(model(x).value(), (*copy)(x).value()));
}

}  // namespace

TEST_CASE("conv2d: values and gradients equal the direct loops of generate_layers.py")
{
    int conv_cases = 0;
    for (const auto& c : read_golden()) {
        if (c.kind != "conv") continue;
        INFO(c.name);
        ++conv_cases;
        const Size2 s{std::stoul(c.params[0]), std::stoul(c.params[1])};
        const Padding p = padding_from_string(c.params[2], "golden");
        const Size2 d{std::stoul(c.params[3]), std::stoul(c.params[4])};
        Tensor64 x(c.arrays.at("x")), k(c.arrays.at("kernel")), b(c.arrays.at("bias"));
        GradientTape tape(true);
        tape.watch(x);
        tape.watch(k);
        const Tensor64 y = conv2d(x, k, b, s, p, d);
        CHECK(close(y.value(), c.arrays.at("y"), 1e-12, 1e-12));
        const auto grads = tape.gradient(reduce_sum(mul(y, Tensor64(c.arrays.at("g")))), {x, k});
        CHECK(close(grads[0].value(), c.arrays.at("dx"), 1e-12, 1e-12));
        CHECK(close(grads[1].value(), c.arrays.at("dkernel"), 1e-12, 1e-12));
        // The layer, in float32, on the same numbers.
        nn::Conv2D layer(k.shape()[3], {k.shape()[0], k.shape()[1]}, "linear",
                         {.strides = {s[0], s[1]}, .padding = c.params[2], .dilation_rate = {d[0], d[1]}});
        const Tensor xf(xt::xarray<float>(c.arrays.at("x")));
        layer.build(xf.shape());
        layer.set_weights({xt::xarray<float>(c.arrays.at("kernel")), xt::xarray<float>(c.arrays.at("bias"))});
        CHECK(close(xt::xarray<double>(layer(xf).value()), c.arrays.at("y"), 1e-5, 1e-5));
        CHECK(layer.compute_output_shape(xf.shape()) == y.shape());
    }
    CHECK(conv_cases == 7);
}

TEST_CASE("pooling: values and gradients equal the direct loops of generate_layers.py")
{
    int pool_cases = 0;
    for (const auto& c : read_golden()) {
        if (c.kind != "pool") continue;
        INFO(c.name);
        ++pool_cases;
        const bool max = c.params[0] == "max";
        const Size2 pool{std::stoul(c.params[1]), std::stoul(c.params[2])};
        const Size2 s{std::stoul(c.params[3]), std::stoul(c.params[4])};
        const Padding p = padding_from_string(c.params[5], "golden");
        Tensor64 x(c.arrays.at("x"));
        GradientTape tape;
        tape.watch(x);
        const Tensor64 y = max ? max_pool2d(x, pool, s, p) : avg_pool2d(x, pool, s, p);
        CHECK(close(y.value(), c.arrays.at("y"), 1e-12, 1e-12));
        const Tensor64 dx = tape.gradient(reduce_sum(mul(y, Tensor64(c.arrays.at("g")))), x);
        CHECK(close(dx.value(), c.arrays.at("dx"), 1e-12, 1e-12));
        const Tensor xf(xt::xarray<float>(c.arrays.at("x")));
        const Tensor yf = max ? nn::MaxPooling2D({pool[0], pool[1]}, nn::Window2(s[0], s[1]), c.params[5])(xf)
                              : nn::AveragePooling2D({pool[0], pool[1]}, nn::Window2(s[0], s[1]), c.params[5])(xf);
        CHECK(close(xt::xarray<double>(yf.value()), c.arrays.at("y"), 1e-6, 1e-6));
    }
    CHECK(pool_cases == 6);
}

TEST_CASE("BatchNormalization: a training step and inference equal Keras's formulas (generate_layers.py)")
{
    int bn_cases = 0;
    for (const auto& c : read_golden()) {
        if (c.kind != "batchnorm") continue;
        INFO(c.name);
        ++bn_cases;
        auto f = [&](const char* key) { return xt::xarray<float>(c.arrays.at(key)); };
        nn::BatchNormalization bn;
        const Tensor x(f("x"));
        bn.build(x.shape());
        REQUIRE(bn.named_parameters().size() == 4);
        CHECK(bn.named_parameters()[0].first == "gamma");
        CHECK(bn.named_parameters()[1].first == "beta");
        CHECK(bn.named_parameters()[2].first == "moving_mean");
        CHECK(bn.named_parameters()[3].first == "moving_variance");
        CHECK(bn.trainable_variables().size() == 2);
        CHECK(bn.non_trainable_variables().size() == 2);
        bn.set_weights({f("gamma"), f("beta"), f("moving_mean0"), f("moving_variance0")});
        const Tensor y_train = bn(x, true);
        CHECK(close(xt::xarray<double>(y_train.value()), c.arrays.at("y_train"), 2e-6, 2e-6));
        CHECK(close(xt::xarray<double>(bn.moving_mean().value()), c.arrays.at("moving_mean"), 1e-6, 1e-7));
        CHECK(close(xt::xarray<double>(bn.moving_variance().value()), c.arrays.at("moving_variance"), 1e-6, 1e-7));
        const Tensor y_infer = bn(x);  // inference: the moving statistics, which stay put
        CHECK(close(xt::xarray<double>(y_infer.value()), c.arrays.at("y_infer"), 2e-6, 2e-6));
        CHECK(close(xt::xarray<double>(bn.moving_mean().value()), c.arrays.at("moving_mean"), 1e-6, 1e-7));
    }
    CHECK(bn_cases == 2);
}

TEST_CASE("BatchNormalization: gradients flow through the batch statistics; a frozen layer uses the moving ones")
{
    nn::BatchNormalization bn;
    const Tensor x(data({8, 3}, 1, -2, 2));
    bn.build(x.shape());
    GradientTape tape;
    tape.watch(x);
    const Tensor y = bn(x, true);
    // d/dx sum(y) is 0 with batch statistics (the mean is subtracted).
    const Tensor g = tape.gradient(reduce_sum(y), x);
    CHECK(xt::amax(xt::abs(g.value()))() < 1e-5f);
    bn.set_trainable(false);
    const auto before = bn.moving_mean().value();
    const Tensor frozen = bn(x, true);
    CHECK(same_bits(frozen.value(), bn(x).value()));
    CHECK(same_bits(bn.moving_mean().value(), before));
}

TEST_CASE("LayerNormalization: normalizes each sample's last axis, Keras's formula")
{
    nn::LayerNormalization ln;
    const Tensor x(data({4, 5}, 2, -3, 3));
    const Tensor y = ln(x);
    const xt::xarray<double> xd = x.value();
    const xt::xarray<double> mean = xt::mean(xd, {1}, xt::keep_dims);
    const xt::xarray<double> var = xt::mean(xt::square(xd - mean), {1}, xt::keep_dims);
    const xt::xarray<double> expected = (xd - mean) / xt::sqrt(var + 1e-3);
    CHECK(close(xt::xarray<double>(y.value()), expected, 1e-5, 1e-5));
    CHECK(ln.named_parameters()[0].first == "gamma");
    CHECK(ln.named_parameters()[1].first == "beta");
}

TEST_CASE("Conv1D and MaxPooling1D equal Conv2D and MaxPooling2D on a (batch, 1, steps, channels) view")
{
    set_seed(3);
    nn::Conv1D c1(4, 3, "relu", {.strides = 2, .padding = "same"});
    const Tensor x(data({2, 9, 3}, 4));
    const Tensor y1 = c1(x);
    CHECK(y1.shape() == Shape{2, 5, 4});
    nn::Conv2D c2(4, {1, 3}, "relu", {.strides = {1, 2}, .padding = "same"});
    c2.build({2, 1, 9, 3});
    xt::xarray<float> k = c1.kernel().value();
    k.reshape({1, 3, 3, 4});
    c2.set_weights({k, c1.bias().value()});
    const Tensor y2 = c2(reshape(x, {2, 1, 9, 3}));
    CHECK(same_bits(xt::xarray<float>(xt::reshape_view(y2.value(), std::vector<std::size_t>{2, 5, 4})), y1.value()));
    const Tensor p1 = nn::MaxPooling1D(2)(x);
    CHECK(p1.shape() == Shape{2, 4, 3});
    const Tensor p2 = nn::MaxPooling2D(nn::Window2(1, 2))(reshape(x, {2, 1, 9, 3}));
    CHECK(same_bits(xt::xarray<float>(xt::reshape_view(p2.value(), std::vector<std::size_t>{2, 4, 3})), p1.value()));
}

TEST_CASE("Conv1D padding causal: left zeros, output t from inputs up to t, Keras's config")
{
    // One channel, one filter, kernel (a, b) = (0.5, 2): y_t = a x_{t-1} + b x_t with x_{-1} = 0.
    nn::Conv1D c(1, 2, "linear", {.padding = "causal", .use_bias = false});
    c.build({1, 3, 1});
    c.set_weights({xgrad::array<float>({2, 1, 1}, {0.5f, 2.0f})});
    const Tensor y = c(Tensor(xgrad::array<float>({1, 3, 1}, {1, 2, 3})));
    REQUIRE(y.shape() == Shape{1, 3, 1});
    CHECK(y(0, 0, 0) == 2.0f);   // 0.5 * 0 + 2 * 1
    CHECK(y(0, 1, 0) == 4.5f);   // 0.5 * 1 + 2 * 2
    CHECK(y(0, 2, 0) == 7.0f);   // 0.5 * 2 + 2 * 3

    // Dilation 2, kernel 3: the same as "valid" on 4 leading zeros, same bits; as many steps out as in.
    set_seed(5);
    nn::Conv1D causal(3, 3, "relu", {.padding = "causal", .dilation_rate = 2});
    const Tensor x(data({2, 9, 4}, 6));
    const Tensor yc = causal(x);
    CHECK(yc.shape() == Shape{2, 9, 3});
    nn::Conv1D strided(3, 3, "linear", {.strides = 2, .padding = "causal"});
    CHECK(strided(x).shape() == Shape{2, 5, 3});  // (9 + 2 - 3) / 2 + 1
    nn::Conv1D valid(3, 3, "relu", {.padding = "valid", .dilation_rate = 2});
    valid.build({2, 13, 4});
    valid.set_weights({causal.kernel().value(), causal.bias().value()});
    const Tensor padded = concat(std::vector<Tensor>{zeros<float>(Shape{2, 4, 4}), x}, 1);
    CHECK(same_bits(valid(padded).value(), yc.value()));

    // Causality: output step 2 of a dilated (2) causal kernel of 3 reads input steps 0 and 2 only.
    nn::Conv1D linear(3, 3, "linear", {.padding = "causal", .dilation_rate = 2});
    GradientTape tape;
    tape.watch(x);
    const Tensor y2 = slice(linear(x), 1, 2, 3);
    const auto g = tape.gradient(reduce_sum(y2), x).value();
    for (std::size_t t = 0; t < 9; ++t) {
        INFO("input step " << t);
        const bool read = xt::any(xt::not_equal(xt::view(g, xt::all(), t, xt::all()), 0.0f));
        CHECK(read == (t == 0 || t == 2));
    }

    // Keras's config keeps "causal" and rebuilds the same layer.
    const auto config = causal.get_config();
    CHECK(config["padding"] == "causal");
    const auto again = nn::Conv1D::from_config(config);
    again->build({2, 9, 4});
    again->set_weights(causal.get_weights());
    CHECK(same_bits((*again)(x).value(), yc.value()));
}

TEST_CASE("global pooling, UpSampling2D, ReLU, Softmax and Activation compute Keras's values")
{
    const Tensor x(data({2, 3, 4, 5}, 5));
    const xt::xarray<float> v = x.value();
    CHECK(xt::allclose(nn::GlobalAveragePooling2D()(x).value(), xt::mean(v, {1, 2})));
    CHECK(nn::GlobalAveragePooling2D(true)(x).shape() == Shape{2, 1, 1, 5});
    CHECK(xt::allclose(nn::GlobalMaxPooling2D()(x).value(), xt::amax(v, {1, 2})));
    const Tensor up = nn::UpSampling2D({2, 3})(x);
    CHECK(up.shape() == Shape{2, 6, 12, 5});
    CHECK(up.value()(1, 5, 11, 4) == v(1, 2, 3, 4));
    CHECK(up.value()(0, 2, 4, 1) == v(0, 1, 1, 1));
    // ReLU(max_value=0.5, negative_slope=0.1, threshold=0.2)
    const Tensor r = nn::ReLU(0.5, 0.1, 0.2)(Tensor(xt::xarray<float>{-1.0f, 0.1f, 0.3f, 0.9f}));
    CHECK(xt::allclose(r.value(), xt::xarray<float>{-0.12f, -0.01f, 0.3f, 0.5f}));
    CHECK(xt::allclose(nn::ReLU()(x).value(), xt::maximum(v, 0.0f)));
    CHECK(xt::allclose(nn::Softmax(1)(x).value(), softmax(x, 1).value()));
    CHECK(same_bits(nn::ActivationLayer("tanh")(x).value(), tanh(x).value()));
}

TEST_CASE("Embedding: rows of the table, the gradient scatters rows, and ids are checked")
{
    set_seed(5);
    nn::Embedding emb(6, 3);
    const Tensor ids(xt::xarray<float>{{0, 5, 2}, {2, 2, 1}});
    const Tensor y = emb(ids);
    CHECK(y.shape() == Shape{2, 3, 3});
    const xt::xarray<float> table = emb.embeddings().value();
    CHECK(xt::amax(xt::abs(table))() <= 0.05f);
    CHECK(y.value()(0, 1, 2) == table(5, 2));
    GradientTape tape;
    const Tensor g = tape.gradient(reduce_sum(emb(ids)), Tensor(emb.embeddings()));
    CHECK(xt::all(xt::equal(xt::view(g.value(), xt::all(), 0), xt::xarray<float>{1, 1, 3, 0, 0, 1})));
    CHECK_THROWS_WITH(emb(Tensor(xt::xarray<float>{1.5f})), Contains("embedding: ids must be integers, got 1.5 at flat position 0"));
    CHECK_THROWS_WITH(emb(Tensor(xt::xarray<float>{{1, 6}})),
                      Contains("embedding: ids must be in [0, input_dim = 6), got 6 at flat position 1 of the input of shape (1, 2)"));
    CHECK_THROWS_WITH(emb(Tensor(xt::xarray<float>{-1})), Contains("got -1"));
}

TEST_CASE("conv and pooling layers: errors name the layer, the argument and the shapes")
{
    CHECK_THROWS_WITH(nn::Conv2D(8, 5)(Tensor(xt::zeros<float>({1, 3, 4, 1}))),
                      Contains("conv2d: the kernel (5x5) is larger than the input (3x4) with padding \"valid\"; input shape (1, 3, 4, 1)"));
    CHECK_NOTHROW(nn::Conv2D(8, 5, "linear", {.padding = "same"})(Tensor(xt::zeros<float>({1, 3, 4, 1}))));
    CHECK_THROWS_WITH(nn::Conv2D(8, 3)(Tensor(xt::zeros<float>({4, 28, 28}))),
                      Contains("conv2d: expects inputs of rank 4 channels_last (batch, height, width, channels), got shape (4, 28, 28)"));
    CHECK_THROWS_WITH(nn::Conv1D(8, 3)(Tensor(xt::zeros<float>({4, 28, 28, 1}))),
                      Contains("conv1d: expects inputs of rank 3 channels_last (batch, steps, channels), got shape (4, 28, 28, 1)"));
    CHECK_THROWS_WITH(nn::MaxPooling2D(0), Contains("max_pooling2d: argument 'pool_size' must be positive, got (0, 0)"));
    CHECK_THROWS_WITH(nn::AveragePooling2D(nn::Window2(2, 0)), Contains("average_pooling2d: argument 'pool_size' must be positive"));
    CHECK_THROWS_WITH(nn::MaxPooling2D(4)(Tensor(xt::zeros<float>({1, 3, 3, 1}))),
                      Contains("max_pooling2d: the pool window (4x4) is larger than the input"));
    CHECK_THROWS_WITH(nn::MaxPooling2D(2)(Tensor(xt::zeros<float>({3, 3, 1}))), Contains("expects inputs of rank 4"));
    CHECK_THROWS_WITH(nn::Conv2D(8, 3, "linear", {.strides = 2, .dilation_rate = 2}),
                      Contains("strides > 1 is not supported together with dilation_rate > 1"));
    CHECK_THROWS_WITH(nn::Conv2D(8, 3, "linear", {.padding = "full"}), Contains("argument 'padding' must be \"valid\" or \"same\""));
    nn::Conv2D conv(4, 3);
    conv(Tensor(xt::zeros<float>({1, 5, 5, 2})));
    CHECK_THROWS_WITH(conv(Tensor(xt::zeros<float>({1, 5, 5, 3}))), Contains("conv2d expects 2 input channels, got 3 (input shape (1, 5, 5, 3))"));
}

TEST_CASE("configs: every new layer has Keras 3's keys, round-trips and predicts bit for bit")
{
    set_seed(11);
    const Tensor img(data({2, 9, 8, 3}, 6));
    const Tensor seq(data({2, 10, 3}, 7));
    {
        nn::Conv2D conv(4, {3, 2}, "relu", {.strides = 2, .padding = "same"});
        conv(img);
        const nn::Json c = conv.get_config();
        for (const char* key : {"name", "trainable", "dtype", "filters", "kernel_size", "strides", "padding",
                                "data_format", "dilation_rate", "groups", "activation", "use_bias",
                                "kernel_initializer", "bias_initializer", "kernel_regularizer", "bias_regularizer",
                                "activity_regularizer", "kernel_constraint", "bias_constraint"})
            CHECK(c.contains(key));
        CHECK(c["kernel_size"] == nn::Json::array({3, 2}));
        CHECK(c["strides"] == nn::Json::array({2, 2}));
        CHECK(c["padding"] == "same");
        CHECK(c["kernel_initializer"]["class_name"] == "GlorotUniform");
        check_round_trip(conv, img);
    }
    nn::Sequential model({nn::Input({9, 8, 3}), nn::Conv2D(4, 3, "relu", {.dilation_rate = 2, .use_bias = false}),
                          nn::BatchNormalization(), nn::MaxPooling2D(2, 1, "same"), nn::AveragePooling2D(2),
                          nn::UpSampling2D({2, 1}), nn::ReLU(6.0), nn::ActivationLayer("tanh"),
                          nn::GlobalAveragePooling2D(), nn::LayerNormalization(), nn::Softmax()});
    {
        // Train the batch norm's moving statistics away from their start first.
        model(img, true);
        check_round_trip(model, img);
        CHECK(nn::serialize_layer(model)["config"]["layers"][2]["config"]["momentum"] == 0.99);
    }
    // A rank-3 output into a 2-D global pooling: the model fails to build, naming the layer.
    CHECK_THROWS_WITH(nn::Sequential({nn::Input({10, 3}), nn::Conv1D(5, 3), nn::GlobalMaxPooling2D(true)}),
                      Contains("global_max_pooling2d: expects inputs of rank 4"));
    nn::Sequential model3({nn::Input({10, 3}), nn::Conv1D(5, 3, "linear", {.padding = "same"}), nn::MaxPooling1D(2),
                           nn::AveragePooling1D(2, 1), nn::Flatten()});
    check_round_trip(model3, seq);
    CHECK(nn::serialize_layer(model3)["config"]["layers"][1]["config"]["kernel_size"] == nn::Json::array({3}));
    const Tensor ids(xt::xarray<float>{{0, 1, 2, 3}, {6, 5, 4, 3}});
    nn::Sequential model5({nn::Input({4}), nn::Embedding(7, 3), nn::Flatten()});
    check_round_trip(model5, ids);
    const nn::Json e = nn::serialize_layer(model5)["config"]["layers"][1]["config"];
    CHECK(e["embeddings_initializer"]["class_name"] == "RandomUniform");
    CHECK(e["mask_zero"] == false);
    for (const char* cls : {"Conv1D", "Conv2D", "MaxPooling1D", "MaxPooling2D", "AveragePooling2D",
                            "GlobalAveragePooling2D", "GlobalMaxPooling2D", "BatchNormalization", "LayerNormalization",
                            "Embedding", "Activation", "ReLU", "Softmax", "UpSampling2D"}) {
        const auto names = nn::registered_layers();
        CHECK(std::find(names.begin(), names.end(), cls) != names.end());
    }
}
