// Bad input: every error names the op, the argument and the shapes or values.
#include "helpers.hpp"

#include <xgrad/autograd/detail/recording.hpp>

using namespace xgrad;
using Catch::Contains;

namespace {
Tensor t(const Shape& shape) { return ones<float>(shape); }
}  // namespace

TEST_CASE("errors: incompatible shapes in broadcasting ops")
{
    REQUIRE_THROWS_AS(add(t({2, 3}), t({4})), ShapeError);
    REQUIRE_THROWS_WITH(add(t({2, 3}), t({4})), Contains("add") && Contains("'a'") && Contains("(2, 3)") && Contains("(4)"));
    REQUIRE_THROWS_WITH(t({2, 3}) - t({3, 2}), Contains("sub") && Contains("(2, 3)") && Contains("(3, 2)"));
    REQUIRE_THROWS_WITH(t({5}) * t({4}), Contains("mul") && Contains("(5)") && Contains("(4)"));
    REQUIRE_THROWS_WITH(t({5}) / t({2, 4}), Contains("div") && Contains("(2, 4)"));
    REQUIRE_THROWS_WITH(pow(t({3}), t({2})), Contains("pow") && Contains("'x'") && Contains("'y'") && Contains("(3)"));
    REQUIRE_THROWS_WITH(maximum(t({3}), t({2})), Contains("maximum") && Contains("(3)") && Contains("(2)"));
    REQUIRE_THROWS_WITH(minimum(t({3}), t({2})), Contains("minimum"));
    REQUIRE_THROWS_WITH(where(t({3}), t({2}), t({2})), Contains("where") && Contains("'cond'") && Contains("(3)"));
    REQUIRE_THROWS_WITH(where(t({2}), t({2}), t({3})), Contains("where") && Contains("'b'") && Contains("(3)"));
    REQUIRE_THROWS_WITH(greater(t({3}), t({2})), Contains("greater") && Contains("(3)"));
}

TEST_CASE("errors: matmul shapes and ranks")
{
    REQUIRE_THROWS_AS(matmul(t({2, 5}), t({3, 4})), ShapeError);
    REQUIRE_THROWS_WITH(matmul(t({2, 5}), t({3, 4})), Contains("matmul") && Contains("(2, 5)") && Contains("(3, 4)"));
    REQUIRE_THROWS_WITH(matmul(t({2, 5}), t({5, 2}), true, false), Contains("matmul") && Contains("transposed: yes"));
    REQUIRE_THROWS_WITH(matmul(t({5}), t({5, 2})), Contains("matmul") && Contains("'a'") && Contains("(5)"));
    REQUIRE_THROWS_WITH(matmul(t({2, 5}), t({5})), Contains("matmul") && Contains("'b'") && Contains("2-D"));
    REQUIRE_THROWS_WITH(matmul(t({2, 5}), t({1, 5, 2})), Contains("matmul") && Contains("(1, 5, 2)"));
    REQUIRE_THROWS_WITH(matmul(t({2, 3, 5}), t({4, 2})), Contains("matmul") && Contains("(2, 3, 5)") && Contains("(4, 2)"));
    REQUIRE_THROWS_WITH(matmul(t({2, 3, 5}), t({5, 2}), true), Contains("transpose_a") && Contains("(2, 3, 5)"));
}

TEST_CASE("errors: invalid axes")
{
    REQUIRE_THROWS_WITH(reduce_sum(t({2, 3}), {2}), Contains("reduce_sum") && Contains("axis 2") && Contains("(2, 3)"));
    REQUIRE_THROWS_WITH(reduce_mean(t({2, 3}), {-3}), Contains("reduce_mean") && Contains("axis -3"));
    REQUIRE_THROWS_WITH(reduce_max(t({2, 3}), {0, 0}), Contains("reduce_max") && Contains("repeated axis"));
    REQUIRE_THROWS_WITH(softmax(t({2, 3}), 2), Contains("softmax") && Contains("axis 2") && Contains("(2, 3)"));
    REQUIRE_THROWS_WITH(log_softmax(t({3}), -2), Contains("log_softmax") && Contains("axis -2"));
    REQUIRE_THROWS_WITH(softmax(scalar(1.0f)), Contains("softmax") && Contains("()"));
    REQUIRE_THROWS_WITH(concat(std::vector<Tensor>{t({2}), t({2})}, 1), Contains("concat") && Contains("axis 1"));
    REQUIRE_THROWS_WITH(slice(t({2, 3}), 2, 0, 1), Contains("slice") && Contains("axis 2"));
    REQUIRE_THROWS_WITH(transpose(t({2, 3}), {0, 0}), Contains("transpose") && Contains("[0, 0]") && Contains("(2, 3)"));
    REQUIRE_THROWS_WITH(transpose(t({2, 3}), {1, 0, 2}), Contains("transpose") && Contains("[1, 0, 2]"));
}

TEST_CASE("errors: reshape, broadcast_to, sum_to")
{
    REQUIRE_THROWS_AS(reshape(t({2, 3}), {4, 2}), ShapeError);
    REQUIRE_THROWS_WITH(reshape(t({2, 3}), {4, 2}), Contains("reshape") && Contains("(2, 3)") && Contains("(4, 2)"));
    REQUIRE_THROWS_WITH(reshape(t({2, 3}), {4, -1}), Contains("reshape") && Contains("(4, -1)"));
    REQUIRE_THROWS_WITH(reshape(t({2, 3}), {-1, -1}), Contains("reshape") && Contains("-1"));
    REQUIRE_THROWS_WITH(reshape(t({2, 3}), {0, 6}), Contains("reshape") && Contains("(2, 3)") && Contains("(0, 6)"));
    REQUIRE_THROWS_WITH(reshape(zeros<float>({0, 3}), {-1, 0}), Contains("reshape") && Contains("cannot infer the -1"));
    REQUIRE_THROWS_WITH(reshape(t({2, 3}), {-2, -3}), Contains("reshape") && Contains("-2"));
    REQUIRE_THROWS_WITH(broadcast_to(t({3}), {2, 4}), Contains("broadcast_to") && Contains("(3)") && Contains("(2, 4)"));
    REQUIRE_THROWS_WITH(broadcast_to(t({2, 3}), {3}), Contains("broadcast_to") && Contains("(2, 3)") && Contains("(3)"));
    REQUIRE_THROWS_WITH(sum_to(t({2, 3}), {4}), Contains("sum_to") && Contains("(2, 3)") && Contains("(4)"));
    REQUIRE_THROWS_WITH(sum_to(t({3}), {2, 3}), Contains("sum_to") && Contains("(2, 3)"));
}

TEST_CASE("errors: shapes whose element count overflows")
{
    constexpr std::size_t k2_31 = std::size_t(1) << 31;
    // 2 * 3 * 3074457345618258603 wraps around to 2 in 64 bits: reshape used to accept it.
    REQUIRE_THROWS_AS(reshape(t({2}), {2, 3, 3074457345618258603}), ShapeError);
    REQUIRE_THROWS_WITH(reshape(t({2}), {2, 3, 3074457345618258603}),
                        Contains("reshape") && Contains("(2, 3, 3074457345618258603)") && Contains("too many elements"));
    REQUIRE_THROWS_WITH(reshape(t({2}), {-1, 3074457345618258603, 4}), Contains("reshape") && Contains("too many elements"));
    REQUIRE_THROWS_WITH(broadcast_to(scalar(1.0f), {3, 3074457345618258603, 2}),
                        Contains("broadcast_to") && Contains("(3, 3074457345618258603, 2)"));
    REQUIRE_THROWS_WITH(broadcast_to(scalar(1.0f), {k2_31, k2_31, 4}), Contains("broadcast_to") && Contains("too many"));
    REQUIRE_THROWS_AS(zeros<float>({k2_31, k2_31, 4}), ShapeError);
    REQUIRE_THROWS_WITH(zeros<float>({k2_31, k2_31, 4}), Contains("zeros") && Contains("(2147483648, 2147483648, 4)"));
    REQUIRE_THROWS_WITH(ones<double>({k2_31, k2_31, 4}), Contains("ones") && Contains("too many"));
    REQUIRE_THROWS_WITH(array<float>({k2_31, k2_31, 4}, {}), Contains("array") && Contains("too many"));
}

TEST_CASE("errors: concat, slice, gather")
{
    REQUIRE_THROWS_WITH(concat(std::vector<Tensor>{}), Contains("concat") && Contains("empty"));
    REQUIRE_THROWS_WITH(concat(std::vector<Tensor>{t({2, 3}), t({2, 4})}, 0),
                        Contains("concat") && Contains("'xs[1]'") && Contains("(2, 4)") && Contains("(2, 3)"));
    REQUIRE_THROWS_WITH(concat(std::vector<Tensor>{t({2, 3}), t({3})}, 0), Contains("concat") && Contains("(3)"));
    REQUIRE_THROWS_WITH(concat(std::vector<Tensor>{t({2}), Tensor{}}), Contains("concat") && Contains("'xs[1]'") && Contains("undefined"));
    REQUIRE_THROWS_WITH(slice(t({4, 2}), 0, 3, 5), Contains("slice") && Contains("[3, 5)") && Contains("(4, 2)"));
    REQUIRE_THROWS_WITH(slice(t({4, 2}), 0, 2, 2), Contains("slice") && Contains("empty"));
    REQUIRE_THROWS_AS(gather(t({3, 2}), {0, 5}), ShapeError);
    REQUIRE_THROWS_WITH(gather(t({3, 2}), {0, 5}), Contains("gather") && Contains("indices[1] = 5") && Contains("(3, 2)"));
    REQUIRE_THROWS_WITH(gather(t({3, 2}), {}), Contains("gather") && Contains("'indices'") && Contains("empty"));
    REQUIRE_THROWS_WITH(gather(scalar(1.0f), {0}), Contains("gather") && Contains("scalar"));
    // Negative indices: slice counts from the end as numpy does; gather names the negative index.
    REQUIRE_THROWS_WITH(gather(t({3, 2}), {static_cast<std::size_t>(-1)}),
                        Contains("gather") && Contains("indices[0] = -1 is negative"));
    REQUIRE_THROWS_WITH(slice(t({4, 2}), 0, -5, 2), Contains("slice") && Contains("[-5, 2)") && Contains("length 4"));
}

TEST_CASE("errors: empty and undefined tensors")
{
    // Ops without a value on an empty tensor (numpy raises too) name it; the others are in test_empty.cpp.
    const Tensor empty(xt::xarray<float>::from_shape({0, 3}));
    REQUIRE_THROWS_WITH(reduce_max(empty), Contains("reduce_max") && Contains("'x'") && Contains("empty") && Contains("(0, 3)"));
    REQUIRE_THROWS_WITH(softmax(empty), Contains("softmax") && Contains("'x'") && Contains("(0, 3)"));
    REQUIRE_THROWS_WITH(gather(empty, {0}), Contains("gather") && Contains("empty"));
    REQUIRE_THROWS_WITH(linear(empty, t({3, 2}), t({2})), Contains("linear") && Contains("'x'") && Contains("empty"));
    const Tensor undefined;
    REQUIRE_THROWS_WITH(exp(undefined), Contains("exp") && Contains("'x'") && Contains("undefined"));
    REQUIRE_THROWS_WITH(mul(t({1}), undefined), Contains("mul") && Contains("'b'") && Contains("undefined"));
    REQUIRE_THROWS_WITH(undefined.shape(), Contains("undefined"));
    REQUIRE_THROWS_WITH(t({2}).item(), Contains("item") && Contains("(2)") && Contains("2 elements"));
    REQUIRE_THROWS_WITH(array<float>({2, 2}, {1, 2, 3}), Contains("array") && Contains("(2, 2)") && Contains("got 3"));
    REQUIRE_THROWS_AS(clip(t({2}), 1.0f, -1.0f), ValueError);
    REQUIRE_THROWS_WITH(clip(t({2}), 1.0f, -1.0f), Contains("clip") && Contains("'lo' (1)") && Contains("'hi' (-1)"));
}

TEST_CASE("errors: variables")
{
    Variable w(xt::xarray<float>{1.0f, 2.0f}, "kernel");
    REQUIRE_THROWS_WITH(w.assign(xt::xarray<float>{1.0f}), Contains("assign") && Contains("'kernel'") && Contains("(2)") && Contains("(1)"));
    REQUIRE_THROWS_WITH(w.assign_sub(xt::xarray<float>{{1.0f, 2.0f}}), Contains("assign_sub") && Contains("(1, 2)"));
    REQUIRE_THROWS_WITH(w.assign_add(xt::xarray<float>{1.0f, 2.0f, 3.0f}), Contains("assign_add") && Contains("(3)"));
    w.assign(xt::xarray<float>{5.0f, 6.0f});
    CHECK(w(1) == 6.0f);
}

TEST_CASE("errors: misuse of the tape")
{
    Variable x(xt::xarray<float>{1.0f, 2.0f}, "x");
    GradientTape tape(true);
    const auto y = x * x;
    REQUIRE_THROWS_AS(tape.gradient(Tensor{}, x), TapeError);
    REQUIRE_THROWS_WITH(tape.gradient(Tensor{}, x), Contains("GradientTape.gradient") && Contains("'target'"));
    REQUIRE_THROWS_WITH(tape.gradient(y, {x, Tensor{}}), Contains("GradientTape.gradient") && Contains("'sources[1]'"));
    REQUIRE_THROWS_WITH(tape.gradient(y, {x}, t({3})),
                        Contains("'output_gradients'") && Contains("(3)") && Contains("'target' has shape (2)"));
    REQUIRE_THROWS_WITH(tape.jacobian(y, Tensor{}), Contains("GradientTape.jacobian") && Contains("'source'"));
    REQUIRE_THROWS_WITH(tape.watch(Tensor{}), Contains("GradientTape.watch") && Contains("undefined"));
    // A finished non-persistent tape.
    GradientTape once;
    const auto z = x * x;
    once.gradient(z, x);
    REQUIRE_THROWS_WITH(once.gradient(z, x), Contains("GradientTape.gradient") && Contains("only once"));
}

TEST_CASE("errors: a backward closure that returns too few gradients names its op")
{
    // An op of two inputs whose backward forgets the second gradient (it used to be read past the end).
    const auto two_input_op = [](const Tensor& a, const Tensor& b) {
        return detail::finish<float>("short_backward", {&a, &b}, xt::xarray<float>(a.value() * b.value()),
                                     Where::current(), [](const Tensor&) {
            return detail::BackwardFn<float>([](const Tensor& g) { return std::vector<Tensor>{g}; });
        });
    };
    Variable a(xt::xarray<float>{2.0f}, "a"), b(xt::xarray<float>{3.0f}, "b");
    GradientTape tape(true);
    const Tensor y = two_input_op(a, b);
    REQUIRE_THROWS_AS(tape.gradient(y, {a, b}), TapeError);
    REQUIRE_THROWS_WITH(tape.gradient(y, {a, b}),
                        Contains("backward of op 'short_backward'") && Contains("returned 1 gradient(s) for its 2 input(s)") &&
                        Contains("test_errors.cpp"));
}
