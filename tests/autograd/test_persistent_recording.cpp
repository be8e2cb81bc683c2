// A persistent tape records its own gradient computation while it records, so
// one tape gives second derivatives (TensorFlow's backprop_test.py numbers),
// with TensorFlow's efficiency warning printed once.
#include <sstream>

#include "helpers.hpp"

using namespace xgrad;

namespace {
// Captures what std::cerr receives while alive.
class CaptureStderr {
public:
    CaptureStderr() : old_(std::cerr.rdbuf(text_.rdbuf())) {}
    ~CaptureStderr() { std::cerr.rdbuf(old_); }
    std::string str() const { return text_.str(); }

private:
    std::ostringstream text_;
    std::streambuf* old_;
};

std::size_t count(const std::string& text, const std::string& what)
{
    std::size_t n = 0;
    for (auto p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
    return n;
}
}  // namespace

TEST_CASE("persistent tape: gradient inside its scope is recorded, one tape gives d2y/dx2 (x=3: 27, 18)")
{
    detail::recording_gradient_warned() = false;
    CaptureStderr capture;
    Tensor x(xt::xarray<float>{3.0f});
    GradientTape tape(/*persistent=*/true);
    tape.watch(x);
    const auto y = x * x * x;
    const auto dy = tape.gradient(y, x);   // 3x^2
    const auto d2y = tape.gradient(dy, x);  // 6x
    const auto d3y = tape.gradient(d2y, x);  // 6
    CHECK(dy(0) == 27.0f);
    CHECK(d2y(0) == 18.0f);
    CHECK(d3y(0) == 6.0f);
    CHECK(count(capture.str(), "Calling GradientTape.gradient on a persistent tape inside its context") == 1);
}

TEST_CASE("persistent tape: inside stop_recording() nothing is recorded; a non-persistent tape never records itself")
{
    Tensor x(xt::xarray<float>{3.0f});
    GradientTape tape(/*persistent=*/true);
    tape.watch(x);
    const auto y = x * x * x;
    Tensor dy;
    {
        auto pause = tape.stop_recording();
        dy = tape.gradient(y, x);
    }
    CHECK(dy(0) == 27.0f);
    CHECK_FALSE(tape.gradient(dy, x).defined());

    GradientTape once;
    once.watch(x);
    const auto g = once.gradient(x * x, x);
    CHECK(g(0) == 6.0f);
    GradientTape later;  // g is a constant: no path back to x
    CHECK_FALSE(later.gradient(g * 1.0f, x).defined());
}

TEST_CASE("persistent tape: TensorFlow's testPersistentNestedTape (inner gradient 2, then 6 and 12)")
{
    Tensor x(xt::xarray<float>{3.0f});
    GradientTape g(/*persistent=*/true);
    g.watch(x);
    auto y = x * x;
    Tensor z, inner_grad;
    {
        GradientTape gg(/*persistent=*/true);
        gg.watch(y);
        z = 2.0f * y;
        for (int i = 0; i < 2; ++i) {
            inner_grad = gg.gradient(z, std::vector<Tensor>{y})[0];
            CHECK(inner_grad(0) == 2.0f);
        }
        y = y + inner_grad;
    }
    CHECK(g.gradient(y, std::vector<Tensor>{x})[0](0) == 6.0f);
    CHECK(g.gradient(z, std::vector<Tensor>{x})[0](0) == 12.0f);
}

TEST_CASE("persistent tape: recorded gradients of an MLP-like function pass a float64 second-order check")
{
    // f(x) = d/dx sum(tanh(x)^2 * x) through one persistent tape, checked against finite differences.
    auto f = [](const std::vector<Tensor64>& in) {
        GradientTape tape(/*persistent=*/true);
        tape.watch(in[0]);
        const auto y = reduce_sum(square(tanh(in[0])) * in[0]);
        const auto g = tape.gradient(y, in[0]);
        const auto h = tape.gradient(reduce_sum(g * g), in[0]);  // recorded on the same tape
        return h;
    };
    CHECK_GRADIENTS(f, {test::uniform({2, 3})});
}
