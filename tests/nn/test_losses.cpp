#include <catch2/catch.hpp>
#include <cmath>
#include <xgrad/autograd/gradient_check.hpp>
#include <xgrad/autograd/gradient_tape.hpp>
#include <xgrad/autograd/ops.hpp>
#include <xgrad/core/random.hpp>
#include <xgrad/nn/losses.hpp>
#include <xgrad/nn/metrics.hpp>
#include <xgrad/nn/ops/cross_entropy.hpp>
#include <xgrad/nn/sequential.hpp>
#include <xgrad/nn/layers/dense.hpp>

using namespace xgrad;
using Catch::Contains;

namespace {
Tensor t(const Shape& shape, std::initializer_list<float> v) { return Tensor(xgrad::array<float>(shape, v)); }
}  // namespace

TEST_CASE("losses: MeanSquaredError and reductions")
{
    Tensor y = t({2, 2}, {0, 1, 1, 0}), p = t({2, 2}, {0.5f, 1, 1, 2});
    // per sample: mean([.25, 0]) = .125, mean([0, 4]) = 2
    auto none = nn::MeanSquaredError(nn::Reduction::None)(y, p);
    CHECK(none(0) == Approx(0.125));
    CHECK(none(1) == Approx(2.0));
    CHECK(nn::MeanSquaredError()(y, p).item() == Approx(1.0625));
    CHECK(nn::MeanSquaredError(nn::Reduction::Sum)(y, p).item() == Approx(2.125));
    // As Keras, the formula broadcasts: (2, 2) against (2, 1) is fine, (2, 2) against (2, 3) is not.
    CHECK(nn::MeanSquaredError()(y, t({2, 1}, {0, 1})).shape() == Shape{});
    REQUIRE_THROWS_WITH(nn::MeanSquaredError()(y, t({2, 3}, {0, 1, 2, 3, 4, 5})),
                        Contains("y_true has shape (2, 2), y_pred has shape (2, 3)"));
    REQUIRE_THROWS_WITH(nn::reduction_from_string("avg"), Contains("unknown reduction 'avg'"));
}

TEST_CASE("losses: CategoricalCrossentropy from probabilities, as Keras clips and normalizes")
{
    // Keras's docstring example: [0.10536, 0.11653, 0.06188]
    Tensor y = t({3, 3}, {1, 0, 0, 0, 1, 0, 0, 0, 1});
    Tensor p = t({3, 3}, {.9f, .05f, .05f, .05f, .89f, .06f, .05f, .01f, .94f});
    auto l = nn::CategoricalCrossentropy(false, nn::Reduction::None)(y, p);
    CHECK(l(0) == Approx(0.10536).margin(1e-5));
    CHECK(l(1) == Approx(0.11653).margin(1e-5));
    CHECK(l(2) == Approx(0.06188).margin(1e-5));
    // Unnormalized rows are normalized: [2, 2] -> [.5, .5]
    CHECK(nn::CategoricalCrossentropy()(t({1, 2}, {1, 0}), t({1, 2}, {2, 2})).item() == Approx(std::log(2.0)));
    // A zero probability is clipped to 1e-7: -log(1e-7) = 16.118
    CHECK(nn::CategoricalCrossentropy()(t({1, 2}, {1, 0}), t({1, 2}, {0, 1})).item() == Approx(-std::log(1e-7)).epsilon(1e-4));
}

TEST_CASE("losses: from_logits equals the closed form, stable at extreme logits")
{
    Tensor y = t({2, 3}, {0, 1, 0, 0.2f, 0.3f, 0.5f});
    Tensor z = t({2, 3}, {1, 2, 3, -1, 0, 4});
    auto l = nn::CategoricalCrossentropy(true, nn::Reduction::None)(y, z);
    for (int r = 0; r < 2; ++r) {
        double lse = std::log(std::exp(double(z(r, 0))) + std::exp(double(z(r, 1))) + std::exp(double(z(r, 2))));
        double expected = 0;
        for (int j = 0; j < 3; ++j) expected += y(r, j) * (lse - z(r, j));
        CHECK(l(r) == Approx(expected).epsilon(1e-6));
    }
    // Extreme logits: finite losses and gradients, no NaN.
    Tensor big = t({2, 3}, {1000, -1000, 0, -1e30f, 1e30f, 0});
    Tensor onehot = t({2, 3}, {0, 1, 0, 1, 0, 0});
    GradientTape tape;
    tape.watch(big);
    auto loss = nn::CategoricalCrossentropy(true, nn::Reduction::None)(onehot, big);
    CHECK(loss(0) == Approx(2000.0));
    CHECK(loss(1) == Approx(2e30));
    auto g = tape.gradient(reduce_sum(loss), big);
    CHECK(g(0, 0) == Approx(1.0));
    CHECK(g(0, 1) == Approx(-1.0));
    CHECK(g(1, 0) == Approx(-1.0));
    CHECK(g(1, 1) == Approx(1.0));
    CHECK(xt::all(xt::isfinite(g.value())));
    // A confident, correct prediction: loss exactly 0
    CHECK(nn::CategoricalCrossentropy(true)(t({1, 2}, {1, 0}), t({1, 2}, {200, -200})).item() == 0.0f);
}

TEST_CASE("losses: SparseCategoricalCrossentropy, both forms, labels (n,) or (n, 1)")
{
    // Keras's docstring example: 0.3239
    Tensor y = t({3}, {0, 1, 2});
    Tensor p = t({3, 3}, {.9f, .05f, .05f, .5f, .89f, .6f, .05f, .01f, .94f});
    CHECK(nn::SparseCategoricalCrossentropy()(y, p).item() == Approx(0.3239).margin(1e-4));
    CHECK(nn::SparseCategoricalCrossentropy()(t({3, 1}, {0, 1, 2}), p).item() == Approx(0.3239).margin(1e-4));
    Tensor z = t({2, 3}, {1, 2, 3, 500, -500, 0});
    auto l = nn::SparseCategoricalCrossentropy(true, nn::Reduction::None)(t({2}, {2, 1}), z);
    CHECK(l(0) == Approx(std::log(std::exp(1.0) + std::exp(2.0) + std::exp(3.0)) - 3.0));
    CHECK(l(1) == Approx(1000.0));
    REQUIRE_THROWS_AS(nn::SparseCategoricalCrossentropy(true)(t({2}, {3, 0}), z), ValueError);
    REQUIRE_THROWS_WITH(nn::SparseCategoricalCrossentropy(true)(t({2}, {3, 0}), z),
                        Contains("label 3 at position 0 is out of range: expected an integer in [0, 3)"));
    REQUIRE_THROWS_WITH(nn::SparseCategoricalCrossentropy(true)(t({2}, {-1, 0}), z), Contains("label -1"));
    REQUIRE_THROWS_WITH(nn::SparseCategoricalCrossentropy(true)(t({3}, {0, 0, 0}), z),
                        Contains("argument 'labels' has shape (3), expected (2)"));
}

TEST_CASE("losses: BinaryCrossentropy, probabilities and logits")
{
    Tensor y = t({2, 2}, {0, 1, 1, 0}), p = t({2, 2}, {0.2f, 0.7f, 1.0f, 0.0f});
    auto l = nn::BinaryCrossentropy(false, nn::Reduction::None)(y, p);
    const double eps = 1e-7;
    CHECK(l(0) == Approx((-std::log(0.8) - std::log(0.7)) / 2).epsilon(1e-5));
    CHECK(l(1) == Approx(-std::log(1 - eps)).margin(1e-6));  // both clipped to 1 - 1e-7 / 1e-7
    Tensor z = t({1, 3}, {100, -100, 0.5f});
    auto lz = nn::BinaryCrossentropy(true, nn::Reduction::None)(t({1, 3}, {1, 1, 0}), z);
    const double expected = (0.0 + 100.0 + (0.5 + std::log1p(std::exp(-0.5)))) / 3;
    CHECK(lz(0) == Approx(expected).epsilon(1e-5));
}

TEST_CASE("fused cross-entropy ops pass float64 gradient checks")
{
    Generator gen(3);
    xt::xarray<double> logits = gen.normal<double>({4, 5}) * 3.0;
    xt::xarray<double> labels = gen.uniform<double>({4, 5});
    for (std::size_t r = 0; r < 4; ++r) {
        double sum = 0;
        for (std::size_t j = 0; j < 5; ++j) sum += labels(r, j);
        for (std::size_t j = 0; j < 5; ++j) labels(r, j) /= sum;
    }
    auto dense = check_gradients([](const std::vector<Tensor64>& in) {
        return softmax_cross_entropy_with_logits(in[0], in[1]);
    }, {labels, logits});
    CHECK(dense.ok);
    if (!dense.ok) WARN(dense.report);
    Tensor64 sparse_labels(xt::xarray<double>{0, 4, 2, 1});
    auto sparse = check_gradients([&](const std::vector<Tensor64>& in) {
        return sparse_softmax_cross_entropy_with_logits(sparse_labels, in[0]);
    }, {logits});
    CHECK(sparse.ok);
    // The probability forms too (away from the clip bounds).
    xt::xarray<double> p = gen.uniform<double>({3, 4}, 0.1, 0.9);
    auto ce = check_gradients([](const std::vector<Tensor64>& in) {
        auto q = in[0] / reduce_sum(in[0], {-1}, true);
        return neg(reduce_sum(log(q), {-1}));
    }, {p});
    CHECK(ce.ok);
}

TEST_CASE("metrics: accuracies and mean")
{
    nn::CategoricalAccuracy cat;
    cat.update_state(t({2, 3}, {0, 1, 0, 1, 0, 0}), t({2, 3}, {.1f, .8f, .1f, .2f, .7f, .1f}));
    CHECK(cat.result() == 0.5);
    nn::SparseCategoricalAccuracy sparse;
    sparse.update_state(t({3}, {1, 0, 2}), t({3, 3}, {0, 1, 0, 1, 0, 0, 0, 1, 0}));
    CHECK(sparse.result() == Approx(2.0 / 3));
    sparse.reset_state();
    CHECK(sparse.result() == 0.0);
    nn::BinaryAccuracy bin;
    bin.update_state(t({4, 1}, {1, 0, 1, 0}), t({4, 1}, {.9f, .6f, .4f, .1f}));
    CHECK(bin.result() == 0.5);
    nn::Mean mean;
    mean.update(1.0, 3.0);
    mean.update(3.0, 1.0);
    CHECK(mean.result() == 1.5);
    CHECK(nn::make_metric("accuracy", "sparse_categorical_crossentropy")->name() == "accuracy");
    REQUIRE_THROWS_WITH(nn::make_metric("f1"), Contains("unknown name 'f1'"));
}

TEST_CASE("metrics: an empty class axis and out-of-range sparse labels throw, naming the metric")
{
    const Tensor empty(xt::xarray<float>::from_shape({2, 0}));
    nn::CategoricalAccuracy cat;
    REQUIRE_THROWS_AS(cat.update_state(empty, empty), ShapeError);
    REQUIRE_THROWS_WITH(cat.update_state(empty, empty), Contains(cat.name() + ": y_pred has an empty class axis (shape (2, 0))"));
    nn::SparseCategoricalAccuracy sparse;
    REQUIRE_THROWS_WITH(sparse.update_state(t({2}, {0, 0}), empty), Contains("empty class axis (shape (2, 0))"));
    const Tensor p = t({2, 3}, {0, 1, 0, 1, 0, 0});
    REQUIRE_THROWS_AS(sparse.update_state(t({2}, {1, 7}), p), ValueError);
    REQUIRE_THROWS_WITH(sparse.update_state(t({2}, {1, 7}), p),
                        Contains(sparse.name() + ": label 7 at position 1 is out of range: expected an integer in [0, 3)"));
    REQUIRE_THROWS_WITH(sparse.update_state(t({2}, {-1, 0}), p), Contains("label -1 at position 0"));
    REQUIRE_THROWS_WITH(sparse.update_state(t({2}, {0.5f, 0}), p), Contains("label 0.5 at position 0"));
    CHECK(sparse.result() == 0.0);  // nothing counted
}

TEST_CASE("losses: Keras's rank matching, y of shape (n,) against outputs (n, 1), then broadcasting")
{
    const Tensor y(array<float>({3}, {1.0f, 0.0f, 2.0f}));
    const Tensor p(array<float>({3, 1}, {0.5f, 0.5f, 1.0f}));
    // mse: mean over the last axis of (p - y)^2 per sample: 0.25, 0.25, 1.0
    const Tensor per_sample = nn::MeanSquaredError().call(y, p);
    REQUIRE(per_sample.shape() == Shape{3});
    CHECK(per_sample(0) == 0.25f);
    CHECK(per_sample(2) == 1.0f);
    CHECK(nn::MeanSquaredError()(p, y).item() == nn::MeanSquaredError()(y, p).item());
    // A y_true of (n, 1) against a prediction of (n,) is matched too.
    CHECK(nn::MeanSquaredError()(Tensor(array<float>({3, 1}, {1.0f, 0.0f, 2.0f})),
                                 Tensor(array<float>({3}, {0.5f, 0.5f, 1.0f}))).item() == Approx(0.5f));
    // Binary cross-entropy on (n,) labels and (n, 1) probabilities.
    const Tensor bce = nn::BinaryCrossentropy()(Tensor(array<float>({2}, {1.0f, 0.0f})),
                                                Tensor(array<float>({2, 1}, {0.8f, 0.4f})));
    CHECK(bce.item() == Approx(-(std::log(0.8f) + std::log(0.6f)) / 2.0f).epsilon(1e-6));
    REQUIRE_THROWS_WITH(nn::MeanSquaredError()(Tensor(array<float>({2}, {1.0f, 0.0f})), p),
                        Catch::Contains("y_true has shape (2), y_pred has shape (3, 1)"));
    // fit accepts y of shape (n,) for a one-unit output.
    nn::Sequential model({nn::Input({2}), nn::Dense(1)});
    model.compile("sgd", "mse");
    const auto logs = model.fit(Tensor(array<float>({3, 2}, {1, 2, 3, 4, 5, 6})), y, {.epochs = 2, .verbose = 0});
    CHECK(logs.history.at("loss").size() == 2);
}
