// Model::summary: Keras 3's table (rich box drawing) on an 80-column console, e.g.
//   Model: "sequential"
//   ┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
//   ┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
//   ┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
//   │ dense (Dense)                   │ (None, 128)            │       100,480 │
//   └─────────────────────────────────┴────────────────────────┴───────────────┘
//    Total params: 101,770 (397.54 KB)
// A functional graph that is not a chain gets a fourth column, "Connected to"
// ("dense[0][0], dense_1[0][0]"). Column widths follow Keras's positions
// ([0.45, 0.80, 1.0] or [0.3, 0.56, 0.74, 1.0] of min(line length, 80 - 4)) and
// rich's reduction of them to fit; cells wrap at spaces.
#include <xgrad/nn/model.hpp>

#include <cstdio>
#include <unordered_map>

namespace xgrad::nn {
namespace {
constexpr int console_columns = 80;

std::string repeat(const char* s, std::size_t n)
{
    std::string out;
    for (std::size_t i = 0; i < n; ++i) out += s;
    return out;
}

// Display width of UTF-8 text (continuation bytes take no column).
std::size_t columns(const std::string& s)
{
    std::size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
}

std::string pad(const std::string& s, std::size_t width, bool right)
{
    const std::size_t n = columns(s);
    if (n >= width) return s;
    return right ? std::string(width - n, ' ') + s : s + std::string(width - n, ' ');
}

// Python's round(): halves to even.
long round_half_even(double x)
{
    const double r = std::nearbyint(x);
    return static_cast<long>(r);
}

// Keras's column widths, then rich's ratio_reduce of the excess over the console.
std::vector<std::size_t> column_widths(int default_length, const std::vector<double>& positions)
{
    const int length = std::min(default_length, console_columns - 4);
    std::vector<long> widths;
    int current = 0;
    for (double p : positions) {
        const int w = static_cast<int>(p * length) - current;
        widths.push_back(w + 2);  // rich adds one space of padding on each side
        current += w;
    }
    long total = 0;
    for (long w : widths) total += w;
    const long available = length - static_cast<long>(widths.size()) - 1;  // the vertical rules
    long excess = total - available;
    long ratio_left = static_cast<long>(widths.size());
    std::vector<std::size_t> out;
    for (long w : widths) {
        const long cut = excess > 0 ? std::min(w, round_half_even(double(excess) / double(ratio_left))) : 0;
        excess -= cut;
        --ratio_left;
        out.push_back(static_cast<std::size_t>(w - cut - 2));
    }
    return out;
}

// Greedy word wrap at spaces; words longer than the width are cut.
std::vector<std::string> wrap(const std::string& text, std::size_t width)
{
    std::vector<std::string> lines;
    std::string line;
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t end = text.find(' ', start);
        if (end == std::string::npos) end = text.size();
        std::string word = text.substr(start, end - start);
        while (columns(word) > width) {
            if (!line.empty()) lines.push_back(line), line.clear();
            lines.push_back(word.substr(0, width));
            word = word.substr(width);
        }
        if (line.empty()) line = word;
        else if (columns(line) + 1 + columns(word) <= width) line += " " + word;
        else lines.push_back(line), line = word;
        start = end + 1;
    }
    if (!line.empty() || lines.empty()) lines.push_back(line);
    return lines;
}

class Table {
public:
    Table(std::vector<std::size_t> widths, std::vector<bool> right) : widths_(std::move(widths)), right_(std::move(right)) {}

    std::string rule(const char* left, const char* fill, const char* mid, const char* end) const
    {
        std::string out = left;
        for (std::size_t c = 0; c < widths_.size(); ++c) out += repeat(fill, widths_[c] + 2) + (c + 1 < widths_.size() ? mid : end);
        return out + "\n";
    }
    std::string row(const char* bar, const std::vector<std::string>& cells) const
    {
        std::vector<std::vector<std::string>> wrapped;
        std::size_t height = 1;
        for (std::size_t c = 0; c < cells.size(); ++c) {
            wrapped.push_back(wrap(cells[c], widths_[c]));
            height = std::max(height, wrapped.back().size());
        }
        std::string out;
        for (std::size_t line = 0; line < height; ++line) {
            out += bar;
            for (std::size_t c = 0; c < cells.size(); ++c) {
                const std::string text = line < wrapped[c].size() ? wrapped[c][line] : "";
                out += " " + pad(text, widths_[c], right_[c]) + " " + bar;
            }
            out += "\n";
        }
        return out;
    }

private:
    std::vector<std::size_t> widths_;
    std::vector<bool> right_;
};

std::string thousands(std::size_t n)
{
    std::string digits = std::to_string(n), out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return out;
}

// Keras's readable_memory_size: 1024-based, two decimals.
std::string memory(double bytes)
{
    const char* units[] = {"B", "KB", "MB", "GB"};
    int u = 0;
    while (bytes >= 1024 && u < 3) { bytes /= 1024; ++u; }
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f %s", bytes, units[u]);
    return buf;
}

std::string params_cell(const Layer& layer)
{
    return layer.built() ? thousands(layer.count_params()) : "0 (unbuilt)";
}
}  // namespace

std::vector<std::pair<const Layer*, std::optional<Shape>>> Model::summary_rows() const
{
    std::unordered_map<const void*, Shape> shapes;
    if (graph_)
        for (const GraphNode* node : graph_->order) shapes[node->layer->id()] = node->shape;
    std::vector<std::pair<const Layer*, std::optional<Shape>>> rows;
    for (const auto& layer : layers()) {
        std::optional<Shape> shape;
        if (auto it = shapes.find(layer->id()); it != shapes.end()) shape = it->second;
        else if (layer->built() && !layer->build_shapes().empty()) shape = layer->compute_output_shape_multi(layer->build_shapes());
        rows.emplace_back(layer.get(), shape);
    }
    return rows;
}

void Model::summary(std::ostream& out) const
{
    out << "Model: \"" << name() << "\"\n";
    // Keras prints a functional graph as a chain unless a node has several inputs or a layer is shared.
    bool chain = true;
    if (graph_) {
        std::unordered_map<const void*, int> uses;
        for (const GraphNode* node : graph_->order) chain = chain && node->inputs.size() <= 1 && ++uses[node->layer->id()] == 1;
    }
    if (chain) {
        const Table table(column_widths(88, {0.45, 0.80, 1.0}), {false, false, true});
        out << table.rule("┏", "━", "┳", "┓") << table.row("┃", {"Layer (type)", "Output Shape", "Param #"})
            << table.rule("┡", "━", "╇", "┩");
        const auto rows = summary_rows();
        for (std::size_t i = 0; i < rows.size(); ++i) {
            const Layer& layer = *rows[i].first;
            out << table.row("│", {layer.name() + " (" + layer.class_name() + ")",
                                   rows[i].second ? batch_shape_string(*rows[i].second) : "?", params_cell(layer)});
            if (i + 1 < rows.size()) out << table.rule("├", "─", "┼", "┤");
        }
        out << table.rule("└", "─", "┴", "┘");
    } else {
        summary_graph(out);
    }
    std::size_t total = 0, trainable = 0;
    for (const auto& v : weights()) total += v.size();
    for (const auto& v : trainable_variables()) trainable += v.size();
    out << " Total params: " << thousands(total) << " (" << memory(4.0 * total) << ")\n";
    out << " Trainable params: " << thousands(trainable) << " (" << memory(4.0 * trainable) << ")\n";
    out << " Non-trainable params: " << thousands(total - trainable) << " (" << memory(4.0 * (total - trainable))
        << ")\n";
}

void Model::summary_graph(std::ostream& out) const
{
    const Table table(column_widths(108, {0.3, 0.56, 0.74, 1.0}), {false, false, true, false});
    out << table.rule("┏", "━", "┳", "┓") << table.row("┃", {"Layer (type)", "Output Shape", "Param #", "Connected to"})
        << table.rule("┡", "━", "╇", "┩");
    const auto& ls = layers();
    for (std::size_t i = 0; i < ls.size(); ++i) {
        const Layer& layer = *ls[i];
        std::string shape = "?", connected;
        for (const GraphNode* node : nodes_of(layer)) {
            shape = batch_shape_string(node->shape);
            for (const auto& in : node->inputs) {
                connected += (connected.empty() ? "" : ", ") + in.node()->layer->name() + "[" +
                             std::to_string(node_index(in.node().get())) + "][0]";
            }
        }
        out << table.row("│", {layer.name() + " (" + layer.class_name() + ")", shape, params_cell(layer),
                               connected.empty() ? "-" : connected});
        if (i + 1 < ls.size()) out << table.rule("├", "─", "┼", "┤");
    }
    out << table.rule("└", "─", "┴", "┘");
}

}  // namespace xgrad::nn
