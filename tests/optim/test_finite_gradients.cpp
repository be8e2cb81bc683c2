// The finiteness a kernel records on the tensor it writes (autograd/detail/finiteness.hpp)
// and the optimizers' NaN-gradient check that trusts it: recorded by GEMM (matmul,
// linear), reduce_sum (bias gradients), the elementwise kernels (the tape's
// accumulation of a variable used twice) and conv's kernel gradient; unknown for
// constants, small results and variables, whose data the check then reads. A NaN or
// Inf gradient through any of these paths still changes no variable and no slot.
#include <catch2/catch.hpp>

#include <omp.h>

#include <cstring>
#include <iostream>
#include <limits>
#include <sstream>

#include <xgrad/autograd/detail/finiteness.hpp>
#include <xgrad/xgrad.hpp>

using xgrad::Tensor;
using xgrad::Variable;
using xgrad::detail::Finiteness;
using xgrad::detail::finiteness;
using namespace xgrad::optim;

namespace {
const float kNan = std::numeric_limits<float>::quiet_NaN();
const float kInf = std::numeric_limits<float>::infinity();

xt::xarray<float> uniform(const xgrad::Shape& shape, std::uint64_t seed, float scale = 1.0f)
{
    return xgrad::Generator(seed).uniform<float>(shape, -scale, scale);
}

xt::xarray<float> with(xt::xarray<float> a, std::size_t flat, float v)
{
    a.flat(flat) = v;
    return a;
}

// Runs `body` with std::cerr captured; returns what it printed.
template <class F>
std::string captured_cerr(F&& body)
{
    std::ostringstream captured;
    std::streambuf* const saved = std::cerr.rdbuf(captured.rdbuf());
    try {
        body();
    } catch (...) {
        std::cerr.rdbuf(saved);
        throw;
    }
    std::cerr.rdbuf(saved);
    return captured.str();
}

bool same_bits(const xt::xarray<float>& a, const xt::xarray<float>& b)
{
    return a.shape() == b.shape() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}
}  // namespace

TEST_CASE("finiteness: recorded by the kernel that wrote the values, never guessed from the inputs")
{
    for (int threads : {1, 2}) {
        omp_set_num_threads(threads);
        INFO("threads " << threads);
        const Tensor a(uniform({64, 300}, 1)), b(uniform({300, 200}, 2));
        {
            INFO("matmul (GEMM epilogue, per block)");
            CHECK(finiteness(xgrad::matmul(a, b)) == Finiteness::finite);
            CHECK(finiteness(xgrad::matmul(a, a, true, false)) == Finiteness::finite);  // transposed: blocks of columns
        }
        {
            INFO("matmul: a NaN in one block, an overflow from finite inputs");
            CHECK(finiteness(xgrad::matmul(Tensor(with(a.value(), 64 * 300 - 1, kNan)), b)) == Finiteness::non_finite);
            const Tensor big(xt::xarray<float>(xgrad::Shape{64, 300}, 1e30f));
            CHECK(finiteness(xgrad::matmul(big, Tensor(xt::xarray<float>(xgrad::Shape{300, 200}, 1e30f)))) ==
                  Finiteness::non_finite);
        }
        {
            INFO("reduce_sum, over one axis, several axes and all");
            CHECK(finiteness(xgrad::reduce_sum(a, {0})) == Finiteness::finite);
            CHECK(finiteness(xgrad::reduce_sum(a, {0, 1})) == Finiteness::finite);
            CHECK(finiteness(xgrad::reduce_sum(a)) == Finiteness::finite);
            CHECK(finiteness(xgrad::reduce_sum(Tensor(with(a.value(), 5, kInf)), {0})) == Finiteness::non_finite);
            const Tensor huge(xt::xarray<float>(xgrad::Shape{2, 300}, 3e38f));  // 3e38 + 3e38 overflows
            CHECK(finiteness(xgrad::reduce_sum(huge, {0})) == Finiteness::non_finite);
            CHECK(finiteness(xgrad::reduce_sum(huge, {1}, true)) == Finiteness::non_finite);
        }
        {
            INFO("elementwise kernels (same shape, broadcast row, one long row split over threads)");
            const Tensor row(uniform({300}, 3));
            CHECK(finiteness(a + a) == Finiteness::finite);
            CHECK(finiteness(a * row) == Finiteness::finite);
            const Tensor longrow(uniform({200000}, 4));
            CHECK(finiteness(longrow + longrow) == Finiteness::finite);
            CHECK(finiteness(Tensor(with(longrow.value(), 199999, kNan)) + longrow) == Finiteness::non_finite);
            CHECK(finiteness(a / Tensor(with(a.value(), 17, 0.0f))) == Finiteness::non_finite);  // x / 0
            CHECK(finiteness(Tensor(xt::xarray<float>(xgrad::Shape{64, 300}, 3e38f)) +
                             Tensor(xt::xarray<float>(xgrad::Shape{64, 300}, 3e38f))) == Finiteness::non_finite);
        }
        {
            INFO("reshape keeps its input's; constants, small results and variables stay unknown");
            CHECK(finiteness(xgrad::reshape(xgrad::matmul(a, b), {-1})) == Finiteness::finite);
            CHECK(finiteness(xgrad::reshape(a, {-1})) == Finiteness::unknown);
            CHECK(finiteness(a) == Finiteness::unknown);
            const Tensor s(xgrad::array<float>({3}, {1, 2, 3}));
            CHECK(finiteness(s + s) == Finiteness::unknown);
            const Variable v(uniform({64, 300}, 5), "v");
            CHECK(finiteness(v) == Finiteness::unknown);
            CHECK(finiteness(xgrad::reshape(v, {-1})) == Finiteness::unknown);
        }
        {
            INFO("conv2d's kernel gradient");
            const Tensor x(uniform({4, 8, 8, 3}, 6)), dy(uniform({4, 6, 6, 5}, 7));
            CHECK(finiteness(xgrad::conv2d_backprop_kernel(x, dy, {3, 3, 3, 5})) == Finiteness::finite);
            CHECK(finiteness(xgrad::conv2d_backprop_kernel(x, Tensor(with(dy.value(), 700, kNan)), {3, 3, 3, 5})) ==
                  Finiteness::non_finite);
        }
    }
    omp_set_num_threads(omp_get_num_procs());
}

TEST_CASE("finiteness: a tape's gradients carry it: linear's kernel and bias, an accumulated gradient")
{
    const Tensor x(uniform({32, 256}, 10));
    Variable w(uniform({256, 256}, 11, 0.05f), "w"), b(xt::zeros<float>({256}), "b");
    xgrad::GradientTape tape;
    const auto h = xgrad::linear<float>(x, w, b, xgrad::LinearActivation::relu);
    const auto loss = xgrad::reduce_sum(xgrad::matmul(h, w));  // w used twice: its gradient is accumulated
    const auto g = tape.gradient(loss, {w, b});
    CHECK(finiteness(g[0]) == Finiteness::finite);
    CHECK(finiteness(g[1]) == Finiteness::finite);
}

namespace {
// The state a skipped step must leave exactly as it was.
struct Snapshot {
    std::vector<xt::xarray<float>> values;
    Snapshot(Adam& adam, const std::vector<Variable>& vars)
    {
        for (const auto& v : vars) {
            values.push_back(v.value());
            values.push_back(adam.slot(v, "momentum"));
            values.push_back(adam.slot(v, "velocity"));
        }
    }
    bool operator==(const Snapshot& o) const
    {
        if (values.size() != o.values.size()) return false;
        for (std::size_t i = 0; i < values.size(); ++i) {
            if (!same_bits(values[i], o.values[i])) return false;
        }
        return true;
    }
};

// Gradients of h = linear(x, w, b) (+ x2 @ w) seeded with dh = G, and of a third
// variable v given as a user-made constant, in which `poison` makes exactly one
// gradient non-finite through one producer path (the others stay finite):
//   gemm:        dw = x^T G with a NaN in x (G, so db, stays finite)
//   reduce_sum:  db = sum over the batch of G, overflowing (dw = x^T G stays finite: x is small)
//   accumulated: dw = add(x^T G, x2^T G), two finite products whose sum overflows
//   constant:    dv, a constant holding a NaN (no producer recorded anything)
// w (256 x 256 = 65536 elements) takes the update's parallel path, b and v the serial one.
enum class Path { gemm, reduce_sum, accumulated, constant };

std::vector<Tensor> gradients(Path path, bool poison, std::vector<Variable>& vars, std::uint64_t seed = 20)
{
    Variable& w = vars[0];
    Variable& b = vars[1];
    xt::xarray<float> xv = uniform({16, 256}, seed, 1e-3f);
    xt::xarray<float> x2 = uniform({16, 256}, seed + 1, 1e-3f);
    xt::xarray<float> G = uniform({16, 256}, seed + 2);
    if (poison && path == Path::gemm) xv(3, 7) = kNan;
    if (poison && path == Path::reduce_sum) G(0, 9) = G(1, 9) = 3e38f;  // 16 rows: the column sum overflows
    if (poison && path == Path::accumulated) {
        xv(0, 5) = x2(0, 5) = 2e38f;  // each product's row 5 is about 2e38 * G(0, j): finite
        for (std::size_t j = 0; j < 256; ++j) G(0, j) = 1.0f;
    }
    xgrad::GradientTape tape;
    auto h = xgrad::linear<float>(Tensor(xv), w, b);
    if (path == Path::accumulated) h = h + xgrad::matmul(Tensor(x2), w);
    auto g = tape.gradient(h, {w, b}, Tensor(G));
    xt::xarray<float> c = uniform({256, 4}, seed + 3, 1e-2f);
    if (poison && path == Path::constant) c(2, 1) = kNan;
    g.push_back(Tensor(c));
    return g;
}
}  // namespace

TEST_CASE("finiteness: a NaN or Inf gradient from any producer changes no variable and no slot")
{
    const std::pair<Path, const char*> paths[] = {{Path::gemm, "w"},
                                                  {Path::reduce_sum, "b"},
                                                  {Path::accumulated, "w"},
                                                  {Path::constant, "v"}};
    for (const auto& [path, culprit] : paths) {
        for (int threads : {1, 2}) {
            omp_set_num_threads(threads);
            INFO("path " << static_cast<int>(path) << ", threads " << threads);
            std::vector<Variable> vars{Variable(uniform({256, 256}, 30, 0.05f), "w"),
                                       Variable(xt::zeros<float>({256}), "b"),
                                       Variable(uniform({256, 4}, 31, 0.05f), "v")};
            Adam adam(AdamOptions{}.learning_rate(1e-2));
            adam.apply_gradients(gradients(path, false, vars), vars);  // builds the slots, moves everything
            const Snapshot before(adam, vars);
            const auto bad = gradients(path, true, vars);
            const std::size_t k = std::string(culprit) == "w" ? 0 : std::string(culprit) == "b" ? 1 : 2;
            for (std::size_t i = 0; i < 3; ++i) {
                const Finiteness expected = i != k ? (i == 2 ? Finiteness::unknown : Finiteness::finite)
                                                   : (i == 2 ? Finiteness::unknown : Finiteness::non_finite);
                CHECK(finiteness(bad[i]) == expected);
            }
            const std::string warning = captured_cerr([&] { adam.apply_gradients(bad, vars); });
            CHECK_THAT(warning, Catch::Contains(std::string("the gradient for variable '") + culprit + "' contains"));
            CHECK_THAT(warning, Catch::Contains("the whole step is skipped"));
            CHECK(adam.iterations() == 1);
            CHECK(Snapshot(adam, vars) == before);

            Adam strict(AdamOptions{}.learning_rate(1e-2).on_nan_gradient(NanGradientPolicy::Throw));
            strict.apply_gradients(gradients(path, false, vars), vars);
            const Snapshot strict_before(strict, vars);
            CHECK_THROWS_AS(strict.apply_gradients(bad, vars), xgrad::NumericsError);
            CHECK(strict.iterations() == 1);
            CHECK(Snapshot(strict, vars) == strict_before);
        }
    }
    omp_set_num_threads(omp_get_num_procs());
}

TEST_CASE("finiteness: trusting a recorded flag gives the same bits as reading the data, at 1 and 2 threads")
{
    std::vector<xt::xarray<float>> results[2][2];  // [threads - 1][copied]
    for (int threads : {1, 2}) {
        omp_set_num_threads(threads);
        for (int copied : {0, 1}) {
            std::vector<Variable> vars{Variable(uniform({256, 256}, 30, 0.05f), "w"),
                                       Variable(xt::zeros<float>({256}), "b"),
                                       Variable(uniform({256, 4}, 31, 0.05f), "v")};
            Adam adam(AdamOptions{}.learning_rate(1e-2));
            for (int step = 0; step < 3; ++step) {
                auto g = gradients(Path::accumulated, false, vars);
                if (copied) {
                    for (auto& t : g) t = Tensor(xt::xarray<float>(t.value()));  // unknown: the check reads them
                }
                adam.apply_gradients(g, vars);
            }
            for (const auto& v : vars) results[threads - 1][copied].push_back(v.value());
        }
    }
    omp_set_num_threads(omp_get_num_procs());
    for (std::size_t i = 0; i < results[0][0].size(); ++i) {
        CHECK(same_bits(results[0][0][i], results[0][1][i]));
        CHECK(same_bits(results[0][0][i], results[1][0][i]));
        CHECK(same_bits(results[0][0][i], results[1][1][i]));
    }
}
