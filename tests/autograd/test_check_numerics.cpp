// Anomaly mode: the first NaN/Inf of the forward or backward pass raises
// NumericsError naming the op, its input shapes and the file:line it was recorded at.
#include "helpers.hpp"

using namespace xgrad;
using Catch::Contains;

namespace {
std::string here(int line) { return "test_check_numerics.cpp:" + std::to_string(line); }
}  // namespace

TEST_CASE("check_numerics: off by default; NaN and Inf pass silently then")
{
    REQUIRE_FALSE(check_numerics_enabled());
    Variable x(xt::xarray<float>{-1.0f, 0.0f}, "x");
    GradientTape tape;
    Tensor y;
    REQUIRE_NOTHROW(y = log(x) + sqrt(x));
    CHECK(std::isnan(y(0)));
    Tensor g;
    REQUIRE_NOTHROW(g = tape.gradient(sqrt(x), x));
    CHECK(std::isinf(g(1)));
}

TEST_CASE("check_numerics: a NaN in the forward pass names the op, shapes and call site")
{
    CheckNumerics guard;
    REQUIRE(check_numerics_enabled());
    const Tensor x(xt::xarray<float>{{1.0f, -1.0f}});
    const int line = __LINE__; REQUIRE_THROWS_AS(log(x), NumericsError);
    REQUIRE_THROWS_WITH(log(x), Contains("'log'") && Contains("nan") && Contains("forward") && Contains("(1, 2)"));
    try {
        (void)log(x);
    } catch (const NumericsError& e) {
        INFO(e.what());
        CHECK_THAT(e.what(), Contains(here(line + 3)));
    }
    // Inf from an op with two inputs: both shapes are named.
    const Tensor a(xt::xarray<float>{{1.0f, 2.0f}});
    const Tensor z(xt::xarray<float>{0.0f, 1.0f});
    const int div_line = __LINE__; REQUIRE_THROWS_WITH(a / z, Contains("'div'") && Contains("inf") && Contains("(1, 2), (2)") && Contains(here(div_line)));
    // Operators with a plain number report the caller's line too.
    const int scalar_line = __LINE__; REQUIRE_THROWS_WITH(1.0f / z, Contains("'div'") && Contains(here(scalar_line)));
    // Finite values pass.
    REQUIRE_NOTHROW(log(abs(x) + 1.0f));
}

TEST_CASE("check_numerics: an Inf in the backward pass names the op and where it was recorded")
{
    CheckNumerics guard;
    Variable x(xt::xarray<float>{4.0f, 0.0f}, "x");
    GradientTape tape;
    const int line = __LINE__; const auto y = reduce_sum(sqrt(x));  // finite: 2 + 0
    CHECK(y.item() == 2.0f);
    try {
        tape.gradient(y, x);
        FAIL("expected a NumericsError");
    } catch (const NumericsError& e) {
        const std::string what = e.what();
        INFO(what);
        CHECK_THAT(what, Contains("'sqrt'") && Contains("backward") && Contains("inf") && Contains("(2)"));
        CHECK_THAT(what, Contains(here(line)));
    }
}

TEST_CASE("check_numerics: the guard restores the previous setting")
{
    {
        CheckNumerics on;
        CHECK(check_numerics_enabled());
        set_check_numerics(false);
        CHECK_FALSE(check_numerics_enabled());
        set_check_numerics(true);
    }
    CHECK_FALSE(check_numerics_enabled());
}
