// Embedding(input_dim, output_dim), as Keras's: integer ids (carried in a float
// tensor) of any shape -> their rows of the (input_dim, output_dim) table:
//   out[..., :] = embeddings[id[...], :]
// embeddings_initializer "uniform" (Keras's RandomUniform(-0.05, 0.05)). The
// gradient scatters (adds) each output row back onto its table row. Ids that are
// not integers or not in [0, input_dim) are an error naming the layer, the id and its position.
#pragma once

#include <xgrad/nn/initializers.hpp>
#include <xgrad/nn/layer.hpp>

namespace xgrad::nn {

class Embedding : public Layer {
public:
    Embedding(std::size_t input_dim, std::size_t output_dim, const Initializer& embeddings_initializer = "uniform",
              const std::string& name = "");
    XGRAD_LAYER(Embedding)

    std::size_t input_dim() const { return input_dim_; }
    std::size_t output_dim() const { return output_dim_; }
    const Variable& embeddings() const;

    Shape compute_output_shape(const Shape& input_shape) const override;
    Json get_config() const override;
    static std::shared_ptr<Embedding> from_config(const Json& config);

protected:
    void build_impl(const Shape& input_shape) override;
    Tensor call(const Tensor& ids, bool training) override;

private:
    std::size_t input_dim_, output_dim_;
    Initializer initializer_;
};

}  // namespace xgrad::nn
