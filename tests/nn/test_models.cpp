// The model tree (issue: models are trees of layers): ownership, names, the
// training mode, nesting, subclassed and functional models, configs.
#include <catch2/catch.hpp>

#include <cstring>
#include <set>
#include <sstream>

#include <xgrad/autograd/gradient_tape.hpp>
#include <xgrad/autograd/ops.hpp>
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

using namespace xgrad;
using Catch::Contains;

namespace {
// h + Dense(units)(Dense(units, relu)(h))
class Block : public nn::Layer {
public:
    explicit Block(std::size_t units, const std::string& name = "")
        : Layer("Block", name), inner_(add_layer(nn::Dense(units, "relu"))), outer_(add_layer(nn::Dense(units)))
    {
    }

protected:
    Tensor call(const Tensor& h, bool) override { return h + outer_(inner_(h)); }

private:
    nn::Dense inner_, outer_;
};

class Net : public nn::Model {
public:
    Net() : Model("Net"), first_(add_layer(nn::Dense(4, "relu"))), block_(add_layer(Block(4))),
            head_(add_layer(nn::Dense(3, "softmax"))) {}

protected:
    Tensor call(const Tensor& x, bool) override { return head_(block_(first_(x))); }

private:
    nn::Dense first_;
    Block block_;
    nn::Dense head_;
};

// A gated residual layer that forgets to register its inner Dense.
class ForgetfulGate : public nn::Layer {
public:
    ForgetfulGate() : Layer("ForgetfulGate"), inner_(nn::Dense(2)) {}

protected:
    void build_impl(const Shape& shape) override { gate_ = add_weight("gate", xt::xarray<float>(Shape{shape.back()}, 0.5f)); }
    Tensor call(const Tensor& x, bool) override { return x + gate_ * inner_(x); }

private:
    Variable gate_;
    nn::Dense inner_;
};

class ForgetfulModel : public nn::Model {
public:
    ForgetfulModel() : Model("ForgetfulModel"), gate_(add_layer(ForgetfulGate())) {}

protected:
    Tensor call(const Tensor& x, bool) override { return gate_(x); }

private:
    ForgetfulGate gate_;
};

// Records the training flag of every call.
class Probe : public nn::Layer {
public:
    explicit Probe(std::shared_ptr<std::vector<bool>> seen) : Layer("Probe"), seen_(std::move(seen)) {}
    XGRAD_LAYER(Probe)
    Shape compute_output_shape(const Shape& s) const override { return s; }

protected:
    Tensor call(const Tensor& x, bool training) override
    {
        seen_->push_back(training);
        return x;
    }

private:
    std::shared_ptr<std::vector<bool>> seen_;
};

xt::xarray<float> data(std::size_t n, std::size_t d, std::uint64_t seed)
{
    return Generator(seed).uniform<float>({n, d}, -1.0f, 1.0f);
}

xt::xarray<float> labels(std::size_t n, std::size_t classes)
{
    xt::xarray<float> y = xt::xarray<float>::from_shape({n});
    for (std::size_t i = 0; i < n; ++i) y(i) = static_cast<float>(i % classes);
    return y;
}

bool same_bits(const xt::xarray<float>& a, const xt::xarray<float>& b)
{
    return a.shape() == b.shape() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}
}  // namespace

TEST_CASE("models: the tree lists every weight once with its dotted path")
{
    Net net;
    net(Tensor(data(2, 5, 1)));
    std::vector<std::string> names;
    std::set<std::uint64_t> ids;
    for (const auto& [name, v] : net.named_parameters()) {
        names.push_back(name);
        ids.insert(v.id());
    }
    CHECK(names == std::vector<std::string>{"dense.kernel", "dense.bias", "block.dense.kernel", "block.dense.bias",
                                            "block.dense_1.kernel", "block.dense_1.bias", "dense_1.kernel",
                                            "dense_1.bias"});
    CHECK(ids.size() == names.size());
    CHECK(net.trainable_variables().size() == 8);
    CHECK(net.non_trainable_variables().empty());
    CHECK(net.count_params() == (5 * 4 + 4) + 2 * (4 * 4 + 4) + (4 * 3 + 3));
    CHECK(net.layers().size() == 3);
    CHECK(net.layers()[1]->layers().size() == 2);
    // Variables are named after their layer.
    CHECK(net.named_parameters()[4].second.name() == "dense_1/kernel");
    // A frozen sublayer keeps its weights but lists no trainable ones.
    net.layers()[1]->set_trainable(false);
    CHECK(net.trainable_variables().size() == 4);
    CHECK(net.non_trainable_variables().size() == 4);
    CHECK(net.weights().size() == 8);
}

TEST_CASE("models: a forgotten sublayer is an error under fit, train_on_batch and a tape, naming the variable")
{
    ForgetfulModel model;
    model.compile("sgd", "mse");
    const Tensor x(data(4, 2, 2)), y(data(4, 2, 3));
    REQUIRE_THROWS_WITH(model.fit(x, y, {.verbose = 0}),
                        Contains("read the trainable variable 'dense/kernel'") && Contains("forgetful_model"));
    REQUIRE_THROWS_WITH(model.train_on_batch(x, y), Contains("'dense/kernel'"));
    {
        GradientTape tape;
        REQUIRE_THROWS_WITH(model(x), Contains("which is not a weight of 'forgetful_model'"));
    }
    // Without a tape nothing is trained, so nothing is checked: inference works.
    CHECK(model(x).shape() == Shape{4, 2});
}

TEST_CASE("models: the training flag reaches a nested layer under fit only")
{
    auto seen = std::make_shared<std::vector<bool>>();
    nn::Sequential inner({Probe(seen), nn::Dropout(0.5), nn::Dense(2)});
    nn::Sequential model({nn::Input({3}), inner});
    model.compile("adam", "mse");
    const Tensor x(data(8, 3, 4)), y(data(8, 2, 5));
    seen->clear();
    model.fit(x, y, {.epochs = 1, .batch_size = 4, .verbose = 0});
    REQUIRE(seen->size() >= 2);
    for (bool t : *seen) CHECK(t);
    for (auto run : {0, 1, 2}) {
        seen->clear();
        if (run == 0) model.evaluate(x, y, {.verbose = 0});
        if (run == 1) model.predict(x);
        if (run == 2) model(x);
        REQUIRE(!seen->empty());
        for (bool t : *seen) CHECK_FALSE(t);
    }
    seen->clear();
    model(x, true);
    CHECK(*seen == std::vector<bool>{true});
    // Dropout is the identity in inference and zeroes or scales by 1 / (1 - rate) in training.
    nn::Dropout drop(0.25, 3);
    const Tensor ones = xgrad::ones<float>({1000, 4});
    CHECK(same_bits(drop(ones).value(), ones.value()));
    const auto dropped = drop(ones, true).value();
    std::size_t kept = 0;
    for (float v : dropped) {
        CHECK((v == 0.0f || v == static_cast<float>(1.0 / 0.75)));
        kept += v != 0.0f;
    }
    CHECK(kept > 2800);
    CHECK(kept < 3200);
}

TEST_CASE("models: Dropout under fit is reproducible from fit's seed")
{
    const auto run = [](std::uint64_t seed) {
        set_seed(21);
        nn::Sequential model({nn::Input({6}), nn::Dense(8, "relu"), nn::Dropout(0.5), nn::Dense(2)});
        model.compile("adam", "mse");
        model.fit(Tensor(data(32, 6, 6)), Tensor(data(32, 2, 7)), {.epochs = 2, .batch_size = 8, .verbose = 0, .seed = seed});
        return model.get_weights();
    };
    const auto a = run(1), b = run(1), c = run(2);
    bool differs = false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        CHECK(same_bits(a[i], b[i]));
        differs = differs || !same_bits(a[i], c[i]);
    }
    CHECK(differs);
}

TEST_CASE("models: a nested Sequential trains, inside a Sequential and inside a subclassed model")
{
    set_seed(3);
    nn::Sequential inner({nn::Dense(8, "tanh"), nn::Dense(8, "tanh")});
    nn::Sequential model({nn::Input({2}), inner, nn::Dense(1)});
    CHECK(model.named_parameters()[0].first == "sequential.dense.kernel");
    const auto before = inner.get_weights();
    xt::xarray<float> x = data(64, 2, 8);
    xt::xarray<float> y = xt::xarray<float>::from_shape({64, 1});
    for (std::size_t i = 0; i < 64; ++i) y(i, 0) = x(i, 0) * x(i, 1);
    model.compile(std::make_shared<optim::Adam>(optim::AdamOptions{}.learning_rate(0.01)), "mse");
    const auto history = model.fit(Tensor(x), Tensor(y), {.epochs = 60, .batch_size = 16, .verbose = 0, .seed = 1});
    CHECK(history.history.at("loss").back() < 0.5 * history.history.at("loss").front());
    const auto after = inner.get_weights();
    for (std::size_t i = 0; i < before.size(); ++i) CHECK_FALSE(same_bits(before[i], after[i]));
}

TEST_CASE("models: two identical models in one process get the same names")
{
    const auto names = [] {
        nn::Sequential m({nn::Input({3}), nn::Dense(4), nn::Dense(2)});
        std::vector<std::string> out{m.name()};
        for (const auto& [n, v] : m.named_parameters()) out.push_back(n);
        return out;
    };
    const auto first = names();
    Net unrelated;  // other models built in between change nothing
    unrelated(Tensor(data(1, 5, 1)));
    CHECK(names() == first);
    CHECK(first == std::vector<std::string>{"sequential", "dense.kernel", "dense.bias", "dense_1.kernel", "dense_1.bias"});
    // Explicit names must be unique among siblings.
    REQUIRE_THROWS_WITH(nn::Sequential({nn::Dense(2, "linear", true, "glorot_uniform", "zeros", "same"),
                                        nn::Dense(2, "linear", true, "glorot_uniform", "zeros", "same")}),
                        Contains("'same' is already used by another sublayer"));
    REQUIRE_THROWS_WITH(nn::Dense(2, "linear", true, "glorot_uniform", "zeros", "a/b"), Contains("contain no '/'"));
}
