// libFuzzer target: Optimizer::load_state on arbitrary bytes, for an Adam (amsgrad, EMA)
// optimizer of the fuzz model's variables.
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    static const std::string path = xgrad::fuzz::scratch_path("optimizer_state");
    static auto model = xgrad::fuzz::make_model();
    static const auto vars = model.trainable_variables();
    xgrad::fuzz::write_bytes(path, data, size);
    auto optimizer = xgrad::fuzz::make_optimizer();
    try {
        optimizer->load_state(path, vars);
    } catch (const xgrad::Error&) {
    }
    return 0;
}
