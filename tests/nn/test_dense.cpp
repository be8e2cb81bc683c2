#include <catch2/catch.hpp>
#include <xgrad/autograd/gradient_check.hpp>
#include <xgrad/autograd/gradient_tape.hpp>
#include <xgrad/autograd/ops.hpp>
#include <xgrad/core/random.hpp>
#include <xgrad/nn/layers/dense.hpp>
#include <sstream>
#include <xgrad/nn/naming.hpp>
#include <xgrad/nn/sequential.hpp>

using namespace xgrad;
using Catch::Contains;

TEST_CASE("Dense: forward and backward against hand-computed values")
{
    nn::Dense dense(2, "relu", true, "ones", "zeros", "d");
    Tensor x(xgrad::array<float>({2, 3}, {1, 2, 3, -1, -2, 0.5f}));
    dense.build(x.shape());
    auto& kernel = const_cast<Variable&>(dense.kernel());
    kernel.assign(xgrad::array<float>({3, 2}, {1, -1, 0, 2, 1, 0}));
    const_cast<Variable&>(dense.bias()).assign(xt::xarray<float>{0.5f, -0.5f});
    GradientTape tape;
    Tensor y = dense(x);
    // z = x W + b = [[1+3+.5, -1+4-.5], [-1+.5+.5, 1-4-.5]] = [[4.5, 2.5], [0, -3.5]]; relu
    CHECK(y(0, 0) == 4.5f);
    CHECK(y(0, 1) == 2.5f);
    CHECK(y(1, 0) == 0.0f);
    CHECK(y(1, 1) == 0.0f);
    auto grads = tape.gradient(reduce_sum(y), {dense.kernel(), dense.bias()});
    // dL/dz = [[1, 1], [0, 0]] (relu mask, 0 at z = 0); dW = x^T dz, db = sum rows
    CHECK(grads[0](0, 0) == 1.0f);
    CHECK(grads[0](1, 1) == 2.0f);
    CHECK(grads[0](2, 0) == 3.0f);
    CHECK(grads[1](0) == 1.0f);
    CHECK(grads[1](1) == 1.0f);
}

TEST_CASE("Dense: relu and linear layers equal the separate ops bit for bit (the fused path)")
{
    Generator gen(5);
    // serial (small) and parallel (19.7M multiply-adds) products; a rank-3 input
    for (const Shape& shape : {Shape{96, 40}, Shape{256, 300}, Shape{6, 16, 40}}) {
        const Tensor x(gen.uniform<float>(shape, -1.0f, 1.0f));
        for (const char* act : {"relu", "linear"}) {
            for (const bool use_bias : {true, false}) {
                INFO(to_string(shape) << " " << act << (use_bias ? " with bias" : " without bias"));
                nn::Dense dense(256, act, use_bias, "glorot_uniform", "glorot_uniform");
                dense.build(x.shape());
                std::vector<Variable> params{dense.kernel()};
                if (use_bias) params.push_back(dense.bias());
                auto run = [&](bool layer) {
                    GradientTape tape;
                    Tensor y;
                    if (layer) {
                        y = dense(x);
                    } else {
                        y = matmul<float>(x, dense.kernel());
                        if (use_bias) y = add<float>(y, dense.bias());
                        if (std::string(act) == "relu") y = relu(y);
                    }
                    auto grads = tape.gradient(reduce_sum(mul(y, y)), params);
                    grads.insert(grads.begin(), y);
                    return grads;
                };
                const auto got = run(true), want = run(false);
                for (std::size_t i = 0; i < got.size(); ++i) {
                    INFO("output 0, gradients 1..: " << i);
                    CHECK(got[i].value() == want[i].value());
                }
            }
        }
    }
}

TEST_CASE("Dense: the composition passes a float64 gradient check for every activation")
{
    for (const char* act : {"linear", "relu", "sigmoid", "tanh", "softmax", "leaky_relu", "gelu"}) {
        INFO(act);
        Generator gen(7);
        xt::xarray<double> x = gen.normal<double>({4, 3}), w = gen.normal<double>({3, 5}), b = gen.normal<double>({5});
        auto f = [&](const std::vector<Tensor64>& in) {
            Tensor64 z = matmul(in[0], in[1]) + in[2];
            std::string a = act;
            if (a == "relu") return relu(z);
            if (a == "sigmoid") return sigmoid(z);
            if (a == "tanh") return xgrad::tanh(z);
            if (a == "softmax") return softmax(z);
            if (a == "leaky_relu") return leaky_relu(z);
            if (a == "gelu") return gelu(z);
            return z;
        };
        auto r = check_gradients(f, {x, w, b});
        CHECK(r.ok);
        if (!r.ok) WARN(r.report);
    }
}

TEST_CASE("Dense: any input rank, lazily built from the last axis")
{
    nn::Dense dense(3);
    Tensor x(xt::xarray<float>(Shape{2, 10, 10}, 1.0f));
    Tensor y = dense(x);
    CHECK(y.shape() == Shape{2, 10, 3});
    CHECK(dense.kernel().shape() == Shape{10, 3});
    CHECK(dense.bias().shape() == Shape{3});
    CHECK(xt::all(xt::equal(dense.bias().value(), 0.0f)));
    // glorot_uniform limit sqrt(6 / 13)
    CHECK(xt::amax(xt::abs(dense.kernel().value()))() <= std::sqrt(6.0f / 13.0f));
}

TEST_CASE("Dense: Keras names and the feature-count error")
{
    nn::Dense a(4), b(4);
    CHECK(a.name() == "dense");
    CHECK(b.name() == "dense");  // made unique only among the sublayers of one model
    nn::Sequential model({a, b});
    CHECK(a.name() == "dense");
    CHECK(b.name() == "dense_1");
    b(Tensor(xt::xarray<float>(Shape{2, 784}, 0.0f)));
    REQUIRE_THROWS_AS(b(Tensor(xt::xarray<float>(Shape{2, 785}, 0.0f))), ShapeError);
    REQUIRE_THROWS_WITH(b(Tensor(xt::xarray<float>(Shape{2, 785}, 0.0f))),
                        Contains("dense_1 expects 784 features, got 785"));
    REQUIRE_THROWS_WITH(nn::Dense(3, "swishy"), Contains("unknown name 'swishy'"));
    REQUIRE_THROWS_WITH(nn::Dense(3, "relu", true, "glorot"), Contains("unknown name 'glorot'"));
    REQUIRE_THROWS_WITH(nn::Dense(0), Contains("'units' must be positive"));
}

TEST_CASE("Sequential: names, dotted parameters, weights and summary")
{
    nn::Sequential model({nn::Input({784}), nn::Dense(128, "relu"), nn::Dense(10, "softmax")});
    CHECK(model.name() == "sequential");
    auto params = model.named_parameters();
    REQUIRE(params.size() == 4);
    CHECK(params[0].first == "dense.kernel");
    CHECK(params[3].first == "dense_1.bias");
    CHECK(model.count_params() == 101770);
    std::ostringstream out;
    model.summary(out);
    const std::string s = out.str();
    CHECK_THAT(s, Contains("Model: \"sequential\""));
    CHECK_THAT(s, Contains("│ dense (Dense)                   │ (None, 128)            │       100,480 │"));
    CHECK_THAT(s, Contains("│ dense_1 (Dense)                 │ (None, 10)             │         1,290 │"));
    CHECK_THAT(s, Contains(" Total params: 101,770 (397.54 KB)"));
    CHECK_THAT(s, Contains(" Non-trainable params: 0 (0.00 B)"));

    auto w = model.get_weights();
    w[1](0) = 42.0f;
    model.set_weights(w);
    CHECK(model.get_weights()[1](0) == 42.0f);
    w[2] = xt::xarray<float>(Shape{128, 9}, 0.0f);
    REQUIRE_THROWS_WITH(model.set_weights(w), Contains("('dense_1.kernel') has shape (128, 10), got an array of shape (128, 9)"));

    nn::Sequential m3({nn::Dense(10, "relu"), nn::Dense(2, "softmax")});
    m3(Tensor(xt::xarray<float>(Shape{2, 10, 10}, 0.5f)));
    std::ostringstream out3;
    m3.summary(out3);
    CHECK_THAT(out3.str(), Contains("(None, 10, 2)"));
}

TEST_CASE("Dense: a kernel too large to exist is a ShapeError naming the initializer and the shape")
{
    const Tensor x(xt::xarray<float>(Shape{1, 4}, 1.0f));
    for (const char* init : {"zeros", "glorot_uniform"}) {
        nn::Dense huge(std::size_t(1) << 62, "linear", true, init);
        REQUIRE_THROWS_AS(huge(x), ShapeError);
        REQUIRE_THROWS_WITH(huge(x), Contains("(4, 4611686018427387904)"));
    }
}
