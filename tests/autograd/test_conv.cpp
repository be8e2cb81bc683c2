// conv2d, its two gradient ops, max and average pooling: float64 finite-difference
// checks of first and second derivatives, and the shape errors.
#include "helpers.hpp"

using namespace xgrad;
using namespace xgrad::test;

namespace {
struct ConvCase {
    const char* name;
    Shape x, k;
    Size2 s, d;
    Padding p;
};
const ConvCase conv_cases[] = {
    {"valid 3x3", {2, 5, 6, 2}, {3, 3, 2, 3}, {1, 1}, {1, 1}, Padding::valid},
    {"same 3x2 stride 2", {2, 5, 7, 2}, {3, 2, 2, 2}, {2, 2}, {1, 1}, Padding::same},
    {"same 2x2 (uneven padding)", {1, 4, 5, 1}, {2, 2, 1, 2}, {1, 1}, {1, 1}, Padding::same},
    {"valid dilation 2", {1, 7, 6, 2}, {2, 3, 2, 2}, {1, 1}, {2, 2}, Padding::valid},
    {"same dilation 2", {1, 5, 5, 1}, {3, 3, 1, 2}, {1, 1}, {2, 2}, Padding::same},
    {"valid stride (2, 1) 1x1", {2, 5, 3, 3}, {1, 1, 3, 2}, {2, 1}, {1, 1}, Padding::valid},
    {"direct 1x1", {2, 3, 3, 3}, {1, 1, 3, 2}, {1, 1}, {1, 1}, Padding::valid},
};
}  // namespace

TEST_CASE("conv2d: gradients and second derivatives (x, kernel, bias)")
{
    for (const auto& c : conv_cases) {
        INFO(c.name);
        const Shape bias{c.k[3]};
        auto f = [c](const In& in) { return conv2d(in[0], in[1], in[2], c.s, c.p, c.d); };
        CHECK_GRADIENTS(f, {uniform(c.x, -1, 1, 1), uniform(c.k, -1, 1, 2), uniform(bias, -1, 1, 3)});
        CHECK_SECOND_ORDER(f, {uniform(c.x, -1, 1, 1), uniform(c.k, -1, 1, 2), uniform(bias, -1, 1, 3)});
        // d/dkernel of the gradient (second order in the other argument) too.
        auto fk = [c](const In& in) { return conv2d(in[1], in[0], Tensor64(), c.s, c.p, c.d); };
        CHECK_SECOND_ORDER(fk, {uniform(c.k, -1, 1, 2), uniform(c.x, -1, 1, 1)});
    }
}

TEST_CASE("conv2d: relu in the epilogue equals relu after the op, with its gradients")
{
    const Shape xs{2, 5, 5, 2}, ks{3, 3, 2, 3};
    auto fused = [](const In& in) { return conv2d(in[0], in[1], in[2], {1, 1}, Padding::same, {1, 1}, LinearActivation::relu); };
    auto separate = [](const In& in) { return relu(conv2d(in[0], in[1], in[2], {1, 1}, Padding::same)); };
    const In in{t64(uniform(xs, -1, 1, 4)), t64(uniform(ks, -1, 1, 5)), t64(uniform({3}, -1, 1, 6))};
    CHECK(xt::all(xt::equal(fused(in).value(), separate(in).value())));
    CHECK_GRADIENTS(fused, {uniform(xs, -1, 1, 4), uniform(ks, -1, 1, 5), uniform({3}, -1, 1, 6)});
    CHECK_SECOND_ORDER(fused, {uniform(xs, -1, 1, 4), uniform(ks, -1, 1, 5), uniform({3}, -1, 1, 6)});
    // float32: the fused op equals the separate ops bit for bit.
    Tensor x(Generator(1).uniform<float>(xs, -1, 1)), k(Generator(2).uniform<float>(ks, -1, 1)),
        b(Generator(3).uniform<float>({3}, -1, 1));
    CHECK(xt::all(xt::equal(conv2d(x, k, b, {1, 1}, Padding::same, {1, 1}, LinearActivation::relu).value(),
                            relu(conv2d(x, k, b, {1, 1}, Padding::same)).value())));
}

namespace {
// conv2d and its kernel gradient by their formulas (conv.hpp), in double.
struct NaiveConv {
    ConvCase c;
    std::size_t oh, ow;
    NaiveConv(const ConvCase& cc) : c(cc)
    {
        oh = conv_output_length(c.x[1], c.k[0], c.s[0], c.d[0], c.p);
        ow = conv_output_length(c.x[2], c.k[1], c.s[1], c.d[1], c.p);
    }
    long pad(std::size_t n, std::size_t k, std::size_t s, std::size_t d, std::size_t out) const
    {
        if (c.p == Padding::valid) return 0;
        const long needed = static_cast<long>((out - 1) * s + (k - 1) * d + 1);
        return std::max<long>(needed - static_cast<long>(n), 0) / 2;
    }
    // calls f(b, i, j, p, q, ch, o, x value) for every in-image tap
    template <class F>
    void each(const xt::xarray<double>& x, F&& f) const
    {
        const long pt = pad(c.x[1], c.k[0], c.s[0], c.d[0], oh), pl = pad(c.x[2], c.k[1], c.s[1], c.d[1], ow);
        for (std::size_t b = 0; b < c.x[0]; ++b)
            for (std::size_t i = 0; i < oh; ++i)
                for (std::size_t j = 0; j < ow; ++j)
                    for (std::size_t p = 0; p < c.k[0]; ++p)
                        for (std::size_t q = 0; q < c.k[1]; ++q) {
                            const long ih = static_cast<long>(i * c.s[0] + p * c.d[0]) - pt;
                            const long iw = static_cast<long>(j * c.s[1] + q * c.d[1]) - pl;
                            if (ih < 0 || iw < 0 || ih >= static_cast<long>(c.x[1]) || iw >= static_cast<long>(c.x[2])) continue;
                            for (std::size_t ch = 0; ch < c.k[2]; ++ch) f(b, i, j, p, q, ch, x(b, ih, iw, ch));
                        }
    }
};
}  // namespace

TEST_CASE("conv2d: the direct loops (small patches, several SIMD blocks of filters) match the formulas")
{
    // 40 filters: full SIMD blocks and a partial one, in float and double.
    const ConvCase cases[] = {
        {"valid 3x3, 1 channel", {2, 6, 7, 1}, {3, 3, 1, 40}, {1, 1}, {1, 1}, Padding::valid},
        {"same 3x3 stride 2", {2, 6, 7, 1}, {3, 3, 1, 40}, {2, 2}, {1, 1}, Padding::same},
        {"same 2x2 dilation 2, 3 channels", {1, 5, 6, 3}, {2, 2, 3, 40}, {1, 1}, {2, 2}, Padding::same},
    };
    for (const auto& c : cases) {
        INFO(c.name);
        const NaiveConv naive(c);
        const xt::xarray<double> x = uniform(c.x, -1, 1, 11), k = uniform(c.k, -1, 1, 12), b = uniform({40}, -1, 1, 13);
        const xt::xarray<double> dy = uniform({c.x[0], naive.oh, naive.ow, 40}, -1, 1, 14);
        xt::xarray<double> z = xt::zeros<double>({c.x[0], naive.oh, naive.ow, std::size_t{40}});
        xt::xarray<double> dk = xt::zeros<double>(c.k);
        naive.each(x, [&](auto bb, auto i, auto j, auto p, auto q, auto ch, double v) {
            for (std::size_t o = 0; o < 40; ++o) {
                z(bb, i, j, o) += v * k(p, q, ch, o);
                dk(p, q, ch, o) += v * dy(bb, i, j, o);
            }
        });
        const xt::xarray<double> relu_z = xt::maximum(z + b, 0.0);
        const auto y64 = conv2d(Tensor64(x), Tensor64(k), Tensor64(b), c.s, c.p, c.d, LinearActivation::relu);
        CHECK(xt::allclose(y64.value(), relu_z, 1e-12, 1e-12));
        CHECK(xt::allclose(conv2d_backprop_kernel(Tensor64(x), Tensor64(dy), c.k, c.s, c.p, c.d).value(), dk, 1e-12, 1e-12));
        const auto y32 = conv2d(Tensor(xt::xarray<float>(xt::cast<float>(x))), Tensor(xt::xarray<float>(xt::cast<float>(k))),
                                Tensor(xt::xarray<float>(xt::cast<float>(b))), c.s, c.p, c.d, LinearActivation::relu);
        CHECK(xt::allclose(xt::xarray<double>(xt::cast<double>(y32.value())), relu_z, 1e-5, 1e-5));
        const auto dk32 = conv2d_backprop_kernel(Tensor(xt::xarray<float>(xt::cast<float>(x))),
                                                 Tensor(xt::xarray<float>(xt::cast<float>(dy))), c.k, c.s, c.p, c.d);
        CHECK(xt::allclose(xt::xarray<double>(xt::cast<double>(dk32.value())), dk, 1e-5, 1e-5));
    }
}

TEST_CASE("conv2d_backprop_input and conv2d_backprop_kernel: gradients and second derivatives")
{
    for (const auto& c : conv_cases) {
        INFO(c.name);
        const Shape out{c.x[0], conv_output_length(c.x[1], c.k[0], c.s[0], c.d[0], c.p),
                        conv_output_length(c.x[2], c.k[1], c.s[1], c.d[1], c.p), c.k[3]};
        auto fi = [c](const In& in) { return conv2d_backprop_input(in[0], in[1], c.x, c.s, c.p, c.d); };
        CHECK_GRADIENTS(fi, {uniform(out, -1, 1, 7), uniform(c.k, -1, 1, 8)});
        CHECK_SECOND_ORDER(fi, {uniform(out, -1, 1, 7), uniform(c.k, -1, 1, 8)});
        auto fk = [c](const In& in) { return conv2d_backprop_kernel(in[0], in[1], c.k, c.s, c.p, c.d); };
        CHECK_GRADIENTS(fk, {uniform(c.x, -1, 1, 9), uniform(out, -1, 1, 10)});
        CHECK_SECOND_ORDER(fk, {uniform(c.x, -1, 1, 9), uniform(out, -1, 1, 10)});
    }
}

TEST_CASE("max_pool2d and avg_pool2d: gradients and second derivatives")
{
    struct PoolCase {
        Shape x;
        Size2 pool, s;
        Padding p;
    };
    const PoolCase cases[] = {{{2, 5, 6, 2}, {2, 2}, {2, 2}, Padding::valid},
                              {{1, 5, 5, 3}, {3, 3}, {2, 2}, Padding::same},
                              {{2, 4, 5, 1}, {2, 3}, {1, 1}, Padding::same},
                              {{1, 7, 4, 2}, {3, 2}, {2, 1}, Padding::valid}};
    for (const auto& c : cases) {
        // Distinct values well apart: no ties, and finite differences never move the argmax.
        xt::xarray<double> x = xt::arange<double>(0.0, static_cast<double>(num_elements(c.x))) * 0.37;
        x.reshape(std::vector<std::size_t>(c.x.begin(), c.x.end()));
        Generator gen(3);
        for (std::size_t i = x.size(); i > 1; --i) std::swap(x.flat(i - 1), x.flat(gen.next_u64() % i));
        auto fm = [c](const In& in) { return square(max_pool2d(in[0], c.pool, c.s, c.p)); };
        CHECK_GRADIENTS(fm, {x});
        CHECK_SECOND_ORDER(fm, {x});
        auto fa = [c](const In& in) { return square(avg_pool2d(in[0], c.pool, c.s, c.p)); };
        CHECK_GRADIENTS(fa, {uniform(c.x, -1, 1, 5)});
        CHECK_SECOND_ORDER(fa, {uniform(c.x, -1, 1, 5)});
        const Shape out = avg_pool2d(t64(uniform(c.x)), c.pool, c.s, c.p).shape();
        auto fb = [c](const In& in) { return square(avg_pool2d_backprop(in[0], c.x, c.pool, c.s, c.p)); };
        CHECK_GRADIENTS(fb, {uniform(out, -1, 1, 6)});
        CHECK_SECOND_ORDER(fb, {uniform(out, -1, 1, 6)});
    }
}

TEST_CASE("max_pool2d: the gradient goes to the argmax; average pooling with same padding counts valid pixels")
{
    xt::xarray<double> xv{1.0, 5.0, 2.0, 4.0, 3.0, 0.0, 7.0, 6.0, 8.0};
    xv.reshape({1, 3, 3, 1});
    Tensor64 x(xv);
    GradientTape tape;
    tape.watch(x);
    const Tensor64 y = max_pool2d(x, {2, 2}, {2, 2}, Padding::same);  // windows rows {0,1}/{2}, cols {0,1}/{2}
    CHECK(y.shape() == Shape{1, 2, 2, 1});
    CHECK(xt::all(xt::equal(xt::flatten(y.value()), xt::xarray<double>{5, 2, 7, 8})));
    const Tensor64 g = tape.gradient(reduce_sum(y), x);
    CHECK(xt::all(xt::equal(xt::flatten(g.value()), xt::xarray<double>{0, 1, 1, 0, 0, 0, 1, 0, 1})));
    const Tensor64 a = avg_pool2d(x, {2, 2}, {2, 2}, Padding::same);
    CHECK(xt::allclose(xt::flatten(a.value()), xt::xarray<double>{13.0 / 4, 2.0 / 2, 13.0 / 2, 8.0}));
}

TEST_CASE("conv2d and pooling: errors name the op, the argument and the shapes")
{
    const Tensor x(xt::zeros<float>({1, 3, 3, 2}));
    auto throws = [](auto f, const std::string& what) {
        try {
            f();
            FAIL("no exception, expected: " << what);
        } catch (const Error& e) {
            INFO(e.what());
            CHECK(std::string(e.what()).find(what) != std::string::npos);
        }
    };
    throws([&] { conv2d(x, Tensor(xt::zeros<float>({5, 5, 2, 1})), Tensor()); },
           "conv2d: the kernel (5) is larger than the input's height (3) with padding \"valid\"; input shape (1, 3, 3, 2)");
    throws([&] { conv2d(x, Tensor(xt::zeros<float>({2, 2, 2, 1})), Tensor(), {1, 1}, Padding::valid, {3, 3}); },
           "kernel (2, dilated by 3 to 4) is larger");
    throws([&] { conv2d(Tensor(xt::zeros<float>({3, 3, 2})), Tensor(xt::zeros<float>({1, 1, 2, 1})), Tensor()); },
           "conv2d: argument 'x' must be 4-D channels_last (batch, height, width, channels), got shape (3, 3, 2)");
    throws([&] { conv2d(x, Tensor(xt::zeros<float>({1, 1, 3, 1})), Tensor()); },
           "expects 3 input channels, but argument 'x' has shape (1, 3, 3, 2)");
    throws([&] { conv2d(x, Tensor(xt::zeros<float>({1, 1, 2, 4})), Tensor(xt::zeros<float>({3}))); },
           "conv2d: argument 'bias' must have shape (4)");
    throws([&] { conv2d(x, Tensor(xt::zeros<float>({1, 1, 2, 4})), Tensor(), {0, 1}); },
           "conv2d: argument 'strides' must be positive");
    throws([&] { max_pool2d(x, {0, 2}, {1, 1}); }, "max_pool2d: argument 'pool_size' must be positive, got (0, 2)");
    throws([&] { avg_pool2d(x, {4, 1}, {1, 1}); }, "avg_pool2d: the pool window (4) is larger than the input's height (3)");
    throws([&] { conv2d_backprop_input(Tensor(xt::zeros<float>({1, 2, 2, 4})), Tensor(xt::zeros<float>({1, 1, 2, 4})),
                                       Shape{1, 3, 3, 2}); },
           "conv2d_backprop_input: argument 'dy' must have shape (1, 3, 3, 4)");
}
