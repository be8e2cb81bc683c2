// Config: an ordered key/value dictionary describing an optimizer or a
// learning-rate schedule, printed exactly like the Python dict Keras 3's
// get_config() returns:
//   {'name': 'adam', 'learning_rate': 0.0010000000474974513, 'weight_decay': None, ...}
// Values: None, bool, integer, float (printed with Python's shortest repr),
// string, list, nested dict.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace xgrad::optim {

class ConfigValue;

class Config {
public:
    using Item = std::pair<std::string, ConfigValue>;

    // Sets `key` (replacing it in place, or appending it at the end).
    Config& set(const std::string& key, ConfigValue value);
    bool contains(const std::string& key) const;
    // The value of `key`; throws ValueError naming the key when it is missing.
    const ConfigValue& at(const std::string& key) const;
    const std::vector<Item>& items() const { return items_; }

    // Typed reads; throw ValueError naming the key and the expected type.
    double get_double(const std::string& key) const;                  // int or float
    std::optional<double> get_optional_double(const std::string& key) const;  // None -> nullopt
    std::int64_t get_int(const std::string& key) const;
    std::optional<std::int64_t> get_optional_int(const std::string& key) const;
    bool get_bool(const std::string& key) const;
    std::string get_string(const std::string& key) const;
    const Config& get_dict(const std::string& key) const;
    const std::vector<ConfigValue>& get_list(const std::string& key) const;

    // Python's repr of the dict.
    std::string to_string() const;

private:
    std::vector<Item> items_;
};

class ConfigValue {
public:
    using List = std::vector<ConfigValue>;
    using Storage = std::variant<std::monostate, bool, std::int64_t, double, std::string, List, Config>;

    ConfigValue() = default;  // None
    ConfigValue(std::nullopt_t) {}
    ConfigValue(bool v) : v_(v) {}
    ConfigValue(int v) : v_(std::int64_t{v}) {}
    ConfigValue(std::int64_t v) : v_(v) {}
    ConfigValue(double v) : v_(v) {}
    ConfigValue(const char* v) : v_(std::string(v)) {}
    ConfigValue(std::string v) : v_(std::move(v)) {}
    ConfigValue(List v) : v_(std::move(v)) {}
    ConfigValue(Config v) : v_(std::move(v)) {}
    // An optional number: None when empty.
    template <class T>
    ConfigValue(const std::optional<T>& v) { if (v) *this = ConfigValue(*v); }

    bool is_none() const { return std::holds_alternative<std::monostate>(v_); }
    const Storage& storage() const { return v_; }
    // Python's repr of the value.
    std::string repr() const;

private:
    Storage v_;
};

// Python's repr(float): the shortest digits that round-trip, in fixed
// notation for 1e-4 <= |x| < 1e16 (always with a '.'), else as '1e-07'.
std::string python_float_repr(double x);

}  // namespace xgrad::optim
