// TensorOf<T>: an immutable value (an xt::xarray<T>) with a unique id that tapes
// use to record the operations applied to it. Copies share the value.
//   xgrad::Tensor x = xgrad::constant<float>({{1, 2}, {3, 4}});
//   std::cout << x.value();        // xtensor's operator<<
// Float32 (`Tensor`) is the default; `Tensor64` serves gradient checks.
#pragma once

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <ostream>
#include <source_location>
#include <string>

#include <xtensor/xarray.hpp>
#include <xtensor/xio.hpp>  // users print values with xtensor's operator<<

#include <xgrad/autograd/detail/tensor_impl.hpp>  // TensorImpl, its pool and ImplRef
#include <xgrad/core/error.hpp>
#include <xgrad/core/shape.hpp>

namespace xgrad {

// The call site an op was recorded at, reported by anomaly mode.
#if defined(__cpp_lib_source_location)
using Where = std::source_location;
#else
// A standard library without std::source_location under this compiler (libstdc++ 12
// with clang 14, as scripts/fuzz.sh builds): its interface, from the builtins.
struct Where {
    static constexpr Where current(const char* file = __builtin_FILE(), int line = __builtin_LINE(),
                                   const char* function = __builtin_FUNCTION()) noexcept
    {
        Where w;
        w.file_ = file;
        w.line_ = static_cast<std::uint_least32_t>(line);
        w.function_ = function;
        return w;
    }
    constexpr const char* file_name() const noexcept { return file_; }
    constexpr std::uint_least32_t line() const noexcept { return line_; }
    constexpr std::uint_least32_t column() const noexcept { return 0; }
    constexpr const char* function_name() const noexcept { return function_; }

private:
    const char* file_ = "";
    std::uint_least32_t line_ = 0;
    const char* function_ = "";
};
#endif

template <class T> class TensorOf;
template <class T> class VariableOf;
using Tensor = TensorOf<float>;
using Tensor64 = TensorOf<double>;
using Variable = VariableOf<float>;
using Variable64 = VariableOf<double>;

template <class T>
class TensorOf {
    static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>,
                  "xgrad tensors hold float or double");

public:
    using value_type = T;
    using array_type = xt::xarray<T>;

    // An undefined tensor: what `gradient` returns for an unconnected source.
    TensorOf() = default;
    TensorOf(const TensorOf&) = default;
    TensorOf(TensorOf&&) noexcept = default;
    TensorOf& operator=(const TensorOf&) = default;
    TensorOf& operator=(TensorOf&&) noexcept = default;
    // Inline wherever a tensor dies (left to itself the compiler calls it out of line from
    // the reverse pass and the gradient lists): the reference count's test is a few instructions.
    // Declaring it drops the implicit copy and move, hence the four defaults above.
    [[gnu::always_inline]] ~TensorOf() = default;
    // A constant holding `value` (moved in, never copied again).
    TensorOf(array_type&& value) : impl_(detail::new_impl<T>(std::move(value))) {}
    TensorOf(const array_type& value) : TensorOf(array_type(value)) {}
    // For the library's kernels: a value of `shape` that the caller fills at once
    // (through detail::data_of) before anyone else sees the tensor.
    TensorOf(detail::Uninitialized, const Shape& shape) : impl_(detail::new_impl_of_shape<T>(shape)) {}

    bool defined() const { return impl_ != nullptr; }
    const array_type& value() const { return impl().value; }
    const Shape& shape() const { return impl().value.shape(); }
    std::size_t rank() const { return impl().value.dimension(); }
    std::size_t size() const { return impl().value.size(); }
    std::uint64_t id() const { return impl().id; }
    bool is_variable() const { return impl().is_variable; }

    // The single value of a tensor with one element; throws ShapeError otherwise.
    T item() const
    {
        if (size() != 1) {
            throw ShapeError(detail::cat("item: tensor of shape ", to_string(shape()),
                                         " has ", size(), " elements, expected exactly 1"));
        }
        return *impl().value.data();
    }

    // Element access with xtensor's (i, j, ...) indexing.
    template <class... Idx>
    T operator()(Idx... idx) const { return impl().value(idx...); }

    const detail::TensorImpl<T>& impl() const
    {
        if (!impl_) [[unlikely]] detail::throw_undefined_tensor();
        return *impl_;
    }
    const detail::ImplRef<T>& impl_ptr() const { return impl_; }

protected:
    detail::ImplRef<T> impl_;
};

// An array of `shape` filled row-major from `values`:
//   xgrad::array<float>({2, 1}, {1, 2})   // a column, which xtensor's {{1}, {2}} cannot spell
template <class T = float>
xt::xarray<T> array(const Shape& shape, std::initializer_list<T> values)
{
    const std::size_t n = num_elements(shape, "array");
    if (n != values.size()) {
        throw ShapeError(detail::cat("array: shape ", to_string(shape), " needs ", n, " values, got ",
                                     values.size()));
    }
    xt::xarray<T> out = xt::xarray<T>::from_shape(shape);
    std::copy(values.begin(), values.end(), out.begin());
    return out;
}

// A constant tensor: `constant<float>({{1, 2}, {3, 4}})`, or from any xtensor expression.
template <class T = float>
TensorOf<T> constant(xt::xarray<T> value) { return TensorOf<T>(std::move(value)); }
namespace detail {
// The writable data of a tensor made with the Uninitialized constructor.
template <class T>
T* data_of(const TensorOf<T>& t) { return const_cast<T*>(t.value().data()); }

// A tensor of `shape` holding `value` everywhere; `op` names the caller in a ShapeError.
template <class T>
TensorOf<T> filled(const Shape& shape, T value, const char* op)
{
    num_elements(shape, op);
    TensorOf<T> t(Uninitialized{}, shape);
    std::fill(data_of(t), data_of(t) + t.size(), value);
    return t;
}
}  // namespace detail
template <class T = float>
TensorOf<T> scalar(T value) { return detail::filled<T>(Shape{}, value, "scalar"); }
template <class T>
TensorOf<T> zeros(const Shape& shape) { return detail::filled<T>(shape, T(0), "zeros"); }
template <class T>
TensorOf<T> ones(const Shape& shape) { return detail::filled<T>(shape, T(1), "ones"); }

template <class T>
std::ostream& operator<<(std::ostream& out, const TensorOf<T>& t)
{
    if (!t.defined()) return out << "<undefined tensor>";
    return out << t.value();
}

}  // namespace xgrad
