// The finiteness a kernel records on the tensor it produced (detail::Finiteness,
// autograd/tensor.hpp). A producer that checked its output while writing it (the
// GEMM epilogue, the reduction and the elementwise kernels, core/finite.hpp) sets
// it on the fresh tensor before anyone else sees it; tensors are immutable, so the
// flag stays true. Nothing guesses it: a tensor no kernel checked stays unknown,
// and a variable (whose value optimizers change in place) always reads unknown.
// Consumers (the optimizers' NaN-gradient check) read the data only when unknown.
#pragma once

#include <xgrad/autograd/tensor.hpp>

namespace xgrad::detail {

// The recorded finiteness of t; unknown for a variable or an undefined tensor.
template <class T>
Finiteness finiteness(const TensorOf<T>& t)
{
    if (!t.defined() || t.is_variable()) return Finiteness::unknown;
    return t.impl().finiteness;
}

// For the kernel that just wrote t's value: records what it saw (bad: the OR of
// non_finite_bit over every value). Only on a fresh tensor no one else holds yet.
template <class T>
TensorOf<T> recorded(TensorOf<T>&& t, std::uint32_t bad)
{
    if (t.defined() && !t.is_variable()) t.impl_ptr()->finiteness = bad ? Finiteness::non_finite : Finiteness::finite;
    return std::move(t);
}

// A copy of x's values (reshape): the same finiteness as x.
template <class T>
TensorOf<T> same_finiteness(TensorOf<T>&& copy, const TensorOf<T>& x)
{
    if (copy.defined() && !copy.is_variable()) copy.impl_ptr()->finiteness = finiteness(x);
    return std::move(copy);
}

}  // namespace xgrad::detail
