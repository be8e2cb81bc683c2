// libFuzzer target: nn::deserialize_layer on any JSON document (Keras 3's layer
// schema), then a round trip through serialize_layer.
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const auto json = xgrad::nn::Json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
    if (json.is_discarded()) return 0;
    try {
        const auto layer = xgrad::nn::deserialize_layer(json);
        (void)xgrad::nn::serialize_layer(*layer);
    } catch (const xgrad::Error&) {
    }
    return 0;
}
