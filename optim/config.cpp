#include <xgrad/optim/config.hpp>

#include <charconv>
#include <cmath>
#include <cstdlib>

#include <xgrad/core/error.hpp>

namespace xgrad::optim {

Config& Config::set(const std::string& key, ConfigValue value)
{
    for (auto& [k, v] : items_) {
        if (k == key) {
            v = std::move(value);
            return *this;
        }
    }
    items_.emplace_back(key, std::move(value));
    return *this;
}

bool Config::contains(const std::string& key) const
{
    for (const auto& item : items_) {
        if (item.first == key) return true;
    }
    return false;
}

const ConfigValue& Config::at(const std::string& key) const
{
    for (const auto& item : items_) {
        if (item.first == key) return item.second;
    }
    throw ValueError(detail::cat("config: missing key '", key, "' in ", to_string()));
}

namespace {

[[noreturn]] void wrong_type(const std::string& key, const char* expected, const ConfigValue& v)
{
    throw ValueError(detail::cat("config: key '", key, "' must be ", expected, ", got ", v.repr()));
}

}  // namespace

double Config::get_double(const std::string& key) const
{
    const auto& v = at(key);
    if (auto d = std::get_if<double>(&v.storage())) return *d;
    if (auto i = std::get_if<std::int64_t>(&v.storage())) return static_cast<double>(*i);
    wrong_type(key, "a number", v);
}

std::optional<double> Config::get_optional_double(const std::string& key) const
{
    if (!contains(key) || at(key).is_none()) return std::nullopt;
    return get_double(key);
}

std::int64_t Config::get_int(const std::string& key) const
{
    const auto& v = at(key);
    if (auto i = std::get_if<std::int64_t>(&v.storage())) return *i;
    wrong_type(key, "an integer", v);
}

std::optional<std::int64_t> Config::get_optional_int(const std::string& key) const
{
    if (!contains(key) || at(key).is_none()) return std::nullopt;
    return get_int(key);
}

bool Config::get_bool(const std::string& key) const
{
    const auto& v = at(key);
    if (auto b = std::get_if<bool>(&v.storage())) return *b;
    wrong_type(key, "True or False", v);
}

std::string Config::get_string(const std::string& key) const
{
    const auto& v = at(key);
    if (auto s = std::get_if<std::string>(&v.storage())) return *s;
    wrong_type(key, "a string", v);
}

const Config& Config::get_dict(const std::string& key) const
{
    const auto& v = at(key);
    if (auto c = std::get_if<Config>(&v.storage())) return *c;
    wrong_type(key, "a dict", v);
}

const std::vector<ConfigValue>& Config::get_list(const std::string& key) const
{
    const auto& v = at(key);
    if (auto l = std::get_if<ConfigValue::List>(&v.storage())) return *l;
    wrong_type(key, "a list", v);
}

std::string Config::to_string() const
{
    std::string out = "{";
    for (std::size_t i = 0; i < items_.size(); ++i) {
        if (i) out += ", ";
        out += ConfigValue(items_[i].first).repr() + ": " + items_[i].second.repr();
    }
    return out + "}";
}

std::string python_float_repr(double x)
{
    if (std::isnan(x)) return "nan";
    if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
    if (x == 0) return std::signbit(x) ? "-0.0" : "0.0";
    // Shortest round-trip digits in scientific form: "d.ddde[+-]xx".
    char buf[64];
    auto res = std::to_chars(buf, buf + sizeof buf, x, std::chars_format::scientific);
    std::string sci(buf, res.ptr);
    const auto e_pos = sci.find('e');
    const int exponent = std::atoi(sci.c_str() + e_pos + 1);
    std::string mantissa = sci.substr(0, e_pos);
    const bool negative = mantissa[0] == '-';
    if (negative) mantissa.erase(0, 1);
    std::string digits;
    for (char c : mantissa) if (c != '.') digits += c;
    std::string out = negative ? "-" : "";
    if (exponent < -4 || exponent >= 16) {
        out += digits.substr(0, 1);
        if (digits.size() > 1) out += "." + digits.substr(1);
        out += exponent < 0 ? "e-" : "e+";
        const int mag = std::abs(exponent);
        if (mag < 10) out += "0";
        return out + std::to_string(mag);
    }
    if (exponent < 0) {
        return out + "0." + std::string(static_cast<std::size_t>(-exponent - 1), '0') + digits;
    }
    const auto int_len = static_cast<std::size_t>(exponent + 1);
    if (digits.size() <= int_len) {
        return out + digits + std::string(int_len - digits.size(), '0') + ".0";
    }
    return out + digits.substr(0, int_len) + "." + digits.substr(int_len);
}

std::string ConfigValue::repr() const
{
    struct Visitor {
        std::string operator()(std::monostate) const { return "None"; }
        std::string operator()(bool b) const { return b ? "True" : "False"; }
        std::string operator()(std::int64_t i) const { return std::to_string(i); }
        std::string operator()(double d) const { return python_float_repr(d); }
        std::string operator()(const std::string& s) const
        {
            // Python picks double quotes only for strings holding a ' and no ".
            const bool dq = s.find('\'') != std::string::npos && s.find('"') == std::string::npos;
            const char q = dq ? '"' : '\'';
            std::string out(1, q);
            for (char c : s) {
                if (c == '\\' || c == q) out += '\\';
                out += c;
            }
            return out + q;
        }
        std::string operator()(const List& l) const
        {
            std::string out = "[";
            for (std::size_t i = 0; i < l.size(); ++i) out += (i ? ", " : "") + l[i].repr();
            return out + "]";
        }
        std::string operator()(const Config& c) const { return c.to_string(); }
    };
    return std::visit(Visitor{}, v_);
}

}  // namespace xgrad::optim
