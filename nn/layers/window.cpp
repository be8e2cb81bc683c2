#include <xgrad/nn/layers/window.hpp>

#include <xgrad/nn/serialization.hpp>

namespace xgrad::nn {

Json window_json(Size2 v) { return Json::array({v[0], v[1]}); }

Size2 read_window(ConfigReader& r, const std::string& key, std::size_t rank, const std::string& where,
                  std::size_t min)
{
    const Json v = r.get_json(key);
    auto bad = [&] {
        return ValueError(detail::cat(where, ": config key '", key, "' must be an integer >= ", min, " or a list of ",
                                      rank, " of them, got ", v.dump()));
    };
    auto one = [&](const Json& d) {
        if (!d.is_number_integer() || d.get<long>() < static_cast<long>(min)) throw bad();
        return static_cast<std::size_t>(d.get<long>());
    };
    if (v.is_number()) {
        const std::size_t k = one(v);
        return {k, rank == 1 ? 1 : k};
    }
    if (!v.is_array() || v.size() != rank) throw bad();
    return rank == 1 ? Size2{one(v[0]), 1} : Size2{one(v[0]), one(v[1])};
}

void read_channels_last(ConfigReader& r, const std::string& where)
{
    const Json v = r.get_json("data_format", "channels_last");
    if (!v.is_null() && v != "channels_last") {
        throw ValueError(detail::cat(where, ": only data_format \"channels_last\" is supported, got ", v.dump()));
    }
}

void check_window(const std::string& layer, const char* arg, Size2 v)
{
    if (v[0] == 0 || v[1] == 0) {
        throw ValueError(detail::cat(layer, ": argument '", arg, "' must be positive, got (", v[0], ", ", v[1], ")"));
    }
}

}  // namespace xgrad::nn
