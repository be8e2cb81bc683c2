// libFuzzer target: read_npy (core/npy.hpp) on arbitrary bytes, as float32 and float64.
#include <sstream>

#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string bytes(reinterpret_cast<const char*>(data), size);
    for (int dtype = 0; dtype < 2; ++dtype) {
        std::istringstream in(bytes);
        try {
            if (dtype == 0) {
                const auto a = xgrad::read_npy<float>(in, "fuzz.npy");
                if (a.size() != xgrad::num_elements(a.shape())) __builtin_trap();
            } else {
                const auto a = xgrad::read_npy<double>(in, "fuzz.npy");
                if (a.size() != xgrad::num_elements(a.shape())) __builtin_trap();
            }
        } catch (const xgrad::Error&) {
        }
    }
    return 0;
}
