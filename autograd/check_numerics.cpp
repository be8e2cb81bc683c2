#include <xgrad/autograd/check_numerics.hpp>

#include <algorithm>
#include <atomic>
#include <cmath>

#include <xgrad/autograd/detail/recording.hpp>

namespace xgrad {


namespace detail {

std::string describe(const Where& where)
{
    return cat(where.file_name(), ":", where.line(), " (in ", where.function_name(), ")");
}

void throw_undefined_argument(const char* op, const char* name)
{
    throw ShapeError(cat(op, ": argument '", name, "' is an undefined tensor (an unconnected gradient?)"));
}

template <class T>
void check_output_numerics(const char* op, std::span<const TensorOf<T>* const> inputs,
                           const TensorOf<T>& out, const Where& where)
{
    const auto& v = out.value();
    const auto bad = std::find_if(v.begin(), v.end(), [](T x) { return !std::isfinite(x); });
    if (bad == v.end()) return;
    std::string shapes;
    if (const BackwardContext* node = current_backward()) {
        // An op inside a backward closure: the culprit is the node being differentiated.
        for (const auto& s : node->input_shapes) shapes += (shapes.empty() ? "" : ", ") + to_string(s);
        throw NumericsError(cat("check_numerics: the backward pass of op '", node->op, "' (input shapes ", shapes,
                                "; recorded at ", describe(*node->where), ") produced ", *bad, " at flat index ",
                                bad - v.begin(), " in its '", op, "' step (output shape ", to_string(out.shape()),
                                ")"));
    }
    for (const auto* in : inputs) shapes += (shapes.empty() ? "" : ", ") + to_string(in->shape());
    throw NumericsError(cat("check_numerics: op '", op, "' produced ", *bad, " at flat index ", bad - v.begin(),
                            " of its output of shape ", to_string(out.shape()), " (forward pass; input shapes ",
                            shapes, "; recorded at ", describe(where), ")"));
}

template void check_output_numerics<float>(const char*, std::span<const TensorOf<float>* const>,
                                           const TensorOf<float>&, const Where&);
template void check_output_numerics<double>(const char*, std::span<const TensorOf<double>* const>,
                                            const TensorOf<double>&, const Where&);

}  // namespace detail
}  // namespace xgrad
