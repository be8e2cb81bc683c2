// The linear-regression workflow of DESIGN.md against the published TensorFlow
// numbers in /work/shared/reference/linear_regression_keras.md (to 1e-5).
#include <catch2/catch.hpp>

#include <cmath>

#include <xgrad/autograd/gradient_tape.hpp>
#include <xgrad/autograd/ops.hpp>
#include <xgrad/optim/adam.hpp>

namespace {

struct Problem {
    xgrad::Tensor x, y;
    xgrad::Variable w{xgrad::array<float>({2, 1}, {-0.11012173f, 0.15457547f}), "w"};
    xgrad::Variable b{xt::xarray<float>{0.0f}, "b"};

    Problem()
    {
        xt::xarray<float> xs = xt::xarray<float>::from_shape({50, 2});
        xt::xarray<float> ys = xt::xarray<float>::from_shape({50, 1});
        for (std::size_t i = 0; i < 100; ++i) xs.data()[i] = static_cast<float>(static_cast<double>(i) * 0.1);
        for (std::size_t r = 0; r < 50; ++r) ys(r, 0) = xs(r, 0) * 2.0f + xs(r, 1) * 1.0f + 2.0f;
        x = xgrad::Tensor(xs);
        y = xgrad::Tensor(ys);
    }

    std::vector<xgrad::Tensor> gradients()
    {
        xgrad::GradientTape tape;
        auto loss = xgrad::reduce_mean(xgrad::square(xgrad::matmul(x, w) + b - y));
        return tape.gradient(loss, {w, b});
    }

    void check(double w0, double w1, double b0) const
    {
        CHECK(w(0, 0) == Approx(w0).margin(1e-5));
        CHECK(w(1, 0) == Approx(w1).margin(1e-5));
        CHECK(b(0) == Approx(b0).margin(1e-5));
    }
};

// The tutorial's hand-written Adam whose moments restart at zero every step
// while t goes 1, 2, 3: written outside the library with the extension API.
class RestartedMomentsAdam : public xgrad::optim::Optimizer {
public:
    RestartedMomentsAdam() : Optimizer(base(), "RestartedMomentsAdam") {}
    std::string kind() const override { return "restarted_moments_adam"; }

protected:
    static xgrad::optim::BasicOptions base() { return xgrad::optim::BasicOptions("restarted_moments_adam", 0.01); }
    void update_step(xgrad::optim::UpdateContext& u) override
    {
        const float t = u.local_step();
        float* w = u.w;
        const float* g = u.g;
        for (std::size_t i = 0; i < u.n; ++i) {
            const float m_hat = (0.1f * g[i]) / (1.0f - std::pow(0.9f, t));
            const float v_hat = (0.001f * g[i] * g[i]) / (1.0f - std::pow(0.999f, t));
            w[i] -= u.learning_rate * m_hat / (std::sqrt(v_hat) + 1e-7f);
        }
    }
};

}  // namespace

TEST_CASE("linear regression: a new Adam every step reproduces the published Keras table")
{
    Problem p;
    const double table[3][3] = {{-0.10012173, 0.16457547, 0.0100003},
                                {-0.09012143, 0.17457578, 0.02000059},
                                {-0.08012114, 0.18457608, 0.03000089}};
    for (const auto& row : table) {
        xgrad::optim::Adam adam(xgrad::optim::AdamOptions{}.learning_rate(0.01).epsilon(1e-7));
        adam.apply_gradients(p.gradients(), {p.w, p.b});
        REQUIRE(adam.iterations() == 1);
        p.check(row[0], row[1], row[2]);
    }
}

TEST_CASE("linear regression: moments restarted with t = 1, 2, 3 reproduce the hand-written table")
{
    Problem p;
    const double table[3][3] = {{-0.1001218, 0.1645754, 0.01000023},
                                {-0.09268039, 0.1720168, 0.01744163},
                                {-0.08629228, 0.17840491, 0.02382975}};
    RestartedMomentsAdam opt;
    for (const auto& row : table) {
        opt.apply_gradients(p.gradients(), {p.w, p.b});
        p.check(row[0], row[1], row[2]);
    }
    REQUIRE(opt.iterations() == 3);
}

TEST_CASE("linear regression: one persistent Adam moves differently from a new one each step")
{
    Problem persistent, fresh;
    xgrad::optim::Adam adam(xgrad::optim::AdamOptions{}.learning_rate(0.01));
    for (int step = 0; step < 30; ++step) {
        adam.apply_gradients(persistent.gradients(), {persistent.w, persistent.b});
        xgrad::optim::Adam once(xgrad::optim::AdamOptions{}.learning_rate(0.01));
        once.apply_gradients(fresh.gradients(), {fresh.w, fresh.b});
    }
    // Same first step; then the persistent moments keep their history and
    // bias correction fades, so the runs drift apart.
    INFO("persistent w = " << persistent.w.value() << ", fresh w = " << fresh.w.value());
    CHECK(std::abs(persistent.w(0, 0) - fresh.w(0, 0)) > 1e-3);
    CHECK(adam.iterations() == 30);
}
