#include <xgrad/nn/naming.hpp>

#include <cctype>
#include <regex>

#include <xgrad/core/error.hpp>

namespace xgrad::nn {

std::string to_snake_case(const std::string& class_name)
{
    // Keras: re.sub("(.)([A-Z][a-z]+)", r"\1_\2"), then re.sub("([a-z])([A-Z])", r"\1_\2"), lower-cased.
    static const std::regex word("(.)([A-Z][a-z]+)"), hump("([a-z])([A-Z])");
    std::string out = std::regex_replace(std::regex_replace(class_name, word, "$1_$2"), hump, "$1_$2");
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

void check_layer_name(const std::string& name, const std::string& class_name)
{
    if (name.empty() || name.find('/') != std::string::npos) {
        throw ValueError(detail::cat(class_name, ": argument 'name' must be non-empty and contain no '/', got '", name,
                                     "'"));
    }
}

}  // namespace xgrad::nn
