// Issue 11: Keras's activations and losses against tests/nn/golden/losses.txt (numpy, from
// tests/nn/golden/generate_losses.py) and the numbers of Keras's own losses_test.py.
#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

#include <xtensor/xadapt.hpp>

#include "../autograd/helpers.hpp"

#include <xgrad/nn/activations.hpp>
#include <xgrad/nn/layers/dense.hpp>
#include <xgrad/nn/losses.hpp>
#include <xgrad/nn/saving/detail/compile_config.hpp>
#include <xgrad/nn/sequential.hpp>

using namespace xgrad;
using xgrad::test::In;
using Catch::Contains;

namespace {
Tensor t(const Shape& shape, std::initializer_list<float> v) { return Tensor(xgrad::array<float>(shape, v)); }

struct Golden {
    std::vector<double> x;
    std::map<std::string, std::vector<double>> activations;
    // (loss, case, "none" | "weighted") -> values
    std::map<std::tuple<std::string, std::string, std::string>, std::vector<double>> losses;
};

const Golden& golden()
{
    static const Golden g = [] {
        Golden out;
        std::ifstream in(std::string(XGRAD_SOURCE_DIR) + "/tests/nn/golden/losses.txt");
        REQUIRE(in.good());
        std::string line;
        while (std::getline(in, line)) {
            std::istringstream s(line);
            std::string kind, name, c, form;
            s >> kind;
            if (kind == "activation") s >> name;
            if (kind == "loss") s >> name >> c >> form;
            std::vector<double> values;
            for (std::string v; s >> v;) values.push_back(std::stod(v));
            if (kind == "x") out.x = values;
            else if (kind == "activation") out.activations[name] = values;
            else out.losses[{name, c, form}] = values;
        }
        return out;
    }();
    return g;
}

const std::map<std::string, Function64>& activations64()
{
    static const std::map<std::string, Function64> f{
        {"elu", [](const In& in) { return nn::fn::elu(in[0]); }},
        {"selu", [](const In& in) { return nn::fn::selu(in[0]); }},
        {"silu", [](const In& in) { return nn::fn::silu(in[0]); }},
        {"swish", [](const In& in) { return nn::fn::silu(in[0]); }},
        {"softplus", [](const In& in) { return nn::fn::softplus(in[0]); }},
        {"softsign", [](const In& in) { return nn::fn::softsign(in[0]); }},
        {"hard_sigmoid", [](const In& in) { return nn::fn::hard_sigmoid(in[0]); }},
        {"mish", [](const In& in) { return nn::fn::mish(in[0]); }},
        {"exponential", [](const In& in) { return nn::fn::exponential(in[0]); }},
        {"log_softmax", [](const In& in) { return log_softmax(in[0], -1); }},
    };
    return f;
}

std::shared_ptr<nn::Loss> golden_loss(const std::string& name, nn::Reduction r)
{
    if (name == "huber") return std::make_shared<nn::Huber>(1.0, r);
    if (name == "huber_0.25") return std::make_shared<nn::Huber>(0.25, r);
    if (name == "categorical_crossentropy_ls0.2") return std::make_shared<nn::CategoricalCrossentropy>(false, 0.2, r);
    if (name == "binary_crossentropy_ls0.2") return std::make_shared<nn::BinaryCrossentropy>(false, 0.2, r);
    if (name == "mae") return std::make_shared<nn::MeanAbsoluteError>(r);
    if (name == "mape") return std::make_shared<nn::MeanAbsolutePercentageError>(r);
    if (name == "msle") return std::make_shared<nn::MeanSquaredLogarithmicError>(r);
    if (name == "log_cosh") return std::make_shared<nn::LogCosh>(r);
    if (name == "kld") return std::make_shared<nn::KLDivergence>(r);
    if (name == "poisson") return std::make_shared<nn::Poisson>(r);
    if (name == "hinge") return std::make_shared<nn::Hinge>(r);
    if (name == "squared_hinge") return std::make_shared<nn::SquaredHinge>(r);
    if (name == "cosine_similarity") return std::make_shared<nn::CosineSimilarity>(-1, r);
    FAIL("no loss " << name);
    return nullptr;
}

// The generator's cases (tests/nn/golden/generate_losses.py CASES), float32.
const std::map<std::string, std::pair<Tensor, Tensor>>& cases()
{
    static const std::map<std::string, std::pair<Tensor, Tensor>> c{
        {"binary", {t({3, 4}, {0, 1, 0, 1, 1, 0, 0, 0, 0, 0, 1, 1}),
                    t({3, 4}, {0.1f, 0.6f, 0.2f, 0.1f, 0.3f, 0.3f, 0.2f, 0.2f, 0.05f, 0.1f, 0.7f, 0.15f})}},
        {"soft", {t({3, 4}, {0.2f, 0.3f, 0.1f, 0.4f, 0.25f, 0.25f, 0.25f, 0.25f, 0.7f, 0.1f, 0.1f, 0.1f}),
                  t({3, 4}, {0.1f, 0.6f, 0.2f, 0.1f, 0.3f, 0.3f, 0.2f, 0.2f, 0.05f, 0.1f, 0.7f, 0.15f})}},
        {"regression", {t({3, 4}, {1, 9, 2, -0.5f, -5, -2, 6, 0, 0.3f, 0.1f, -0.2f, 4}),
                        t({3, 4}, {4, 8, 12, 0.5f, 8, 1, 3, 0.2f, 0.4f, -0.3f, 0.1f, 1.5f})}},
        {"signed", {t({3, 4}, {-1, 1, 1, -1, 1, 1, -1, -1, -1, -1, -1, 1}),
                    t({3, 4}, {0.3f, 0.8f, -0.4f, -2.0f, 1.5f, -0.2f, 0.1f, 0.6f, -0.7f, 0.2f, -1.2f, 0.9f})}},
    };
    return c;
}
}  // namespace

TEST_CASE("activations: each Keras activation matches numpy in float32 and float64")
{
    const Golden& g = golden();
    REQUIRE(g.x.size() == 8);
    xt::xarray<double> x64 = xt::adapt(g.x, std::vector<std::size_t>{2, 4});
    const Tensor x32(xt::xarray<float>(xt::cast<float>(x64)));
    REQUIRE(g.activations.size() == activations64().size());
    for (const auto& [name, expected] : g.activations) {
        DYNAMIC_SECTION(name)
        {
            const Tensor y32 = nn::activation(name).fn(x32);
            const Tensor64 y64 = activations64().at(name)({Tensor64(x64)});
            REQUIRE(y32.shape() == Shape{2, 4});
            for (std::size_t i = 0; i < expected.size(); ++i) {
                CHECK(y32.value().flat(i) == Approx(expected[i]).epsilon(2e-6).margin(1e-7));
                CHECK(y64.value().flat(i) == Approx(expected[i]).epsilon(1e-13).margin(1e-15));
            }
        }
    }
}

TEST_CASE("activations: float64 finite-difference gradients, first and second order")
{
    xt::xarray<double> x = xt::adapt(golden().x, std::vector<std::size_t>{2, 4});
    for (const auto& [name, f] : activations64()) {
        DYNAMIC_SECTION(name)
        {
            CHECK_GRADIENTS(f, {x});
            // hard_sigmoid is piecewise linear: its second derivative is 0 (and checked as such).
            CHECK_SECOND_ORDER(f, {x});
        }
    }
}

TEST_CASE("activations: extreme inputs stay finite (elu, softplus, mish, selu) and gradients are not NaN")
{
    Tensor x = t({1, 6}, {-1000, -50, 0, 50, 88, 1000});
    for (const char* name : {"elu", "selu", "softplus", "mish", "silu", "softsign", "hard_sigmoid", "log_softmax"}) {
        DYNAMIC_SECTION(name)
        {
            GradientTape tape;
            tape.watch(x);
            const Tensor y = nn::activation(name).fn(x);
            CHECK(xt::all(xt::isfinite(y.value())));
            const Tensor g = tape.gradient(reduce_sum(y), x);
            CHECK(xt::all(xt::isfinite(g.value())));
        }
    }
    // softplus(0) = log 2 with slope 1/2, elu(0) = 0
    CHECK(nn::activation("softplus").fn(t({1}, {0})).item() == Approx(std::log(2.0)));
    Tensor z = t({1}, {0});
    GradientTape tape;
    tape.watch(z);
    const Tensor sp = nn::activation("softplus").fn(z);
    CHECK(tape.gradient(sp, z).item() == Approx(0.5));
    CHECK(nn::activation("softplus").fn(t({1}, {1000})).item() == 1000.0f);
    REQUIRE_THROWS_WITH(nn::activation("rellu"), Contains("known: linear, relu") && Contains("mish"));
}

TEST_CASE("losses: every loss matches numpy per sample and with sample weights")
{
    const Golden& g = golden();
    CHECK(g.losses.size() == 72);  // 13 losses on their cases (36), unweighted and weighted
    for (const auto& [key, expected] : g.losses) {
        const auto& [name, c, form] = key;
        DYNAMIC_SECTION(name << " on " << c << " (" << form << ")")
        {
            const auto& [y, p] = cases().at(c);
            if (form == "none") {
                const Tensor v = (*golden_loss(name, nn::Reduction::None))(y, p);
                REQUIRE(v.shape() == Shape{3});
                for (std::size_t i = 0; i < 3; ++i) CHECK(v(i) == Approx(expected[i]).epsilon(1e-5).margin(1e-6));
            } else {
                const Tensor w = t({3}, {1.2f, 0.5f, 3.4f});
                const Tensor v = (*golden_loss(name, nn::Reduction::SumOverBatchSize))(y, p, w);
                CHECK(v.item() == Approx(expected[0]).epsilon(1e-5).margin(1e-6));
            }
        }
    }
}

TEST_CASE("losses: Keras's losses_test.py numbers (unweighted, scalar and per-sample weights)")
{
    const Tensor y = t({2, 3}, {1, 9, 2, -5, -2, 6}), p = t({2, 3}, {4, 8, 12, 8, 1, 3});
    const Tensor w = t({2, 1}, {1.2f, 3.4f}), scalar_w = Tensor(xgrad::scalar<float>(2.3f));
    nn::MeanAbsoluteError mae;
    CHECK(mae(y, p).item() == Approx(5.5));
    CHECK(mae(y, p, scalar_w).item() == Approx(12.65));
    CHECK(mae(y, p, w).item() == Approx(81.4 / 6));
    nn::MeanAbsolutePercentageError mape;
    CHECK(mape(y, p).item() == Approx(211.8518).margin(1e-3));
    CHECK(mape(y, p, scalar_w).item() == Approx(487.259).margin(1e-3));
    CHECK(mape(y, p, w).item() == Approx(422.8888).margin(1e-3));
    nn::MeanSquaredLogarithmicError msle;
    CHECK(msle(y, p).item() == Approx(1.4370).margin(1e-3));
    CHECK(msle(y, p, scalar_w).item() == Approx(3.3051).margin(1e-3));
    CHECK(msle(y, p, w).item() == Approx(3.7856).margin(1e-3));
    // Hinge / SquaredHinge: 0/1 labels become -1/1
    const Tensor hy = t({2, 2}, {0, 1, 0, 0}), hp = t({2, 2}, {0.6f, 0.4f, 0.4f, 0.6f});
    CHECK(nn::Hinge()(hy, hp).item() == Approx(1.3).margin(1e-3));
    CHECK(nn::Hinge(nn::Reduction::Sum)(hy, hp).item() == Approx(2.6).margin(1e-3));
    CHECK(nn::SquaredHinge()(hy, hp).item() == Approx(1.86).margin(1e-3));
    CHECK(nn::SquaredHinge(nn::Reduction::Sum)(hy, hp).item() == Approx(3.72).margin(1e-3));
    // Docstrings: huber 0.155, log_cosh 0.108, cosine [-0, -0.99999994, 0.99999994]
    CHECK(nn::Huber()(t({2, 2}, {0, 1, 0, 0}), t({2, 2}, {0.6f, 0.4f, 0.4f, 0.6f})).item() == Approx(0.155).margin(1e-6));
    CHECK(nn::LogCosh()(t({2, 2}, {0, 1, 0, 0}), t({2, 2}, {1, 1, 0, 0})).item() == Approx(0.108).margin(1e-3));
    const Tensor cos = nn::CosineSimilarity(-1, nn::Reduction::None)(t({3, 2}, {0, 1, 1, 1, 1, 1}),
                                                                    t({3, 2}, {1, 0, 1, 1, -1, -1}));
    CHECK(cos(0) == Approx(0.0).margin(1e-7));
    CHECK(cos(1) == Approx(-1.0).margin(1e-6));
    CHECK(cos(2) == Approx(1.0).margin(1e-6));
    // KLDivergence and Poisson with per-sample weights (2, 1)
    const Tensor ky = t({2, 3}, {0.5f, 0.8f, 0.12f, 0.7f, 0.43f, 0.8f}), kp = t({2, 3}, {0.4f, 0.9f, 0.12f, 0.36f, 0.3f, 0.4f});
    double kl[2] = {0, 0};
    for (int r = 0; r < 2; ++r)
        for (int j = 0; j < 3; ++j) kl[r] += ky(r, j) * std::log(double(ky(r, j)) / kp(r, j));
    CHECK(nn::KLDivergence()(ky, kp).item() == Approx((kl[0] + kl[1]) / 2).epsilon(1e-5));
    CHECK(nn::KLDivergence()(ky, kp, w).item() == Approx((1.2 * kl[0] + 3.4 * kl[1]) / 2).epsilon(1e-5));
    // BinaryCrossentropy
    const Tensor by = t({2, 2}, {1, 0, 1, 0}), bp = t({2, 2}, {1, 1, 1, 0});
    CHECK(nn::BinaryCrossentropy()(by, bp).item() == Approx(3.98559).margin(1e-4));
    CHECK(nn::BinaryCrossentropy()(by, bp, scalar_w).item() == Approx(9.1668).margin(1e-3));
    CHECK(nn::BinaryCrossentropy()(by, bp, w).item() == Approx(4.7827).margin(1e-3));
    const Tensor ly = t({2, 3}, {1, 0, 1, 0, 1, 1}), lz = t({2, 3}, {10, -10, 10, 10, 10, -10});
    CHECK(nn::BinaryCrossentropy(true)(ly, lz, t({2}, {4, 3})).item() == Approx(10.0).margin(1e-3));
    CHECK(nn::BinaryCrossentropy(true, 0.1)(t({1, 3}, {1, 0, 1}), t({1, 3}, {10, -10, -10})).item() ==
          Approx((10.0 + 5.0 * 0.1) / 3.0).margin(1e-4));  // Keras's test drops the log(1 + e^-10) terms
    // CategoricalCrossentropy
    const Tensor cy = t({3, 3}, {1, 0, 0, 0, 1, 0, 0, 0, 1});
    const Tensor cp = t({3, 3}, {0.9f, 0.05f, 0.05f, 0.5f, 0.89f, 0.6f, 0.05f, 0.01f, 0.94f});
    const Tensor cz = t({3, 3}, {8, 1, 1, 0, 9, 1, 2, 3, 5}), cw = t({3, 1}, {1.2f, 3.4f, 5.6f});
    CHECK(nn::CategoricalCrossentropy()(cy, cp).item() == Approx(0.3239).margin(1e-4));
    CHECK(nn::CategoricalCrossentropy()(cy, cp, cw).item() == Approx(1.0696).margin(1e-4));
    CHECK(nn::CategoricalCrossentropy(true)(cy, cz, cw).item() == Approx(0.31829).margin(1e-4));
    CHECK(nn::CategoricalCrossentropy(true, 0.1)(t({1, 3}, {1, 0, 0}), t({1, 3}, {100, -100, -100})).item() ==
          Approx(400.0 * 0.1 / 3.0).epsilon(1e-5));
    // Sparse: weights as Keras's test
    CHECK(nn::SparseCategoricalCrossentropy()(t({3}, {0, 1, 2}), cp, cw).item() == Approx(1.0696).margin(1e-4));
}

TEST_CASE("losses: sample_weight shapes, rank matching, errors; make_loss names")
{
    nn::MeanSquaredError mse;
    const Tensor y = t({3, 2}, {0, 1, 1, 0, 2, 2}), p = t({3, 2}, {0, 0, 1, 1, 2, 2});
    // per sample: 0.5, 0.5, 0; weights (3,), (3, 1) and a scalar give the same
    for (const Tensor& w : {t({3}, {2, 1, 5}), t({3, 1}, {2, 1, 5})})
        CHECK(mse(y, p, w).item() == Approx((1.0 + 0.5) / 3));
    CHECK(nn::MeanSquaredError(nn::Reduction::Sum)(y, p, t({3}, {2, 1, 5})).item() == Approx(1.5));
    CHECK(nn::MeanSquaredError(nn::Reduction::None)(y, p, t({3}, {2, 1, 5})).shape() == Shape{3});
    // An undefined weight is no weighting (the same value as the two-argument call)
    CHECK(mse(y, p, Tensor()).item() == mse(y, p).item());
    REQUIRE_THROWS_WITH(mse(y, p, t({2}, {1, 2})),
                        Contains("mean_squared_error: argument 'sample_weight' has shape (2)") &&
                            Contains("per-sample losses have shape (3)"));
    REQUIRE_THROWS_WITH(nn::CategoricalCrossentropy(false, 1.5), Contains("categorical_crossentropy: argument 'label_smoothing'"));
    REQUIRE_THROWS_WITH(nn::Huber(-1.0), Contains("huber_loss: argument 'delta'"));
    REQUIRE_THROWS_WITH(nn::CosineSimilarity(0), Contains("cosine_similarity: argument 'axis'"));
    for (const char* name : {"mae", "mean_absolute_error", "mape", "msle", "huber", "log_cosh", "logcosh", "kld",
                             "kl_divergence", "poisson", "hinge", "squared_hinge", "cosine_similarity"}) {
        CHECK(nn::make_loss(name) != nullptr);
    }
    CHECK(nn::make_loss("mae")->name() == "mean_absolute_error");
    CHECK(nn::make_loss("kld")->name() == "kl_divergence");
    REQUIRE_THROWS_WITH(nn::make_loss("maee"), Contains("unknown name 'maee'") && Contains("cosine_similarity"));
    // Gradients flow through the weighted loss: d/dp sum_i w_i mean_j (p - y)^2 / n
    Tensor pv = t({2, 1}, {1, 3});
    GradientTape tape;
    tape.watch(pv);
    const Tensor l = mse(t({2, 1}, {0, 0}), pv, t({2}, {1, 0}));
    const Tensor g = tape.gradient(l, pv);
    CHECK(g(0, 0) == Approx(1.0));  // 2 * 1 * 1 / 2
    CHECK(g(1, 0) == 0.0f);
}

TEST_CASE("losses: compile configs keep the new losses, label_smoothing and Huber's delta")
{
    nn::Sequential model({nn::Input({3}), nn::Dense(2, "softmax")}), other({nn::Input({3}), nn::Dense(2, "softmax")});
    model.compile("sgd", nn::CategoricalCrossentropy(false, 0.1));
    nn::Json c = nn::saving::compile_config(model);
    CHECK(c["loss"]["class_name"] == "CategoricalCrossentropy");
    CHECK(c["loss"]["config"]["label_smoothing"] == 0.1);
    nn::saving::apply_compile_config(other, c, "test");
    const auto* ce = dynamic_cast<const nn::CategoricalCrossentropy*>(other.loss().get());
    REQUIRE(ce != nullptr);
    CHECK(ce->label_smoothing() == 0.1);
    model.compile("sgd", nn::BinaryCrossentropy(true, 0.2));
    nn::saving::apply_compile_config(other, nn::saving::compile_config(model), "test");
    const auto* bce = dynamic_cast<const nn::BinaryCrossentropy*>(other.loss().get());
    REQUIRE(bce != nullptr);
    CHECK(bce->label_smoothing() == 0.2);
    CHECK(bce->from_logits());
    model.compile("sgd", nn::Huber(2.0));
    c = nn::saving::compile_config(model);
    CHECK(c["loss"]["class_name"] == "Huber");
    CHECK(c["loss"]["config"]["delta"] == 2.0);
    nn::saving::apply_compile_config(other, c, "test");
    const auto* huber = dynamic_cast<const nn::Huber*>(other.loss().get());
    REQUIRE(huber != nullptr);
    CHECK(huber->delta() == 2.0);
    // Keras's defaults: the name alone, read back by make_loss
    for (const char* name : {"mae", "mape", "msle", "huber", "log_cosh", "kld", "poisson", "hinge", "squared_hinge",
                             "cosine_similarity"}) {
        model.compile("sgd", name);
        c = nn::saving::compile_config(model);
        CHECK(c["loss"] == model.loss()->name());
        nn::saving::apply_compile_config(other, c, "test");
        CHECK(other.loss()->name() == model.loss()->name());
    }
    model.compile("sgd", nn::MeanAbsoluteError(nn::Reduction::Sum));
    c = nn::saving::compile_config(model);
    CHECK(c["loss"]["class_name"] == "MeanAbsoluteError");
    nn::saving::apply_compile_config(other, c, "test");
    CHECK(other.loss()->reduction() == nn::Reduction::Sum);
    CHECK(dynamic_cast<const nn::MeanAbsoluteError*>(other.loss().get()) != nullptr);
}
