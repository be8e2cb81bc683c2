// Optimizer::save_state / load_state. File layout (text lines, arrays as .npy blobs):
//   xgrad-optimizer-state 1
//   kind <kind>
//   raw_iterations <n>
//   learning_rate <hex float | none>
//   scalars <k>            then k lines "<key> <hex float>"
//   variables <v>          then per variable: "variable <name>", "slots <s>",
//                          and per slot "slot <slot name>" followed by an .npy array
#include <xgrad/optim/optimizer.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

#include <xgrad/core/atomic_file.hpp>
#include <xgrad/core/error.hpp>
#include <xgrad/core/npy.hpp>

namespace xgrad::optim {

namespace {

constexpr const char* kMagic = "xgrad-optimizer-state 1";

std::string hex(double v)
{
    std::ostringstream out;
    out << std::hexfloat << v;
    return out.str();
}

struct SavedVariable {
    std::vector<std::string> slot_names;
    std::vector<xt::xarray<float>> slots;
};

// Reads "<key> <rest of line>" and checks the key; throws IOError naming the file.
std::string expect_line(std::istream& in, const std::string& key, const std::string& path)
{
    std::string line;
    if (!std::getline(in, line) || line.rfind(key + " ", 0) != 0) {
        throw IOError(detail::cat("optimizer state '", path, "': expected a '", key, "' line, got '", line,
                                  "' (truncated or corrupt file?)"));
    }
    return line.substr(key.size() + 1);
}

// Strict reads of one field: the whole text must be the number, else IOError naming the field.
std::int64_t parse_integer(const std::string& s, const std::string& field, const std::string& path)
{
    std::int64_t v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size()) {
        throw IOError(detail::cat("optimizer state '", path, "': field '", field, "' must be an integer in [",
                                  std::numeric_limits<std::int64_t>::min(), ", ",
                                  std::numeric_limits<std::int64_t>::max(), "], got '", s, "'"));
    }
    return v;
}

double parse_number(const std::string& s, const std::string& field, const std::string& path)
{
    char* end = nullptr;
    const bool starts_well = !s.empty() && !std::isspace(static_cast<unsigned char>(s[0]));
    const double v = starts_well ? std::strtod(s.c_str(), &end) : 0.0;
    if (!starts_well || end != s.c_str() + s.size()) {
        throw IOError(detail::cat("optimizer state '", path, "': field '", field, "' must be a number, got '", s, "'"));
    }
    return v;
}

// A count of entries that follow: an integer >= 0.
std::int64_t parse_count(const std::string& s, const std::string& field, const std::string& path)
{
    const std::int64_t v = parse_integer(s, field, path);
    if (v < 0) throw IOError(detail::cat("optimizer state '", path, "': field '", field, "' must be >= 0, got ", v));
    return v;
}

}  // namespace

void Optimizer::write_state(std::ostream& out) const
{
    out << kMagic << "\nkind " << kind() << "\nraw_iterations " << raw_iterations_ << "\nlearning_rate ";
    const double* lr = std::get_if<double>(&base_options().learning_rate());
    out << (lr ? hex(*lr) : std::string("none")) << "\nscalars " << scalars_.size() << "\n";
    for (const auto& [key, value] : scalars_) out << key << " " << hex(value) << "\n";
    out << "variables " << states_.size() << "\n";
    for (const auto& s : states_) {
        out << "variable " << s.var.name() << "\nslots " << s.slots.arrays.size() << "\n";
        for (std::size_t i = 0; i < s.slots.arrays.size(); ++i) {
            out << "slot " << s.slots.names[i] << "\n";
            write_npy(out, s.slots.arrays[i]);  // any shape: .npy keeps it
        }
    }
}

void Optimizer::save_state(const std::string& path) const
{
    for (std::size_t i = 0; i < states_.size(); ++i) {
        for (std::size_t j = 0; j < i; ++j) {
            if (states_[i].var.name() == states_[j].var.name()) {
                throw ValueError(detail::cat(display_name_, ".save_state: two variables are named '",
                                             states_[i].var.name(), "'; optimizer state is saved by variable name, ",
                                             "so names must be unique"));
            }
        }
    }
    write_file_atomically(path, [&](std::ostream& out) { write_state(out); });
}

void Optimizer::load_state(const std::string& path, const std::vector<Variable>& vars)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) throw IOError(detail::cat(display_name_, ".load_state: cannot open '", path, "'"));
    std::string line;
    if (!std::getline(in, line) || line != kMagic) {
        throw IOError(detail::cat(display_name_, ".load_state: '", path, "' is not an xgrad optimizer state file"));
    }
    const std::string file_kind = expect_line(in, "kind", path);
    if (file_kind != kind()) {
        throw ValueError(detail::cat(display_name_, ".load_state: '", path, "' holds the state of a '", file_kind,
                                     "' optimizer, this optimizer is a '", kind(), "'"));
    }
    // Every field is checked with the rules the constructor and the options use, before anything changes.
    const std::string where = detail::cat(display_name_, ".load_state('", path, "')");
    const std::int64_t raw = parse_integer(expect_line(in, "raw_iterations", path), "raw_iterations", path);
    if (raw < 0 || raw == std::numeric_limits<std::int64_t>::max()) {
        throw ValueError(detail::cat(where, ": field 'raw_iterations' must be in [0, ",
                                     std::numeric_limits<std::int64_t>::max() - 1, "], got ", raw));
    }
    const std::string lr_text = expect_line(in, "learning_rate", path);
    std::optional<double> lr;
    if (lr_text != "none") {
        lr = parse_number(lr_text, "learning_rate", path);
        check::finite_non_negative(where, "learning_rate", *lr);
    }
    std::vector<std::pair<std::string, float>> scalars;
    for (std::int64_t k = parse_count(expect_line(in, "scalars", path), "scalars", path); k > 0; --k) {
        std::string key, value;
        if (!(in >> key >> value) || !std::getline(in, line) || !line.empty()) {
            throw IOError(detail::cat("optimizer state '", path, "': truncated or corrupt scalars"));
        }
        const auto v = static_cast<float>(parse_number(value, key, path));
        if (!std::isfinite(v)) {
            throw ValueError(detail::cat(where, ": scalar '", key, "' must be a finite float32 number, got ", value));
        }
        scalars.emplace_back(key, v);
    }
    std::map<std::string, SavedVariable> saved;
    for (std::int64_t v = parse_count(expect_line(in, "variables", path), "variables", path); v > 0; --v) {
        const std::string name = expect_line(in, "variable", path);
        SavedVariable& entry = saved[name];
        for (std::int64_t s = parse_count(expect_line(in, "slots", path), "slots", path); s > 0; --s) {
            entry.slot_names.push_back(expect_line(in, "slot", path));
            entry.slots.push_back(read_npy<float>(in, path));
        }
    }

    std::vector<Variable> targets = vars;
    if (targets.empty()) {
        for (const auto& s : states_) targets.push_back(s.var);
    }
    // Validate everything before changing anything.
    for (const auto& var : targets) {
        if (saved.find(var.name()) == saved.end()) {
            throw ValueError(detail::cat(display_name_, ".load_state: '", path, "' has no state for variable '",
                                         var.name(), "'"));
        }
    }
    for (const auto& item : saved) {
        const std::string& name = item.first;  // not a structured binding: clang 14 cannot capture one
        const bool wanted = std::any_of(targets.begin(), targets.end(), [&](const Variable& v) { return v.name() == name; });
        if (!wanted) {
            throw ValueError(detail::cat(display_name_, ".load_state: '", path, "' holds state for variable '", name,
                                         "', which is not among the variables being restored"));
        }
    }
    // Each slot must have the name and the shape this optimizer's build() gives it
    // (the variable's shape, or its own: Adafactor's factored moments).
    for (const auto& var : targets) {
        const VariableState& s = ensure_built(var);
        const SavedVariable& entry = saved.at(var.name());
        if (s.slots.names != entry.slot_names) {
            std::string want, got;
            for (const auto& n : s.slots.names) want += " " + n;
            for (const auto& n : entry.slot_names) got += " " + n;
            throw ValueError(detail::cat(display_name_, ".load_state: variable '", var.name(), "' has slots [", got,
                                         " ] in '", path, "', this optimizer uses [", want,
                                         " ] (different options, e.g. amsgrad or use_ema?)"));
        }
        for (std::size_t i = 0; i < entry.slots.size(); ++i) {
            const auto& want = s.slots.arrays[i].shape();
            if (entry.slots[i].shape() == want) continue;
            const std::string expected =
                want == var.shape() ? detail::cat("the variable has shape ", to_string(var.shape()))
                                    : detail::cat("this optimizer's slot has shape ", to_string(want),
                                                  " for the variable of shape ", to_string(var.shape()));
            throw ShapeError(detail::cat(display_name_, ".load_state: slot '", entry.slot_names[i], "' of variable '",
                                         var.name(), "' has shape ", to_string(entry.slots[i].shape()), " in '", path,
                                         "', ", expected));
        }
    }
    for (const auto& var : targets) state_of(var).slots.arrays = saved.at(var.name()).slots;
    raw_iterations_ = raw;
    if (lr && std::holds_alternative<double>(base_options().learning_rate())) mutable_base().set_learning_rate(*lr);
    scalars_ = std::move(scalars);
}

}  // namespace xgrad::optim
