#include <xgrad/optim/adafactor.hpp>

#include <algorithm>
#include <cmath>

namespace xgrad::optim {

namespace {
// sqrt(mean(x*x)), summed in index order.
float rms(const float* x, std::size_t n)
{
    float total = 0.0f;
    for (std::size_t i = 0; i < n; ++i) total += x[i] * x[i];
    return std::sqrt(total / static_cast<float>(n));
}
}  // namespace

void Adafactor::build(const Variable& var)
{
    const Shape& s = var.shape();
    if (s.size() >= 2) {
        add_slot(var, "r", Shape(s.begin(), s.end() - 1));
        Shape c(s.begin(), s.end() - 2);
        c.push_back(s.back());
        add_slot(var, "c", c);
    }
    add_slot(var, "velocity");
}

void Adafactor::update_step(UpdateContext& u)
{
    const auto& o = options<AdafactorOptions>();
    float* w = u.w;
    const float* g = u.g;
    const std::size_t n = u.n;
    const float t = u.local_step();
    const float inv_sqrt_t = 1.0f / std::sqrt(t);
    float lr = u.learning_rate;
    if (o.relative_step() && std::holds_alternative<double>(o.learning_rate())) lr = std::min(lr, inv_sqrt_t);
    const float rho = std::min(lr, inv_sqrt_t);
    const float alpha = std::max(static_cast<float>(o.epsilon_2()), rms(w, n)) * rho;
    const float eps_1 = static_cast<float>(o.epsilon_1());
    const float beta = 1.0f - std::pow(t, static_cast<float>(o.beta_2_decay()));
    const float one_minus_beta = 1.0f - beta;
    float* v = u.slot("velocity");
    const Shape& shape = u.shape();
    if (shape.size() >= 2) {
        const std::size_t cols = shape.back(), rows = shape[shape.size() - 2];
        const std::size_t batches = rows * cols == 0 ? 0 : n / (rows * cols);
        float* r = u.slot("r");
        float* c = u.slot("c");
        for (std::size_t b = 0; b < batches; ++b) {
            const float* gb = g + b * rows * cols;
            float* rb = r + b * rows;
            float* cb = c + b * cols;
            float r_total = 0.0f;
            for (std::size_t i = 0; i < rows; ++i) {
                float total = 0.0f;
                for (std::size_t j = 0; j < cols; ++j) total += gb[i * cols + j] * gb[i * cols + j] + eps_1;
                rb[i] = beta * rb[i] + one_minus_beta * (total / static_cast<float>(cols));
                r_total += rb[i];
            }
            const float r_mean = r_total / static_cast<float>(rows);
            for (std::size_t j = 0; j < cols; ++j) {
                float total = 0.0f;
                for (std::size_t i = 0; i < rows; ++i) total += gb[i * cols + j] * gb[i * cols + j] + eps_1;
                cb[j] = beta * cb[j] + one_minus_beta * (total / static_cast<float>(rows));
            }
            float* vb = v + b * rows * cols;
            for (std::size_t i = 0; i < rows; ++i) {
                for (std::size_t j = 0; j < cols; ++j) vb[i * cols + j] = (rb[i] / r_mean) * cb[j];
            }
        }
    } else {
        for (std::size_t i = 0; i < n; ++i) v[i] = beta * v[i] + one_minus_beta * (g[i] * g[i] + eps_1);
    }
    scratch_.resize(n);
    float* step = scratch_.data();
    for (std::size_t i = 0; i < n; ++i) step[i] = g[i] / std::sqrt(v[i]);
    const float divisor = std::max(1.0f, rms(step, n) / static_cast<float>(o.clip_threshold()));
    for (std::size_t i = 0; i < n; ++i) w[i] = w[i] - alpha * (step[i] / divisor);
}

}  // namespace xgrad::optim
