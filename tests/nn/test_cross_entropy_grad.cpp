// Higher-order gradients through the fused softmax cross-entropy ops: they must
// match the unfused log_softmax formulation.
#include <catch2/catch.hpp>
#include <functional>
#include <xgrad/autograd/gradient_check.hpp>
#include <xgrad/autograd/gradient_tape.hpp>
#include <xgrad/autograd/ops.hpp>
#include <xgrad/nn/ops/cross_entropy.hpp>

#include "../autograd/helpers.hpp"

using namespace xgrad;

namespace {
using Loss = std::function<Tensor64(const Tensor64& logits)>;

// d/d logits of sum(g^2), g = d sum(loss(logits)) / d logits, through nested tapes.
xt::xarray<double> grad_of_squared_grad(const Loss& loss, const xt::xarray<double>& x0)
{
    Tensor64 x(x0);
    GradientTape outer;
    outer.watch(x);
    Tensor64 g;
    {
        GradientTape inner;
        inner.watch(x);
        g = inner.gradient(reduce_sum(loss(x)), x);
    }
    return outer.gradient(reduce_sum(mul(g, g)), x).value();
}

Tensor64 unfused(const Tensor64& labels, const Tensor64& logits)
{
    return neg(reduce_sum(mul(labels, log_softmax(logits, -1)), {-1}));
}
}  // namespace

TEST_CASE("fused cross-entropy: second derivatives equal the unfused log_softmax form")
{
    const xt::xarray<double> x0 = {{1.0, 2.0, 0.5}, {-1.0, 0.0, 3.0}};
    const Tensor64 dense_labels(xt::xarray<double>{{0.2, 0.3, 0.5}, {0.0, 1.0, 0.0}});
    const Tensor64 sparse_labels(xt::xarray<double>{2, 1});
    const Tensor64 onehot(xt::xarray<double>{{0, 0, 1}, {0, 1, 0}});

    const auto expected_dense = grad_of_squared_grad([&](const Tensor64& z) { return unfused(dense_labels, z); }, x0);
    const auto expected_sparse = grad_of_squared_grad([&](const Tensor64& z) { return unfused(onehot, z); }, x0);
    // Not trivially zero: the old fused backward made these vanish.
    REQUIRE(xt::amax(xt::abs(expected_dense))() > 0.05);
    REQUIRE(xt::amax(xt::abs(expected_sparse))() > 0.05);

    const auto dense = grad_of_squared_grad(
        [&](const Tensor64& z) { return softmax_cross_entropy_with_logits(dense_labels, z); }, x0);
    const auto sparse = grad_of_squared_grad(
        [&](const Tensor64& z) { return sparse_softmax_cross_entropy_with_logits(sparse_labels, z); }, x0);
    for (std::size_t i = 0; i < x0.size(); ++i) {
        CHECK(dense.data()[i] == Approx(expected_dense.data()[i]).margin(1e-12));
        CHECK(sparse.data()[i] == Approx(expected_sparse.data()[i]).margin(1e-12));
    }
}

TEST_CASE("fused cross-entropy: the first-order gradient passes a float64 gradient check")
{
    const xt::xarray<double> x0 = {{0.3, -1.2, 2.0, 0.1}, {1.5, 0.4, -0.7, 0.0}};
    const Tensor64 dense_labels(xt::xarray<double>{{0.1, 0.2, 0.3, 0.4}, {0.5, 0.0, 0.5, 0.0}});
    const Tensor64 sparse_labels(xt::xarray<double>{3, 0});
    auto gradient_of = [](const std::function<Tensor64(const Tensor64&)>& loss) {
        return [loss](const std::vector<Tensor64>& in) {
            GradientTape tape;
            tape.watch(in[0]);
            return tape.gradient(reduce_sum(loss(in[0])), in[0]);
        };
    };
    auto dense = check_gradients(
        gradient_of([&](const Tensor64& z) { return softmax_cross_entropy_with_logits(dense_labels, z); }), {x0});
    CHECK(dense.ok);
    if (!dense.ok) WARN(dense.report);
    auto sparse = check_gradients(
        gradient_of([&](const Tensor64& z) { return sparse_softmax_cross_entropy_with_logits(sparse_labels, z); }), {x0});
    CHECK(sparse.ok);
    if (!sparse.ok) WARN(sparse.report);
}

TEST_CASE("fused cross-entropy: labels whose rows do not sum to 1, first and second order in float64")
{
    // Row sums 1.7, 0.45 and 0 (all-zero labels): d/dlogits = softmax * sum(labels) - labels.
    const xt::xarray<double> logits0 = {{0.3, -1.2, 2.0, 0.1}, {1.5, 0.4, -0.7, 0.0}, {0.2, 0.9, -0.4, 1.1}};
    const xt::xarray<double> labels0 = {{0.5, 0.2, 0.6, 0.4}, {0.05, 0.0, 0.3, 0.1}, {0.0, 0.0, 0.0, 0.0}};
    auto by_logits = [](const std::vector<Tensor64>& in) { return softmax_cross_entropy_with_logits(in[1], in[0]); };
    auto by_labels = [](const std::vector<Tensor64>& in) { return softmax_cross_entropy_with_logits(in[0], in[1]); };
    CHECK_GRADIENTS(by_logits, {logits0, labels0});
    CHECK_SECOND_ORDER(by_logits, {logits0, labels0});  // d/dlogits, differentiated by logits and labels
    CHECK_SECOND_ORDER(by_labels, {labels0, logits0});  // d/dlabels, differentiated by labels and logits

    // The gradient itself, against the formula for row 0 (sum 1.7).
    Tensor64 logits(logits0);
    GradientTape tape;
    tape.watch(logits);
    const auto g = tape.gradient(reduce_sum(softmax_cross_entropy_with_logits(Tensor64(labels0), logits)), logits);
    const xt::xarray<double> row = xt::view(logits0, 0, xt::all());
    const xt::xarray<double> p = xt::exp(row) / xt::sum(xt::exp(row))();
    for (std::size_t j = 0; j < 4; ++j) CHECK(g(0, j) == Approx(p(j) * 1.7 - labels0(0, j)).epsilon(1e-12));
    for (std::size_t j = 0; j < 4; ++j) CHECK(g(2, j) == 0.0);  // no labels, no gradient
}
