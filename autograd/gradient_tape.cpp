#include <xgrad/autograd/gradient_tape.hpp>

#include <algorithm>
#include <iostream>
#include <mutex>
#include <optional>
#include <utility>

#include <xgrad/autograd/detail/recording.hpp>
#include <xgrad/autograd/ops/arithmetic.hpp>
#include <xgrad/autograd/ops/math.hpp>
#include <xgrad/autograd/ops/shape_ops.hpp>

namespace xgrad {

namespace detail {
std::vector<GradientTape*>& active_tapes()
{
    thread_local std::vector<GradientTape*> tapes;
    return tapes;
}

// Throws NumericsError if a gradient flowing into an op's input is not finite.
template <class T>
void check_gradient_numerics(const Node<T>& node, std::size_t input, const TensorOf<T>& grad)
{
    const auto& v = grad.value();
    const auto bad = std::find_if(v.begin(), v.end(), [](T x) { return !std::isfinite(x); });
    if (bad == v.end()) return;
    throw NumericsError(cat("check_numerics: the gradient of op '", node.op, "' with respect to its input ",
                            input, " (shape ", to_string(node.input_shapes[input]), ") contains ", *bad,
                            " at flat index ", bad - v.begin(), " (backward pass; the op was recorded at ",
                            describe(node.where), ")"));
}

bool& recording_gradient_warned()
{
    static bool warned = false;
    return warned;
}

void warn_recording_gradient()
{
    static std::mutex mutex;
    const std::lock_guard lock(mutex);
    if (std::exchange(recording_gradient_warned(), true)) return;
    std::cerr << "WARNING: Calling GradientTape.gradient on a persistent tape inside its context is significantly "
                 "less efficient than calling it outside the context (it causes the gradient ops to be recorded on "
                 "the tape, leading to increased CPU and memory usage). Only call GradientTape.gradient inside the "
                 "context if you actually want to trace the gradient in order to compute higher order derivatives.\n";
}
}  // namespace detail

namespace {
// How many tensors the last tape of this thread tracked: a training loop's
// next tape sizes its table for as many at once.
thread_local std::size_t last_tracked = 0;
}  // namespace

GradientTape::GradientTape(bool persistent, bool watch_accessed_variables)
    : persistent_(persistent), watch_accessed_variables_(watch_accessed_variables)
{
    tracked_.reserve(std::min<std::size_t>(last_tracked, 1 << 14));
    detail::active_tapes().push_back(this);
}

GradientTape::~GradientTape()
{
    last_tracked = tracked_.size();
    auto& tapes = detail::active_tapes();
    tapes.erase(std::remove(tapes.begin(), tapes.end(), this), tapes.end());
}

void GradientTape::reset()
{
    tracked_.clear();
    f32_.clear();
    f64_.clear();
    used_ = false;
}

void GradientTape::begin_use(const char* what)
{
    if (used_ && !persistent_) {
        throw TapeError(detail::cat("GradientTape.", what,
                                    ": a non-persistent tape can compute gradients only once; "
                                    "create it as GradientTape(/*persistent=*/true) to call ",
                                    what, " several times"));
    }
    used_ = true;
}

template <class T>
std::vector<TensorOf<T>> GradientTape::backward(std::span<const TensorOf<T>> targets,
                                                std::span<const TensorOf<T>> seeds,
                                                const std::vector<TensorOf<T>>& sources,
                                                UnconnectedGradients unconnected)
{
    // A non-persistent tape is done after this call: it records nothing more. A
    // persistent one inside its recording scope records the gradient computation
    // too (TensorFlow's behaviour), so it can differentiate the result again.
    std::optional<Pause> pause;
    if (!persistent_) pause.emplace(*this);
    else if (!paused_) detail::warn_recording_gradient();
    const auto& record = this->record<T>();
    const auto& nodes = record.nodes;
    const std::size_t node_count = nodes.size();

    // Every tensor the tape tracks has a dense index (tracked_): the pass keeps
    // reachability and gradients in arrays indexed by it. A tensor tracked during
    // the pass (a persistent tape recording it) gets an index past these arrays and
    // no gradient from it.
    const std::size_t tracked = tracked_.size();
    constexpr std::uint32_t npos = detail::IdIndex::npos;
    // Only nodes downstream of a watched source can carry a gradient to one; a
    // source this tape does not track (an unwatched constant) gets none.
    detail::SmallVector<std::uint8_t, 64> reachable;
    reachable.assign(tracked, 0);
    for (const auto& s : sources) {
        if (const auto k = tracked_.find(s.id()); k != npos) reachable[k] = 1;
    }
    // Each node's inputs as dense indices (npos: untracked), found once; first[i]: where node i's begin.
    detail::SmallVector<std::uint32_t, 64> input_index;
    detail::SmallVector<std::uint32_t, 32> first;
    input_index.reserve(2 * node_count);
    first.reserve(node_count + 1);
    for (std::size_t i = 0; i < node_count; ++i) {
        first.push_back(static_cast<std::uint32_t>(input_index.size()));
        bool any = false;
        for (auto in : nodes[i]->inputs) {
            const auto k = tracked_.find(in);
            input_index.push_back(k);
            any = any || (k != npos && reachable[k]);
        }
        if (any) reachable[record.outputs[i]] = 1;
    }
    first.push_back(static_cast<std::uint32_t>(input_index.size()));

    // grads[k]: the gradient accumulated so far for the tensor of dense index k.
    detail::SmallVector<TensorOf<T>, 16> grads;
    grads.assign(tracked, TensorOf<T>());
    auto accumulate = [&](TensorOf<T>& slot, TensorOf<T>&& g) {
        if (!slot.defined()) slot = std::move(g);
        else slot = add(slot, g);
    };
    // A target the tape does not track (a constant, or an unwatched source) has only its own seed.
    detail::SmallVector<std::pair<std::uint64_t, TensorOf<T>>, 2> untracked_targets;
    for (std::size_t t = 0; t < targets.size(); ++t) {
        if (const auto k = tracked_.find(targets[t].id()); k != npos) {
            accumulate(grads[k], TensorOf<T>(seeds[t]));
            continue;
        }
        auto same = std::find_if(untracked_targets.begin(), untracked_targets.end(),
                                 [&](const auto& e) { return e.first == targets[t].id(); });
        if (same == untracked_targets.end()) untracked_targets.push_back({targets[t].id(), seeds[t]});
        else accumulate(untracked_targets[same - untracked_targets.begin()].second, TensorOf<T>(seeds[t]));
    }
    const bool check = check_numerics_enabled();
    // The recording order is a topological order: replay it backwards.
    for (std::size_t i = node_count; i-- > 0;) {
        const auto& node = *nodes[i];
        const std::uint32_t out = record.outputs[i];
        if (!reachable[out] || !grads[out].defined()) continue;
        const std::uint32_t* in = input_index.data() + first[i];
        const std::size_t inputs = first[i + 1] - first[i];
        std::uint64_t needed = 0;
        for (std::size_t j = 0; j < inputs && j < 64; ++j) {
            if (in[j] != npos && reachable[in[j]]) needed |= std::uint64_t{1} << j;
        }
        const detail::BackwardContext context{node.op, {node.input_shapes.data(), node.input_shapes.size()},
                                              &node.where, needed};
        detail::Gradients<T> input_grads = [&] {  // the closure's result, built in place
            detail::BackwardScope scope(&context);
            return node.backward(grads[out]);
        }();
        if (input_grads.size() != inputs) {
            throw TapeError(detail::cat("GradientTape.gradient: the backward of op '", node.op, "' (recorded at ",
                                    detail::describe(node.where), ") returned ", input_grads.size(),
                                    " gradient(s) for its ", inputs,
                                    " input(s); it must return one per input (an undefined tensor for none)"));
        }
        for (std::size_t j = 0; j < inputs; ++j) {
            const auto& g = input_grads[j];
            if (!g.defined() || in[j] == npos || !reachable[in[j]]) continue;
            if (g.shape() != node.input_shapes[j]) {
                throw Error(detail::cat("GradientTape.gradient: internal error: the backward of op '", node.op,
                                        "' gave a gradient of shape ", to_string(g.shape()), " for input ", j,
                                        " of shape ", to_string(node.input_shapes[j])));
            }
            if (check) detail::check_gradient_numerics(node, j, g);
            accumulate(grads[in[j]], input_grads.take(j));
        }
    }

    std::vector<TensorOf<T>> result;
    result.reserve(sources.size());
    for (const auto& s : sources) {
        TensorOf<T>* slot = nullptr;
        if (const auto k = tracked_.find(s.id()); k != npos && k < tracked && grads[k].defined()) {
            slot = &grads[k];
        } else {
            for (auto& e : untracked_targets) {
                if (e.first == s.id()) slot = &e.second;
            }
        }
        if (!slot) {
            if (unconnected == UnconnectedGradients::Zero) result.push_back(zeros_like(s));
            else result.emplace_back();
            continue;
        }
        // Moved out unless a later source is the same tensor (which gets it too).
        const bool again = std::any_of(&s + 1, sources.data() + sources.size(),
                                       [&](const TensorOf<T>& later) { return later.id() == s.id(); });
        result.push_back(again ? *slot : std::move(*slot));
    }
    return result;
}

template <class T>
std::vector<TensorOf<T>> GradientTape::gradient_of_sum(std::span<const TensorOf<T>> targets,
                                                       const std::vector<TensorOf<T>>& sources,
                                                       std::span<const TensorOf<T>> output_gradients,
                                                       UnconnectedGradients unconnected)
{
    const bool list = targets.size() != 1;
    auto target_name = [&](std::size_t t) { return list ? detail::cat("targets[", t, "]") : std::string("target"); };
    if (targets.empty()) throw TapeError("GradientTape.gradient: argument 'targets' is empty");
    for (std::size_t t = 0; t < targets.size(); ++t) {
        if (!targets[t].defined()) {
            throw TapeError(detail::cat("GradientTape.gradient: argument '", target_name(t), "' is an undefined tensor"));
        }
    }
    for (std::size_t i = 0; i < sources.size(); ++i) {
        if (!sources[i].defined()) {
            throw TapeError(detail::cat("GradientTape.gradient: argument 'sources[", i, "]' is an undefined tensor"));
        }
    }
    if (!output_gradients.empty() && output_gradients.size() != targets.size()) {
        throw TapeError(detail::cat("GradientTape.gradient: argument 'output_gradients' has ", output_gradients.size(),
                                    " tensors for ", targets.size(), " targets"));
    }
    detail::SmallVector<TensorOf<T>, 4> seeds;
    for (std::size_t t = 0; t < targets.size(); ++t) {
        const bool given = !output_gradients.empty() && output_gradients[t].defined();
        if (given && output_gradients[t].shape() != targets[t].shape()) {
            throw ShapeError(detail::cat("GradientTape.gradient: argument 'output_gradients", list ? detail::cat("[", t, "]") : "",
                                         "' has shape ", to_string(output_gradients[t].shape()), " but '", target_name(t),
                                         "' has shape ", to_string(targets[t].shape())));
        }
        seeds.push_back(given ? output_gradients[t] : ones_like(targets[t]));
    }
    begin_use("gradient");
    auto result = backward<T>(targets, {seeds.data(), seeds.size()}, sources, unconnected);
    if (!persistent_) forget_nodes<T>();  // free what the single use needed
    return result;
}

template <class T>
std::vector<TensorOf<T>> GradientTape::gradient(
    const TensorOf<T>& target, const std::vector<std::type_identity_t<TensorOf<T>>>& sources,
    const std::type_identity_t<TensorOf<T>>& output_gradients, UnconnectedGradients unconnected)
{
    return gradient_of_sum<T>({&target, 1}, sources, {&output_gradients, 1}, unconnected);
}

std::vector<Tensor> GradientTape::gradient(const std::vector<Tensor>& targets, const std::vector<Tensor>& sources,
                                           const std::vector<Tensor>& output_gradients,
                                           UnconnectedGradients unconnected)
{
    return gradient_of_sum<float>(targets, sources, output_gradients, unconnected);
}

std::vector<Tensor64> GradientTape::gradient(const std::vector<Tensor64>& targets,
                                             const std::vector<Tensor64>& sources,
                                             const std::vector<Tensor64>& output_gradients,
                                             UnconnectedGradients unconnected)
{
    return gradient_of_sum<double>(targets, sources, output_gradients, unconnected);
}

// One reverse pass per element of `target` (seeded with that element's one-hot)
// gives row i of every source's Jacobian at once.
template <class T>
std::vector<TensorOf<T>> GradientTape::jacobian(const TensorOf<T>& target,
                                                const std::vector<std::type_identity_t<TensorOf<T>>>& sources,
                                                UnconnectedGradients unconnected)
{
    if (!target.defined()) throw TapeError("GradientTape.jacobian: argument 'target' is an undefined tensor");
    for (std::size_t i = 0; i < sources.size(); ++i) {
        if (!sources[i].defined()) {
            throw TapeError(detail::cat("GradientTape.jacobian: argument 'sources[", i, "]' is an undefined tensor"));
        }
    }
    begin_use("jacobian");
    std::vector<std::vector<TensorOf<T>>> rows(sources.size());
    std::vector<bool> connected(sources.size(), false);
    for (std::size_t i = 0; i < target.size(); ++i) {
        xt::xarray<T> seed(target.shape(), T(0));
        seed.flat(i) = T(1);
        const TensorOf<T> seeds[] = {TensorOf<T>(std::move(seed))};
        const auto g = backward<T>({&target, 1}, seeds, sources, UnconnectedGradients::None);
        for (std::size_t s = 0; s < sources.size(); ++s) {
            connected[s] = connected[s] || g[s].defined();
            rows[s].push_back(g[s].defined() ? reshape(g[s], {1, static_cast<long>(sources[s].size())})
                                             : zeros<T>({1, sources[s].size()}));
        }
    }
    if (!persistent_) forget_nodes<T>();
    std::vector<TensorOf<T>> result;
    for (std::size_t s = 0; s < sources.size(); ++s) {
        Shape shape(target.shape().begin(), target.shape().end());
        shape.insert(shape.end(), sources[s].shape().begin(), sources[s].shape().end());
        if (!connected[s] && unconnected == UnconnectedGradients::None) result.emplace_back();
        else if (target.size() == 0) result.push_back(zeros<T>(shape));
        else result.push_back(reshape(concat(rows[s], 0), std::vector<long>(shape.begin(), shape.end())));
    }
    return result;
}

template <class T>
TensorOf<T> GradientTape::jacobian(const TensorOf<T>& target, const std::type_identity_t<TensorOf<T>>& source,
                                   UnconnectedGradients unconnected)
{
    if (!source.defined()) throw TapeError("GradientTape.jacobian: argument 'source' is an undefined tensor");
    return jacobian<T>(target, std::vector<TensorOf<T>>{source}, unconnected)[0];
}

// Row b of target depends only on row b of source: one reverse pass per
// element of a target row, seeded in every row at once, gives d target[b, j] / d source[b, k].
template <class T>
TensorOf<T> GradientTape::batch_jacobian(const TensorOf<T>& target, const std::type_identity_t<TensorOf<T>>& source,
                                         UnconnectedGradients unconnected)
{
    if (!target.defined() || !source.defined()) {
        throw TapeError("GradientTape.batch_jacobian: arguments 'target' and 'source' must be defined tensors");
    }
    if (target.rank() < 1 || source.rank() < 1 || target.shape()[0] != source.shape()[0]) {
        throw ShapeError(detail::cat("GradientTape.batch_jacobian: the first dimension of 'target' (shape ",
                                     to_string(target.shape()), ") and of 'source' (shape ", to_string(source.shape()),
                                     ") must be the same batch size"));
    }
    begin_use("batch_jacobian");
    const std::size_t batch = target.shape()[0];
    const std::size_t target_row = batch ? target.size() / batch : 0, source_row = batch ? source.size() / batch : 0;
    Shape shape(target.shape().begin(), target.shape().end());
    shape.insert(shape.end(), source.shape().begin() + 1, source.shape().end());
    std::vector<TensorOf<T>> columns;
    bool connected = false;
    for (std::size_t j = 0; j < target_row; ++j) {
        xt::xarray<T> seed(target.shape(), T(0));
        for (std::size_t b = 0; b < batch; ++b) seed.flat(b * target_row + j) = T(1);
        const TensorOf<T> seeds[] = {TensorOf<T>(std::move(seed))};
        const auto g = backward<T>({&target, 1}, seeds, {source}, UnconnectedGradients::None)[0];
        connected = connected || g.defined();
        const Shape column{batch, 1, source_row};
        columns.push_back(g.defined() ? reshape(g, std::vector<long>(column.begin(), column.end())) : zeros<T>(column));
    }
    if (!persistent_) forget_nodes<T>();
    if (!connected && unconnected == UnconnectedGradients::None) return {};
    if (columns.empty() || batch == 0) return zeros<T>(shape);
    return reshape(concat(columns, 1), std::vector<long>(shape.begin(), shape.end()));
}

#define XGRAD_INSTANTIATE(T)                                                                             \
    template std::vector<TensorOf<T>> GradientTape::gradient<T>(                                         \
        const TensorOf<T>&, const std::vector<TensorOf<T>>&, const TensorOf<T>&, UnconnectedGradients);   \
    template TensorOf<T> GradientTape::jacobian<T>(const TensorOf<T>&, const TensorOf<T>&,               \
                                                   UnconnectedGradients);                                \
    template std::vector<TensorOf<T>> GradientTape::jacobian<T>(const TensorOf<T>&,                      \
                                                                const std::vector<TensorOf<T>>&,         \
                                                                UnconnectedGradients);                   \
    template TensorOf<T> GradientTape::batch_jacobian<T>(const TensorOf<T>&, const TensorOf<T>&,         \
                                                         UnconnectedGradients);
XGRAD_INSTANTIATE(float)
XGRAD_INSTANTIATE(double)

}  // namespace xgrad
