// Issue 11: initializers by Keras name, with arguments and seeds; Keras's formulas.
#include <catch2/catch.hpp>
#include <cmath>

#include <xtensor/xmath.hpp>

#include <xgrad/core/random.hpp>
#include <xgrad/nn/initializers.hpp>
#include <xgrad/nn/layers/convolutional.hpp>
#include <xgrad/nn/layers/embedding.hpp>
#include <xgrad/nn/layers/normalization.hpp>
#include <xgrad/nn/layers/dense.hpp>
#include <xgrad/nn/serialization.hpp>

using namespace xgrad;
using Catch::Contains;

namespace {
double mean(const xt::xarray<float>& w)
{
    double s = 0;
    for (float v : w) s += v;
    return s / double(w.size());
}
double stddev(const xt::xarray<float>& w)
{
    const double m = mean(w);
    double s = 0;
    for (float v : w) s += (v - m) * (v - m);
    return std::sqrt(s / double(w.size()));
}
double max_abs(const xt::xarray<float>& w)
{
    double m = 0;
    for (float v : w) m = std::max(m, std::abs(double(v)));
    return m;
}
}  // namespace

TEST_CASE("initializers: VarianceScaling limits and stddevs as Keras computes them")
{
    const Shape shape{300, 200};  // fan_in 300, fan_out 200
    Generator gen(3);
    const double n = 60000;
    struct Case {
        const char* name;
        double limit;   // uniform: the bound; normal: 2 stddev of the untruncated normal
        double sigma;   // the sample stddev expected
    };
    const double tr = 0.87962566103423978;
    const Case cases[] = {
        {"lecun_uniform", std::sqrt(3.0 / 300), std::sqrt(1.0 / 300)},
        {"he_uniform", std::sqrt(6.0 / 300), std::sqrt(2.0 / 300)},
        {"glorot_uniform", std::sqrt(6.0 / 500), std::sqrt(2.0 / 500)},
        {"lecun_normal", 2 * std::sqrt(1.0 / 300) / tr, std::sqrt(1.0 / 300)},
        {"he_normal", 2 * std::sqrt(2.0 / 300) / tr, std::sqrt(2.0 / 300)},
        {"glorot_normal", 2 * std::sqrt(2.0 / 500) / tr, std::sqrt(2.0 / 500)},
    };
    for (const auto& c : cases) {
        DYNAMIC_SECTION(c.name)
        {
            const auto w = nn::initialize(c.name, shape, gen);
            REQUIRE(w.shape() == std::vector<std::size_t>{300, 200});
            CHECK(max_abs(w) <= c.limit * (1 + 1e-6));
            CHECK(max_abs(w) >= c.limit * 0.99);
            CHECK(std::abs(mean(w)) < 4 * c.sigma / std::sqrt(n));
            CHECK(stddev(w) == Approx(c.sigma).epsilon(0.02));
        }
    }
    // lecun_normal is Generator::truncated_normal with stddev sqrt(1 / fan_in) / 0.8796...
    Generator a(9), b(9);
    const auto w = nn::initialize("lecun_normal", {5, 7}, a);
    const auto expected = b.truncated_normal<float>({5, 7}, 0.0f, static_cast<float>(std::sqrt(1.0 / 5) / tr));
    CHECK((w == expected));
    // fan_in 0 (an empty kernel) is max(1, fan_in), as Keras
    CHECK(nn::initialize("lecun_uniform", {0, 3}, gen).size() == 0);
}

TEST_CASE("initializers: random_normal, random_uniform, truncated_normal, constant with Keras's arguments")
{
    Generator gen(4);
    const Shape shape{200, 300};
    const auto rn = nn::initialize(nn::Initializer("random_normal", {{"mean", 1.0}, {"stddev", 2.0}}), shape, gen);
    CHECK(mean(rn) == Approx(1.0).margin(0.03));
    CHECK(stddev(rn) == Approx(2.0).epsilon(0.02));
    const auto ru = nn::initialize(nn::Initializer("random_uniform", {{"minval", -1.0}, {"maxval", 3.0}}), shape, gen);
    CHECK(xt::amin(ru)() >= -1.0f);
    CHECK(xt::amax(ru)() < 3.0f);
    CHECK(mean(ru) == Approx(1.0).margin(0.03));
    CHECK(stddev(ru) == Approx(4.0 / std::sqrt(12.0)).epsilon(0.02));
    // Keras's defaults: TruncatedNormal(0, 0.05), within 2 stddev; a truncated unit normal has stddev 0.8796
    const auto tn = nn::initialize("truncated_normal", shape, gen);
    CHECK(max_abs(tn) <= 0.1 + 1e-7);
    CHECK(stddev(tn) == Approx(0.05 * 0.87962566103423978).epsilon(0.02));
    const auto tn2 = nn::initialize(nn::Initializer("truncated_normal", {{"mean", -3.0}, {"stddev", 0.5}}), shape, gen);
    CHECK(xt::amin(tn2)() >= -4.0f);
    CHECK(xt::amax(tn2)() <= -2.0f);
    CHECK((nn::initialize(nn::Initializer("constant", {{"value", 0.25}}), {2, 3}, gen) == xt::xarray<float>({2, 3}, 0.25f)));
    CHECK((nn::initialize("constant", {4}, gen) == xt::zeros<float>({4})));
    CHECK((nn::initialize("ones", {4}, gen) == xt::ones<float>({4})));
    CHECK((nn::initialize("zeros", {4}, gen) == xt::zeros<float>({4})));
    REQUIRE_THROWS_WITH(nn::initialize(nn::Initializer("random_normal", {{"stdev", 1.0}}), {2}, gen),
                        Contains("initializer random_normal: unknown argument 'stdev'"));
    REQUIRE_THROWS_WITH(nn::initialize(nn::Initializer("random_uniform", {{"minval", 2.0}, {"maxval", 1.0}}), {2}, gen),
                        Contains("'minval' = 2 must be <= 'maxval' = 1"));
    REQUIRE_THROWS_WITH(nn::initialize("xavier", {2}, gen), Contains("unknown name 'xavier'") && Contains("orthogonal"));
}

TEST_CASE("initializers: orthogonal gives orthonormal rows or columns, times gain")
{
    Generator gen(5);
    const auto check = [](const xt::xarray<float>& q, std::size_t rows, std::size_t cols, double gain) {
        // the smaller dimension's vectors are orthonormal (times gain^2)
        const bool by_cols = rows >= cols;
        const std::size_t k = by_cols ? cols : rows, m = by_cols ? rows : cols;
        double worst = 0;
        for (std::size_t a = 0; a < k; ++a) {
            for (std::size_t b = 0; b < k; ++b) {
                double dot = 0;
                for (std::size_t i = 0; i < m; ++i) {
                    const double u = by_cols ? q.flat(i * cols + a) : q.flat(a * cols + i);
                    const double v = by_cols ? q.flat(i * cols + b) : q.flat(b * cols + i);
                    dot += u * v;
                }
                worst = std::max(worst, std::abs(dot - (a == b ? gain * gain : 0.0)));
            }
        }
        return worst;
    };
    CHECK(check(nn::initialize("orthogonal", {30, 20}, gen), 30, 20, 1.0) < 1e-5);
    CHECK(check(nn::initialize("orthogonal", {20, 30}, gen), 20, 30, 1.0) < 1e-5);
    CHECK(check(nn::initialize("orthogonal", {16, 16}, gen), 16, 16, 1.0) < 1e-5);
    CHECK(check(nn::initialize(nn::Initializer("orthogonal", {{"gain", 2.0}}), {12, 5}, gen), 12, 5, 2.0) < 4e-5);
    // a conv kernel (3, 3, 4, 8): rows 3*3*4 = 36, columns 8
    const auto k = nn::initialize("orthogonal", {3, 3, 4, 8}, gen);
    CHECK(k.shape() == std::vector<std::size_t>{3, 3, 4, 8});
    CHECK(check(k, 36, 8, 1.0) < 1e-5);
    REQUIRE_THROWS_WITH(nn::initialize("orthogonal", {5}, gen),
                        Contains("orthogonal: the shape must have at least 2 dimensions, got (5)"));
}

TEST_CASE("initializers: a seed draws from Generator(seed), the same at every call, leaving the generator alone")
{
    Generator gen(6);
    const std::uint64_t before = gen.offset();
    for (const char* name : {"glorot_uniform", "glorot_normal", "he_uniform", "he_normal", "lecun_uniform",
                             "lecun_normal", "random_normal", "random_uniform", "truncated_normal", "orthogonal"}) {
        DYNAMIC_SECTION(name)
        {
            const nn::Initializer seeded(name, {}, 42);
            const auto a = nn::initialize(seeded, {6, 4}, gen), b = nn::initialize(seeded, {6, 4}, gen);
            CHECK((a == b));
            Generator fresh(42);
            CHECK((a == nn::initialize(name, {6, 4}, fresh)));
            CHECK((a != nn::initialize(nn::Initializer(name, {}, 43), {6, 4}, gen)));
            CHECK(gen.offset() == before);
        }
    }
    REQUIRE_THROWS_WITH(nn::initialize(nn::Initializer("zeros", {}, 1), {2}, gen), Contains("zeros: argument 'seed'"));
}

TEST_CASE("initializers: Keras configs with arguments and seeds round-trip")
{
    const nn::Initializer init("random_normal", {{"stddev", 0.1}}, 42);
    const auto config = nn::initializer_config(init);
    CHECK(config["class_name"] == "RandomNormal");
    CHECK(config["config"] == nlohmann::ordered_json::parse(R"({"mean": 0.0, "stddev": 0.1, "seed": 42})"));
    CHECK(nn::initializer_with_args_from_config(config, "test") == init);
    CHECK(nn::initializer_config("orthogonal")["config"] == nlohmann::ordered_json::parse(R"({"gain": 1.0, "seed": null})"));
    CHECK(nn::initializer_config("lecun_normal")["class_name"] == "LecunNormal");
    CHECK(nn::initializer_config(nn::Initializer("constant", {{"value", 3.0}}))["config"] ==
          nlohmann::ordered_json::parse(R"({"value": 3.0})"));
    for (const char* name : {"zeros", "ones", "constant", "glorot_uniform", "glorot_normal", "he_uniform", "he_normal",
                             "lecun_uniform", "lecun_normal", "random_normal", "random_uniform", "truncated_normal",
                             "orthogonal"}) {
        // the name-only form (layers' configs) still reads and writes Keras's defaults
        CHECK(nn::initializer_from_config(nn::initializer_config(name), "test") == name);
        CHECK(nn::initializer_with_args_from_config(nn::initializer_config(name), "test") == nn::Initializer(name));
    }
    CHECK(nn::initializer_with_args_from_config("TruncatedNormal", "test").name == "truncated_normal");
    REQUIRE_THROWS_WITH(nn::initializer_from_config(config, "Dense kernel_initializer"),
                        Contains("Dense kernel_initializer: initializer random_normal with a seed or arguments"));
    auto bad = config;
    bad["config"]["stdev"] = 1.0;
    REQUIRE_THROWS_WITH(nn::initializer_with_args_from_config(bad, "here"), Contains("here: initializer RandomNormal with config key 'stdev'"));
    bad = config;
    bad["config"]["seed"] = -1;
    REQUIRE_THROWS_WITH(nn::initializer_with_args_from_config(bad, "here"), Contains("config key 'seed' = -1"));
}

TEST_CASE("initializers: layers take initializers with arguments and seeds, and keep them in their configs")
{
    // Dense with a seeded lecun_normal kernel and a constant bias
    nn::Dense dense(4, "selu", true, nn::Initializer("lecun_normal", {}, 42), nn::Initializer("constant", {{"value", 0.5}}));
    dense.build(Shape{1, 3});
    Generator fresh(42);
    CHECK((dense.kernel().value() == nn::initialize("lecun_normal", {3, 4}, fresh)));
    CHECK((dense.bias().value() == xt::xarray<float>({4}, 0.5f)));
    const nn::Json config = nn::serialize_layer(dense);
    CHECK(config["config"]["kernel_initializer"]["config"] == nlohmann::ordered_json::parse(R"({"seed": 42})"));
    CHECK(config["config"]["bias_initializer"]["config"] == nlohmann::ordered_json::parse(R"({"value": 0.5})"));
    const auto copy = nn::deserialize_layer(config);
    CHECK(nn::serialize_layer(*copy)["config"] == config["config"]);
    // A seeded initializer draws the same values in the rebuilt layer
    CHECK((copy->get_weights()[0] == dense.kernel().value()));
    // Conv2D takes them through its options
    nn::Conv2D conv(2, 3, "linear", {.kernel_initializer = nn::Initializer("orthogonal", {{"gain", 2.0}}, 7)});
    CHECK(nn::serialize_layer(conv)["config"]["kernel_initializer"]["config"] ==
          nlohmann::ordered_json::parse(R"({"gain": 2.0, "seed": 7})"));
    REQUIRE_THROWS_WITH(nn::Dense(3, "relu", true, nn::Initializer("random_normal", {{"stdev", 1.0}})),
                        Contains("random_normal: unknown argument 'stdev'"));
}

TEST_CASE("initializers: Embedding and the normalization layers take them too")
{
    nn::Embedding emb(10, 4, nn::Initializer("uniform", {{"minval", 0.0}, {"maxval", 1.0}}, 3));
    emb.build(Shape{2});
    Generator fresh(3);
    CHECK((emb.embeddings().value() == fresh.uniform<float>({10, 4}, 0.0f, 1.0f)));
    const nn::Json config = nn::serialize_layer(emb);
    CHECK(config["config"]["embeddings_initializer"]["class_name"] == "RandomUniform");
    CHECK(config["config"]["embeddings_initializer"]["config"] ==
          nlohmann::ordered_json::parse(R"({"minval": 0.0, "maxval": 1.0, "seed": 3})"));
    CHECK((nn::deserialize_layer(config)->get_weights()[0] == emb.embeddings().value()));
    nn::LayerNormalization ln(-1, 1e-3, true, true, "zeros", nn::Initializer("constant", {{"value", 2.0}}));
    ln.build(Shape{2, 3});
    CHECK((ln.get_weights()[0] == xt::xarray<float>({3}, 2.0f)));
    const nn::Json lc = nn::serialize_layer(ln);
    CHECK(lc["config"]["gamma_initializer"]["config"] == nlohmann::ordered_json::parse(R"({"value": 2.0})"));
    CHECK(nn::serialize_layer(*nn::deserialize_layer(lc))["config"] == lc["config"]);
}
