// Shape arithmetic: element counts and broadcast shapes never wrap around.
#include <catch2/catch.hpp>

#include <xgrad/core/error.hpp>
#include <xgrad/core/random.hpp>
#include <xgrad/core/shape.hpp>

using namespace xgrad;
using Catch::Contains;

namespace {
constexpr std::size_t k2_32 = std::size_t(1) << 32;
constexpr std::size_t k2_62 = std::size_t(1) << 62;
}  // namespace

TEST_CASE("shape: num_elements multiplies the dimensions")
{
    CHECK(num_elements(Shape{}) == 1);
    CHECK(num_elements(Shape{2, 3, 4}) == 24);
    CHECK(num_elements(Shape{0, 5}) == 0);
    CHECK(num_elements(Shape{kMaxElements}) == kMaxElements);
}

TEST_CASE("shape: a product that overflows raises ShapeError naming the op and the shape")
{
    // 2 * 3 * 3074457345618258603 is 2^64 + 2: it used to wrap around to 2.
    REQUIRE_THROWS_AS(num_elements(Shape{2, 3, 3074457345618258603ull}, "reshape"), ShapeError);
    REQUIRE_THROWS_WITH(num_elements(Shape{2, 3, 3074457345618258603ull}, "reshape"),
                        Contains("reshape") && Contains("(2, 3, 3074457345618258603)") && Contains("too many elements"));
    REQUIRE_THROWS_WITH(num_elements(Shape{k2_32, k2_32}, "zeros"), Contains("zeros") && Contains("(4294967296, 4294967296)"));
    // Past the limit without wrapping, and with a zero dimension (the strides would still overflow).
    REQUIRE_THROWS_AS(num_elements(Shape{kMaxElements + 1}), ShapeError);
    REQUIRE_THROWS_WITH(num_elements(Shape{0, k2_32, k2_32}, "npy"), Contains("npy") && Contains("(0, 4294967296, 4294967296)"));
}

TEST_CASE("shape: broadcast_shapes checks the size of its result")
{
    CHECK((broadcast_shapes(Shape{k2_32, 1}, Shape{1, 3}, "add") == Shape{k2_32, 3}));
    REQUIRE_THROWS_AS(broadcast_shapes(Shape{k2_32, 1}, Shape{1, k2_32}, "add"), ShapeError);
    REQUIRE_THROWS_WITH(broadcast_shapes(Shape{k2_32, 1}, Shape{1, k2_32}, "add"),
                        Contains("add") && Contains("(4294967296, 4294967296)"));
}

TEST_CASE("shape: random draws check their shape before allocating")
{
    // A Dense(2^62) kernel: (4, 2^62) has 2^64 elements, which used to wrap to an empty array.
    Generator gen(1);
    REQUIRE_THROWS_AS(gen.glorot_uniform<float>({4, k2_62}), ShapeError);
    REQUIRE_THROWS_WITH(gen.glorot_uniform<float>({4, k2_62}),
                        Contains("glorot_uniform") && Contains("(4, 4611686018427387904)"));
    REQUIRE_THROWS_WITH(gen.he_uniform<float>({4, k2_62}), Contains("he_uniform"));
    REQUIRE_THROWS_WITH(gen.uniform<float>({4, k2_62}), Contains("uniform"));
    REQUIRE_THROWS_WITH(gen.normal<double>({k2_62, 4}), Contains("normal"));
    REQUIRE_THROWS_WITH(gen.truncated_normal<float>({k2_62, 4}), Contains("truncated_normal"));
    CHECK(gen.offset() == 0);  // nothing was drawn
}
