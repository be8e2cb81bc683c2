#include <xgrad/core/shape.hpp>

#include <algorithm>

#include <xgrad/core/error.hpp>

namespace xgrad {

std::string to_string(const Shape& shape)
{
    std::string out = "(";
    for (std::size_t i = 0; i < shape.size(); ++i) {
        if (i) out += ", ";
        out += std::to_string(shape[i]);
    }
    return out + ")";
}

std::size_t num_elements(const Shape& shape, const char* op)
{
    std::size_t n = 1;
    bool empty = false;
    for (std::size_t d : shape) {
        if (d == 0) { empty = true; continue; }
        if (__builtin_mul_overflow(n, d, &n) || n > kMaxElements) {
            throw ShapeError(detail::cat(op, ": shape ", to_string(shape), " has too many elements (more than ",
                                         kMaxElements, ", the most a tensor can hold)"));
        }
    }
    return empty ? 0 : n;
}

Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op, const char* name_a,
                       const char* name_b)
{
    const std::size_t rank = std::max(a.size(), b.size());
    Shape out(rank, 1);
    for (std::size_t i = 0; i < rank; ++i) {
        const std::size_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
        const std::size_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
        if (da != db && da != 1 && db != 1) {
            throw ShapeError(detail::cat(op, ": cannot broadcast argument '", name_a, "' of shape ",
                                         to_string(a), " with argument '", name_b, "' of shape ",
                                         to_string(b), " (dimension ", i, ": ", da, " vs ", db,
                                         ")"));
        }
        out[i] = da == 1 ? db : da;
    }
    num_elements(out, op);
    return out;
}

std::size_t normalize_axis(long axis, std::size_t rank, const char* op, const Shape& shape)
{
    const long r = static_cast<long>(rank);
    if (axis < -r || axis >= r) {
        throw ShapeError(detail::cat(op, ": axis ", axis, " is out of range for a tensor of shape ",
                                     to_string(shape), " (rank ", rank, ")"));
    }
    return static_cast<std::size_t>(axis < 0 ? axis + r : axis);
}

AxisList normalize_axes(const Axes& axes, std::size_t rank, const char* op, const Shape& shape)
{
    AxisList out;
    if (axes.empty()) {
        for (std::size_t i = 0; i < rank; ++i) out.push_back(i);
        return out;
    }
    for (long a : axes) out.push_back(normalize_axis(a, rank, op, shape));
    std::sort(out.begin(), out.end());
    if (std::adjacent_find(out.begin(), out.end()) != out.end()) {
        throw ShapeError(detail::cat(op, ": repeated axis in the axes of a reduction over shape ",
                                     to_string(shape)));
    }
    return out;
}

Shape reduced_shape(const Shape& shape, const AxisList& axes, bool keepdims)
{
    Shape out;
    for (std::size_t i = 0; i < shape.size(); ++i) {
        const bool reduced = std::find(axes.begin(), axes.end(), i) != axes.end();
        if (!reduced) out.push_back(shape[i]);
        else if (keepdims) out.push_back(1);
    }
    return out;
}

}  // namespace xgrad
