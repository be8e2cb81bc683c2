#include <xgrad/nn/layer.hpp>

#include <xgrad/nn/naming.hpp>

namespace xgrad::nn {

Layer::Layer(const std::string& class_name, const std::string& name)
    : state_(std::make_shared<State>())
{
    state_->class_name = class_name;
    state_->name = name.empty() ? unique_name(to_snake_case(class_name)) : name;
}

Tensor Layer::operator()(const Tensor& x)
{
    if (!x.defined()) throw ValueError(detail::cat(name(), ": the input is an undefined tensor"));
    if (!built()) build(x.shape());
    check_input(x);
    return call(x);
}

void Layer::build(const Shape& input_shape)
{
    if (state_->built) return;
    build_impl(input_shape);
    state_->built = true;
}

std::vector<Variable> Layer::trainable_variables() const
{
    std::vector<Variable> out;
    for (const auto& [n, v] : state_->params)
        if (v.trainable()) out.push_back(v);
    return out;
}

std::size_t Layer::count_params() const
{
    std::size_t total = 0;
    for (const auto& [n, v] : state_->params) total += v.size();
    return total;
}

std::map<std::string, std::string> Layer::get_config() const
{
    return {{"name", name()}, {"trainable", "true"}};
}

Variable Layer::add_weight(const std::string& name, xt::xarray<float> initial, bool trainable)
{
    for (const auto& [n, v] : state_->params) {
        if (n == name) throw ValueError(detail::cat(this->name(), ": a weight named '", name, "' already exists"));
    }
    Variable v(std::move(initial), this->name() + "/" + name, trainable);
    state_->params.emplace_back(name, v);
    return v;
}

}  // namespace xgrad::nn
