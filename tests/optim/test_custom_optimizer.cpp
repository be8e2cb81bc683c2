// A new optimizer written outside the library in a few lines, used exactly
// like a built-in one: the base class provides the loop, counter, clipping,
// decay, slots, config and state save/restore.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>

#include <xgrad/optim/optimizer.hpp>

namespace {

// Signed momentum descent: m = beta * m + (1 - beta) * g;  w -= lr * sign(m).
struct SignMomentumOptions : xgrad::optim::OptionsBase<SignMomentumOptions> {
    using Self = SignMomentumOptions;
    SignMomentumOptions() : OptionsBase("sign_momentum", 0.01) {}
    XGRAD_OPTIM_ARG(double, beta, 0.9)
};

class SignMomentum : public xgrad::optim::Optimizer {
public:
    explicit SignMomentum(const SignMomentumOptions& o = {}) : Optimizer(o.base(), "SignMomentum"), beta_(float(o.beta())) {}
    std::string kind() const override { return "sign_momentum"; }

protected:
    void build(const xgrad::Variable& var) override { add_slot(var, "m"); }
    void update_step(float* w, const float* g, std::size_t n, xgrad::optim::Slots& slots,
                     const xgrad::optim::StepInfo& step) override
    {
        float* m = slots["m"];
        xgrad::optim::elementwise(n, [&](std::ptrdiff_t i) {
            m[i] = beta_ * m[i] + (1.0f - beta_) * g[i];
            w[i] -= step.learning_rate * float((m[i] > 0) - (m[i] < 0));
        });
    }
    void add_config(xgrad::optim::Config& c) const override { c.set("beta", double(beta_)); }

private:
    float beta_;
};

}  // namespace

TEST_CASE("custom optimizer: a user-written update rule gets the whole base for free")
{
    SignMomentum opt(SignMomentumOptions{}.learning_rate(0.5).beta(0.5).clipvalue(1.0));
    xgrad::Variable w(xt::xarray<float>{0.0f, 0.0f}, "w");
    xgrad::Variable frozen(xt::xarray<float>{7.0f}, "frozen");
    opt.apply_gradients({xgrad::Tensor(xt::xarray<float>{2.0f, -0.5f}), xgrad::Tensor()}, {w, frozen});
    CHECK(w(0) == -0.5f);
    CHECK(w(1) == 0.5f);
    CHECK(frozen(0) == 7.0f);
    CHECK(opt.slot(w, "m")(0) == 0.5f);  // clipped to 1 before the update: 0.5 * 0 + 0.5 * 1
    CHECK(opt.iterations() == 1);
    CHECK(opt.get_config().to_string().find("'name': 'sign_momentum', 'learning_rate': 0.5") != std::string::npos);
    CHECK(opt.get_config().to_string().find("'clipvalue': 1.0") != std::string::npos);

    const std::string path = std::string(XGRAD_BINARY_DIR) + "/optim_test_custom.state";
    opt.save_state(path);
    SignMomentum restored(SignMomentumOptions{}.learning_rate(0.5).beta(0.5).clipvalue(1.0));
    restored.load_state(path, {w, frozen});
    CHECK(restored.iterations() == 1);
    CHECK(restored.slot(w, "m")(0) == 0.5f);
    std::remove(path.c_str());
}
