// libFuzzer target: read_idx (nn/data/idx.hpp), plain and gzip-compressed IDX files.
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    static const std::string path = xgrad::fuzz::scratch_path("idx");
    xgrad::fuzz::write_bytes(path, data, size);
    try {
        const auto a = xgrad::nn::read_idx(path);
        if (a.data.size() != xgrad::num_elements(a.shape)) __builtin_trap();
    } catch (const xgrad::Error&) {
    }
    return 0;
}
