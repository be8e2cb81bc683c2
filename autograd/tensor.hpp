// TensorOf<T>: an immutable value (an xt::xarray<T>) with a unique id that tapes
// use to record the operations applied to it. Copies share the value.
//   xgrad::Tensor x = xgrad::constant<float>({{1, 2}, {3, 4}});
//   std::cout << x.value();        // xtensor's operator<<
// Float32 (`Tensor`) is the default; `Tensor64` serves gradient checks.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <ostream>
#include <source_location>
#include <string>

#include <xtensor/xarray.hpp>
#include <xtensor/xio.hpp>  // users print values with xtensor's operator<<

#include <xgrad/autograd/detail/array_cache.hpp>
#include <xgrad/autograd/detail/thread_instance.hpp>
#include <xgrad/autograd/detail/pool.hpp>
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

namespace detail {

// Tensor ids: unique, increasing within a thread. Each thread takes them in
// blocks from one atomic counter (next_id_block), so a new tensor costs no
// atomic operation and no call.
std::uint64_t next_id_block();
inline thread_local std::uint64_t next_id = 0, end_id = 0;
inline std::uint64_t next_tensor_id()
{
    if (next_id == end_id) [[unlikely]] {
        next_id = next_id_block();
        end_id = next_id + 1024;
    }
    return next_id++;
}

// Tag of the TensorOf constructor that leaves the value uninitialized.
struct Uninitialized {};
// Throws Error for the use of an undefined tensor (kept out of line: accessors stay small).
[[noreturn, gnu::cold]] void throw_undefined_tensor();

// Whether every element of a tensor's value is finite, as recorded by the kernel
// that wrote the value (autograd/detail/finiteness.hpp); unknown unless one did.
enum class Finiteness : std::uint8_t { unknown, finite, non_finite };

// A tensor's shared state. Tensors hold it through ImplRef, a reference count
// inside the object (no separate control block). Small ones are not freed when
// their last reference goes: they wait on a per-thread list (ImplPool), value
// array and all, and the next tensor of the same shape takes them over, so a
// scalar op builds no xtensor array.
template <class T>
struct TensorImpl {
    explicit TensorImpl(xt::xarray<T>&& v) : value(std::move(v)), id(next_tensor_id()) {}
    // An uninitialized value of `shape`, built in place (on a recycled buffer when small).
    explicit TensorImpl(const Shape& shape) : value(new_array<T>(shape)), id(next_tensor_id()) {}
    ~TensorImpl() { recycle(value); }
    TensorImpl(const TensorImpl&) = delete;
    TensorImpl& operator=(const TensorImpl&) = delete;
    xt::xarray<T> value;
    std::uint64_t id;
    bool is_variable = false;
    bool trainable = false;
    Finiteness finiteness = Finiteness::unknown;  // never set on a variable (its value changes)
    std::string name;
    std::atomic<std::uint32_t> refs{1};
};

// Spare TensorImpls of this thread, kept with their value arrays for the next
// tensor of the same shape: tiny ones (at most kSmallElements elements) by
// element count, medium ones (at most kMediumElements) in hash buckets of
// their element count, up to kMediumBudget elements in all.
template <class T>
class ImplPool {
public:
    static constexpr std::size_t kMediumElements = 4096;
    static constexpr std::size_t kMediumBudget = std::size_t{1} << 18;  // 1 MiB of float32

    // This thread's pool; nullptr while the thread is exiting.
    static ImplPool* get();
    // A spare impl whose value has `shape` (renewed: a fresh id, no flags), or nullptr.
    TensorImpl<T>* take(const Shape& shape)
    {
        if (shape.empty()) {  // a scalar: any spare scalar fits, no shape to compare
            if (scalars_.empty()) return nullptr;
            return renew(pop(scalars_, scalars_.size() - 1), 1);
        }
        std::size_t n = 1;
        for (auto d : shape) n *= d;
        if (n == 0 || n > kMediumElements) return nullptr;
        auto& spare = list(n);
        // Look at the few most recently freed: the shapes a loop repeats.
        for (std::size_t k = spare.size(), seen = 0; k-- > 0 && seen < 8; ++seen) {
            if (spare[k]->value.shape() != shape) continue;
            return renew(pop(spare, k), n);
        }
        return nullptr;
    }
    // Keeps `p` (whose last reference is gone) when it has room; false: the caller frees it.
    bool give(TensorImpl<T>* p)
    {
        const std::size_t n = p->value.size();
        if (n == 0 || n > kMediumElements) return false;
        auto& spare = p->value.dimension() == 0 ? scalars_ : list(n);
        if (spare.size() == kPerList) return false;
        if (n > kSmallElements) {
            if (medium_elements_ + n > kMediumBudget) return false;
            medium_elements_ += n;
        }
        p->is_variable = false;
        p->trainable = false;
        p->finiteness = Finiteness::unknown;
        if (!p->name.empty()) p->name.clear();
        spare.push_back(p);
        return true;
    }
    ImplPool() = default;
    ~ImplPool();
    ImplPool(const ImplPool&) = delete;
    ImplPool& operator=(const ImplPool&) = delete;

private:
    static constexpr std::size_t kPerList = 64;
    static constexpr std::size_t kMediumLists = 32;
    // Removes spare[k] (the last one takes its place).
    static TensorImpl<T>* pop(std::vector<TensorImpl<T>*>& spare, std::size_t k)
    {
        TensorImpl<T>* p = spare[k];
        spare[k] = spare.back();
        spare.pop_back();
        return p;
    }
    // A spare impl of n elements made new: a fresh id, one reference.
    TensorImpl<T>* renew(TensorImpl<T>* p, std::size_t n)
    {
        if (n > kSmallElements) medium_elements_ -= n;
        p->id = next_tensor_id();
        p->refs.store(1, std::memory_order_relaxed);
        return p;
    }
    std::vector<TensorImpl<T>*>& list(std::size_t n)
    {
        if (n <= kSmallElements) return spare_[n];
        return spare_[kSmallElements + 1 + (n * 0x9E3779B97F4A7C15ull >> 40) % kMediumLists];
    }
    std::vector<TensorImpl<T>*> scalars_;  // rank 0, apart: the small graphs' common case
    std::array<std::vector<TensorImpl<T>*>, kSmallElements + 1 + kMediumLists> spare_;
    std::size_t medium_elements_ = 0;
};

template <class T>
ImplPool<T>* ImplPool<T>::get()
{
    return this_thread_instance<ImplPool<T>>();
}

template <class T>
void destroy_impl(TensorImpl<T>* p)
{
    p->~TensorImpl<T>();
    BlockPool<sizeof(TensorImpl<T>)>::deallocate(p);
}
template <class T, class Arg>
TensorImpl<T>* new_impl(Arg&& arg)
{
    static_assert(alignof(TensorImpl<T>) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__);
    void* mem = BlockPool<sizeof(TensorImpl<T>)>::allocate();
    try {
        return new (mem) TensorImpl<T>(std::forward<Arg>(arg));
    } catch (...) {
        BlockPool<sizeof(TensorImpl<T>)>::deallocate(mem);
        throw;
    }
}
// A TensorImpl of `shape` with an uninitialized value: a spare one when there is one
// (the new one's construction is kept out of line, off the path of the spare).
template <class T>
[[gnu::noinline]] TensorImpl<T>* new_unpooled_impl(const Shape& shape)
{
    return new_impl<T>(shape);
}
template <class T>
TensorImpl<T>* new_impl_of_shape(const Shape& shape)
{
    if (ImplPool<T>* pool = ImplPool<T>::get()) {
        if (TensorImpl<T>* p = pool->take(shape)) return p;
    }
    return new_unpooled_impl<T>(shape);
}

// An intrusive, thread-safe reference to a TensorImpl: copies share it; the
// last one gone hands it to this thread's ImplPool or frees it.
template <class T>
class ImplRef {
public:
    ImplRef() = default;
    explicit ImplRef(TensorImpl<T>* p) noexcept : p_(p) {}  // takes over the initial reference
    ImplRef(const ImplRef& o) noexcept : p_(o.p_)
    {
        if (p_) p_->refs.fetch_add(1, std::memory_order_relaxed);
    }
    ImplRef(ImplRef&& o) noexcept : p_(std::exchange(o.p_, nullptr)) {}
    ImplRef& operator=(const ImplRef& o) noexcept
    {
        ImplRef(o).swap(*this);
        return *this;
    }
    ImplRef& operator=(ImplRef&& o) noexcept
    {
        ImplRef(std::move(o)).swap(*this);
        return *this;
    }
    [[gnu::always_inline]] ~ImplRef() { release(); }
    void swap(ImplRef& o) noexcept { std::swap(p_, o.p_); }

    TensorImpl<T>* get() const noexcept { return p_; }
    TensorImpl<T>* operator->() const noexcept { return p_; }
    TensorImpl<T>& operator*() const noexcept { return *p_; }
    explicit operator bool() const noexcept { return p_ != nullptr; }
    friend bool operator==(const ImplRef& r, std::nullptr_t) noexcept { return r.p_ == nullptr; }

private:
    // Inline at every destruction: the count test; out of line: what the last one does.
    [[gnu::always_inline]] void release() noexcept
    {
        if (!p_) return;
        // The only reference (no other can be copied meanwhile): no atomic write needed.
        if (p_->refs.load(std::memory_order_acquire) != 1 &&
            p_->refs.fetch_sub(1, std::memory_order_acq_rel) != 1) {
            return;
        }
        recycle(std::exchange(p_, nullptr));
    }
    [[gnu::noinline]] static void recycle(TensorImpl<T>* p) noexcept
    {
        ImplPool<T>* pool = ImplPool<T>::get();
        if (!pool || !pool->give(p)) destroy_impl(p);
    }
    TensorImpl<T>* p_ = nullptr;
};

template <class T>
ImplPool<T>::~ImplPool()
{
    for (TensorImpl<T>* p : scalars_) destroy_impl(p);
    scalars_.clear();
    for (auto& spare : spare_) {
        for (TensorImpl<T>* p : spare) destroy_impl(p);
        spare.clear();
    }
}

}  // namespace detail

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
