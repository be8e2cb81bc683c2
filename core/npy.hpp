// numpy's .npy format (version 1.0, little-endian, C order) for float32/float64
// arrays: files numpy.load reads, and numpy.save files xgrad reads.
#pragma once

#include <istream>
#include <ostream>
#include <string>

#include <xtensor/xarray.hpp>

namespace xgrad {

template <class T>
void write_npy(std::ostream& out, const xt::xarray<T>& array);
// Reads an array of dtype T; `source` names the file in error messages.
template <class T>
xt::xarray<T> read_npy(std::istream& in, const std::string& source);

// Atomic save; throws IOError naming the path.
template <class T>
void save_npy(const std::string& path, const xt::xarray<T>& array);
// Throws IOError naming the path and what was expected on a missing, truncated
// or corrupt file, or one of another dtype.
template <class T>
xt::xarray<T> load_npy(const std::string& path);

// Labels stored as float32 or as any integer dtype (|i1 .. <u8), as float32 values;
// throws IOError for another dtype or a label float32 cannot hold exactly.
xt::xarray<float> load_npy_labels(const std::string& path);

}  // namespace xgrad
