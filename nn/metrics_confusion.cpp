// Confusion-matrix metrics, as Keras 3's confusion_metrics.py and metrics_utils.py:
// Precision and Recall at one threshold, AUC (ROC, PR, PRGAIN; interpolation, minoring, majoring)
// over evenly spaced thresholds.
#include <xgrad/nn/metrics.hpp>

#include <algorithm>
#include <cmath>

#include <xgrad/nn/losses.hpp>

namespace xgrad::nn {
namespace {
// The predictions and labels as flat arrays of equal length, after Keras's rank matching;
// returns the matched shape (whose last axis top_k and class_id work on, as Keras's).
Shape check_pair(const std::string& metric, const Tensor& y_true, const Tensor& y_pred)
{
    if (!y_true.defined() || !y_pred.defined()) throw ValueError(metric + ": y_true or y_pred is an undefined tensor");
    const auto [t_shape, p_shape] = keras_matched_shapes(y_true.shape(), y_pred.shape());
    if (t_shape != p_shape) {
        throw ShapeError(detail::cat(metric, ": y_true has shape ", to_string(y_true.shape()), ", y_pred has shape ",
                                     to_string(y_pred.shape()), "; they must be equal (after Keras's rank matching)"));
    }
    return p_shape;
}

double divide_no_nan(double a, double b) { return b != 0.0 ? a / b : 0.0; }

// Keras's epsilon (backend.epsilon()), the margin of the end thresholds.
constexpr double kEpsilon = 1e-7;

// Keras's NEG_INF (metrics_utils.NEG_INF): what top_k leaves outside the k largest.
constexpr float kNegInf = -1e10f;

// Davis & Goadrich's interpolated area under the precision-recall curve (Keras's interpolate_pr_auc).
double interpolated_pr_area(const double* tp, const double* fp, const double* fn, std::size_t n)
{
    double area = 0.0;
    for (std::size_t i = 0; i + 1 < n; ++i) {
        const double p0 = tp[i] + fp[i], p1 = tp[i + 1] + fp[i + 1];
        const double dtp = tp[i] - tp[i + 1];
        const double slope = divide_no_nan(dtp, std::max(p0 - p1, 0.0));
        const double intercept = tp[i + 1] - slope * p1;
        const double ratio = p0 > 0 && p1 > 0 ? divide_no_nan(p0, std::max(p1, 0.0)) : 1.0;
        area += divide_no_nan(slope * (dtp + intercept * std::log(ratio)), std::max(tp[i + 1] + fn[i + 1], 0.0));
    }
    return area;
}
}  // namespace

ConfusionCounter::ConfusionCounter(const char* metric, const PrecisionRecallOptions& o)
    : threshold_(o.threshold ? *o.threshold : (o.top_k ? kNegInf : 0.5f)), top_k_(o.top_k), class_id_(o.class_id)
{
    if (o.threshold && !(*o.threshold >= 0.0f && *o.threshold <= 1.0f)) {
        throw ValueError(detail::cat(metric, ": argument 'threshold' must be in [0, 1], got ", *o.threshold));
    }
    if (o.top_k && *o.top_k < 1) throw ValueError(detail::cat(metric, ": argument 'top_k' must be >= 1, got ", *o.top_k));
    if (o.class_id && *o.class_id < 0) {
        throw ValueError(detail::cat(metric, ": argument 'class_id' must be >= 0, got ", *o.class_id));
    }
}

std::vector<float> ConfusionCounter::top_k_filtered(const std::string& name, const Tensor& y_pred,
                                                    std::size_t width) const
{
    const auto k = static_cast<std::size_t>(*top_k_);
    if (k > width) {
        throw ValueError(detail::cat(name, ": argument 'top_k' is ", k, " but y_pred has only ", width,
                                     " values on its last axis (shape ", to_string(y_pred.shape()), ")"));
    }
    const float* p = y_pred.value().data();
    std::vector<float> out(p, p + y_pred.size());
    // NaN ranks above every number (as the stable top_k of Keras's backends); ties keep index order.
    const auto before = [](float a, float b) { return std::isnan(a) ? !std::isnan(b) : a > b; };
    std::vector<std::size_t> order(width);
    for (std::size_t row = 0; row < out.size() / width; ++row) {
        float* r = out.data() + row * width;
        for (std::size_t i = 0; i < width; ++i) order[i] = i;
        // The k largest stay; the rest become NEG_INF.
        std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return before(r[a], r[b]); });
        for (std::size_t j = k; j < width; ++j) r[order[j]] = kNegInf;
    }
    return out;
}

template <class F>
void ConfusionCounter::for_each(const std::string& name, const Tensor& y_true, const Tensor& y_pred, F&& count) const
{
    const Shape shape = check_pair(name, y_true, y_pred);
    const std::size_t width = shape.empty() ? 1 : shape.back();
    if (class_id_ && (shape.size() < 2 || static_cast<std::size_t>(*class_id_) >= width)) {
        throw ValueError(detail::cat(name, ": with class_id ", *class_id_,
                                     ", y_pred must be a 2D array of shape (num_samples, num_classes) with more than ",
                                     *class_id_, " classes, got shape ", to_string(y_pred.shape())));
    }
    std::vector<float> kept;  // y_pred after top_k (a copy only then)
    if (top_k_) kept = top_k_filtered(name, y_pred, width);
    const float* pred = top_k_ ? kept.data() : y_pred.value().data();
    const float* label = y_true.value().data();
    for (std::size_t i = 0; i < y_pred.size(); ++i) {
        if (class_id_ && i % width != static_cast<std::size_t>(*class_id_)) continue;
        count(pred[i] > threshold_, label[i] != 0.0f);
    }
}

namespace {
PrecisionRecallOptions at_threshold(float threshold, std::string name)
{
    return {.threshold = threshold, .name = std::move(name)};
}
}  // namespace

Precision::Precision(float threshold, std::string name) : Precision(at_threshold(threshold, std::move(name))) {}

Precision::Precision(const PrecisionRecallOptions& options)
    : Metric(options.name.empty() ? "precision" : options.name), counter_("Precision", options)
{
}

void Precision::update_state(const Tensor& y_true, const Tensor& y_pred)
{
    double tp = 0, predicted = 0;
    counter_.for_each(name(), y_true, y_pred, [&](bool pos, bool label) {
        predicted += pos;
        tp += pos && label;
    });
    add(tp, predicted);
}

Recall::Recall(float threshold, std::string name) : Recall(at_threshold(threshold, std::move(name))) {}

Recall::Recall(const PrecisionRecallOptions& options)
    : Metric(options.name.empty() ? "recall" : options.name), counter_("Recall", options)
{
}

void Recall::update_state(const Tensor& y_true, const Tensor& y_pred)
{
    double tp = 0, labelled = 0;
    counter_.for_each(name(), y_true, y_pred, [&](bool pos, bool label) {
        labelled += label;
        tp += label && pos;
    });
    add(tp, labelled);
}

AUC::AUC(int num_thresholds, bool from_logits, std::string name)
    : AUC(AUCOptions{.num_thresholds = num_thresholds, .from_logits = from_logits, .name = std::move(name)})
{
}

AUC::AUC(const AUCOptions& options)
    : Metric(options.name), num_thresholds_(options.num_thresholds), from_logits_(options.from_logits)
{
    // Keras's accepted spellings (AUCCurve.from_str, AUCSummationMethod.from_str).
    const std::string& c = options.curve;
    if (c == "ROC" || c == "roc") curve_ = Curve::roc;
    else if (c == "PR" || c == "pr") curve_ = Curve::pr;
    else if (c == "PRGAIN" || c == "prgain") curve_ = Curve::prgain;
    else throw ValueError(detail::cat("AUC: argument 'curve' must be \"ROC\", \"PR\" or \"PRGAIN\", got \"", c, "\""));
    const std::string& m = options.summation_method;
    if (m == "interpolation" || m == "Interpolation") summation_ = Summation::interpolation;
    else if (m == "majoring" || m == "Majoring") summation_ = Summation::majoring;
    else if (m == "minoring" || m == "Minoring") summation_ = Summation::minoring;
    else {
        throw ValueError(detail::cat("AUC: argument 'summation_method' must be \"interpolation\", \"majoring\" or "
                                     "\"minoring\", got \"",
                                     m, "\""));
    }
    const int num_thresholds = options.num_thresholds;
    if (num_thresholds <= 1) {
        throw ValueError(detail::cat("AUC: argument 'num_thresholds' must be an integer > 1, got ", num_thresholds));
    }
    const auto n = static_cast<std::size_t>(num_thresholds);
    thresholds_.resize(n);
    thresholds_.front() = 0.0 - kEpsilon;
    for (std::size_t i = 1; i + 1 < n; ++i) thresholds_[i] = static_cast<double>(i) / static_cast<double>(n - 1);
    thresholds_.back() = 1.0 + kEpsilon;
    AUC::reset_state();
}

void AUC::reset_state()
{
    Metric::reset_state();
    const auto n = static_cast<std::size_t>(num_thresholds_);
    tp_.assign(n, 0.0);
    fp_.assign(n, 0.0);
    tn_.assign(n, 0.0);
    fn_.assign(n, 0.0);
    examples_ = 0.0;
}

void AUC::update_state(const Tensor& y_true, const Tensor& y_pred)
{
    check_pair(name(), y_true, y_pred);
    const auto n = static_cast<std::size_t>(num_thresholds_);
    // Keras's fast path for evenly spaced thresholds: prediction p falls in bucket
    // ceil(p * (n - 1)) - 1 (at least 0: the first threshold is below 0), and is above
    // every threshold up to its bucket; the counts at threshold i sum the buckets >= i.
    std::vector<double> tp_bucket(n, 0.0), fp_bucket(n, 0.0);
    double positives = 0, negatives = 0;
    for (std::size_t i = 0; i < y_pred.size(); ++i) {
        float p = y_pred.value().data()[i];
        if (std::isnan(p)) throw ValueError(detail::cat(name(), ": y_pred has a NaN at position ", i));
        if (from_logits_) p = 1.0f / (1.0f + std::exp(-p));
        p = std::min(std::max(p, 0.0f), 1.0f);
        const float bucket = std::ceil(p * static_cast<float>(n - 1)) - 1.0f;
        const auto b = static_cast<std::size_t>(std::max(bucket, 0.0f));
        if (y_true.value().data()[i] != 0.0f) {
            tp_bucket[b] += 1;
            positives += 1;
        } else {
            fp_bucket[b] += 1;
            negatives += 1;
        }
    }
    double tp = 0, fp = 0;
    for (std::size_t i = n; i-- > 0;) {
        tp += tp_bucket[i];
        fp += fp_bucket[i];
        tp_[i] += tp;
        fp_[i] += fp;
        fn_[i] += positives - tp;
        tn_[i] += negatives - fp;
    }
    examples_ += static_cast<double>(y_pred.size());
}

std::vector<double> AUC::state() const
{
    std::vector<double> s;
    s.reserve(4 * tp_.size());
    for (const auto* v : {&tp_, &fp_, &tn_, &fn_}) s.insert(s.end(), v->begin(), v->end());
    return s;
}

double AUC::result_from_state(const std::vector<double>& s) const
{
    const auto n = static_cast<std::size_t>(num_thresholds_);
    if (s.size() != 4 * n) {
        throw ValueError(detail::cat(name(), ": result_from_state expects ", 4 * n, " values (tp, fp, tn, fn), got ",
                                     s.size()));
    }
    const double *tp = s.data(), *fp = tp + n, *tn = fp + n, *fn = tn + n;
    if (curve_ == Curve::pr && summation_ == Summation::interpolation) return interpolated_pr_area(tp, fp, fn, n);
    // The curve's point at threshold i.
    auto point = [&](std::size_t i) -> std::pair<double, double> {
        const double recall = divide_no_nan(tp[i], tp[i] + fn[i]);
        if (curve_ == Curve::roc) return {divide_no_nan(fp[i], fp[i] + tn[i]), recall};
        if (curve_ == Curve::pr) return {recall, divide_no_nan(tp[i], tp[i] + fp[i])};
        const double scale = divide_no_nan(tp[i] + fn[i], tn[i] + fp[i]);  // PRGAIN
        const double recall_gain = tp[i] == 0.0 ? 0.0 : 1.0 - scale * divide_no_nan(fn[i], tp[i]);
        const double precision_gain = tp[i] == 0.0 ? 1.0 : 1.0 - scale * divide_no_nan(fp[i], tp[i]);
        return {std::max(recall_gain, 0.0), precision_gain};
    };
    double area = 0.0;
    auto [x0, y0] = point(0);  // each point once: the right end of one segment is the left of the next
    for (std::size_t i = 0; i + 1 < n; ++i) {
        const auto [x1, y1] = point(i + 1);
        const double height = summation_ == Summation::interpolation ? (y0 + y1) / 2.0
                              : summation_ == Summation::minoring    ? std::min(y0, y1)
                                                                     : std::max(y0, y1);
        area += (x0 - x1) * height;
        x0 = x1;
        y0 = y1;
    }
    return area;
}

double AUC::result() const { return result_from_state(state()); }

std::string_view AUC::curve() const
{
    return curve_ == Curve::roc ? "ROC" : curve_ == Curve::pr ? "PR" : "PRGAIN";
}

std::string_view AUC::summation_method() const
{
    return summation_ == Summation::interpolation ? "interpolation"
           : summation_ == Summation::minoring    ? "minoring"
                                                  : "majoring";
}

}  // namespace xgrad::nn
