#include <xgrad/autograd/custom_gradient.hpp>

#include <mutex>
#include <set>

#include <xgrad/autograd/detail/recording.hpp>

namespace xgrad {
namespace {
// Nodes keep their op name as a const char*: user names are kept here for the process.
const char* intern(const std::string& name)
{
    static std::mutex mutex;
    static std::set<std::string> names;
    const std::lock_guard lock(mutex);
    return names.insert(name).first->c_str();
}

template <class T>
TensorOf<T> custom(const std::string& name, const std::vector<TensorOf<T>>& inputs, const CustomForward<T>& forward,
                   const CustomBackward<T>& backward, Where loc)
{
    const char* op = intern(name);
    std::vector<const TensorOf<T>*> pointers;
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        if (!inputs[i].defined()) {
            throw ShapeError(detail::cat(op, ": argument 'inputs[", i, "]' is an undefined tensor"));
        }
        pointers.push_back(&inputs[i]);
    }
    TensorOf<T> y;
    {
        const detail::PauseAllTapes pause;  // only the custom op itself is recorded
        y = forward(inputs);
    }
    if (!y.defined()) throw ValueError(detail::cat(op, ": the forward function returned an undefined tensor"));
    return detail::finish<T>(
        op, std::span<const TensorOf<T>* const>(pointers), xt::xarray<T>(y.value()), loc,
        [&](const TensorOf<T>& out) {
            return detail::BackwardFn<T>([op = op, inputs = inputs, out = out, backward = backward](const TensorOf<T>& dy) {
                auto grads = backward(inputs, out, dy);
                if (grads.size() != inputs.size()) {
                    throw TapeError(detail::cat(op, ": the custom backward returned ", grads.size(),
                                                " gradient(s) for ", inputs.size(), " input(s)"));
                }
                for (std::size_t i = 0; i < grads.size(); ++i) {
                    if (grads[i].defined() && grads[i].shape() != inputs[i].shape()) {
                        throw ShapeError(detail::cat(op, ": the custom backward returned a gradient of shape ",
                                                     to_string(grads[i].shape()), " for inputs[", i, "] of shape ",
                                                     to_string(inputs[i].shape())));
                    }
                }
                return grads;
            });
        });
}

template <class T>
TensorOf<T> custom1(const std::string& name, const TensorOf<T>& x, const CustomForward1<T>& forward,
                    const CustomBackward1<T>& backward, Where loc)
{
    return custom<T>(
        name, {x}, [&](const std::vector<TensorOf<T>>& in) { return forward(in[0]); },
        [backward](const std::vector<TensorOf<T>>& in, const TensorOf<T>& y, const TensorOf<T>& dy) {
            return std::vector<TensorOf<T>>{backward(in[0], y, dy)};
        },
        loc);
}
}  // namespace

Tensor custom_gradient(const std::string& name, const std::vector<Tensor>& inputs, const CustomForward<float>& forward,
                       const CustomBackward<float>& backward, Where loc)
{
    return custom<float>(name, inputs, forward, backward, loc);
}

Tensor64 custom_gradient(const std::string& name, const std::vector<Tensor64>& inputs,
                         const CustomForward<double>& forward, const CustomBackward<double>& backward, Where loc)
{
    return custom<double>(name, inputs, forward, backward, loc);
}

Tensor custom_gradient(const std::string& name, const Tensor& x, const CustomForward1<float>& forward,
                       const CustomBackward1<float>& backward, Where loc)
{
    return custom1<float>(name, x, forward, backward, loc);
}

Tensor64 custom_gradient(const std::string& name, const Tensor64& x, const CustomForward1<double>& forward,
                         const CustomBackward1<double>& backward, Where loc)
{
    return custom1<double>(name, x, forward, backward, loc);
}

}  // namespace xgrad
