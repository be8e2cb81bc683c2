// libFuzzer target: the checkpoint manifest (Model::load_weights): the input is
// manifest.txt of a checkpoint directory whose .npy files are valid.
#include <filesystem>

#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    static const std::string dir = [] {
        const std::string d = xgrad::fuzz::scratch_path("checkpoint");
        std::filesystem::remove_all(d);
        xgrad::fuzz::make_model().save_weights(d);
        return d;
    }();
    static auto model = xgrad::fuzz::make_model();
    xgrad::fuzz::write_bytes(dir + "/manifest.txt", data, size);
    try {
        model.load_weights(dir);
    } catch (const xgrad::Error&) {
    }
    return 0;
}
