// Errors thrown by xgrad. Every message names the operation, the argument and
// the shapes or values involved, e.g.
//   "matmul: argument 'b' has shape (3, 4), expected 5 rows to match argument 'a' of shape (2, 5)".
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>

namespace xgrad {

// Base of every exception xgrad throws.
class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Incompatible shapes, wrong ranks, invalid axes, empty tensors.
class ShapeError : public Error {
public:
    using Error::Error;
};

// A value outside its valid range: a negative learning rate, a label out of range.
class ValueError : public Error {
public:
    using Error::Error;
};

// Misuse of the tape: a second gradient() on a non-persistent tape, and the like.
class TapeError : public Error {
public:
    using Error::Error;
};

// The first NaN or Inf found while anomaly mode is on.
class NumericsError : public Error {
public:
    using Error::Error;
};

// Files: missing, truncated or corrupt data sets and checkpoints.
class IOError : public Error {
public:
    using Error::Error;
};

namespace detail {

// Concatenates anything streamable into one string: cat("a", 1, 'b') == "a1b".
template <class... Args>
std::string cat(Args&&... args)
{
    std::ostringstream out;
    (out << ... << std::forward<Args>(args));
    return out.str();
}

}  // namespace detail
}  // namespace xgrad
