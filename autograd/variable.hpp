// VariableOf<T>: trainable, named, mutable state. A Variable is a Tensor (pass it
// to any op); trainable variables used inside a GradientTape are watched
// automatically. Optimizers update the value in place, so the id stays fixed.
//   xgrad::Variable w(xt::xarray<float>{{0.5f}, {-0.2f}}, "w");
#pragma once

#include <string>

#include <xgrad/autograd/tensor.hpp>

namespace xgrad {

template <class T>
class VariableOf : public TensorOf<T> {
public:
    using array_type = xt::xarray<T>;

    VariableOf() = default;
    explicit VariableOf(array_type initial, std::string name = "Variable", bool trainable = true)
        : TensorOf<T>(std::move(initial))
    {
        auto& impl = *this->impl_;
        impl.is_variable = true;
        impl.trainable = trainable;
        impl.name = std::move(name);
    }

    const std::string& name() const { return this->impl().name; }
    bool trainable() const { return this->impl().trainable; }

    // value = new_value; the shape must stay the same.
    void assign(const array_type& new_value)
    {
        check_shape("assign", new_value);
        mutable_value() = new_value;
    }
    // value += delta
    void assign_add(const array_type& delta)
    {
        check_shape("assign_add", delta);
        mutable_value() += delta;
    }
    // value -= delta
    void assign_sub(const array_type& delta)
    {
        check_shape("assign_sub", delta);
        mutable_value() -= delta;
    }

    // In-place access for optimizers and initializers; the shape must not change.
    array_type& mutable_value() { return const_cast<array_type&>(this->impl().value); }

private:
    void check_shape(const char* op, const array_type& v) const
    {
        if (v.shape() != this->shape()) {
            throw ShapeError(detail::cat(op, ": variable '", name(), "' has shape ",
                                         to_string(this->shape()), ", value has shape ",
                                         to_string(v.shape())));
        }
    }
};

}  // namespace xgrad
