#include <xgrad/nn/layers/embedding.hpp>

#include <cmath>

#include <xgrad/autograd/ops.hpp>
#include <xgrad/nn/initializers.hpp>
#include <xgrad/nn/serialization.hpp>

namespace xgrad::nn {

Embedding::Embedding(std::size_t input_dim, std::size_t output_dim, const Initializer& embeddings_initializer,
                     const std::string& name)
    : Layer("Embedding", name), input_dim_(input_dim), output_dim_(output_dim),
      initializer_(embeddings_initializer.name == "uniform"
                       ? Initializer("random_uniform", embeddings_initializer.args, embeddings_initializer.seed)
                       : embeddings_initializer)
{
    if (input_dim == 0) throw ValueError(detail::cat(this->name(), ": argument 'input_dim' must be positive, got 0"));
    if (output_dim == 0) throw ValueError(detail::cat(this->name(), ": argument 'output_dim' must be positive, got 0"));
    check_initializer_args(initializer_);
}

const Variable& Embedding::embeddings() const
{
    if (!built()) throw Error(detail::cat(name(), ": the layer is not built yet (call it once or build it)"));
    return own_weights()[0].second;
}

Shape Embedding::compute_output_shape(const Shape& input_shape) const
{
    Shape out = input_shape;
    out.push_back(output_dim_);
    return out;
}

void Embedding::build_impl(const Shape&)
{
    add_weight("embeddings", initialize(initializer_, {input_dim_, output_dim_}));
}

Tensor Embedding::call(const Tensor& ids, bool)
{
    std::vector<std::size_t> rows(ids.size());
    const float* v = ids.value().data();
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const float id = v[i];
        if (!(std::floor(id) == id)) {
            throw ValueError(detail::cat(name(), ": ids must be integers, got ", id, " at flat position ", i,
                                         " of the input of shape ", to_string(ids.shape())));
        }
        if (id < 0 || id >= static_cast<float>(input_dim_)) {
            throw ValueError(detail::cat(name(), ": ids must be in [0, input_dim = ", input_dim_, "), got ", id,
                                         " at flat position ", i, " of the input of shape ", to_string(ids.shape())));
        }
        rows[i] = static_cast<std::size_t>(id);
    }
    const Tensor out = gather(static_cast<const Tensor&>(own_weights()[0].second), rows);
    std::vector<long> shape(ids.shape().begin(), ids.shape().end());
    shape.push_back(static_cast<long>(output_dim_));
    return reshape(out, shape);
}

Json Embedding::get_config() const
{
    Json config = Layer::get_config();
    config["input_dim"] = input_dim_;
    config["output_dim"] = output_dim_;
    config["embeddings_initializer"] = initializer_config(initializer_);
    config["embeddings_regularizer"] = nullptr;
    config["activity_regularizer"] = nullptr;
    config["embeddings_constraint"] = nullptr;
    config["mask_zero"] = false;
    config["quantization_config"] = nullptr;
    return config;
}

std::shared_ptr<Embedding> Embedding::from_config(const Json& config)
{
    ConfigReader r(config, "Embedding");
    const std::string name = r.read_name();
    const std::string where = "Embedding '" + name + "'";
    const std::size_t input_dim = r.get_size("input_dim"), output_dim = r.get_size("output_dim");
    const Initializer init =
        initializer_with_args_from_config(r.get_json("embeddings_initializer", "random_uniform"), where + " embeddings_initializer");
    r.require_null({"embeddings_regularizer", "activity_regularizer", "embeddings_constraint", "quantization_config"});
    if (r.get_bool("mask_zero", false)) throw ValueError(where + ": mask_zero=true is not supported");
    r.ignore({"lora_rank", "lora_alpha", "input_length"});
    r.finish();
    return std::make_shared<Embedding>(input_dim, output_dim, init, name);
}

}  // namespace xgrad::nn
