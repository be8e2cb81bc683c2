// Metrics with Keras 3's own test numbers (regression_metrics_test.py,
// accuracy_metrics_test.py, confusion_metrics_test.py), their state over several
// updates, and their additive state (what data parallelism sums over ranks).
#include <catch2/catch.hpp>
#include <cmath>
#include <xtensor/xadapt.hpp>
#include <xgrad/core/random.hpp>
#include <xgrad/nn/layers/dense.hpp>
#include <xgrad/nn/metrics.hpp>
#include <xgrad/nn/sequential.hpp>

using namespace xgrad;
using Catch::Contains;

namespace {
Tensor t(const Shape& shape, std::initializer_list<float> v) { return Tensor(xgrad::array<float>(shape, v)); }
Tensor from(const std::vector<float>& v, const Shape& shape) { return Tensor(xt::xarray<float>(xt::adapt(v, shape))); }

// Keras's y_true / y_pred of the regression tests.
Tensor reg_true()
{
    return t({4, 5}, {0, 1, 0, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 1});
}
Tensor reg_pred()
{
    return t({4, 5}, {0, 0, 1, 1, 0, 1, 1, 1, 1, 1, 0, 1, 0, 1, 0, 1, 1, 1, 1, 1});
}

// Sums a metric's state from two updates made on separate copies (two "ranks").
double two_rank_result(nn::Metric& a, nn::Metric& b)
{
    auto s = a.state();
    const auto sb = b.state();
    REQUIRE(s.size() == sb.size());
    for (std::size_t i = 0; i < s.size(); ++i) s[i] += sb[i];
    return a.result_from_state(s);
}
}  // namespace

TEST_CASE("metrics: MeanSquaredError, MeanAbsoluteError, RootMeanSquaredError (Keras's test numbers)")
{
    nn::metrics::MeanSquaredError mse;
    mse.update_state(reg_true(), reg_pred());
    CHECK(mse.result() == Approx(0.5).margin(1e-5));
    CHECK(mse.count() == 4.0);  // per sample: the mean over the last axis
    nn::metrics::MeanAbsoluteError mae;
    mae.update_state(reg_true(), reg_pred());
    CHECK(mae.result() == Approx(0.5).margin(1e-5));
    // error = [-1, -1, -4], square = [1, 1, 16], mean = 6
    nn::metrics::RootMeanSquaredError rmse;
    rmse.update_state(t({3}, {2, 4, 6}), t({3}, {1, 3, 2}));
    CHECK(rmse.result() == Approx(std::sqrt(6.0)).margin(1e-3));
    CHECK(rmse.total() / rmse.count() == Approx(rmse.result()));
    // Epoch state: a second batch [8] vs [3] (square 25): sqrt((18 + 25) / 4), not the mean of the roots.
    rmse.update_state(t({1}, {8}), t({1}, {3}));
    CHECK(rmse.result() == Approx(std::sqrt(43.0 / 4.0)));
    rmse.reset_state();
    CHECK(rmse.result() == 0.0);
    // Keras's rank matching: y_true (n,) against y_pred (n, 1).
    nn::metrics::MeanSquaredError column;
    column.update_state(t({3}, {2, 4, 6}), t({3, 1}, {1, 3, 2}));
    CHECK(column.result() == Approx(6.0));
    CHECK(column.count() == 3.0);
    CHECK_THROWS_WITH(column.update_state(t({2, 2}, {0, 0, 0, 0}), t({2, 3}, {0, 0, 0, 0, 0, 0})),
                      Contains("mean_squared_error") && Contains("(2, 3)"));
}

TEST_CASE("metrics: the state accumulates over updates and sums exactly over ranks")
{
    nn::metrics::MeanSquaredError whole, first, second;
    whole.update_state(reg_true(), reg_pred());
    whole.update_state(t({2, 5}, {0, 0, 0, 0, 0, 1, 1, 1, 1, 1}), t({2, 5}, {1, 0, 0, 0, 0, 1, 1, 1, 1, 1}));
    // 4 samples of mean 0.5 and 2 of means 0.2 and 0.
    CHECK(whole.result() == Approx((4 * 0.5 + 0.2) / 6));
    first.update_state(reg_true(), reg_pred());
    second.update_state(t({2, 5}, {0, 0, 0, 0, 0, 1, 1, 1, 1, 1}), t({2, 5}, {1, 0, 0, 0, 0, 1, 1, 1, 1, 1}));
    CHECK(two_rank_result(first, second) == Approx(whole.result()));

    nn::metrics::RootMeanSquaredError r1, r2, r12;
    r1.update_state(t({3}, {2, 4, 6}), t({3}, {1, 3, 2}));
    r2.update_state(t({1}, {8}), t({1}, {3}));
    r12.update_state(t({4}, {2, 4, 6, 8}), t({4}, {1, 3, 2, 3}));
    CHECK(two_rank_result(r1, r2) == Approx(r12.result()));

    nn::AUC a1(200), a2(200), a12(200);
    a1.update_state(t({4}, {0, 0, 1, 1}), t({4}, {0, 0.5f, 0.3f, 0.9f}));
    a2.update_state(t({3}, {1, 0, 1}), t({3}, {0.2f, 0.7f, 0.6f}));
    a12.update_state(t({7}, {0, 0, 1, 1, 1, 0, 1}), t({7}, {0, 0.5f, 0.3f, 0.9f, 0.2f, 0.7f, 0.6f}));
    CHECK(two_rank_result(a1, a2) == Approx(a12.result()));
    a1.update_state(t({3}, {1, 0, 1}), t({3}, {0.2f, 0.7f, 0.6f}));
    CHECK(a1.result() == Approx(a12.result()));
    // Positives {0.3, 0.9, 0.2, 0.6}, negatives {0, 0.5, 0.7}: 7 of 12 pairs ordered.
    CHECK(a12.result() == Approx(7.0 / 12.0).margin(1e-6));
}

TEST_CASE("metrics: TopKCategoricalAccuracy and SparseTopKCategoricalAccuracy (Keras's test numbers, in_top_k ties)")
{
    const Tensor y_pred = t({2, 3}, {0.1f, 0.9f, 0.8f, 0.05f, 0.95f, 0});
    nn::TopKCategoricalAccuracy top1(1);
    top1.update_state(t({2, 3}, {0, 0, 1, 0, 1, 0}), y_pred);
    CHECK(top1.result() == Approx(0.5).margin(1e-3));
    nn::SparseTopKCategoricalAccuracy sparse1(1);
    sparse1.update_state(t({2}, {2, 1}), y_pred);
    CHECK(sparse1.result() == Approx(0.5).margin(1e-3));
    CHECK(sparse1.name() == "sparse_top_k_categorical_accuracy");
    // k = 2: class 2 (0.8) is second in row 0.
    nn::SparseTopKCategoricalAccuracy sparse2(2);
    sparse2.update_state(t({2, 1}, {2, 1}), y_pred);
    CHECK(sparse2.result() == 1.0);
    // The default k = 5 covers 3 classes.
    nn::TopKCategoricalAccuracy top5;
    CHECK(top5.k() == 5);
    top5.update_state(t({2, 3}, {1, 0, 0, 0, 0, 1}), y_pred);
    CHECK(top5.result() == 1.0);
    // Ties straddling the boundary are in the top k (rank = 1 + strictly larger scores).
    nn::SparseTopKCategoricalAccuracy tie(1);
    tie.update_state(t({2}, {1, 0}), t({2, 3}, {0.4f, 0.4f, 0.2f, 0.4f, 0.4f, 0.2f}));
    CHECK(tie.result() == 1.0);
    // A NaN score at the label is never in the top k.
    nn::SparseTopKCategoricalAccuracy nan(3);
    nan.update_state(t({1}, {0}), t({1, 3}, {NAN, 0.1f, 0.2f}));
    CHECK(nan.result() == 0.0);
    CHECK_THROWS_WITH(nn::TopKCategoricalAccuracy(0), Contains("TopKCategoricalAccuracy") && Contains("'k'"));
    CHECK_THROWS_WITH(sparse1.update_state(t({2}, {3, 1}), y_pred),
                      Contains("sparse_top_k_categorical_accuracy") && Contains("label 3"));
}

TEST_CASE("metrics: Precision and Recall (Keras's test numbers)")
{
    nn::Precision p;
    p.update_state(t({4}, {0, 1, 1, 0}), t({4}, {1, 0, 1, 0}));
    CHECK(p.result() == Approx(0.5));
    nn::Recall r;
    r.update_state(t({4}, {0, 1, 1, 0}), t({4}, {1, 0, 1, 0}));
    CHECK(r.result() == Approx(0.5));
    // Division by zero: 0.
    nn::Precision p0;
    nn::Recall r0;
    p0.update_state(t({4}, {0, 0, 0, 0}), t({4}, {0, 0, 0, 0}));
    r0.update_state(t({4}, {0, 0, 0, 0}), t({4}, {0, 0, 0, 0}));
    CHECK(p0.result() == 0.0);
    CHECK(r0.result() == 0.0);
    // All incorrect: y_true = 1 - y_pred, shape (100, 1).
    std::vector<float> in(100), inv(100);
    for (std::size_t i = 0; i < 100; ++i) {
        in[i] = static_cast<float>(i % 3 == 0);
        inv[i] = 1.0f - in[i];
    }
    const Tensor pred = from(in, {100, 1}), truth = from(inv, {100, 1});
    nn::Precision pi;
    nn::Recall ri;
    pi.update_state(truth, pred);
    ri.update_state(truth, pred);
    CHECK(pi.result() == 0.0);
    CHECK(ri.result() == 0.0);
    // Thresholds [0.5, 0.7] on y_pred [1, 0, 0.6, 0]: [0.5, 0.0] (one metric per threshold here).
    const Tensor yt = t({4}, {0, 1, 1, 0}), yp = t({4}, {1, 0, 0.6f, 0});
    nn::Precision p5(0.5f), p7(0.7f);
    nn::Recall r5(0.5f), r7(0.7f);
    for (nn::Metric* m : std::initializer_list<nn::Metric*>{&p5, &p7, &r5, &r7}) m->update_state(yt, yp);
    CHECK(p5.result() == Approx(0.5));
    CHECK(p7.result() == 0.0);
    CHECK(r5.result() == Approx(0.5));
    CHECK(r7.result() == 0.0);
    // Multiple updates accumulate: [[0, 1], [1, 0]] vs [[1, 0], [0.6, 0]] twice at 0.5.
    nn::Precision pm;
    nn::Recall rm;
    for (int i = 0; i < 2; ++i) {
        pm.update_state(t({2, 2}, {0, 1, 1, 0}), t({2, 2}, {1, 0, 0.6f, 0}));
        rm.update_state(t({2, 2}, {0, 1, 1, 0}), t({2, 2}, {1, 0, 0.6f, 0}));
    }
    CHECK(pm.true_positives() == 2.0);
    CHECK(pm.false_positives() == 2.0);
    CHECK(rm.false_negatives() == 2.0);
    CHECK(pm.result() == Approx(0.5));
    CHECK(rm.result() == Approx(0.5));
    CHECK_THROWS_WITH(nn::Precision(1.5f), Contains("Precision") && Contains("'threshold'"));
    CHECK_THROWS_WITH(p.update_state(t({4}, {0, 1, 1, 0}), t({3}, {1, 0, 1})), Contains("precision"));
}

TEST_CASE("metrics: Precision and Recall with top_k and class_id (Keras's test numbers, and the edge cases)")
{
    using Opts = nn::PrecisionRecallOptions;
    const Tensor scores = t({5}, {0.2f, 0.1f, 0.5f, 0, 0.2f});
    // test_unweighted_top_k: the top 3 are 0.5 (index 2) and both 0.2s (indices 0 and 4).
    nn::Precision p_top3(Opts{.top_k = 3});
    CHECK(p_top3.name() == "precision");
    p_top3.update_state(t({5}, {0, 1, 1, 0, 0}), scores);
    CHECK(p_top3.result() == Approx(1.0 / 3));
    nn::Recall r_top3(Opts{.top_k = 3});
    r_top3.update_state(t({5}, {0, 1, 1, 0, 0}), scores);
    CHECK(r_top3.result() == Approx(0.5));
    // test_unweighted_top_k_and_threshold: of the top 2 (0.8, 0.6) only 0.8 is above 0.7.
    const Tensor scores2 = t({5}, {0.2f, 0.8f, 0.6f, 0, 0.2f});
    nn::Precision p_top2(Opts{.threshold = 0.7f, .top_k = 2});
    p_top2.update_state(t({5}, {0, 1, 1, 0, 1}), scores2);
    CHECK(p_top2.result() == 1.0);
    CHECK(p_top2.true_positives() == 1.0);
    CHECK(p_top2.false_positives() == 0.0);
    nn::Recall r_top2(Opts{.threshold = 0.7f, .top_k = 2});
    r_top2.update_state(t({5}, {1, 1, 1, 0, 1}), scores2);
    CHECK(r_top2.result() == Approx(0.25));
    CHECK(r_top2.true_positives() == 1.0);
    CHECK(r_top2.false_negatives() == 3.0);
    // test_unweighted_class_id_multiclass: column 1 only.
    const Tensor y_pred = t({5, 3}, {0.1f, 0.2f, 0.7f, 0.5f, 0.3f, 0.2f, 0.2f, 0.6f, 0.2f, 0.7f, 0.2f, 0.1f, 0.1f, 0.1f, 0.8f});
    const Tensor y_true = t({5, 3}, {0, 0, 1, 1, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 1});
    nn::Precision p_class(Opts{.class_id = 1});
    p_class.update_state(y_true, y_pred);
    CHECK(p_class.result() == 1.0);
    CHECK(p_class.true_positives() == 1.0);
    CHECK(p_class.false_positives() == 0.0);
    nn::Recall r_class(Opts{.class_id = 1, .name = "recall_1"});
    CHECK(r_class.name() == "recall_1");
    r_class.update_state(y_true, y_pred);
    CHECK(r_class.result() == 1.0);
    CHECK(r_class.false_negatives() == 0.0);
    // top_k then class_id, per row: column 0 is in row 1's and row 3's top 1, and labelled there.
    nn::Precision p_both(Opts{.top_k = 1, .class_id = 0});
    p_both.update_state(y_true, y_pred);
    CHECK(p_both.true_positives() == 2.0);
    CHECK(p_both.false_positives() == 0.0);
    // Per-row top k over a 2-D batch: row 0's top 2 are columns 2 and 1, row 1's columns 0 and 1.
    nn::Precision p_rows(Opts{.top_k = 2});
    p_rows.update_state(t({2, 3}, {0, 1, 1, 1, 0, 0}), t({2, 3}, {0.1f, 0.5f, 0.9f, 0.7f, 0.6f, 0.2f}));
    CHECK(p_rows.true_positives() == 3.0);
    CHECK(p_rows.false_positives() == 1.0);
    // A tie at the k-th place goes to the lower index; a NaN ranks above every number.
    nn::Precision p_tie(Opts{.top_k = 1});
    p_tie.update_state(t({1, 3}, {0, 1, 0}), t({1, 3}, {0.4f, 0.4f, 0.1f}));
    CHECK(p_tie.false_positives() == 1.0);  // index 0 kept, index 1 (the label) dropped
    nn::Recall r_nan(Opts{.top_k = 1});
    r_nan.update_state(t({2, 3}, {0, 1, 0, 0, 1, 0}), t({2, 3}, {NAN, 0.9f, 0.1f, 0.9f, NAN, 0.1f}));
    CHECK(r_nan.true_positives() == 0.0);  // row 0 keeps the NaN at index 0, row 1 the NaN at index 1 ...
    CHECK(r_nan.false_negatives() == 2.0);  // ... and NaN > NEG_INF is false: no positive prediction
    // top_k and class_id work on the last axis after Keras's rank matching: y_pred (2,) against
    // y_true (2, 1) is read as (2, 1), one value per row.
    nn::Recall r_matched(Opts{.top_k = 1});
    r_matched.update_state(t({2, 1}, {1, 1}), t({2}, {0.9f, 0.8f}));
    CHECK(r_matched.result() == 1.0);
    nn::Precision p_matched(Opts{.class_id = 0});
    p_matched.update_state(t({2, 1}, {1, 1}), t({2}, {0.9f, 0.8f}));
    CHECK(p_matched.result() == 1.0);
    // ... and y_pred (1, 3, 1) against y_true (1, 3) as (1, 3).
    nn::Precision p_squeezed(Opts{.top_k = 1, .class_id = 1});
    p_squeezed.update_state(t({1, 3}, {0, 1, 0}), t({1, 3, 1}, {0.2f, 0.9f, 0.5f}));
    CHECK(p_squeezed.true_positives() == 1.0);
    CHECK(p_squeezed.false_positives() == 0.0);
    // Errors: test_unweighted_class_id_should_throw_error_1d, and the arguments.
    CHECK_THROWS_WITH(nn::Precision(Opts{.top_k = 1}).update_state(Tensor(xt::xarray<float>::from_shape({2, 0})),
                                                                 Tensor(xt::xarray<float>::from_shape({2, 0}))),
                      Contains("'top_k' is 1") && Contains("only 0 values"));
    nn::Precision p_1d(Opts{.class_id = 2});
    CHECK_THROWS_WITH(p_1d.update_state(t({5}, {0, 1, 1, 0, 0}), scores),
                      Contains("precision") && Contains("class_id 2") && Contains("(num_samples, num_classes)") &&
                          Contains("(5)"));
    CHECK_THROWS_WITH(nn::Recall(Opts{.class_id = 3}).update_state(y_true, y_pred), Contains("class_id 3") && Contains("(5, 3)"));
    CHECK_THROWS_WITH(nn::Precision(Opts{.top_k = 4}).update_state(y_true, y_pred),
                      Contains("'top_k' is 4") && Contains("only 3 values"));
    CHECK_THROWS_WITH(nn::Precision(Opts{.top_k = 0}), Contains("Precision") && Contains("'top_k'") && Contains(">= 1"));
    CHECK_THROWS_WITH(nn::Recall(Opts{.class_id = -1}), Contains("Recall") && Contains("'class_id'"));
    CHECK_THROWS_WITH(nn::Recall(Opts{.threshold = -0.5f}), Contains("Recall") && Contains("'threshold'"));
}

TEST_CASE("metrics: AUC (ROC, interpolation) with Keras's test numbers")
{
    const Tensor y_true = t({4}, {0, 0, 1, 1}), y_pred = t({4}, {0, 0.5f, 0.3f, 0.9f});
    // All correct: 1.
    nn::AUC all;
    all.update_state(y_true, y_true);
    CHECK(all.result() == 1.0);
    // num_thresholds = 3: thresholds [0 - 1e-7, 0.5, 1 + 1e-7];
    // tp = [2, 1, 0], fp = [2, 0, 0], fn = [0, 1, 2], tn = [0, 2, 2]; area 0.75 * 1 + 0.25 * 0.
    nn::AUC three(3);
    REQUIRE(three.thresholds().size() == 3);
    CHECK(three.thresholds()[0] == Approx(-1e-7).margin(1e-12));
    CHECK(three.thresholds()[1] == 0.5);
    CHECK(three.thresholds()[2] == Approx(1 + 1e-7));
    three.update_state(y_true, y_pred);
    CHECK(three.true_positives() == std::vector<double>{2, 1, 0});
    CHECK(three.false_positives() == std::vector<double>{2, 0, 0});
    CHECK(three.false_negatives() == std::vector<double>{0, 1, 2});
    CHECK(three.true_negatives() == std::vector<double>{0, 2, 2});
    CHECK(three.result() == Approx(0.75).margin(1e-3));
    // from_logits: the logits of the same probabilities.
    std::vector<float> logits;
    for (float p : y_pred.value()) logits.push_back(static_cast<float>(-std::log(1.0 / (p + 1e-12) - 1.0)));
    nn::AUC from_logits(3, true);
    from_logits.update_state(y_true, from(logits, {4}));
    CHECK(from_logits.result() == Approx(0.75).margin(1e-3));
    // Keras's default 200 thresholds: the exact pairwise ROC area, 3 of 4 pairs.
    nn::AUC fine;
    CHECK(fine.num_thresholds() == 200);
    CHECK(fine.name() == "auc");
    fine.update_state(y_true, y_pred);
    CHECK(fine.result() == Approx(0.75).margin(1e-6));
    // Extra dimensions (Keras's test_extra_dims): 0.5.
    std::vector<float> scores;
    for (float v : {-10.0f, 10.0f, -10.0f, 10.0f, -10.0f, 10.0f, -12.0f, 12.0f, -12.0f, 12.0f, -12.0f, 12.0f})
        scores.push_back(1.0f / (1.0f + std::exp(v)));  // expit(-v)
    nn::AUC extra;
    extra.update_state(t({2, 2, 3}, {1, 0, 0, 1, 0, 0, 0, 1, 1, 0, 1, 1}), from(scores, {2, 2, 3}));
    CHECK(extra.result() == Approx(0.5).margin(1e-12));
    // Out-of-range predictions are clipped to [0, 1].
    nn::AUC clipped(3);
    clipped.update_state(y_true, t({4}, {-3, 0.5f, 0.3f, 7}));
    CHECK(clipped.result() == Approx(0.75).margin(1e-3));
    clipped.reset_state();
    CHECK(clipped.true_positives() == std::vector<double>{0, 0, 0});
    CHECK(clipped.result() == 0.0);
    CHECK_THROWS_WITH(nn::AUC(1), Contains("AUC") && Contains("'num_thresholds'") && Contains("> 1"));
    CHECK_THROWS_WITH(nn::AUC(-1), Contains("'num_thresholds'"));
    CHECK_THROWS_WITH(fine.update_state(y_true, t({4}, {0, NAN, 0, 0})), Contains("auc") && Contains("NaN"));
}

TEST_CASE("metrics: AUC's curves (ROC, PR, PRGAIN) and summation methods with Keras's test numbers")
{
    // Keras's AUCTest data, y_true [0, 0, 1, 1], y_pred [0, 0.5, 0.3, 0.9], num_thresholds 3, with
    // its sample_weight [1, 2, 3, 4] written as repeated samples (the same confusion counts):
    // tp = [7, 4, 0], fp = [3, 0, 0], fn = [0, 3, 7], tn = [0, 3, 3].
    const Tensor y_true = t({10}, {0, 0, 0, 1, 1, 1, 1, 1, 1, 1});
    const Tensor y_pred = t({10}, {0, 0.5f, 0.5f, 0.3f, 0.3f, 0.3f, 0.9f, 0.9f, 0.9f, 0.9f});
    auto auc = [&](const char* curve, const char* summation) {
        nn::AUC a(nn::AUCOptions{.num_thresholds = 3, .curve = curve, .summation_method = summation});
        a.update_state(y_true, y_pred);
        REQUIRE(a.true_positives() == std::vector<double>{7, 4, 0});
        REQUIRE(a.false_positives() == std::vector<double>{3, 0, 0});
        REQUIRE(a.false_negatives() == std::vector<double>{0, 3, 7});
        REQUIRE(a.true_negatives() == std::vector<double>{0, 3, 3});
        return a.result();
    };
    // test_weighted_roc_*: recall [1, 4/7, 0], fp rate [1, 0, 0].
    CHECK(auc("ROC", "interpolation") == Approx((1 + 4.0 / 7) / 2));  // Keras: 0.7855
    CHECK(auc("ROC", "majoring") == Approx(1.0));
    CHECK(auc("ROC", "minoring") == Approx(4.0 / 7));  // 0.571
    // test_weighted_pr_*: precision [0.7, 1, 0], recall [1, 4/7, 0].
    CHECK(auc("PR", "majoring") == Approx(1.0));                  // 1 * 0.429 + 1 * 0.571
    CHECK(auc("PR", "minoring") == Approx(0.7 * 3.0 / 7));        // 0.7 * 0.429
    CHECK(auc("PR", "interpolation") == Approx((0.5 * (3 + 2 * std::log(2.5)) + 4) / 7));  // 2.416 / 7 + 4 / 7
    // test_weighted_prgain_*: recall gain [1, 0, 0], precision gain [0, 1, 1].
    CHECK(auc("PRGAIN", "majoring") == Approx(1.0));
    CHECK(auc("PRGAIN", "minoring") == Approx(0.0).margin(1e-12));
    CHECK(auc("PRGAIN", "interpolation") == Approx(0.5));
    // Keras's lower-case / capitalised spellings.
    CHECK(auc("pr", "Majoring") == Approx(1.0));
    CHECK(nn::AUC(nn::AUCOptions{.curve = "prgain"}).curve() == "PRGAIN");
    CHECK(nn::AUC(nn::AUCOptions{.summation_method = "Minoring"}).summation_method() == "minoring");

    // test_prgain_interpolation (unweighted): tp = [5, 3, 0], fp = [5, 1, 0], fn = [0, 2, 5], tn = [0, 4, 4];
    // 2/3 * 1/3 + 1/3 * 5/6 = 0.5.
    nn::AUC gain(nn::AUCOptions{.num_thresholds = 3, .curve = "PRGAIN"});
    gain.update_state(t({10}, {0, 0, 0, 1, 0, 1, 0, 1, 1, 1}),
                      t({10}, {0.1f, 0.2f, 0.3f, 0.3f, 0.4f, 0.4f, 0.6f, 0.6f, 0.8f, 0.9f}));
    CHECK(gain.true_positives() == std::vector<double>{5, 3, 0});
    CHECK(gain.false_positives() == std::vector<double>{5, 1, 0});
    CHECK(gain.result() == Approx(0.666666 * 0.333333 + 0.333333 * 0.833333).epsilon(1e-5));

    // The PR area from the summed state is the area of all the data (data parallelism).
    nn::AUC a(nn::AUCOptions{.num_thresholds = 3, .curve = "PR"}), b(nn::AUCOptions{.num_thresholds = 3, .curve = "PR"});
    a.update_state(t({4}, {0, 0, 0, 1}), t({4}, {0, 0.5f, 0.5f, 0.3f}));
    b.update_state(t({6}, {1, 1, 1, 1, 1, 1}), t({6}, {0.3f, 0.3f, 0.9f, 0.9f, 0.9f, 0.9f}));
    CHECK(two_rank_result(a, b) == Approx((0.5 * (3 + 2 * std::log(2.5)) + 4) / 7));

    CHECK_THROWS_WITH(nn::AUC(nn::AUCOptions{.curve = "AP"}),
                      Contains("AUC") && Contains("'curve'") && Contains("\"AP\"") && Contains("PRGAIN"));
    CHECK_THROWS_WITH(nn::AUC(nn::AUCOptions{.summation_method = "trapezoid"}),
                      Contains("AUC") && Contains("'summation_method'") && Contains("\"trapezoid\""));
}

TEST_CASE("metrics: make_metric resolves Keras's names, keeps the given name, and names the unknown one")
{
    const std::vector<std::pair<std::string, std::string>> names{
        {"mse", "mse"}, {"mean_squared_error", "mean_squared_error"}, {"mae", "mae"},
        {"mean_absolute_error", "mean_absolute_error"}, {"root_mean_squared_error", "root_mean_squared_error"},
        {"binary_accuracy", "binary_accuracy"}, {"top_k_categorical_accuracy", "top_k_categorical_accuracy"},
        {"sparse_top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy"}, {"precision", "precision"},
        {"recall", "recall"}, {"auc", "auc"}};
    for (const auto& [given, name] : names) CHECK(nn::make_metric(given)->name() == name);
    CHECK(dynamic_cast<nn::metrics::MeanSquaredError*>(nn::make_metric("mse").get()));
    CHECK(dynamic_cast<nn::metrics::MeanAbsoluteError*>(nn::make_metric("mae").get()));
    CHECK(dynamic_cast<nn::metrics::RootMeanSquaredError*>(nn::make_metric("root_mean_squared_error").get()));
    CHECK(dynamic_cast<nn::AUC*>(nn::make_metric("auc").get()));
    CHECK(dynamic_cast<nn::SparseTopKCategoricalAccuracy*>(nn::make_metric("sparse_top_k_categorical_accuracy").get())
              ->k() == 5);
    CHECK_THROWS_WITH(nn::make_metric("f1"), Contains("'f1'") && Contains("auc"));
}

TEST_CASE("metrics: compiled by name, evaluate reports each over the whole data set")
{
    set_seed(4);
    nn::Sequential model({nn::Input({2}), nn::Dense(1, "sigmoid")});
    model.compile("sgd", "binary_crossentropy", {"precision", "recall", "auc", "mse", "root_mean_squared_error"});
    const Tensor x = t({6, 2}, {1, 0, 0, 1, 1, 1, -1, 0, 0, -1, -1, -1});
    const Tensor y = t({6}, {1, 0, 1, 0, 1, 0});
    const auto logs = model.evaluate(x, y, {.batch_size = 4, .verbose = 0});
    const Tensor p = model.predict(x);
    nn::Precision prec;
    nn::Recall rec;
    nn::AUC auc;
    nn::metrics::MeanSquaredError mse;
    nn::metrics::RootMeanSquaredError rmse;
    for (nn::Metric* m : std::initializer_list<nn::Metric*>{&prec, &rec, &auc, &mse, &rmse}) m->update_state(y, p);
    CHECK(logs.at("precision") == Approx(prec.result()));
    CHECK(logs.at("recall") == Approx(rec.result()));
    CHECK(logs.at("auc") == Approx(auc.result()));
    CHECK(logs.at("mse") == Approx(mse.result()));
    CHECK(logs.at("root_mean_squared_error") == Approx(rmse.result()));
}
