#include <xgrad/autograd/ops/clipping.hpp>

#include <cmath>

#include <xgrad/autograd/ops/arithmetic.hpp>
#include <xgrad/autograd/ops/math.hpp>
#include <xgrad/autograd/ops/reduce.hpp>

namespace xgrad {

namespace {
template <class T>
void check_clip_norm(const char* op, T clip_norm)
{
    if (!(clip_norm > T(0)) || !std::isfinite(clip_norm)) {
        throw ValueError(detail::cat(op, ": argument 'clip_norm' must be a positive finite number, got ", clip_norm));
    }
}

template <class T>
TensorOf<T> scale_by(const TensorOf<T>& t, const TensorOf<T>& norm, T clip_norm, Where loc)
{
    return div(mul(t, scalar<T>(clip_norm), loc), maximum(norm, scalar<T>(clip_norm), loc), loc);
}
}  // namespace

template <class T>
TensorOf<T> clip_by_norm(const TensorOf<T>& t, T clip_norm, Where loc)
{
    check_clip_norm("clip_by_norm", clip_norm);
    return scale_by(t, sqrt(reduce_sum(square(t, loc), {}, false, loc), loc), clip_norm, loc);
}

template <class T>
TensorOf<T> global_norm(const std::vector<TensorOf<T>>& ts, Where loc)
{
    TensorOf<T> total = scalar<T>(0);
    for (const auto& t : ts) {
        if (t.defined()) total = add(total, reduce_sum(square(t, loc), {}, false, loc), loc);
    }
    return sqrt(total, loc);
}

template <class T>
std::vector<TensorOf<T>> clip_by_global_norm(const std::vector<TensorOf<T>>& ts, T clip_norm, Where loc)
{
    check_clip_norm("clip_by_global_norm", clip_norm);
    const auto norm = global_norm(ts, loc);
    std::vector<TensorOf<T>> out;
    for (const auto& t : ts) out.push_back(t.defined() ? scale_by(t, norm, clip_norm, loc) : TensorOf<T>{});
    return out;
}

#define XGRAD_INSTANTIATE(T)                                                                          \
    template TensorOf<T> clip_by_norm(const TensorOf<T>&, T, Where);                                  \
    template TensorOf<T> global_norm(const std::vector<TensorOf<T>>&, Where);                         \
    template std::vector<TensorOf<T>> clip_by_global_norm(const std::vector<TensorOf<T>>&, T, Where);
XGRAD_INSTANTIATE(float)
XGRAD_INSTANTIATE(double)

}  // namespace xgrad
