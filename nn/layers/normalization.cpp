#include <xgrad/nn/layers/normalization.hpp>

#include <xgrad/autograd/ops.hpp>
#include <xgrad/nn/initializers.hpp>
#include <xgrad/nn/serialization.hpp>

namespace xgrad::nn {
namespace {

std::size_t resolve(const std::string& layer, long axis, const Shape& shape)
{
    const long rank = static_cast<long>(shape.size());
    const long a = axis < 0 ? axis + rank : axis;
    if (rank < 2 || a < 1 || a >= rank) {
        throw ShapeError(detail::cat(layer, ": argument 'axis' (", axis, ") must name a non-batch axis of the input, got shape ",
                                     to_string(shape)));
    }
    return static_cast<std::size_t>(a);
}

// x * inv + (beta - mean * inv), inv = gamma / sqrt(var + eps); each of (mean, var, gamma, beta) broadcasts.
Tensor normalize(const Tensor& x, const Tensor& mean, const Tensor& var, const Tensor& gamma, const Tensor& beta,
                 float epsilon)
{
    Tensor inv = div(scalar<float>(1.0f), sqrt(add(var, scalar<float>(epsilon))));
    if (gamma.defined()) inv = mul(inv, gamma);
    Tensor offset = neg(mul(mean, inv));
    if (beta.defined()) offset = sub(beta, mul(mean, inv));
    return add(mul(x, inv), offset);
}

}  // namespace

// ---- BatchNormalization ----

BatchNormalization::BatchNormalization(long axis, double momentum, double epsilon, bool center, bool scale,
                                       const Initializer& beta_initializer, const Initializer& gamma_initializer,
                                       const Initializer& moving_mean_initializer,
                                       const Initializer& moving_variance_initializer, const std::string& name)
    : Layer("BatchNormalization", name), axis_(axis), momentum_(momentum), epsilon_(epsilon), center_(center),
      scale_(scale), beta_init_(beta_initializer), gamma_init_(gamma_initializer), mean_init_(moving_mean_initializer),
      var_init_(moving_variance_initializer)
{
    if (!(epsilon > 0)) throw ValueError(detail::cat(this->name(), ": argument 'epsilon' must be positive, got ", epsilon));
    if (!(momentum >= 0 && momentum <= 1)) {
        throw ValueError(detail::cat(this->name(), ": argument 'momentum' must be in [0, 1], got ", momentum));
    }
    for (const auto* init : {&beta_init_, &gamma_init_, &mean_init_, &var_init_}) check_initializer_args(*init);
}

std::size_t BatchNormalization::resolved_axis(const Shape& shape) const { return resolve(name(), axis_, shape); }

const Variable& BatchNormalization::moving_mean() const
{
    if (!built()) throw Error(detail::cat(name(), ": the layer is not built yet (call it once or build it)"));
    return own_weights()[(scale_ ? 1 : 0) + (center_ ? 1 : 0)].second;
}

const Variable& BatchNormalization::moving_variance() const
{
    if (!built()) throw Error(detail::cat(name(), ": the layer is not built yet (call it once or build it)"));
    return own_weights()[(scale_ ? 1 : 0) + (center_ ? 1 : 0) + 1].second;
}

Shape BatchNormalization::compute_output_shape(const Shape& input_shape) const
{
    resolved_axis(input_shape);
    return input_shape;
}

void BatchNormalization::build_impl(const Shape& input_shape)
{
    const std::size_t dim = input_shape[resolved_axis(input_shape)];
    if (scale_) add_weight("gamma", initialize(gamma_init_, {dim}));
    if (center_) add_weight("beta", initialize(beta_init_, {dim}));
    add_weight("moving_mean", initialize(mean_init_, {dim}), false);
    add_weight("moving_variance", initialize(var_init_, {dim}), false);
}

void BatchNormalization::check_input(const Tensor& x) const
{
    const std::size_t a = resolved_axis(x.shape());
    const std::size_t expected = moving_mean().shape()[0];
    if (x.shape()[a] != expected) {
        throw ShapeError(detail::cat(name(), " expects ", expected, " features on axis ", axis_, ", got ", x.shape()[a],
                                     " (input shape ", to_string(x.shape()), ")"));
    }
}

Tensor BatchNormalization::call(const Tensor& x, bool training)
{
    const std::size_t a = resolved_axis(x.shape());
    const bool last = a + 1 == x.rank();
    // Statistics and weights of shape (dim) broadcast against x as (1, .., dim, .., 1).
    std::vector<long> bshape(x.rank(), 1);
    bshape[a] = static_cast<long>(x.shape()[a]);
    auto bc = [&](const Tensor& t) { return last ? t : reshape(t, bshape); };
    const auto& params = own_weights();
    std::size_t i = 0;
    const Tensor gamma = scale_ ? bc(params[i++].second) : Tensor();
    const Tensor beta = center_ ? bc(params[i++].second) : Tensor();
    Variable moving_mean = params[i].second, moving_var = params[i + 1].second;
    Tensor mean, var;
    if (training && trainable()) {
        Axes axes;
        for (std::size_t k = 0; k < x.rank(); ++k)
            if (k != a) axes.push_back(static_cast<long>(k));
        mean = reduce_mean(x, axes, true);
        var = reduce_mean(square(sub(x, mean)), axes, true);
        const float m = static_cast<float>(momentum_), one_minus = static_cast<float>(1.0 - momentum_);
        const Shape dim{x.shape()[a]};
        const xt::xarray<float> batch_mean = xt::reshape_view(mean.value(), dim);
        const xt::xarray<float> batch_var = xt::reshape_view(var.value(), dim);
        moving_mean.assign(xt::xarray<float>(moving_mean.value() * m + batch_mean * one_minus));
        moving_var.assign(xt::xarray<float>(moving_var.value() * m + batch_var * one_minus));
    } else {
        mean = bc(moving_mean);
        var = bc(moving_var);
    }
    return normalize(x, mean, var, gamma, beta, static_cast<float>(epsilon_));
}

Json BatchNormalization::get_config() const
{
    Json config = Layer::get_config();
    config["axis"] = axis_;
    config["momentum"] = momentum_;
    config["epsilon"] = epsilon_;
    config["center"] = center_;
    config["scale"] = scale_;
    config["beta_initializer"] = initializer_config(beta_init_);
    config["gamma_initializer"] = initializer_config(gamma_init_);
    config["moving_mean_initializer"] = initializer_config(mean_init_);
    config["moving_variance_initializer"] = initializer_config(var_init_);
    for (const char* key : {"beta_regularizer", "gamma_regularizer", "beta_constraint", "gamma_constraint"})
        config[key] = nullptr;
    config["synchronized"] = false;
    config["renorm"] = false;
    config["renorm_clipping"] = nullptr;
    config["renorm_momentum"] = 0.99;
    return config;
}

std::shared_ptr<BatchNormalization> BatchNormalization::from_config(const Json& config)
{
    ConfigReader r(config, "BatchNormalization");
    const std::string name = r.read_name();
    const std::string where = "BatchNormalization '" + name + "'";
    const Json axis = r.get_json("axis", -1);
    if (!axis.is_number_integer()) throw ValueError(where + ": config key 'axis' must be an integer, got " + axis.dump());
    const double momentum = r.get_number("momentum", 0.99), epsilon = r.get_number("epsilon", 1e-3);
    const bool center = r.get_bool("center", true), scale = r.get_bool("scale", true);
    auto init = [&](const char* key, const char* fallback) {
        return initializer_with_args_from_config(r.get_json(key, fallback), where + " " + key);
    };
    const Initializer beta = init("beta_initializer", "zeros"), gamma = init("gamma_initializer", "ones");
    const Initializer mm = init("moving_mean_initializer", "zeros"), mv = init("moving_variance_initializer", "ones");
    r.require_null({"beta_regularizer", "gamma_regularizer", "beta_constraint", "gamma_constraint", "renorm_clipping"});
    if (r.get_bool("synchronized", false)) throw ValueError(where + ": synchronized=true is not supported");
    if (r.get_bool("renorm", false)) throw ValueError(where + ": renorm=true is not supported");
    r.ignore({"renorm_momentum"});
    r.finish();
    return std::make_shared<BatchNormalization>(axis.get<long>(), momentum, epsilon, center, scale, beta, gamma, mm,
                                                mv, name);
}

// ---- LayerNormalization ----

LayerNormalization::LayerNormalization(long axis, double epsilon, bool center, bool scale,
                                       const Initializer& beta_initializer, const Initializer& gamma_initializer,
                                       const std::string& name)
    : Layer("LayerNormalization", name), axis_(axis), epsilon_(epsilon), center_(center), scale_(scale),
      beta_init_(beta_initializer), gamma_init_(gamma_initializer)
{
    if (!(epsilon > 0)) throw ValueError(detail::cat(this->name(), ": argument 'epsilon' must be positive, got ", epsilon));
    if (axis != -1) {
        throw ValueError(detail::cat(this->name(), ": only axis = -1 (the last axis) is supported, got ", axis));
    }
    check_initializer_args(beta_init_);
    check_initializer_args(gamma_init_);
}

Shape LayerNormalization::compute_output_shape(const Shape& input_shape) const
{
    resolve(name(), axis_, input_shape);
    return input_shape;
}

void LayerNormalization::build_impl(const Shape& input_shape)
{
    const std::size_t dim = input_shape[resolve(name(), axis_, input_shape)];
    if (scale_) add_weight("gamma", initialize(gamma_init_, {dim}));
    if (center_) add_weight("beta", initialize(beta_init_, {dim}));
}

void LayerNormalization::check_input(const Tensor& x) const
{
    const std::size_t a = resolve(name(), axis_, x.shape());
    const Shape& built_for = build_shapes().at(0);
    if (x.shape()[a] != built_for.back()) {
        throw ShapeError(detail::cat(name(), " expects ", built_for.back(), " features on its last axis, got ",
                                     x.shape()[a], " (input shape ", to_string(x.shape()), ")"));
    }
}

Tensor LayerNormalization::call(const Tensor& x, bool)
{
    const auto& params = own_weights();
    std::size_t i = 0;
    const Tensor gamma = scale_ ? Tensor(params[i++].second) : Tensor();
    const Tensor beta = center_ ? Tensor(params[i++].second) : Tensor();
    const Tensor mean = reduce_mean(x, {-1}, true);
    const Tensor var = reduce_mean(square(sub(x, mean)), {-1}, true);
    return normalize(x, mean, var, gamma, beta, static_cast<float>(epsilon_));
}

Json LayerNormalization::get_config() const
{
    Json config = Layer::get_config();
    config["axis"] = axis_;
    config["epsilon"] = epsilon_;
    config["center"] = center_;
    config["scale"] = scale_;
    config["rms_scaling"] = false;
    config["beta_initializer"] = initializer_config(beta_init_);
    config["gamma_initializer"] = initializer_config(gamma_init_);
    for (const char* key : {"beta_regularizer", "gamma_regularizer", "beta_constraint", "gamma_constraint"})
        config[key] = nullptr;
    return config;
}

std::shared_ptr<LayerNormalization> LayerNormalization::from_config(const Json& config)
{
    ConfigReader r(config, "LayerNormalization");
    const std::string name = r.read_name();
    const std::string where = "LayerNormalization '" + name + "'";
    Json axis = r.get_json("axis", -1);
    if (axis.is_array() && axis.size() == 1) axis = axis[0];
    if (!axis.is_number_integer()) throw ValueError(where + ": config key 'axis' must be -1 (or [-1]), got " + axis.dump());
    const double epsilon = r.get_number("epsilon", 1e-3);
    const bool center = r.get_bool("center", true), scale = r.get_bool("scale", true);
    if (r.get_bool("rms_scaling", false)) throw ValueError(where + ": rms_scaling=true is not supported");
    const Initializer beta = initializer_with_args_from_config(r.get_json("beta_initializer", "zeros"), where + " beta_initializer");
    const Initializer gamma = initializer_with_args_from_config(r.get_json("gamma_initializer", "ones"), where + " gamma_initializer");
    r.require_null({"beta_regularizer", "gamma_regularizer", "beta_constraint", "gamma_constraint"});
    r.finish();
    return std::make_shared<LayerNormalization>(axis.get<long>(), epsilon, center, scale, beta, gamma, name);
}

}  // namespace xgrad::nn
