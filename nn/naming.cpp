#include <xgrad/nn/naming.hpp>

#include <cctype>
#include <map>
#include <mutex>

namespace xgrad::nn {
namespace {
std::mutex& counts_mutex()
{
    static std::mutex m;
    return m;
}
std::map<std::string, int>& counts()
{
    static std::map<std::string, int> c;
    return c;
}
}  // namespace

std::string unique_name(const std::string& prefix)
{
    std::lock_guard<std::mutex> lock(counts_mutex());
    const int n = counts()[prefix]++;
    return n == 0 ? prefix : prefix + "_" + std::to_string(n);
}

void clear_session()
{
    std::lock_guard<std::mutex> lock(counts_mutex());
    counts().clear();
}

std::string to_snake_case(const std::string& class_name)
{
    std::string out;
    for (std::size_t i = 0; i < class_name.size(); ++i) {
        const char c = class_name[i];
        if (std::isupper(static_cast<unsigned char>(c))) {
            if (i > 0) out += '_';
            out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        } else {
            out += c;
        }
    }
    return out;
}

}  // namespace xgrad::nn
