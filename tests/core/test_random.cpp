// Seeded random numbers: reproducible, statistically sound, independent of the thread count.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <set>

#include <omp.h>

#include <xtensor/xmath.hpp>

#include <xgrad/core/random.hpp>

using namespace xgrad;

namespace {
constexpr std::size_t kSamples = 100000;

double mean_of(const xt::xarray<double>& v) { return xt::mean(v)(); }
double std_of(const xt::xarray<double>& v) { return std::sqrt(xt::variance(v)()); }
}  // namespace

TEST_CASE("random: the same seed gives the same values, another seed others")
{
    Generator a(42), b(42), c(43);
    CHECK((a.uniform<float>({3, 4}) == b.uniform<float>({3, 4})));
    CHECK((a.normal<double>({5}) == b.normal<double>({5})));
    CHECK((a.truncated_normal<float>({7}) == b.truncated_normal<float>({7})));
    CHECK(a.permutation(10) == b.permutation(10));
    CHECK((Generator(42).uniform<float>({8}) != c.uniform<float>({8})));
    // Successive draws differ; set_state replays from a saved state.
    Generator d(7);
    const auto first = d.uniform<double>({4});
    const auto seed = d.seed(), offset = d.offset();
    const auto second = d.uniform<double>({4});
    CHECK((first != second));
    Generator e(0);
    e.set_state(seed, offset);
    CHECK((e.uniform<double>({4}) == second));
    // The global generator follows set_seed.
    set_seed(5);
    const auto g1 = global_generator().normal<float>({3});
    set_seed(5);
    CHECK((global_generator().normal<float>({3}) == g1));
}

TEST_CASE("random: uniform has the right range, mean and spread")
{
    Generator gen(1);
    const auto u = gen.uniform<double>({kSamples}, -2.0, 4.0);
    CHECK(xt::amin(u)() >= -2.0);
    CHECK(xt::amax(u)() < 4.0);
    CHECK(mean_of(u) == Approx(1.0).margin(0.02));
    CHECK(std_of(u) == Approx(6.0 / std::sqrt(12.0)).epsilon(0.01));
    const xt::xarray<double> f = xt::cast<double>(gen.uniform<float>({kSamples}));
    CHECK(mean_of(f) == Approx(0.5).margin(0.005));
}

TEST_CASE("random: normal has mean and standard deviation as asked")
{
    Generator gen(2);
    const auto z = gen.normal<double>({kSamples}, 1.5, 2.0);
    CHECK(mean_of(z) == Approx(1.5).margin(0.02));
    CHECK(std_of(z) == Approx(2.0).epsilon(0.01));
    // Tails exist: about 4.55% beyond two standard deviations.
    const double beyond = xt::sum(xt::cast<double>(xt::abs(z - 1.5) > 4.0))() / kSamples;
    CHECK(beyond == Approx(0.0455).margin(0.003));
}

TEST_CASE("random: truncated normal stays within two standard deviations")
{
    Generator gen(3);
    const auto z = gen.truncated_normal<double>({kSamples}, 0.0, 0.5);
    CHECK(xt::amax(xt::abs(z))() <= 1.0);
    CHECK(mean_of(z) == Approx(0.0).margin(0.01));
    // The standard deviation of N(0, 1) truncated at +-2 is 0.8796.
    CHECK(std_of(z) == Approx(0.5 * 0.8796).epsilon(0.01));
}

TEST_CASE("random: glorot and he uniform limits follow Keras")
{
    Generator gen(4);
    const auto w = gen.glorot_uniform<double>({300, 100});
    const double limit = std::sqrt(6.0 / 400.0);
    CHECK(xt::amax(xt::abs(w))() <= limit);
    CHECK(xt::amax(xt::abs(w))() > 0.99 * limit);
    CHECK(std_of(w) == Approx(limit / std::sqrt(3.0)).epsilon(0.02));
    const auto h = gen.he_uniform<double>({50, 400});
    CHECK(xt::amax(xt::abs(h))() <= std::sqrt(6.0 / 50.0));
    CHECK(xt::amax(xt::abs(h))() > 0.99 * std::sqrt(6.0 / 50.0));
    // Convolution kernels: fans include the receptive field.
    CHECK(compute_fans({3, 3, 16, 32}) == std::pair<double, double>(144.0, 288.0));
    CHECK(compute_fans({7}) == std::pair<double, double>(7.0, 7.0));
}

TEST_CASE("random: successive draws never share random bits")
{
    // Each element of a normal draw uses two counters, of a truncated normal a
    // block; the next draw must start after all of them.
    Generator gen(5);
    const auto z = gen.normal<double>({kSamples});
    const auto u = gen.uniform<double>({kSamples});
    const auto t = gen.truncated_normal<double>({1000});
    const auto u2 = gen.uniform<double>({kSamples});
    // u would otherwise repeat the uniforms behind z's second half: the pairs
    // (u[2k], u[2k+1]) would rebuild z[n/2 + k] exactly.
    std::size_t rebuilt = 0;
    for (std::size_t k = 0; k < kSamples / 2; ++k) {
        const double zk = std::sqrt(-2.0 * std::log(1.0 - u(2 * k))) * std::cos(2.0 * std::numbers::pi * u(2 * k + 1));
        rebuilt += std::abs(zk - z(kSamples / 2 + k)) < 1e-12;
    }
    CHECK(rebuilt == 0);
    std::set<double> seen(u.begin(), u.end());
    std::size_t repeats = 0;
    for (double x : u2) repeats += seen.count(x);
    CHECK(repeats == 0);
    CHECK(xt::amax(xt::abs(t))() <= 2.0);
}

TEST_CASE("random: values do not depend on the OpenMP thread count")
{
    const int saved = omp_get_max_threads();
    auto draw = [](int threads) {
        omp_set_num_threads(threads);
        Generator gen(9);
        xt::xarray<double> all = gen.uniform<double>({kSamples});
        all += gen.normal<double>({kSamples});
        all += gen.truncated_normal<double>({kSamples});
        all += gen.glorot_uniform<double>({kSamples});
        return all;
    };
    const auto one = draw(1);
    const auto two = draw(2);
    omp_set_num_threads(saved);
    CHECK((one == two));
}

TEST_CASE("random: permutation is a permutation")
{
    Generator gen(6);
    auto p = gen.permutation(1000);
    std::vector<std::size_t> sorted = p;
    std::sort(sorted.begin(), sorted.end());
    for (std::size_t i = 0; i < sorted.size(); ++i) REQUIRE(sorted[i] == i);
    std::size_t fixed = 0;
    for (std::size_t i = 0; i < p.size(); ++i) fixed += p[i] == i;
    CHECK(fixed < 10);  // a shuffle, not the identity
}
