// Save/restore: resuming is bit-identical; mismatches fail loudly by name.
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>

#include <xgrad/optim/adam.hpp>
#include <xgrad/optim/factory.hpp>
#include <xgrad/optim/rmsprop.hpp>

using namespace xgrad::optim;
using xgrad::Tensor;
using xgrad::Variable;

namespace {

std::string temp_path(const std::string& name) { return std::string(XGRAD_BINARY_DIR) + "/optim_test_" + name; }

struct Model {
    Variable a{xt::xarray<float>{{0.5f, -1.5f}, {2.0f, 0.25f}}, "dense.kernel"};
    Variable b{xt::xarray<float>{0.1f, -0.2f}, "dense.bias"};
    std::vector<Variable> vars() const { return {a, b}; }
    std::vector<Tensor> grads(int step) const  // gradients of a quadratic, varying with the step
    {
        return {Tensor(xt::xarray<float>(a.value() * (1.0f + 0.1f * step) - 0.3f)),
                Tensor(xt::xarray<float>(b.value() * 2.0f + 0.05f * step))};
    }
};

Config options_for(const std::string& kind)
{
    Config c;
    c.set("learning_rate", 0.01).set("use_ema", true);
    if (kind == "adam") c.set("amsgrad", true);
    if (kind == "momentum") c.set("nesterov", true);
    if (kind == "rmsprop") c.set("centered", true).set("momentum", 0.5);
    return c;
}

}  // namespace

TEST_CASE("state: training resumed from save_state is bit-identical to uninterrupted training")
{
    for (const std::string kind : {"adam", "nadam", "momentum", "rmsprop", "adagrad", "adamax", "lion", "adamw"}) {
        DYNAMIC_SECTION(kind)
        {
            Model straight, resumed;
            auto full = make_optimizer(kind, options_for(kind));
            for (int step = 0; step < 10; ++step) full->apply_gradients(straight.grads(step), straight.vars());

            const std::string path = temp_path(kind + ".state");
            {
                auto first = make_optimizer(kind, options_for(kind));
                for (int step = 0; step < 5; ++step) first->apply_gradients(resumed.grads(step), resumed.vars());
                first->save_state(path);
            }
            auto second = make_optimizer(kind, options_for(kind));
            second->load_state(path, resumed.vars());
            CHECK(second->iterations() == 5);
            for (int step = 5; step < 10; ++step) second->apply_gradients(resumed.grads(step), resumed.vars());

            CHECK(second->iterations() == full->iterations());
            for (std::size_t i = 0; i < 2; ++i) {
                const Variable want = straight.vars()[i];
                const Variable got = resumed.vars()[i];
                CHECK(std::equal(want.value().begin(), want.value().end(), got.value().begin()));
                const auto avg_want = full->slot(want, "average"), avg_got = second->slot(got, "average");
                CHECK(std::equal(avg_want.begin(), avg_want.end(), avg_got.begin()));
            }
            std::remove(path.c_str());
        }
    }
}

TEST_CASE("state: restoring checks kind, variable names, shapes and slots")
{
    Model m;
    Adam adam;
    adam.apply_gradients(m.grads(0), m.vars());
    const std::string path = temp_path("mismatch.state");
    adam.save_state(path);

    SECTION("another optimizer kind")
    {
        RMSprop rms;
        REQUIRE_THROWS_WITH(rms.load_state(path, m.vars()),
                            Catch::Contains("holds the state of a 'adam' optimizer, this optimizer is a 'rmsprop'"));
    }
    SECTION("a variable the file does not know")
    {
        Variable c(xt::xarray<float>{1.0f}, "dense_2.kernel");
        Adam other;
        REQUIRE_THROWS_WITH(other.load_state(path, {m.a, m.b, c}), Catch::Contains("no state for variable 'dense_2.kernel'"));
    }
    SECTION("a saved variable that is not being restored")
    {
        Adam other;
        REQUIRE_THROWS_WITH(other.load_state(path, {m.a}),
                            Catch::Contains("holds state for variable 'dense.bias', which is not among"));
    }
    SECTION("a shape mismatch")
    {
        Variable a(xt::xarray<float>{1.0f, 2.0f, 3.0f}, "dense.kernel");
        Adam other;
        REQUIRE_THROWS_AS(other.load_state(path, {a, m.b}), xgrad::ShapeError);
        REQUIRE_THROWS_WITH(other.load_state(path, {a, m.b}),
                            Catch::Contains("slot 'momentum' of variable 'dense.kernel' has shape (2, 2)") &&
                                Catch::Contains("the variable has shape (3)"));
    }
    SECTION("different slots (amsgrad)")
    {
        Adam ams(AdamOptions{}.amsgrad(true));
        REQUIRE_THROWS_WITH(ams.load_state(path, m.vars()), Catch::Contains("velocity_hat"));
    }
    SECTION("a missing or corrupt file")
    {
        Adam other;
        REQUIRE_THROWS_AS(other.load_state(temp_path("does_not_exist"), m.vars()), xgrad::IOError);
        std::ofstream(temp_path("corrupt.state")) << "xgrad-optimizer-state 1\nkind adam\nraw_iter";
        REQUIRE_THROWS_WITH(other.load_state(temp_path("corrupt.state"), m.vars()),
                            Catch::Contains("expected a 'raw_iterations' line"));
        CHECK(other.iterations() == 0);
    }
    SECTION("duplicate variable names cannot be saved")
    {
        Variable twin(xt::xarray<float>{1.0f, 2.0f}, "dense.bias");
        Adam other;
        other.apply_gradients({m.grads(0)[1], m.grads(0)[1]}, {m.b, twin});
        REQUIRE_THROWS_WITH(other.save_state(temp_path("dup.state")), Catch::Contains("two variables are named 'dense.bias'"));
    }
    std::remove(path.c_str());
}
