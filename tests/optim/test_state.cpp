// Save/restore: resuming is bit-identical; mismatches fail loudly by name.
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <iterator>

#include <xgrad/optim/adam.hpp>
#include <xgrad/optim/factory.hpp>
#include <xgrad/optim/nadam.hpp>
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

namespace {
// Copies the state file `from` to `to` with the line "<key> ..." replaced by "<key> <value>".
void copy_with_field(const std::string& from, const std::string& to, const std::string& key, const std::string& value)
{
    std::ifstream in(from, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto at = bytes.find("\n" + key + " ") + 1;
    REQUIRE(at != 0);
    bytes.replace(at, bytes.find('\n', at) - at, key + " " + value);
    std::ofstream(to, std::ios::binary | std::ios::trunc) << bytes;
}
}  // namespace

TEST_CASE("state: every loaded number is checked as the options are; on error nothing changes")
{
    Model saved_model, m;
    const std::string good = temp_path("fields.state"), bad = temp_path("fields_bad.state");
    {
        Nadam nadam(NadamOptions{}.learning_rate(0.01));
        nadam.apply_gradients(saved_model.grads(0), saved_model.vars());
        nadam.save_state(good);
    }
    Nadam other(NadamOptions{}.learning_rate(0.5));
    other.apply_gradients(m.grads(0), m.vars());
    const auto momentum = other.slot(m.a, "momentum");
    auto rejects = [&](const std::string& key, const std::string& value, const std::string& what) {
        INFO(key << " " << value);
        copy_with_field(good, bad, key, value);
        REQUIRE_THROWS_WITH(other.load_state(bad, m.vars()), Catch::Contains("fields_bad.state") && Catch::Contains(what));
        CHECK(other.iterations() == 1);
        CHECK(other.learning_rate() == 0.5f);
        CHECK((other.slot(m.a, "momentum") == momentum));
    };
    // strtod/strtoll used to read the start of a field, or nothing (0), and saturate.
    rejects("learning_rate", "zz0x1.47ae147ae147bp-7", "field 'learning_rate' must be a number, got 'zz0x1.47ae147ae147bp-7'");
    rejects("learning_rate", "0x1p-7 junk", "field 'learning_rate' must be a number");
    rejects("learning_rate", "-0x1p-1", "option 'learning_rate' must be a finite number >= 0, got -0.5");
    rejects("learning_rate", "nan", "option 'learning_rate' must be a finite number >= 0, got nan");
    rejects("learning_rate", "inf", "option 'learning_rate' must be a finite number >= 0, got inf");
    rejects("raw_iterations", "-7", "field 'raw_iterations' must be in [0, 9223372036854775806], got -7");
    rejects("raw_iterations", "99999999999999999999", "field 'raw_iterations' must be an integer");
    rejects("raw_iterations", "9223372036854775807", "must be in [0, 9223372036854775806]");
    rejects("raw_iterations", "3.5", "field 'raw_iterations' must be an integer in");
    rejects("raw_iterations", "", "field 'raw_iterations' must be an integer");
    rejects("scalars", "one", "field 'scalars' must be an integer");
    rejects("scalars", "-1", "field 'scalars' must be >= 0, got -1");
    rejects("variables", "2x", "field 'variables' must be an integer");
    rejects("u_product", "nan", "scalar 'u_product' must be a finite float32 number, got nan");
    rejects("u_product", "1e39", "scalar 'u_product' must be a finite float32 number, got 1e39");
    rejects("u_product", "0x1p-1 0", "truncated or corrupt scalars");

    // The largest accepted counter still allows a step; the next one is refused, not overflowed.
    copy_with_field(good, bad, "raw_iterations", "9223372036854775806");
    other.load_state(bad, m.vars());
    CHECK(other.raw_iterations() == 9223372036854775806);
    other.apply_gradients(m.grads(1), m.vars());
    REQUIRE_THROWS_WITH(other.apply_gradients(m.grads(2), m.vars()),
                        Catch::Contains("raw_iterations is at its maximum, 9223372036854775807"));
    std::remove(good.c_str());
    std::remove(bad.c_str());
}
