// Empty tensors flow through ops as in numpy and TensorFlow: elementwise ops
// give empty results, sums of nothing are 0, a (0, k) @ (k, n) product is (0, n).
#include "helpers.hpp"

#include <cmath>

using namespace xgrad;

namespace {
Tensor empty(const Shape& shape) { return Tensor(xt::xarray<float>::from_shape(shape)); }
}  // namespace

TEST_CASE("empty: elementwise ops keep the broadcast shape")
{
    CHECK((add(empty({0, 3}), ones<float>({3})).shape() == Shape{0, 3}));
    CHECK((mul(empty({0, 3}), scalar(2.0f)).shape() == Shape{0, 3}));
    CHECK((exp(empty({2, 0})).shape() == Shape{2, 0}));
    CHECK((relu(empty({0})).shape() == Shape{0}));
    CHECK((where(empty({0, 1}), ones<float>({3}), zeros<float>({3})).shape() == Shape{0, 3}));
    CHECK((reshape(empty({0, 3}), {3, 0, 2}).shape() == Shape{3, 0, 2}));
    CHECK((reshape(empty({0, 3}), {-1, 3}).shape() == Shape{0, 3}));
    CHECK((broadcast_to(ones<float>({1, 3}), {0, 3}).shape() == Shape{0, 3}));
}

TEST_CASE("empty: reduce_sum of nothing is 0, reduce_mean is NaN, as numpy")
{
    const Tensor x = empty({0, 3});
    const Tensor total = reduce_sum(x);
    CHECK(total.shape().empty());
    CHECK(total.item() == 0.0f);
    CHECK(reduce_sum(x, {0}).value() == xt::xarray<float>{0.0f, 0.0f, 0.0f});
    CHECK((reduce_sum(x, {1}).shape() == Shape{0}));
    CHECK((reduce_sum(x, {0}, true).shape() == Shape{1, 3}));
    CHECK(std::isnan(reduce_mean(x).item()));
    const auto column_means = reduce_mean(x, {0}).value();
    REQUIRE(column_means.size() == 3);
    CHECK(std::all_of(column_means.begin(), column_means.end(), [](float v) { return std::isnan(v); }));
    CHECK((reduce_mean(x, {1}).shape() == Shape{0}));
}

TEST_CASE("empty: matmul with a zero dimension")
{
    CHECK((matmul(empty({0, 3}), ones<float>({3, 4})).shape() == Shape{0, 4}));
    CHECK((matmul(ones<float>({2, 3}), empty({3, 0})).shape() == Shape{2, 0}));
    // (2, 0) @ (0, 4): sums of nothing.
    CHECK(matmul(empty({2, 0}), empty({0, 4})).value() == xt::zeros<float>({2, 4}));
    CHECK(matmul(empty({0, 2}), empty({4, 0}), true, true).value() == xt::zeros<float>({2, 4}));
    CHECK((matmul(empty({2, 0, 3}), ones<float>({3, 4})).shape() == Shape{2, 0, 4}));
    CHECK(matmul(empty({2, 3, 0}), empty({0, 4})).value() == xt::zeros<float>({2, 3, 4}));
}

TEST_CASE("empty: gradients through empty tensors have the inputs' shapes")
{
    Variable w(xt::xarray<float>{{1.0f, 2.0f}, {3.0f, 4.0f}, {5.0f, 6.0f}}, "w");
    Variable b(xt::xarray<float>{0.5f, -0.5f}, "b");
    Variable e(xt::xarray<float>::from_shape({0, 3}), "e");
    GradientTape tape;
    // A batch of no rows: the loss is a sum of nothing, every gradient is zero.
    const auto loss = reduce_sum(square(add(matmul(e, w), b)));
    CHECK(loss.item() == 0.0f);
    const auto g = tape.gradient(loss, {w, b, e});
    CHECK(g[0].value() == xt::zeros<float>({3, 2}));
    CHECK(g[1].value() == xt::zeros<float>({2}));
    CHECK((g[2].shape() == Shape{0, 3}));

    Variable a(xt::xarray<float>::from_shape({2, 0}), "a"), c(xt::xarray<float>::from_shape({0, 4}), "c");
    GradientTape tape2;
    const auto y = reduce_mean(matmul(a, c));  // zeros (2, 4): mean 0
    CHECK(y.item() == 0.0f);
    const auto g2 = tape2.gradient(y, {a, c});
    CHECK((g2[0].shape() == Shape{2, 0}));
    CHECK((g2[1].shape() == Shape{0, 4}));
}
