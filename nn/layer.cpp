#include <xgrad/nn/layer.hpp>

#include <algorithm>
#include <atomic>
#include <unordered_set>

#include <xgrad/autograd/gradient_tape.hpp>
#include <xgrad/autograd/ops.hpp>
#include <xgrad/nn/naming.hpp>
#include <xgrad/nn/serialization.hpp>

namespace xgrad::nn {
namespace {
// Keras's call context: how deep the current layer call is, and its mode.
struct CallContext {
    int depth = 0;
    bool training = false;
};
thread_local CallContext context;

class CallScope {
public:
    explicit CallScope(bool training) : saved_(context)
    {
        ++context.depth;
        context.training = training;
    }
    ~CallScope() { context = saved_; }
    CallScope(const CallScope&) = delete;
    CallScope& operator=(const CallScope&) = delete;

private:
    CallContext saved_;
};

bool resolve_training(std::optional<bool> training)
{
    return training ? *training : (context.depth > 0 && context.training);
}

}  // namespace

Layer::Layer(const std::string& class_name, const std::string& name) : state_(std::make_shared<State>())
{
    state_->class_name = class_name;
    state_->name = name.empty() ? to_snake_case(class_name) : name;
    state_->auto_named = name.empty();
    static std::atomic<std::uint64_t> created{0};
    state_->created = created++;
    check_layer_name(state_->name, class_name);
}

// A top-level call under a tape compares the variables the tapes auto-watched
// during the call with the weights of this tree: a trainable variable read but
// not owned would never be handed to the optimizer.
template <class F>
Tensor Layer::run(bool training, F&& body)
{
    const bool top = context.depth == 0;
    CallScope scope(training);
    const auto& tapes = detail::active_tapes();
    if (!top || tapes.empty()) return body();
    // How many variables each tape watched before the call: the ones after are the call's.
    detail::SmallVector<std::size_t, 2> before;
    for (const GradientTape* tape : tapes) before.push_back(tape->watched_count<float>());
    Tensor out = body();
    std::vector<Variable> owned;  // this tree's weights, listed once a tape watched something new
    std::unordered_set<std::uint64_t> owned_ids;  // and hashed when there are many
    auto owns = [&](const Variable& v) {
        if (owned.empty()) {
            owned = weights();
            if (owned.size() > 32) {
                for (const auto& w : owned) owned_ids.insert(w.id());
            }
        }
        if (!owned_ids.empty()) return owned_ids.count(v.id()) != 0;
        return std::any_of(owned.begin(), owned.end(), [&](const Variable& w) { return w.id() == v.id(); });
    };
    for (std::size_t t = 0; t < tapes.size() && t < before.size(); ++t) {
        for (std::size_t i = before[t]; i < tapes[t]->watched_count<float>(); ++i) {
            const Variable& v = tapes[t]->watched_at<float>(i);
            if (owns(v)) continue;
            throw ValueError(detail::cat(
                name(), ": the forward pass read the trainable variable '", v.name(), "' (shape ",
                to_string(v.shape()), "), which is not a weight of '", name(),
                "' or of any of its sublayers, so it would never be trained. Create it with add_weight in the layer "
                "that uses it, and register that layer's sublayers with add_layer"));
        }
    }
    return out;
}

Tensor Layer::operator()(const Tensor& x, std::optional<bool> training)
{
    if (!x.defined()) throw ValueError(detail::cat(name(), ": the input is an undefined tensor"));
    if (!built()) build(x.shape());
    check_input(x);
    const bool mode = resolve_training(training);
    return run(mode, [&] { return call(x, mode); });
}

Tensor Layer::operator()(const std::vector<Tensor>& inputs, std::optional<bool> training)
{
    std::vector<Shape> shapes;
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        if (!inputs[i].defined()) throw ValueError(detail::cat(name(), ": input ", i, " is an undefined tensor"));
        shapes.push_back(inputs[i].shape());
    }
    if (!built()) build(shapes);
    if (inputs.size() == 1) check_input(inputs[0]);
    const bool mode = resolve_training(training);
    return run(mode, [&] { return call_multi(inputs, mode); });
}

Tensor Layer::logits(const std::vector<Tensor>& inputs, std::optional<bool> training)
{
    if (output_logits_of() == LogitsOf::none) {
        throw ValueError(detail::cat(name(), " (", class_name(), "): the layer's output is not an activation of logits"));
    }
    std::vector<Shape> shapes;
    for (const auto& x : inputs) shapes.push_back(x.shape());
    if (!built()) build(shapes);
    if (inputs.size() == 1) check_input(inputs[0]);
    const bool mode = resolve_training(training);
    return run(mode, [&] { return call_logits(inputs, mode); });
}

Tensor Layer::call(const Tensor&, bool)
{
    throw Error(detail::cat(name(), " (", class_name(), "): the layer does not implement call(x, training)"));
}

Tensor Layer::call_multi(const std::vector<Tensor>& inputs, bool training)
{
    expect_inputs(inputs.size(), 1);
    return call(inputs[0], training);
}

Tensor Layer::call_logits(const std::vector<Tensor>&, bool)
{
    throw Error(detail::cat(name(), " (", class_name(), "): the layer declares logits but does not compute them"));
}

void Layer::expect_inputs(std::size_t given, std::size_t wanted) const
{
    if (given != wanted) {
        throw ValueError(detail::cat(name(), " (", class_name(), "): expects ", wanted, " input", wanted == 1 ? "" : "s",
                                     ", got ", given));
    }
}

void Layer::build(const Shape& input_shape) { build(std::vector<Shape>{input_shape}); }

void Layer::build(const std::vector<Shape>& input_shapes)
{
    if (state_->built) return;
    build_multi(input_shapes);
    state_->build_shapes = input_shapes;
    state_->built = true;
}

void Layer::build_multi(const std::vector<Shape>& input_shapes)
{
    expect_inputs(input_shapes.size(), 1);
    build_impl(input_shapes[0]);
}

// The default shape inference: run the layer once, on zeros with a batch of one, recording nothing.
Shape Layer::infer_output_shape(const std::vector<Shape>& input_shapes) const
{
    const xgrad::detail::PauseAllTapes paused;
    std::vector<Tensor> zeros;
    for (Shape shape : input_shapes) {
        if (shape.empty()) throw ShapeError(detail::cat(name(), ": the input needs a batch axis, got shape ()"));
        shape[0] = 1;
        zeros.emplace_back(xt::xarray<float>(shape, 0.0f));
    }
    auto& self = *const_cast<Layer*>(this);
    Shape out = (zeros.size() == 1 ? self(zeros[0], false) : self(zeros, false)).shape();
    if (!out.empty() && !input_shapes.empty()) out[0] = input_shapes[0][0];
    return out;
}

Shape Layer::compute_output_shape(const Shape& input_shape) const { return infer_output_shape({input_shape}); }

Shape Layer::compute_output_shape_multi(const std::vector<Shape>& input_shapes) const
{
    return input_shapes.size() == 1 ? compute_output_shape(input_shapes[0]) : infer_output_shape(input_shapes);
}

void Layer::collect(const std::string& prefix, bool trainable_only, bool frozen,
                    std::vector<std::pair<std::string, Variable>>* named, std::vector<Variable>* plain) const
{
    frozen = frozen || !state_->trainable;
    if (trainable_only && frozen) return;
    for (const auto& [n, v] : state_->params) {
        if (trainable_only && !v.trainable()) continue;
        if (named) named->emplace_back(prefix + n, v);
        else plain->push_back(v);
    }
    for (const auto& child : state_->children) {
        child->collect(named ? prefix + child->name() + "." : prefix, trainable_only, frozen, named, plain);
    }
}

std::vector<std::pair<std::string, Variable>> Layer::named_parameters() const
{
    std::vector<std::pair<std::string, Variable>> out;
    collect("", false, false, &out, nullptr);
    return out;
}

std::vector<Variable> Layer::weights() const
{
    std::vector<Variable> out;
    out.reserve(8);  // a small model's weights without regrowing (training steps ask for them twice)
    collect("", false, false, nullptr, &out);
    return out;
}

std::vector<Variable> Layer::trainable_variables() const
{
    std::vector<Variable> out;
    out.reserve(8);
    collect("", true, false, nullptr, &out);
    return out;
}

std::vector<Variable> Layer::non_trainable_variables() const
{
    std::unordered_set<std::uint64_t> trainable;
    for (const auto& v : trainable_variables()) trainable.insert(v.id());
    std::vector<Variable> out;
    for (auto& v : weights())
        if (!trainable.count(v.id())) out.push_back(v);
    return out;
}

std::size_t Layer::count_params() const
{
    std::size_t total = 0;
    for (const auto& v : weights()) total += v.size();
    return total;
}

std::vector<xt::xarray<float>> Layer::get_weights() const
{
    std::vector<xt::xarray<float>> out;
    for (const auto& v : weights()) out.push_back(v.value());
    return out;
}

void Layer::set_weights(const std::vector<xt::xarray<float>>& weights)
{
    auto params = named_parameters();
    if (weights.size() != params.size()) {
        throw ValueError(detail::cat(name(), ".set_weights: expected ", params.size(), " arrays, got ", weights.size()));
    }
    for (std::size_t i = 0; i < params.size(); ++i) {
        if (weights[i].shape() != params[i].second.shape()) {
            throw ShapeError(detail::cat(name(), ".set_weights: weight ", i, " ('", params[i].first, "') has shape ",
                                         to_string(params[i].second.shape()), ", got an array of shape ",
                                         to_string(weights[i].shape())));
        }
    }
    for (std::size_t i = 0; i < params.size(); ++i) params[i].second.assign(weights[i]);
}

Json Layer::get_config() const
{
    return Json{{"name", name()}, {"trainable", trainable()}, {"dtype", dtype_policy_config()}};
}

LayerPtr Layer::clone() const
{
    if (state_->clone) return state_->clone(*this);
    throw Error(detail::cat(name(), " (", class_name(), "): this layer cannot be called on symbolic tensors: add ",
                            "XGRAD_LAYER(", class_name(), ") to its class, or create it inside add_layer"));
}

Variable Layer::add_weight(const std::string& name, xt::xarray<float> initial, bool trainable)
{
    for (const auto& [n, v] : state_->params) {
        if (n == name) throw ValueError(detail::cat(this->name(), ": a weight named '", name, "' already exists"));
    }
    Variable v(std::move(initial), this->name() + "/" + name, trainable);
    state_->params.emplace_back(name, v);
    return v;
}

void Layer::rename(const std::string& name)
{
    state_->name = name;
    for (auto& [n, v] : state_->params) v.impl_ptr()->name = name + "/" + n;
}

std::string Layer::name_for(const Layer& layer, const std::vector<std::string>& taken) const
{
    const auto used = [&](const std::string& n) {
        for (const auto& c : state_->children)
            if (c->name() == n) return true;
        return std::find(taken.begin(), taken.end(), n) != taken.end();
    };
    if (!layer.state_->auto_named) {
        if (used(layer.name())) {
            throw ValueError(detail::cat(name(), ": all sublayers must have unique names; '", layer.name(),
                                         "' is already used by another sublayer"));
        }
        return layer.name();
    }
    std::string candidate = layer.name();
    for (int k = 1; used(candidate); ++k) candidate = detail::cat(layer.name(), "_", k);
    return candidate;
}

void Layer::adopt(LayerPtr layer) { adopt(std::vector<LayerPtr>{std::move(layer)}); }

void Layer::adopt(std::vector<LayerPtr> layers)
{
    for (const auto& layer : layers) {
        if (!layer) throw ValueError(detail::cat(name(), ": cannot add a null layer"));
        if (layer->id() == id()) throw ValueError(detail::cat(name(), ": a layer cannot contain itself"));
        for (const auto& c : state_->children) {
            if (c->id() == layer->id()) {
                throw ValueError(detail::cat(name(), ": layer '", layer->name(), "' is already one of its sublayers"));
            }
        }
    }
    // Explicit names first, then automatic ones in creation order.
    std::vector<LayerPtr> by_creation = layers;
    std::stable_sort(by_creation.begin(), by_creation.end(), [](const LayerPtr& a, const LayerPtr& b) {
        if (a->state_->auto_named != b->state_->auto_named) return !a->state_->auto_named;
        return a->state_->created < b->state_->created;
    });
    std::vector<std::string> taken;
    std::vector<std::pair<Layer*, std::string>> names;
    for (const auto& layer : by_creation) {
        taken.push_back(name_for(*layer, taken));
        names.emplace_back(layer.get(), taken.back());
    }
    for (auto& [layer, n] : names) {
        if (n != layer->name()) layer->rename(n);
        layer->state_->auto_named = false;
    }
    for (auto& layer : layers) state_->children.push_back(std::move(layer));
}

}  // namespace xgrad::nn
