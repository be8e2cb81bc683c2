// Sequential::summary: Keras 3's table (rich box drawing), e.g.
//   Model: "sequential"
//   ┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
//   ┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
//   ┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
//   │ dense (Dense)                   │ (None, 128)            │       100,480 │
//   └─────────────────────────────────┴────────────────────────┴───────────────┘
//    Total params: 101,770 (397.54 KB)
#include <xgrad/nn/sequential.hpp>

#include <cstdio>

namespace xgrad::nn {
namespace {
constexpr std::size_t widths[3] = {31, 22, 13};

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

std::string rule(const char* left, const char* fill, const char* mid, const char* right)
{
    std::string out = left;
    for (int c = 0; c < 3; ++c) out += repeat(fill, widths[c] + 2) + (c < 2 ? mid : right);
    return out;
}

std::string row(const char* bar, const std::string& a, const std::string& b, const std::string& c)
{
    return std::string(bar) + " " + pad(a, widths[0], false) + " " + bar + " " + pad(b, widths[1], false) + " " +
           bar + " " + pad(c, widths[2], true) + " " + bar;
}

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

std::string shape_string(const Shape& shape)
{
    std::string out = "(None";
    for (std::size_t i = 1; i < shape.size(); ++i) out += ", " + std::to_string(shape[i]);
    return out + (shape.size() == 1 ? ",)" : ")");
}
}  // namespace

void Sequential::summary(std::ostream& out) const
{
    out << "Model: \"" << name_ << "\"\n";
    out << rule("┏", "━", "┳", "┓") << "\n";
    out << row("┃", "Layer (type)", "Output Shape", "Param #") << "\n";
    out << rule("┡", "━", "╇", "┩") << "\n";
    std::optional<Shape> shape = build_shape_;
    for (std::size_t i = 0; i < layers_.size(); ++i) {
        const auto& layer = *layers_[i];
        if (shape) shape = layer.compute_output_shape(*shape);
        const std::string params = layer.built() ? thousands(layer.count_params()) : "0 (unbuilt)";
        out << row("│", layer.name() + " (" + layer.class_name() + ")", shape ? shape_string(*shape) : "?", params)
            << "\n";
        if (i + 1 < layers_.size()) out << rule("├", "─", "┼", "┤") << "\n";
    }
    out << rule("└", "─", "┴", "┘") << "\n";
    std::size_t total = 0, trainable = 0;
    for (const auto& [name, v] : named_parameters()) {
        total += v.size();
        if (v.trainable()) trainable += v.size();
    }
    out << " Total params: " << thousands(total) << " (" << memory(4.0 * total) << ")\n";
    out << " Trainable params: " << thousands(trainable) << " (" << memory(4.0 * trainable) << ")\n";
    out << " Non-trainable params: " << thousands(total - trainable) << " (" << memory(4.0 * (total - trainable))
        << ")\n";
}

}  // namespace xgrad::nn
