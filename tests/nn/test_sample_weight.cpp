// Issue 11: fit/evaluate sample_weight and class_weight (Keras semantics).
#include <catch2/catch.hpp>
#include <cmath>

#include <xgrad/core/random.hpp>
#include <xgrad/nn/layers/dense.hpp>
#include <xgrad/nn/losses.hpp>
#include <xgrad/nn/sequential.hpp>

using namespace xgrad;
using Catch::Contains;

namespace {
nn::Sequential regression_model(std::uint64_t seed)
{
    set_seed(seed);
    nn::Sequential model({nn::Input({3}), nn::Dense(4, "tanh"), nn::Dense(1)});
    return model;
}

double max_diff(const std::vector<xt::xarray<float>>& a, const std::vector<xt::xarray<float>>& b)
{
    double d = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        for (std::size_t j = 0; j < a[i].size(); ++j) d = std::max(d, std::abs(double(a[i].flat(j)) - b[i].flat(j)));
    return d;
}

Tensor take(const Tensor& t, std::size_t begin, std::size_t end)
{
    Shape shape = t.shape();
    const std::size_t width = t.size() / shape[0];
    shape[0] = end - begin;
    xt::xarray<float> out = xt::xarray<float>::from_shape(shape);
    std::copy(t.value().data() + begin * width, t.value().data() + end * width, out.data());
    return Tensor(std::move(out));
}
}  // namespace

TEST_CASE("fit sample_weight: zero weights on half the data equal training on the other half")
{
    Generator gen(8);
    const Tensor x(gen.normal<float>({8, 3})), y(gen.normal<float>({8, 1}));
    for (const bool summed : {true, false}) {
        DYNAMIC_SECTION((summed ? "Reduction::Sum, weights 1/0" : "sum_over_batch_size, weights 2/0"))
        {
            // sum_over_batch_size divides by all 8 values: weight 2 on the kept half makes it the mean of 4.
            const float keep = summed ? 1.0f : 2.0f;
            const auto loss = [&] {
                return summed ? std::make_shared<nn::MeanSquaredError>(nn::Reduction::Sum)
                              : std::make_shared<nn::MeanSquaredError>();
            };
            auto weighted = regression_model(3), half = regression_model(3);
            half.set_weights(weighted.get_weights());
            weighted.compile("sgd", loss());
            half.compile("sgd", loss());
            const Tensor w = Tensor(xgrad::array<float>({8}, {keep, keep, keep, keep, 0, 0, 0, 0}));
            weighted.fit(x, y, {.epochs = 5, .batch_size = 8, .shuffle = false, .verbose = 0, .sample_weight = w});
            half.fit(take(x, 0, 4), take(y, 0, 4), {.epochs = 5, .batch_size = 4, .shuffle = false, .verbose = 0});
            CHECK(max_diff(weighted.get_weights(), half.get_weights()) <= 1e-6);
            CHECK(max_diff(weighted.get_weights(), regression_model(3).get_weights()) > 1e-3);  // it trained
        }
    }
}

TEST_CASE("fit sample_weight: batched and shuffled with the rows; validation_split splits it")
{
    Generator gen(9);
    const Tensor x(gen.normal<float>({10, 3})), y(gen.normal<float>({10, 1}));
    // Weights 1 on the 6 training rows: the same run as no weights; weights 5 on the 4 rows
    // validation_split 0.4 holds out: 5 times the validation loss (Keras splits sample_weight too).
    auto a = regression_model(4), b = regression_model(4);
    b.set_weights(a.get_weights());
    a.compile("sgd", "mse");
    b.compile("sgd", "mse");
    const auto ha = a.fit(x, y, {.epochs = 3, .batch_size = 2, .validation_split = 0.4, .verbose = 0, .seed = 7,
                                 .sample_weight = Tensor(xgrad::array<float>({10}, {1, 1, 1, 1, 1, 1, 5, 5, 5, 5}))});
    const auto hb = b.fit(x, y, {.epochs = 3, .batch_size = 2, .validation_split = 0.4, .verbose = 0, .seed = 7});
    CHECK((a.get_weights() == b.get_weights()));
    CHECK((ha.history.at("loss") == hb.history.at("loss")));
    for (std::size_t e = 0; e < 3; ++e) CHECK(ha.history.at("val_loss")[e] == Approx(5 * hb.history.at("val_loss")[e]));
    // Shuffled batches take the weights of their rows: a weighting differing only on rows
    // shuffled into other batches changes the run.
    auto c = regression_model(4);
    c.compile("sgd", "mse");
    c.fit(x, y, {.epochs = 3, .batch_size = 2, .validation_split = 0.4, .verbose = 0, .seed = 7,
                 .sample_weight = Tensor(xgrad::array<float>({10}, {1, 1, 1, 1, 1, 0, 0, 0, 0, 0}))});
    CHECK(max_diff(c.get_weights(), b.get_weights()) > 1e-5);
    // class_weight weights the training rows only (Keras): the validation loss stays unweighted.
    auto d = regression_model(4), e = regression_model(4);
    d.compile("sgd", "mse");
    e.compile("sgd", "mse");
    const Tensor labels(xgrad::array<float>({10, 1}, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
    const auto hd = d.fit(x, labels, {.epochs = 1, .batch_size = 2, .validation_split = 0.4, .verbose = 0, .seed = 7,
                                      .class_weight = {{0, 3.0}}});
    const auto he = e.fit(x, labels, {.epochs = 1, .batch_size = 2, .validation_split = 0.4, .verbose = 0, .seed = 7,
                                      .sample_weight = Tensor(xgrad::array<float>({10}, {3, 3, 3, 3, 3, 3, 1, 1, 1, 1}))});
    CHECK((d.get_weights() == e.get_weights()));
    CHECK(hd.history.at("val_loss") == he.history.at("val_loss"));
}

TEST_CASE("fit class_weight: the same as the per-sample weights of each label, sparse or one-hot")
{
    Generator gen(10);
    const Tensor x(gen.normal<float>({12, 3}));
    xt::xarray<float> labels = xt::xarray<float>::from_shape({12}), onehot = xt::zeros<float>({12, 3});
    xt::xarray<float> weights = xt::xarray<float>::from_shape({12});
    const std::map<int, double> class_weight{{0, 2.0}, {2, 0.25}};
    for (std::size_t i = 0; i < 12; ++i) {
        labels(i) = float(i % 3);
        onehot(i, i % 3) = 1;
        weights(i) = i % 3 == 0 ? 2.0f : i % 3 == 2 ? 0.25f : 1.0f;  // class 1 is not listed: 1
    }
    const auto model = [] {
        set_seed(5);
        return nn::Sequential({nn::Input({3}), nn::Dense(3, "softmax")});
    };
    auto by_class = model(), by_sample = model(), onehot_model = model();
    by_class.compile("adam", "sparse_categorical_crossentropy");
    by_sample.compile("adam", "sparse_categorical_crossentropy");
    onehot_model.compile("adam", "categorical_crossentropy");
    const auto hc = by_class.fit(x, Tensor(labels), {.epochs = 3, .batch_size = 5, .verbose = 0, .seed = 1,
                                                     .class_weight = class_weight});
    const auto hs = by_sample.fit(x, Tensor(labels), {.epochs = 3, .batch_size = 5, .verbose = 0, .seed = 1,
                                                      .sample_weight = Tensor(weights)});
    onehot_model.fit(x, Tensor(onehot), {.epochs = 3, .batch_size = 5, .verbose = 0, .seed = 1, .class_weight = class_weight});
    CHECK((by_class.get_weights() == by_sample.get_weights()));
    CHECK((hc.history.at("loss") == hs.history.at("loss")));
    CHECK(max_diff(onehot_model.get_weights(), by_sample.get_weights()) <= 1e-6);
    // evaluate: class_weight and sample_weight agree, and equal the weighted loss by hand
    const auto ec = by_class.evaluate(x, Tensor(labels), {.batch_size = 4, .verbose = 0, .class_weight = class_weight});
    const auto es = by_class.evaluate(x, Tensor(labels), {.batch_size = 4, .verbose = 0, .sample_weight = Tensor(weights)});
    CHECK((ec.at("loss") == es.at("loss")));
    const Tensor p = by_class.predict(x);
    double by_hand = 0;
    for (std::size_t b = 0; b < 3; ++b) {  // evaluate averages the batches' losses weighted by their sizes
        by_hand += nn::SparseCategoricalCrossentropy()(take(Tensor(labels), 4 * b, 4 * b + 4), take(p, 4 * b, 4 * b + 4),
                                                       take(Tensor(weights), 4 * b, 4 * b + 4)).item() * 4;
    }
    CHECK((es.at("loss") == Approx(by_hand / 12).epsilon(1e-5)));
    CHECK(es.at("loss") != by_class.evaluate(x, Tensor(labels), {.batch_size = 4, .verbose = 0}).at("loss"));
}

TEST_CASE("fit sample_weight/class_weight: errors name fit or evaluate, the argument and the lengths")
{
    auto m = regression_model(1);
    m.compile("sgd", "mse");
    const Tensor x(xt::zeros<float>({8, 3})), y(xt::zeros<float>({8, 1}));
    REQUIRE_THROWS_WITH(m.fit(x, y, {.verbose = 0, .sample_weight = Tensor(xt::ones<float>({5}))}),
                        Contains("fit: argument 'sample_weight' must hold one weight per sample, shape (8,), got shape (5)"));
    REQUIRE_THROWS_WITH(m.fit(x, y, {.verbose = 0, .sample_weight = Tensor(xt::ones<float>({8, 2}))}),
                        Contains("got shape (8, 2)"));
    REQUIRE_THROWS_WITH(m.evaluate(x, y, {.verbose = 0, .sample_weight = Tensor(xt::ones<float>({9}))}),
                        Contains("evaluate: argument 'sample_weight'"));
    REQUIRE_THROWS_WITH(m.fit(x, y, {.verbose = 0, .sample_weight = Tensor(xt::ones<float>({8})), .class_weight = {{0, 1.0}}}),
                        Contains("fit: arguments 'sample_weight' and 'class_weight' cannot be used together"));
    REQUIRE_THROWS_WITH(m.fit(Tensor(xt::zeros<float>({2, 3})), Tensor(xt::zeros<float>({2, 1, 1})),
                              {.verbose = 0, .class_weight = {{0, 1.0}}}),
                        Contains("fit: argument 'class_weight' needs labels"));
}
