// The header of a .npy file: a Python dict literal, parsed strictly (as
// numpy's reader does with ast.literal_eval, then its key and type checks):
//   {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
// Exactly the keys descr, fortran_order and shape; the shape is a tuple of
// non-negative integers ("(3,)", "()" for a scalar).
#pragma once

#include <string>

#include <xgrad/core/shape.hpp>

namespace xgrad::detail {

struct NpyHeader {
    std::string descr;
    bool fortran_order = false;
    Shape shape;
};

// Throws IOError "load_npy: '<source>' has ..." naming what is wrong: a
// malformed dict, a missing, repeated or unknown key, a dimension that is
// negative, fractional or not an integer that fits in 64 bits.
NpyHeader parse_npy_header(const std::string& header, const std::string& source);

}  // namespace xgrad::detail
