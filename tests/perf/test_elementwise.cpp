// core/elementwise's fast paths give exactly what the xtensor expression gives,
// for every broadcast layout (same shape, scalar, row, column, outer, fallback).
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <limits>

#include <xgrad/core/elementwise.hpp>
#include <xgrad/core/random.hpp>

namespace {
using xgrad::detail::BinaryOp;

xt::xarray<float> sample(const xgrad::Shape& shape, std::uint64_t seed)
{
    xgrad::Generator gen(seed);
    xt::xarray<float> x = gen.uniform<float>(shape, -2.0f, 2.0f);
    if (x.size() > 3) {
        x.flat(1) = 0.0f;
        x.flat(2) = std::numeric_limits<float>::quiet_NaN();
    }
    return x;
}

bool same_bits(const xt::xarray<float>& a, const xt::xarray<float>& b)
{
    return a.shape() == b.shape() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}
}  // namespace

TEST_CASE("elementwise: fast paths match xtensor bit for bit")
{
    const std::vector<std::pair<xgrad::Shape, xgrad::Shape>> cases = {
        {{32, 128}, {32, 128}},   {{32, 128}, {128}},      {{32, 128}, {1, 128}},  {{128}, {32, 128}},
        {{32, 128}, {32, 1}},     {{32, 1}, {32, 128}},    {{32, 128}, {}},        {{}, {32, 128}},
        {{32, 1}, {128}},         {{4, 5, 6}, {5, 6}},     {{4, 5, 6}, {4, 1, 1}}, {{4, 5, 6}, {1, 5, 1}},
        {{4, 1, 6}, {4, 5, 6}},   {{300, 300}, {300}},     {{300, 300}, {300, 1}}, {{70000}, {70000}},
        {{2, 1, 3}, {1, 4, 1}},   {{1, 1}, {7, 1}},        {{5}, {1}},
    };
    for (const auto& [sa, sb] : cases) {
        const auto a = sample(sa, 1), b = sample(sb, 2);
        INFO("shapes " << xgrad::to_string(sa) << " and " << xgrad::to_string(sb));
        CHECK(same_bits(xgrad::detail::binary(BinaryOp::add, a, b), xt::xarray<float>(a + b)));
        CHECK(same_bits(xgrad::detail::binary(BinaryOp::sub, a, b), xt::xarray<float>(a - b)));
        CHECK(same_bits(xgrad::detail::binary(BinaryOp::mul, a, b), xt::xarray<float>(a * b)));
        CHECK(same_bits(xgrad::detail::binary(BinaryOp::div, a, b), xt::xarray<float>(a / b)));
        CHECK(same_bits(xgrad::detail::binary(BinaryOp::greater, a, b), xt::xarray<float>(xt::cast<float>(a > b))));
        CHECK(same_bits(xgrad::detail::binary(BinaryOp::less_equal, a, b),
                        xt::xarray<float>(xt::cast<float>(a <= b))));
        CHECK(same_bits(xgrad::detail::binary(BinaryOp::equal, a, b),
                        xt::xarray<float>(xt::cast<float>(xt::equal(a, b)))));
    }
}
