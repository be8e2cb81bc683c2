// GradientTape: records differentiable ops while alive and replays them
// backwards to compute gradients (TensorFlow's tf.GradientTape).
//
//   xgrad::GradientTape tape;                       // records until destroyed
//   auto loss  = xgrad::reduce_mean(xgrad::square(xgrad::matmul(x, w) + b - y));
//   auto grads = tape.gradient(loss, {w, b});       // d loss / d w, d loss / d b
//
// - Trainable variables used by an op inside the tape are watched
//   automatically (unless watch_accessed_variables=false); constants after watch().
// - gradient(target, sources): a non-scalar target means the gradient of its sum;
//   output_gradients seeds the vector-Jacobian product.
// - A non-persistent tape answers one gradient()/jacobian() call; a persistent one any number.
// - Tapes nest: an outer tape records the inner tape's gradient computation,
//   giving higher-order derivatives.
// - A persistent tape records its own gradient computation when gradient() or
//   jacobian() is called while it records (alive, not inside stop_recording()),
//   so one tape gives second derivatives, as in TensorFlow:
//     GradientTape tape(/*persistent=*/true);
//     auto y = x * x * x;
//     auto dy = tape.gradient(y, x);      // 3x^2, recorded on tape
//     auto d2y = tape.gradient(dy, x);    // 6x
//   As TensorFlow, this warns once (stderr) that it costs memory and time: call
//   gradient() inside tape.stop_recording() when the result is not differentiated.
#pragma once

#include <algorithm>
#include <memory>
#include <span>
#include <type_traits>
#include <vector>

#include <xgrad/autograd/detail/id_index.hpp>
#include <xgrad/autograd/detail/node.hpp>
#include <xgrad/autograd/tensor.hpp>
#include <xgrad/autograd/variable.hpp>

namespace xgrad {

// What gradient() returns for a source the target does not depend on
// (TensorFlow's tf.UnconnectedGradients): an undefined tensor, or zeros.
enum class UnconnectedGradients { None, Zero };

class GradientTape {
public:
    explicit GradientTape(bool persistent = false, bool watch_accessed_variables = true);
    ~GradientTape();
    GradientTape(const GradientTape&) = delete;
    GradientTape& operator=(const GradientTape&) = delete;

    // Watches a constant (or a variable when watch_accessed_variables is off).
    template <class T>
    void watch(const TensorOf<T>& t);

    // Gradients of sum(target) (or of <target, output_gradients>) with respect
    // to each source; an undefined tensor (or zeros) for unconnected sources.
    template <class T>
    std::vector<TensorOf<T>> gradient(
        const TensorOf<T>& target, const std::vector<std::type_identity_t<TensorOf<T>>>& sources,
        const std::type_identity_t<TensorOf<T>>& output_gradients = {},
        UnconnectedGradients unconnected = UnconnectedGradients::None);

    // The same for a list of variables: tape.gradient(loss, model.trainable_variables()).
    template <class T, class Alloc>
    std::vector<TensorOf<T>> gradient(const TensorOf<T>& target, const std::vector<VariableOf<T>, Alloc>& sources,
                                      const std::type_identity_t<TensorOf<T>>& output_gradients = {},
                                      UnconnectedGradients unconnected = UnconnectedGradients::None)
    {
        return gradient(target, std::vector<TensorOf<T>>(sources.begin(), sources.end()), output_gradients,
                        unconnected);
    }

    template <class T>
    TensorOf<T> gradient(const TensorOf<T>& target, const std::type_identity_t<TensorOf<T>>& source,
                         const std::type_identity_t<TensorOf<T>>& output_gradients = {},
                         UnconnectedGradients unconnected = UnconnectedGradients::None);

    // A list of targets means the gradient of their sum (TensorFlow's
    // tape.gradient([y1, y2], sources)); output_gradients: none, or one seed per
    // target (an undefined one: ones).
    std::vector<Tensor> gradient(const std::vector<Tensor>& targets, const std::vector<Tensor>& sources,
                                 const std::vector<Tensor>& output_gradients = {},
                                 UnconnectedGradients unconnected = UnconnectedGradients::None);
    std::vector<Tensor64> gradient(const std::vector<Tensor64>& targets, const std::vector<Tensor64>& sources,
                                   const std::vector<Tensor64>& output_gradients = {},
                                   UnconnectedGradients unconnected = UnconnectedGradients::None);

    // d target[i...] / d source[j...], of shape target.shape + source.shape.
    template <class T>
    TensorOf<T> jacobian(const TensorOf<T>& target,
                         const std::type_identity_t<TensorOf<T>>& source,
                         UnconnectedGradients unconnected = UnconnectedGradients::None);
    // One Jacobian per source (target.shape + sources[k].shape), from one reverse pass per target element.
    template <class T>
    std::vector<TensorOf<T>> jacobian(const TensorOf<T>& target,
                                      const std::vector<std::type_identity_t<TensorOf<T>>>& sources,
                                      UnconnectedGradients unconnected = UnconnectedGradients::None);
    // TensorFlow's batch_jacobian: target (b, t...), source (b, s...) -> (b, t..., s...),
    //   result[i, j..., k...] = d target[i, j...] / d source[i, k...],
    // for targets whose row i depends only on row i of source (then one reverse pass
    // per element of a row suffices; cross-row terms would be summed in).
    // ShapeError unless both have a first axis of the same size.
    template <class T>
    TensorOf<T> batch_jacobian(const TensorOf<T>& target, const std::type_identity_t<TensorOf<T>>& source,
                               UnconnectedGradients unconnected = UnconnectedGradients::None);

    // Variables this tape watches, once each, in the order they were created
    // (sorted by unique id, as TensorFlow's watched_variables), not of first use.
    template <class T = float>
    std::vector<VariableOf<T>> watched_variables() const
    {
        const auto& watched = record<T>().watched;
        std::vector<VariableOf<T>> out(watched.begin(), watched.end());
        std::sort(out.begin(), out.end(), [](const VariableOf<T>& a, const VariableOf<T>& b) { return a.id() < b.id(); });
        return out;
    }

    // How many variables this tape watches, and the i-th in the order it first watched them
    // (those from watched_count() on were watched after that call).
    template <class T = float>
    std::size_t watched_count() const { return record<T>().watched.size(); }
    template <class T = float>
    const VariableOf<T>& watched_at(std::size_t i) const { return record<T>().watched[i]; }

    // While the returned guard lives, this tape records nothing.
    class [[nodiscard]] Pause {
    public:
        explicit Pause(GradientTape& tape) : tape_(tape), was_(tape.paused_) { tape.paused_ = true; }
        ~Pause() { tape_.paused_ = was_; }
        Pause(const Pause&) = delete;
        Pause& operator=(const Pause&) = delete;

    private:
        GradientTape& tape_;
        bool was_;
    };
    Pause stop_recording() { return Pause(*this); }

    // Forgets everything recorded and watched, as a new tape.
    void reset();

    bool persistent() const { return persistent_; }
    bool watch_accessed_variables() const { return watch_accessed_variables_; }

    // ---- used by the ops (xgrad::detail::finish) ----
    // True when this tape must record an op with these inputs (auto-watches variables).
    template <class T>
    bool should_record(std::span<const TensorOf<T>* const> inputs);
    template <class T>
    void push(std::shared_ptr<const detail::Node<T>> node);

private:
    // Inline room for a small graph: a tape of a few ops allocates nothing.
    template <class T>
    struct Record {
        // 16 nodes and 8 variables: a 3-layer MLP's step with its loss.
        detail::SmallVector<std::shared_ptr<const detail::Node<T>>, 16> nodes;
        detail::SmallVector<std::uint32_t, 16> outputs;  // outputs[i]: the dense index (tracked_) of nodes[i]'s output
        detail::SmallVector<VariableOf<T>, 8> watched;
        void clear()
        {
            nodes.clear();
            outputs.clear();
            watched.clear();
        }
    };
    template <class T>
    Record<T>& record()
    {
        if constexpr (std::is_same_v<T, float>) return f32_; else return f64_;
    }
    template <class T>
    const Record<T>& record() const
    {
        if constexpr (std::is_same_v<T, float>) return f32_; else return f64_;
    }
    template <class T>
    void watch_variable(const TensorOf<T>& t);
    // Drops the recorded nodes (a non-persistent tape after its one use).
    template <class T>
    void forget_nodes()
    {
        record<T>().nodes.clear();
        record<T>().outputs.clear();
    }
    void begin_use(const char* what);
    // The reverse pass: gradients of sum_t <targets[t], seeds[t]> for each source.
    template <class T>
    std::vector<TensorOf<T>> backward(std::span<const TensorOf<T>> targets, std::span<const TensorOf<T>> seeds,
                                      const std::vector<TensorOf<T>>& sources, UnconnectedGradients unconnected);
    template <class T>
    std::vector<TensorOf<T>> gradient_of_sum(std::span<const TensorOf<T>> targets,
                                             const std::vector<TensorOf<T>>& sources,
                                             std::span<const TensorOf<T>> output_gradients,
                                             UnconnectedGradients unconnected);

    bool persistent_;
    bool watch_accessed_variables_;
    bool paused_ = false;
    bool used_ = false;
    // Tracks a tensor id: its dense index (0, 1, ... in the order first tracked), and whether it is new.
    std::pair<std::uint32_t, bool> track(std::uint64_t id)
    {
        return tracked_.insert(id, static_cast<std::uint32_t>(tracked_.size()));
    }
    // ids of watched tensors and recorded outputs -> dense index; the reverse pass
    // keeps its gradients and reachability in arrays indexed by it.
    detail::IdIndex tracked_;
    Record<float> f32_;
    Record<double> f64_;
};

// ---- inline template members ----------------------------------------------

template <class T>
void GradientTape::watch_variable(const TensorOf<T>& t)
{
    if (track(t.id()).second) {
        auto& watched = record<T>().watched;
        VariableOf<T> v;
        static_cast<TensorOf<T>&>(v) = t;
        watched.push_back(std::move(v));
    }
}

template <class T>
void GradientTape::watch(const TensorOf<T>& t)
{
    if (!t.defined()) throw TapeError("GradientTape.watch: argument 't' is an undefined tensor");
    if (t.is_variable()) watch_variable(t);
    else track(t.id());
}

template <class T>
bool GradientTape::should_record(std::span<const TensorOf<T>* const> inputs)
{
    if (paused_) return false;
    bool any = false;
    for (const TensorOf<T>* in : inputs) {
        const auto& impl = in->impl();
        if (tracked_.contains(impl.id)) {
            any = true;
        } else if (impl.is_variable && impl.trainable && watch_accessed_variables_) {
            watch_variable(*in);
            any = true;
        }
    }
    return any;
}

template <class T>
void GradientTape::push(std::shared_ptr<const detail::Node<T>> node)
{
    auto& r = record<T>();
    r.outputs.push_back(track(node->output).first);
    r.nodes.push_back(std::move(node));
}

template <class T>
TensorOf<T> GradientTape::gradient(const TensorOf<T>& target,
                                   const std::type_identity_t<TensorOf<T>>& source,
                                   const std::type_identity_t<TensorOf<T>>& output_gradients,
                                   UnconnectedGradients unconnected)
{
    return gradient(target, std::vector<TensorOf<T>>{source}, output_gradients, unconnected)[0];
}

namespace detail {
// The tapes alive on this thread, innermost last.
std::vector<GradientTape*>& active_tapes();
// While alive, no tape of this thread records (the tapes alive when it was made).
class PauseAllTapes {
public:
    PauseAllTapes()
    {
        for (GradientTape* tape : active_tapes()) paused_.push_back(std::make_unique<GradientTape::Pause>(*tape));
    }

private:
    std::vector<std::unique_ptr<GradientTape::Pause>> paused_;
};
// Prints TensorFlow's warning about a persistent tape recording its own gradient, once per process
// (recording_gradient_warned() is set once printed).
void warn_recording_gradient();
bool& recording_gradient_warned();
}  // namespace detail

}  // namespace xgrad
