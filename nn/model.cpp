// Model: subclassing and the functional graph (construction, execution, config).
#include <xgrad/nn/model.hpp>

#include <algorithm>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include <xgrad/nn/layers/input_layer.hpp>
#include <xgrad/nn/serialization.hpp>
#include <xgrad/optim/optimizer.hpp>

namespace xgrad::nn {
namespace {
bool is_input_node(const GraphNode& node) { return node.inputs.empty(); }
}  // namespace

Model::Model(const std::string& class_name, const std::string& name) : Layer(class_name, name) {}

Model::Model(const SymbolicTensor& input, const SymbolicTensor& output, const std::string& name)
    : Layer("Functional", name)
{
    init_graph({input}, output, false);
}

Model::Model(const std::vector<SymbolicTensor>& inputs, const SymbolicTensor& output, const std::string& name)
    : Layer("Functional", name)
{
    init_graph(inputs, output, true);
}

// Orders the graph's nodes topologically and adopts its layers in Keras's
// order: deepest first (the inputs), ties in the order a walk from the output
// meets them.
void Model::init_graph(const std::vector<SymbolicTensor>& inputs, const SymbolicTensor& output, bool as_list)
{
    if (inputs.empty()) throw ValueError(detail::cat(this->name(), ": a functional model needs at least one Input"));
    if (!output.defined()) throw ValueError(detail::cat(this->name(), ": the output is an undefined symbolic tensor"));
    std::unordered_set<const GraphNode*> input_nodes;
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        const auto& node = inputs[i].node();
        if (!node) throw ValueError(detail::cat(this->name(), ": input ", i, " is an undefined symbolic tensor"));
        if (!is_input_node(*node)) {
            throw ValueError(detail::cat(this->name(), ": input ", i, " is the output of layer '", node->layer->name(),
                                         "', not an nn::Input"));
        }
        if (!input_nodes.insert(node.get()).second) {
            throw ValueError(detail::cat(this->name(), ": input ", i, " ('", node->layer->name(), "') is given twice"));
        }
    }
    // Post-order walk from the output: a topological order.
    std::vector<const GraphNode*> order;
    std::unordered_map<const GraphNode*, int> state;  // 1 visiting, 2 done
    std::unordered_map<const void*, std::size_t> first_seen;
    std::vector<std::pair<const GraphNode*, std::size_t>> stack{{output.node().get(), 0}};
    while (!stack.empty()) {
        auto& [node, next] = stack.back();
        if (next == 0) {
            state[node] = 1;
            first_seen.emplace(node->layer->id(), first_seen.size());
            if (is_input_node(*node) && !input_nodes.count(node)) {
                throw ValueError(detail::cat(this->name(), ": the output depends on Input '", node->layer->name(),
                                             "' of shape ", batch_shape_string(node->shape),
                                             ", which is not one of the model's inputs"));
            }
        }
        if (next < node->inputs.size()) {
            const GraphNode* in = node->inputs[next++].node().get();
            if (!state.count(in)) stack.emplace_back(in, 0);
            continue;
        }
        state[node] = 2;
        order.push_back(node);
        stack.pop_back();
    }
    for (const auto& in : inputs) {
        if (!state.count(in.node().get())) {
            throw ValueError(detail::cat(this->name(), ": Input '", in.node()->layer->name(),
                                         "' is not connected to the output"));
        }
    }
    // Depth of each node: its longest path to the output.
    std::unordered_map<const GraphNode*, std::size_t> depth;
    for (auto it = order.rbegin(); it != order.rend(); ++it) {
        const std::size_t d = depth[*it];
        for (const auto& in : (*it)->inputs) depth[in.node().get()] = std::max(depth[in.node().get()], d + 1);
    }
    std::vector<LayerPtr> layers;
    std::unordered_map<const void*, std::size_t> layer_depth;
    for (const GraphNode* node : order) {
        auto [it, fresh] = layer_depth.emplace(node->layer->id(), depth[node]);
        if (fresh) layers.push_back(node->layer);
        else it->second = std::max(it->second, depth[node]);
    }
    std::stable_sort(layers.begin(), layers.end(), [&](const LayerPtr& a, const LayerPtr& b) {
        const auto da = layer_depth[a->id()], db = layer_depth[b->id()];
        return da != db ? da > db : first_seen[a->id()] < first_seen[b->id()];
    });
    adopt(std::move(layers));

    auto graph = std::make_shared<Graph>();
    graph->inputs = inputs;
    graph->output = output;
    graph->inputs_as_list = as_list;
    graph->order = std::move(order);
    graph_ = std::move(graph);
    std::vector<Shape> shapes;
    for (const auto& in : inputs) shapes.push_back(in.shape());
    build(shapes);
}

void Model::build_multi(const std::vector<Shape>& input_shapes)
{
    if (graph_) compute_output_shape_multi(input_shapes);
    else Layer::build_multi(input_shapes);
}

Layer& Model::get_layer(const std::string& name) const
{
    std::string names;
    for (const auto& layer : layers()) {
        if (layer->name() == name) return *layer;
        names += (names.empty() ? "" : ", ") + layer->name();
    }
    throw ValueError(detail::cat(this->name(), ": no layer named '", name, "' (layers: ", names, ")"));
}

Tensor Model::run_graph(const std::vector<Tensor>& inputs, bool training, bool logits)
{
    const Graph& g = *graph_;
    expect_inputs(inputs.size(), g.inputs.size());
    std::unordered_map<const GraphNode*, Tensor> values;
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        const GraphNode* node = g.inputs[i].node().get();
        values[node] = (*node->layer)(inputs[i], training);
    }
    const GraphNode* out = g.output.node().get();
    for (const GraphNode* node : g.order) {
        if (is_input_node(*node)) continue;
        std::vector<Tensor> args;
        for (const auto& in : node->inputs) args.push_back(values.at(in.node().get()));
        Layer& layer = *node->layer;
        if (node == out && logits) return layer.logits(args, training);
        values[node] = node->list_call ? layer(args, training) : layer(args[0], training);
    }
    return values.at(out);
}

Tensor Model::call(const Tensor& x, bool training)
{
    if (!graph_) return Layer::call(x, training);
    return run_graph({x}, training, false);
}

Tensor Model::call_multi(const std::vector<Tensor>& inputs, bool training)
{
    if (!graph_) return Layer::call_multi(inputs, training);
    return run_graph(inputs, training, false);
}

Tensor Model::call_logits(const std::vector<Tensor>& inputs, bool training)
{
    if (!graph_) return Layer::call_logits(inputs, training);
    return run_graph(inputs, training, true);
}

LogitsOf Model::output_logits_of() const
{
    if (!graph_) return LogitsOf::none;
    const GraphNode& out = *graph_->output.node();
    return out.list_call || is_input_node(out) ? LogitsOf::none : out.layer->output_logits_of();
}

Shape Model::compute_output_shape(const Shape& input_shape) const
{
    return graph_ ? compute_output_shape_multi({input_shape}) : Layer::compute_output_shape(input_shape);
}

Shape Model::compute_output_shape_multi(const std::vector<Shape>& input_shapes) const
{
    if (!graph_) return Layer::compute_output_shape_multi(input_shapes);
    expect_inputs(input_shapes.size(), graph_->inputs.size());
    for (std::size_t i = 0; i < input_shapes.size(); ++i) {
        const Shape& want = graph_->inputs[i].shape();
        const Shape& got = input_shapes[i];
        if (got.size() != want.size() || !std::equal(want.begin() + 1, want.end(), got.begin() + 1)) {
            throw ShapeError(detail::cat(name(), ": input ", i, " ('", graph_->inputs[i].node()->layer->name(),
                                         "') expects shape ", batch_shape_string(want), ", got ", to_string(got)));
        }
    }
    Shape out = graph_->output.shape();
    out[0] = input_shapes[0].empty() ? 0 : input_shapes[0][0];
    return out;
}

std::vector<const GraphNode*> Model::nodes_of(const Layer& layer) const
{
    std::vector<const GraphNode*> nodes;
    for (const GraphNode* node : graph_->order)
        if (node->layer->id() == layer.id()) nodes.push_back(node);
    std::sort(nodes.begin(), nodes.end(), [](const GraphNode* a, const GraphNode* b) { return a->node_index < b->node_index; });
    return nodes;
}

std::size_t Model::node_index(const GraphNode* node) const
{
    std::size_t index = 0;
    for (const GraphNode* other : graph_->order)
        if (other->layer->id() == node->layer->id() && other->node_index < node->node_index) ++index;
    return index;
}

std::string Model::config_module() const
{
    return graph_ ? "keras.src.models.functional" : Layer::config_module();
}

Json Model::get_config() const
{
    if (!graph_) return Layer::get_config();
    const auto history = [&](const SymbolicTensor& t) {
        return Json::array({t.node()->layer->name(), node_index(t.node().get()), 0});
    };
    Json layer_configs = Json::array();
    for (const auto& layer : layers()) {
        Json entry = serialize_layer(*layer);
        entry["name"] = layer->name();
        Json nodes = Json::array();
        for (const GraphNode* node : nodes_of(*layer)) {
            if (is_input_node(*node)) continue;
            Json args = Json::array();
            for (const auto& in : node->inputs) {
                args.push_back(Json{{"class_name", "__keras_tensor__"},
                                    {"config", {{"shape", batch_shape_to_json(in.shape())},
                                                {"dtype", "float32"},
                                                {"keras_history", history(in)}}}});
            }
            nodes.push_back(Json{{"args", node->list_call ? Json::array({args}) : args}, {"kwargs", Json::object()}});
        }
        entry["inbound_nodes"] = nodes;
        layer_configs.push_back(entry);
    }
    Json inputs = Json::array();
    for (const auto& in : graph_->inputs) inputs.push_back(history(in));
    return Json{{"name", name()},
                {"trainable", trainable()},
                {"layers", layer_configs},
                {"input_layers", graph_->inputs_as_list ? inputs : inputs[0]},
                {"output_layers", history(graph_->output)}};
}

LayerPtr Model::functional_from_config(const Json& config)
{
    ConfigReader r(config, "Functional");
    const std::string name = r.read_name();
    const Json& layer_list = r.get_json("layers");
    if (!layer_list.is_array()) throw ValueError(detail::cat("Functional '", name, "': config key 'layers' must be a list"));
    std::map<std::string, std::vector<SymbolicTensor>> outputs;  // layer name -> its nodes' outputs
    const auto resolve = [&](const Json& history, const std::string& where) -> SymbolicTensor {
        if (!history.is_array() || history.size() != 3 || !history[0].is_string() || !history[1].is_number_integer()) {
            throw ValueError(detail::cat("Functional '", name, "': ", where, " must be [layer name, node index, 0], got ",
                                         history.dump().substr(0, 120)));
        }
        const auto it = outputs.find(history[0].get<std::string>());
        const long index = history[1].get<long>();
        if (it == outputs.end() || index < 0 || static_cast<std::size_t>(index) >= it->second.size()) {
            throw ValueError(detail::cat("Functional '", name, "': ", where, " refers to node ", history.dump(),
                                         ", which no earlier layer produces"));
        }
        return it->second[static_cast<std::size_t>(index)];
    };
    // Checks a __keras_tensor__ argument; with `resolve`, returns the tensor it refers to.
    const auto tensor_arg = [&](const Json& arg, const std::string& where, bool resolve_it) -> SymbolicTensor {
        if (!arg.is_object() || arg.value("class_name", "") != "__keras_tensor__" || !arg.contains("config") ||
            !arg["config"].contains("keras_history")) {
            throw ValueError(detail::cat("Functional '", name, "': ", where,
                                         " must be a __keras_tensor__ (other call arguments are not supported), got ",
                                         arg.dump().substr(0, 120)));
        }
        const Json& h = arg["config"]["keras_history"];
        if (!h.is_array() || h.size() != 3 || !h[0].is_string() || !h[1].is_number_unsigned()) {
            throw ValueError(detail::cat("Functional '", name, "': ", where, " keras_history must be [layer name, node index, 0], got ",
                                         h.dump().substr(0, 120)));
        }
        return resolve_it ? resolve(h, where) : SymbolicTensor();
    };
    // Each layer's nodes in order; a node waits until the nodes it reads exist (Keras defers them too).
    struct Pending {
        LayerPtr layer;
        Json node;
    };
    std::vector<Pending> pending;
    for (const auto& entry : layer_list) {
        LayerPtr layer = deserialize_layer(entry);
        if (auto input = std::dynamic_pointer_cast<InputLayer>(layer)) {
            outputs[layer->name()].push_back(Input(input));
            continue;
        }
        const Json nodes = entry.contains("inbound_nodes") ? entry["inbound_nodes"] : Json::array();
        for (const auto& node : nodes) pending.push_back({layer, node});
    }
    const auto ready = [&](const Json& arg) {
        const Json& h = arg["config"]["keras_history"];
        const auto it = outputs.find(h[0].get<std::string>());
        return it != outputs.end() && h[1].get<std::size_t>() < it->second.size();
    };
    while (!pending.empty()) {
        bool progress = false;
        for (std::size_t i = 0; i < pending.size();) {
            const std::string lname = pending[i].layer->name();
            const std::string where = "layer '" + lname + "' inbound node";
            const Json& node = pending[i].node;
            if (!node.is_object() || !node.contains("args") || !node["args"].is_array() || node["args"].size() != 1) {
                throw ValueError(detail::cat("Functional '", name, "': ", where,
                                             " must be {\"args\": [tensor or list of tensors], \"kwargs\": {}}"));
            }
            if (node.contains("kwargs") && !node["kwargs"].empty()) {
                throw ValueError(detail::cat("Functional '", name, "': ", where, " has call kwargs ",
                                             node["kwargs"].dump().substr(0, 120), ", which xgrad does not support"));
            }
            const Json& arg = node["args"][0];
            const Json args = arg.is_array() ? arg : Json::array({arg});
            for (const auto& a : args) tensor_arg(a, where, false);
            bool earlier = false;  // an earlier node of the same layer still waits
            for (std::size_t j = 0; j < i; ++j) earlier = earlier || pending[j].layer == pending[i].layer;
            bool all_ready = !earlier;
            for (const auto& a : args) all_ready = all_ready && ready(a);
            if (!all_ready) {
                ++i;
                continue;
            }
            Layer& layer = *pending[i].layer;
            if (arg.is_array()) {
                std::vector<SymbolicTensor> ins;
                for (const auto& a : args) ins.push_back(tensor_arg(a, where, true));
                outputs[lname].push_back(layer(ins));
            } else {
                outputs[lname].push_back(layer(tensor_arg(arg, where, true)));
            }
            pending.erase(pending.begin() + static_cast<long>(i));
            progress = true;
        }
        if (!progress) {
            throw ValueError(detail::cat("Functional '", name, "': layer '", pending.front().layer->name(),
                                         "' reads a node that no layer of the config produces"));
        }
    }
    const Json& in_json = r.get_json("input_layers");
    const Json& out_json = r.get_json("output_layers");
    const bool as_list = in_json.is_array() && !in_json.empty() && in_json[0].is_array();
    std::vector<SymbolicTensor> inputs;
    if (as_list) {
        for (const auto& h : in_json) inputs.push_back(resolve(h, "input_layers"));
    } else {
        inputs.push_back(resolve(in_json, "input_layers"));
    }
    const bool out_list = out_json.is_array() && !out_json.empty() && out_json[0].is_array();
    if (out_list && out_json.size() != 1) {
        throw ValueError(detail::cat("Functional '", name, "': models with several outputs are not supported"));
    }
    const SymbolicTensor output = resolve(out_list ? out_json[0] : out_json, "output_layers");
    r.finish();
    if (as_list) return std::make_shared<Model>(inputs, output, name);
    return std::make_shared<Model>(inputs[0], output, name);
}

}  // namespace xgrad::nn
