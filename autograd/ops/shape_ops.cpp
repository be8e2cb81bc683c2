#include <xgrad/autograd/ops/shape_ops.hpp>

#include <algorithm>
#include <cstring>
#include <limits>


#include <xgrad/autograd/detail/finiteness.hpp>
#include <xgrad/autograd/detail/recording.hpp>
#include <xgrad/autograd/ops/reduce.hpp>
#include <xgrad/core/elementwise.hpp>

namespace xgrad {
using detail::BackwardFn;
using detail::cat;
using detail::check_args;
using detail::check_defined;
using detail::finish;

namespace {
// Viewing a shape as (outer, dim, inner) around `axis`.
struct Blocks {
    std::size_t outer = 1, dim = 1, inner = 1;
};
Blocks blocks(const Shape& shape, std::size_t axis)
{
    Blocks b;
    for (std::size_t i = 0; i < shape.size(); ++i) {
        if (i < axis) b.outer *= shape[i];
        else if (i == axis) b.dim = shape[i];
        else b.inner *= shape[i];
    }
    return b;
}
// Copies rows [0, src.dim) of each outer block of `src` to rows [offset, ...) of `dst`.
template <class T>
void copy_rows(const T* src, Blocks s, T* dst, Blocks d, std::size_t src_offset, std::size_t dst_offset,
               std::size_t rows)
{
    for (std::size_t o = 0; o < s.outer; ++o) {
        std::memcpy(dst + (o * d.dim + dst_offset) * d.inner, src + (o * s.dim + src_offset) * s.inner,
                    rows * s.inner * sizeof(T));
    }
}

// The gradient of slice: g placed at [begin, begin + g.dim) of a zero tensor
// whose `axis` has length `full`. Its own gradient is the slice again.
template <class T>
TensorOf<T> embed(const TensorOf<T>& g, std::size_t axis, std::size_t begin, std::size_t full)
{
    Shape shape = g.shape();
    shape[axis] = full;
    xt::xarray<T> out(shape, T(0));
    const Blocks gb = blocks(g.shape(), axis);
    copy_rows(g.value().data(), gb, out.data(), blocks(shape, axis), 0, begin, gb.dim);
    return finish<T>("slice_grad", {&g}, std::move(out), Where::current(), [&](const TensorOf<T>&) {
        return BackwardFn<T>([axis = axis, begin = begin, end = begin + gb.dim](const TensorOf<T>& gg) {
            return detail::Gradients<T>{slice(gg, static_cast<long>(axis), static_cast<long>(begin),
                                                  static_cast<long>(end))};
        });
    });
}

// The gradient of gather: rows of g added into a zero tensor of `rows` rows.
template <class T>
TensorOf<T> scatter_add(const TensorOf<T>& g, const std::vector<std::size_t>& indices, std::size_t rows)
{
    Shape shape = g.shape();
    shape[0] = rows;
    xt::xarray<T> out(shape, T(0));
    const std::size_t width = g.size() / indices.size();
    const T* src = g.value().data();
    for (std::size_t i = 0; i < indices.size(); ++i) {
        T* dst = out.data() + indices[i] * width;
        for (std::size_t j = 0; j < width; ++j) dst[j] += src[i * width + j];
    }
    return finish<T>("gather_grad", {&g}, std::move(out), Where::current(), [&](const TensorOf<T>&) {
        return BackwardFn<T>([indices = indices](const TensorOf<T>& gg) {
            return detail::Gradients<T>{gather(gg, indices)};
        });
    });
}
}  // namespace

template <class T>
TensorOf<T> reshape(const TensorOf<T>& x, const std::vector<long>& shape, Where loc)
{
    check_defined<T>("reshape", {{"x", x}});
    Shape target;
    long infer = -1;
    // The requested shape as written, up to dimension `end` (for the messages only).
    auto requested = [&](std::size_t end) {
        std::string out;
        for (std::size_t i = 0; i < end; ++i) out += (i ? ", " : "") + std::to_string(shape[i]);
        return out;
    };
    for (std::size_t i = 0; i < shape.size(); ++i) {
        if (shape[i] == -1 && infer < 0) { infer = static_cast<long>(i); target.push_back(1); continue; }
        if (shape[i] < 0) {
            throw ShapeError(cat("reshape: argument 'shape' (", requested(i + 1), "...) has an invalid dimension ",
                                 shape[i], " (only one -1 is allowed)"));
        }
        target.push_back(static_cast<std::size_t>(shape[i]));
    }
    const std::size_t known = num_elements(target, "reshape");  // the -1 counts as 1
    if (infer >= 0 && known == 0) {
        throw ShapeError(cat("reshape: cannot infer the -1 of shape (", requested(shape.size()), ") next to a zero dimension ",
                             "(tensor of shape ", to_string(x.shape()), ")"));
    }
    if (infer >= 0) target[static_cast<std::size_t>(infer)] = x.size() / known;
    if (num_elements(target) != x.size() || (infer >= 0 && x.size() % known != 0)) {
        throw ShapeError(cat("reshape: cannot reshape a tensor of shape ", to_string(x.shape()), " (",
                             x.size(), " elements) into shape (", requested(shape.size()), ")"));
    }
    return detail::reshape_to(x, target, loc);
}

template <class T>
TensorOf<T> detail::reshape_to(const TensorOf<T>& x, const Shape& shape, Where loc)
{
    check_defined<T>("reshape", {{"x", x}});
    if (num_elements(shape, "reshape") != x.size()) {
        throw ShapeError(cat("reshape: cannot reshape a tensor of shape ", to_string(x.shape()), " (", x.size(),
                             " elements) into shape ", to_string(shape)));
    }
    TensorOf<T> value(detail::Uninitialized{}, shape);
    std::copy(x.value().data(), x.value().data() + x.size(), detail::data_of(value));
    return finish<T>("reshape", {&x}, detail::same_finiteness(std::move(value), x), loc,
                     [&](const TensorOf<T>&) {
        return BackwardFn<T>([original = x.shape()](const TensorOf<T>& g) {
            return detail::Gradients<T>{reshape_to(g, original)};
        });
    });
}

template <class T>
TensorOf<T> broadcast_to(const TensorOf<T>& x, const Shape& shape, Where loc)
{
    check_defined<T>("broadcast_to", {{"x", x}});
    num_elements(shape, "broadcast_to");
    if (broadcast_shapes(x.shape(), shape, "broadcast_to", "x", "shape") != shape) {
        throw ShapeError(cat("broadcast_to: cannot broadcast argument 'x' of shape ", to_string(x.shape()),
                             " to shape ", to_string(shape)));
    }
    TensorOf<T> value(detail::Uninitialized{}, shape);
    detail::broadcast_into(x.value(), shape, detail::data_of(value));
    return finish<T>("broadcast_to", {&x}, std::move(value), loc, [&](const TensorOf<T>&) {
        return BackwardFn<T>([original = x.shape()](const TensorOf<T>& g) {
            return detail::Gradients<T>{sum_to(g, original)};
        });
    });
}

template <class T>
TensorOf<T> detail::sum_to_reduced(const TensorOf<T>& x, const Shape& shape, Where loc)
{
    check_defined<T>("sum_to", {{"x", x}});
    if (x.shape() == shape) return x;
    const Shape& xs = x.shape();
    if (shape.size() > xs.size() || broadcast_shapes(shape, xs, "sum_to", "shape", "x") != xs) {
        throw ShapeError(cat("sum_to: cannot sum argument 'x' of shape ", to_string(xs),
                             " down to shape ", to_string(shape)));
    }
    const std::size_t lead = xs.size() - shape.size();
    AxisList axes;
    for (std::size_t i = 0; i < xs.size(); ++i) {
        if (i < lead || (shape[i - lead] == 1 && xs[i] != 1)) axes.push_back(i);
    }
    // Only leading axes (a bias's gradient): the sum without them already has `shape`.
    if (!axes.empty() && axes.back() < lead) return detail::reduce_sum_normalized(x, axes, false, loc);
    const auto summed = axes.empty() ? x : detail::reduce_sum_normalized(x, axes, true, loc);
    return detail::reshape_to(summed, shape, loc);
}

template <class T>
TensorOf<T> concat(const std::vector<TensorOf<T>>& xs, long axis, Where loc)
{
    if (xs.empty()) throw ShapeError("concat: argument 'xs' is an empty list");
    for (std::size_t i = 0; i < xs.size(); ++i) {
        const std::string name = cat("xs[", i, "]");
        check_args<T>("concat", {{name.c_str(), xs[i]}});
    }
    const Shape& first = xs[0].shape();
    const std::size_t ax = normalize_axis(axis, first.size(), "concat", first);
    Shape shape = first;
    shape[ax] = 0;
    for (std::size_t i = 0; i < xs.size(); ++i) {
        const Shape& s = xs[i].shape();
        bool ok = s.size() == first.size();
        for (std::size_t d = 0; ok && d < s.size(); ++d) ok = d == ax || s[d] == first[d];
        if (!ok) {
            throw ShapeError(cat("concat: argument 'xs[", i, "]' has shape ", to_string(s),
                                 ", which does not match 'xs[0]' of shape ", to_string(first),
                                 " outside axis ", ax));
        }
        shape[ax] += s[ax];
    }
    xt::xarray<T> out = xt::xarray<T>::from_shape(shape);
    std::vector<std::size_t> offsets;
    std::size_t offset = 0;
    for (const auto& x : xs) {
        const Blocks b = blocks(x.shape(), ax);
        copy_rows(x.value().data(), b, out.data(), blocks(shape, ax), 0, offset, b.dim);
        offsets.push_back(offset);
        offset += b.dim;
    }
    std::vector<const TensorOf<T>*> inputs;
    for (const auto& x : xs) inputs.push_back(&x);
    return finish<T>("concat", std::span<const TensorOf<T>* const>(inputs), std::move(out), loc,
                     [&](const TensorOf<T>&) {
        std::vector<std::size_t> ends;
        for (const auto& x : xs) ends.push_back(x.shape()[ax]);
        return BackwardFn<T>([ax = ax, offsets = offsets, ends = ends](const TensorOf<T>& g) {
            std::vector<TensorOf<T>> grads;
            for (std::size_t i = 0; i < offsets.size(); ++i)
                grads.push_back(slice(g, static_cast<long>(ax), static_cast<long>(offsets[i]),
                                      static_cast<long>(offsets[i] + ends[i])));
            return grads;
        });
    });
}

template <class T>
TensorOf<T> slice(const TensorOf<T>& x, long axis, long begin_arg, long end_arg, Where loc)
{
    check_args<T>("slice", {{"x", x}});
    const std::size_t ax = normalize_axis(axis, x.rank(), "slice", x.shape());
    const std::size_t dim = x.shape()[ax];
    const long length = static_cast<long>(dim);
    const long b = begin_arg < 0 ? begin_arg + length : begin_arg;
    const long e = end_arg < 0 ? end_arg + length : end_arg;
    if (b < 0 || e > length || b >= e) {
        throw ShapeError(cat("slice: range [", begin_arg, ", ", end_arg, ") is empty or outside axis ", ax,
                             " of length ", dim, " (shape ", to_string(x.shape()), ")"));
    }
    const auto begin = static_cast<std::size_t>(b), end = static_cast<std::size_t>(e);
    Shape shape = x.shape();
    shape[ax] = end - begin;
    xt::xarray<T> out = xt::xarray<T>::from_shape(shape);
    copy_rows(x.value().data(), blocks(x.shape(), ax), out.data(), blocks(shape, ax), begin, 0, end - begin);
    return finish<T>("slice", {&x}, std::move(out), loc, [&](const TensorOf<T>&) {
        return BackwardFn<T>([ax = ax, begin = begin, dim = dim](const TensorOf<T>& g) {
            return detail::Gradients<T>{embed(g, ax, begin, dim)};
        });
    });
}

template <class T>
TensorOf<T> gather(const TensorOf<T>& x, const std::vector<std::size_t>& indices, Where loc)
{
    check_args<T>("gather", {{"x", x}});
    if (x.rank() == 0) throw ShapeError("gather: argument 'x' is a scalar; it needs a first axis to gather rows from");
    if (indices.empty()) throw ShapeError("gather: argument 'indices' is empty");
    const std::size_t rows = x.shape()[0];
    for (std::size_t i = 0; i < indices.size(); ++i) {
        if (indices[i] > static_cast<std::size_t>(std::numeric_limits<long>::max())) {
            throw ShapeError(cat("gather: indices[", i, "] = ", static_cast<long>(indices[i]),
                                 " is negative; row indices run from 0 to ", rows - 1));
        }
        if (indices[i] >= rows) {
            throw ShapeError(cat("gather: indices[", i, "] = ", indices[i], " is out of range for argument 'x' of shape ",
                                 to_string(x.shape()), " (", rows, " rows)"));
        }
    }
    Shape shape = x.shape();
    shape[0] = indices.size();
    xt::xarray<T> out = xt::xarray<T>::from_shape(shape);
    const std::size_t width = x.size() / rows;
    for (std::size_t i = 0; i < indices.size(); ++i)
        std::memcpy(out.data() + i * width, x.value().data() + indices[i] * width, width * sizeof(T));
    return finish<T>("gather", {&x}, std::move(out), loc, [&](const TensorOf<T>&) {
        return BackwardFn<T>([indices = indices, rows = rows](const TensorOf<T>& g) {
            return detail::Gradients<T>{scatter_add(g, indices, rows)};
        });
    });
}

template <class T>
TensorOf<T> stop_gradient(const TensorOf<T>& x)
{
    check_defined<T>("stop_gradient", {{"x", x}});
    return TensorOf<T>(xt::xarray<T>(x.value()));
}

#define XGRAD_INSTANTIATE(T)                                                                       \
    template TensorOf<T> reshape(const TensorOf<T>&, const std::vector<long>&, Where);             \
    template TensorOf<T> broadcast_to(const TensorOf<T>&, const Shape&, Where);                    \
    template TensorOf<T> detail::sum_to_reduced(const TensorOf<T>&, const Shape&, Where);          \
    template TensorOf<T> detail::reshape_to(const TensorOf<T>&, const Shape&, Where);              \
    template TensorOf<T> concat(const std::vector<TensorOf<T>>&, long, Where);                     \
    template TensorOf<T> slice(const TensorOf<T>&, long, long, long, Where);         \
    template TensorOf<T> gather(const TensorOf<T>&, const std::vector<std::size_t>&, Where);       \
    template TensorOf<T> stop_gradient(const TensorOf<T>&);
XGRAD_INSTANTIATE(float)
XGRAD_INSTANTIATE(double)

}  // namespace xgrad
