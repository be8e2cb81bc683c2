// The IDX format of MNIST-style data sets (optionally gzip-compressed):
//   bytes 0-1: 0, 0;  byte 2: type (0x08 = unsigned byte, the only one supported);
//   byte 3: number of dimensions d;  then d big-endian uint32 sizes;  then the
//   data, row-major, product(sizes) bytes.
// Missing, truncated or corrupt files throw IOError naming the file and what
// was expected; the reader never allocates more than the data actually read.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <xgrad/core/shape.hpp>

namespace xgrad::nn {

struct IdxArray {
    Shape shape;
    std::vector<std::uint8_t> data;  // product(shape) values, row-major
};

// Reads a .idx or .idx.gz file (gzip is detected from the content).
IdxArray read_idx(const std::string& path);

}  // namespace xgrad::nn
