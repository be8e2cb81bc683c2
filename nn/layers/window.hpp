// Window2: a 2-D size given as one number (3 -> (3, 3)) or two ({3, 5}), as Keras's
// kernel_size / strides / pool_size / size arguments; and the config helpers the
// convolution, pooling and upsampling layers share.
#pragma once

#include <array>
#include <cstddef>
#include <string>

#include <xgrad/autograd/ops/conv.hpp>
#include <xgrad/autograd/ops/pooling.hpp>
#include <xgrad/nn/layer.hpp>

namespace xgrad::nn {

class ConfigReader;

struct Window2 {
    Window2(std::size_t k) : v{k, k} {}  // NOLINT: implicit, as Keras's int argument
    Window2(std::size_t a, std::size_t b) : v{a, b} {}
    Size2 v;
    std::size_t operator[](std::size_t i) const { return v[i]; }
};

// [a, b] (Keras writes tuples as lists).
Json window_json(Size2 v);
// An int (k -> (k, k)) or a list of `rank` ints, each >= `min` (1, or 0 where Keras allows it);
// throws ValueError naming `where` and the key.
Size2 read_window(ConfigReader& r, const std::string& key, std::size_t rank, const std::string& where,
                  std::size_t min = 1);
// Keras's data_format: "channels_last" only (ValueError naming `where` otherwise).
void read_channels_last(ConfigReader& r, const std::string& where);
// Throws ValueError naming `layer` and `arg` unless every entry of v is positive.
void check_window(const std::string& layer, const char* arg, Size2 v);

}  // namespace xgrad::nn
