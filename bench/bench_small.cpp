// Small-model rows of issue 17, each against a hand-written C++ reference:
//
//   tutorial_hand opt=gd|adam iters=N reps=R
//     The tutorial loop (bench_library.cpp's run_tutorial: minimise 2x^4 + 3x^3 + 2
//     from x = 2, a fresh tape every iteration) on a minimal hand-written scalar
//     reverse-mode tape: float32 nodes in a std::vector reused across iterations
//     (value, an op tag, up to two parent indices, a constant), the expression built
//     from the same primitive ops as xgrad records (pow by a constant, mul by a
//     constant, add, add a constant), a reverse sweep dispatched on the op tag, then
//     the same update as xgrad's GradientDescent / Adam (Keras's formula, float32
//     powers, epsilon 1e-7). The local partials are formed in the sweep in xgrad's
//     (TensorFlow's) rounding order, (g * p) * x^(p-1), so the final x equals
//     xgrad's bit for bit.
//
//   tiny_mlp impl=tape|model|hand [adam=keras|torch] [tanh=xsimd|std] steps=N reps=R
//     A 2-16-16-1 MLP (tanh, tanh, linear), MSE loss, batch 8, Adam (lr 1e-3,
//     Keras's defaults otherwise); one step = forward + backward + Adam update.
//       tape:  GradientTape, matmul + bias add, tanh, reduce_mean(square(.)),
//              optim::Adam::apply_gradients (the README's tape loop);
//       model: nn::Sequential of Dense layers, compile(Adam, "mse"), train_on_batch;
//       hand:  plain float32 loops (no BLAS) for forward, backward and Adam; tanh is
//              xsimd::tanh over each activation array (the function xgrad's xt::tanh runs),
//              or with tanh=std the scalar std::tanh (libm), about 2x the whole step.
//     Data and initial weights come from tiny_mlp_data() below, a 64-bit LCG that
//     torch_bench.py's tiny_mlp repeats bit for bit (x in [-1, 1), y = sin(x0) + x1^2,
//     Glorot-uniform kernels, zero biases), so every implementation starts from the
//     same arrays. adam=torch (tape, model): epsilon_placement PyTorchCPU, i.e.
//     torch.optim.Adam's update, for comparing the final loss with torch's.
//     Prints us_per_step, the first step's loss and the last step's loss (each
//     computed in that step's forward pass, before its update).
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <vector>

#include <xgrad/xgrad.hpp>
#include <xsimd/xsimd.hpp>

#include "bench_common.hpp"
#include "bench_workloads.hpp"

namespace xgrad::bench {

namespace {

// ---------------------------------------------------------------- the hand-written scalar tape

enum class Op : std::uint8_t { Leaf, PowC, MulC, Add, AddC };

struct Node {
    float value;
    Op op;
    std::int32_t a, b;  // parents (-1: none)
    float c;            // the constant of PowC / MulC / AddC
};

class ScalarTape {
public:
    void clear() { nodes_.clear(); }
    int leaf(float v) { return push({v, Op::Leaf, -1, -1, 0}); }
    int pow_c(int a, float p) { return push({std::pow(nodes_[a].value, p), Op::PowC, a, -1, p}); }
    int mul_c(int a, float c) { return push({c * nodes_[a].value, Op::MulC, a, -1, c}); }
    int add(int a, int b) { return push({nodes_[a].value + nodes_[b].value, Op::Add, a, b, 0}); }
    int add_c(int a, float c) { return push({nodes_[a].value + c, Op::AddC, a, -1, c}); }
    float value(int i) const { return nodes_[i].value; }

    // d nodes[target] / d nodes[source], by one reverse sweep over the nodes.
    float gradient(int target, int source)
    {
        adj_.assign(nodes_.size(), 0.0f);
        adj_[target] = 1.0f;
        for (int i = target; i >= 0; --i) {
            const Node& n = nodes_[i];
            const float g = adj_[i];
            switch (n.op) {
            case Op::Leaf: break;
            case Op::PowC: adj_[n.a] += (g * n.c) * std::pow(nodes_[n.a].value, n.c - 1.0f); break;
            case Op::MulC: adj_[n.a] += g * n.c; break;
            case Op::Add: adj_[n.a] += g; adj_[n.b] += g; break;
            case Op::AddC: adj_[n.a] += g; break;
            }
        }
        return adj_[source];
    }

private:
    int push(const Node& n)
    {
        nodes_.push_back(n);
        return static_cast<int>(nodes_.size()) - 1;
    }
    std::vector<Node> nodes_;
    std::vector<float> adj_;
};

// Keras's Adam on n floats, as optim/adam.cpp (EpsilonPlacement::Keras): float32 powers of
// beta at t = step + 1, alpha = lr sqrt(1 - beta_2^t) / (1 - beta_1^t).
struct HandAdam {
    float lr = 1e-3f;
    float beta_1 = 0.9f, beta_2 = 0.999f;
    float one_minus_beta_1 = static_cast<float>(1.0 - 0.9), one_minus_beta_2 = static_cast<float>(1.0 - 0.999);
    float eps = 1e-7f;
    std::int64_t step = 0;
    float alpha = 0;

    void begin_step()  // once per apply_gradients, before the tensors
    {
        const float t = static_cast<float>(step + 1);
        alpha = lr * std::sqrt(1.0f - std::pow(beta_2, t)) / (1.0f - std::pow(beta_1, t));
        ++step;
    }
    void update(float* w, const float* g, float* m, float* v, std::size_t n) const
    {
        for (std::size_t i = 0; i < n; ++i) {
            m[i] = m[i] + (g[i] - m[i]) * one_minus_beta_1;
            v[i] = v[i] + (g[i] * g[i] - v[i]) * one_minus_beta_2;
            w[i] = w[i] - (m[i] * alpha) / (std::sqrt(v[i]) + eps);
        }
    }
};

// ---------------------------------------------------------------- tiny MLP data and weights

constexpr std::size_t kBatch = 8, kIn = 2, kHidden = 16, kOut = 1;

struct TinyMlpData {
    std::vector<float> x, y;                 // (8, 2), (8, 1)
    std::vector<float> w1, b1, w2, b2, w3, b3;  // kernels (in, out) row-major, biases
};

// The 64-bit LCG shared with torch_bench.py (Knuth's MMIX constants): each draw
// advances the state and takes its top 24 bits as u in [0, 1); uniform(lo, hi) is
// lo + (hi - lo) u in double, rounded to float32 once.
class Lcg {
public:
    explicit Lcg(std::uint64_t seed) : state_(seed) {}
    double next()
    {
        state_ = state_ * 6364136223846793005ULL + 1442695040888963407ULL;
        return static_cast<double>(state_ >> 40) / 16777216.0;
    }
    float uniform(double lo, double hi) { return static_cast<float>(lo + (hi - lo) * next()); }

private:
    std::uint64_t state_;
};

// In this order from one Lcg(17): x (row-major), then W1, W2, W3 (Glorot uniform, limit
// sqrt(6 / (fan_in + fan_out)), row-major (in, out)); y = sin(x0) + x1^2 in double,
// rounded to float32; zero biases.
TinyMlpData tiny_mlp_data()
{
    Lcg lcg(17);
    TinyMlpData d;
    for (std::size_t i = 0; i < kBatch * kIn; ++i) d.x.push_back(lcg.uniform(-1.0, 1.0));
    for (std::size_t r = 0; r < kBatch; ++r) {
        const double x0 = d.x[r * kIn], x1 = d.x[r * kIn + 1];
        d.y.push_back(static_cast<float>(std::sin(x0) + x1 * x1));
    }
    auto glorot = [&](std::size_t in, std::size_t out) {
        const double limit = std::sqrt(6.0 / static_cast<double>(in + out));
        std::vector<float> w;
        for (std::size_t i = 0; i < in * out; ++i) w.push_back(lcg.uniform(-limit, limit));
        return w;
    };
    d.w1 = glorot(kIn, kHidden);
    d.w2 = glorot(kHidden, kHidden);
    d.w3 = glorot(kHidden, kOut);
    d.b1.assign(kHidden, 0.0f);
    d.b2.assign(kHidden, 0.0f);
    d.b3.assign(kOut, 0.0f);
    return d;
}

// 9 significant digits: a float32 round-trips, so equal values print equal.
std::string nine_digits(float v)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(v));
    return buf;
}

xt::xarray<float> as_array(const std::vector<float>& v, const Shape& shape)
{
    xt::xarray<float> a(shape);
    std::copy(v.begin(), v.end(), a.begin());
    return a;
}

struct MlpRun {
    float first_loss = 0, last_loss = 0;
};

// Times `reps` runs of `steps` steps (after one untimed warm-up run); each run starts from
// the same weights and a fresh optimizer (`setup`, untimed) and returns its losses.
// Returns the median wall-clock and process CPU seconds of a run.
template <class Setup>
std::pair<double, double> time_runs(int reps, int steps, MlpRun& run, Setup&& setup)
{
    std::vector<double> wall, cpu;
    for (int r = 0; r < reps + 1; ++r) {
        auto steps_fn = setup();  // a callable: steps_fn(n) runs n steps, returns the losses
        const auto start = Clock::now();
        const double cpu_start = process_cpu_seconds();
        run = steps_fn(steps);
        const double cpu_sec = process_cpu_seconds() - cpu_start;
        const double sec = seconds_since(start);
        if (r > 0) {
            wall.push_back(sec);
            cpu.push_back(cpu_sec);
        }
    }
    return {median(std::move(wall)), median(std::move(cpu))};
}

optim::AdamOptions tiny_adam_options(const std::string& adam)
{
    auto o = optim::AdamOptions{}.learning_rate(1e-3);
    if (adam == "torch") return o.epsilon_placement(optim::EpsilonPlacement::PyTorchCPU);
    if (adam != "keras") throw std::invalid_argument("tiny_mlp: adam=keras|torch, got '" + adam + "'");
    return o;
}

// ---- impl=tape: the README's tape loop.
auto tape_runner(const TinyMlpData& d, const std::string& adam)
{
    return [&d, adam] {
        return [&d, adam, x = Tensor(as_array(d.x, {kBatch, kIn})), y = Tensor(as_array(d.y, {kBatch, kOut})),
                w1 = Variable(as_array(d.w1, {kIn, kHidden}), "w1"), b1 = Variable(as_array(d.b1, {kHidden}), "b1"),
                w2 = Variable(as_array(d.w2, {kHidden, kHidden}), "w2"), b2 = Variable(as_array(d.b2, {kHidden}), "b2"),
                w3 = Variable(as_array(d.w3, {kHidden, kOut}), "w3"), b3 = Variable(as_array(d.b3, {kOut}), "b3"),
                optimizer = std::make_shared<optim::Adam>(tiny_adam_options(adam))](int steps) mutable {
            MlpRun run;
            const std::vector<Variable> vars{w1, b1, w2, b2, w3, b3};
            Tensor loss;
            for (int i = 0; i < steps; ++i) {
                GradientTape tape;
                auto h1 = tanh(matmul(x, w1) + b1);
                auto h2 = tanh(matmul(h1, w2) + b2);
                auto out = matmul(h2, w3) + b3;
                loss = reduce_mean(square(out - y));
                optimizer->apply_gradients(tape.gradient(loss, {w1, b1, w2, b2, w3, b3}), vars);
                if (i == 0) run.first_loss = loss.item();
            }
            run.last_loss = loss.item();
            return run;
        };
    };
}

// ---- impl=model: Sequential of Dense layers, train_on_batch.
auto model_runner(const TinyMlpData& d, const std::string& adam)
{
    return [&d, adam] {
        auto model = std::make_shared<nn::Sequential>(std::vector<nn::LayerRef>{
            nn::Input({kIn}), nn::Dense(kHidden, "tanh"), nn::Dense(kHidden, "tanh"), nn::Dense(kOut)});
        model->compile(std::make_shared<optim::Adam>(tiny_adam_options(adam)), "mse");
        model->set_weights({as_array(d.w1, {kIn, kHidden}), as_array(d.b1, {kHidden}),
                            as_array(d.w2, {kHidden, kHidden}), as_array(d.b2, {kHidden}),
                            as_array(d.w3, {kHidden, kOut}), as_array(d.b3, {kOut})});
        return [model, x = Tensor(as_array(d.x, {kBatch, kIn})), y = Tensor(as_array(d.y, {kBatch, kOut}))](int steps) {
            MlpRun run;
            double loss = 0;
            for (int i = 0; i < steps; ++i) {
                loss = model->train_on_batch(x, y).at("loss");
                if (i == 0) run.first_loss = static_cast<float>(loss);
            }
            run.last_loss = static_cast<float>(loss);
            return run;
        };
    };
}

// ---- impl=hand: plain loops over fixed-size float arrays.
struct alignas(64) HandMlp {
    std::array<float, kBatch * kIn> x;
    std::array<float, kBatch * kOut> y;
    // parameters, gradients, Adam moments: w1 b1 w2 b2 w3 b3
    std::array<float, kIn * kHidden> w1, gw1, mw1, vw1;
    std::array<float, kHidden> b1, gb1, mb1, vb1;
    std::array<float, kHidden * kHidden> w2, gw2, mw2, vw2;
    std::array<float, kHidden> b2, gb2, mb2, vb2;
    std::array<float, kHidden * kOut> w3, gw3, mw3, vw3;
    std::array<float, kOut> b3, gb3, mb3, vb3;
    std::array<float, kBatch * kHidden> h1, h2, d1, d2;  // activations, their pre-activation gradients
    std::array<float, kBatch * kOut> out, dout;
    HandAdam adam;
    bool std_tanh = false;

    HandMlp(const TinyMlpData& d, bool std_tanh) : std_tanh(std_tanh)
    {
        std::copy(d.x.begin(), d.x.end(), x.begin());
        std::copy(d.y.begin(), d.y.end(), y.begin());
        std::copy(d.w1.begin(), d.w1.end(), w1.begin());
        std::copy(d.b1.begin(), d.b1.end(), b1.begin());
        std::copy(d.w2.begin(), d.w2.end(), w2.begin());
        std::copy(d.b2.begin(), d.b2.end(), b2.begin());
        std::copy(d.w3.begin(), d.w3.end(), w3.begin());
        std::copy(d.b3.begin(), d.b3.end(), b3.begin());
        for (auto* a : {&mw1, &vw1}) a->fill(0);
        for (auto* a : {&mb1, &vb1, &mb2, &vb2}) a->fill(0);
        for (auto* a : {&mw2, &vw2}) a->fill(0);
        for (auto* a : {&mw3, &vw3}) a->fill(0);
        for (auto* a : {&mb3, &vb3}) a->fill(0);
    }

    // In place over n floats: SIMD batches of xsimd::tanh, the scalar std::tanh for a tail (or all).
    static void apply_tanh(float* p, std::size_t n, bool scalar)
    {
        using Batch = xsimd::batch<float>;
        std::size_t i = 0;
        if (!scalar) {
            for (; i + Batch::size <= n; i += Batch::size) xsimd::tanh(Batch::load_unaligned(p + i)).store_unaligned(p + i);
        }
        for (; i < n; ++i) p[i] = std::tanh(p[i]);
    }

    // out = in @ w + b for (kBatch, n_in) @ (n_in, n_out)
    template <std::size_t NIn, std::size_t NOut>
    static void dense(const float* in, const float* w, const float* b, float* out)
    {
        for (std::size_t r = 0; r < kBatch; ++r) {
            float acc[NOut];
            for (std::size_t j = 0; j < NOut; ++j) acc[j] = 0;
            for (std::size_t k = 0; k < NIn; ++k) {
                const float xk = in[r * NIn + k];
                for (std::size_t j = 0; j < NOut; ++j) acc[j] += xk * w[k * NOut + j];
            }
            for (std::size_t j = 0; j < NOut; ++j) out[r * NOut + j] = acc[j] + b[j];
        }
    }

    // Given dz (kBatch, NOut): gw = in^T dz, gb = column sums of dz, and (if din) din = dz w^T.
    template <std::size_t NIn, std::size_t NOut>
    static void dense_backward(const float* in, const float* w, const float* dz, float* gw, float* gb, float* din)
    {
        for (std::size_t i = 0; i < NIn * NOut; ++i) gw[i] = 0;
        for (std::size_t j = 0; j < NOut; ++j) gb[j] = 0;
        for (std::size_t r = 0; r < kBatch; ++r) {
            for (std::size_t k = 0; k < NIn; ++k) {
                const float xk = in[r * NIn + k];
                for (std::size_t j = 0; j < NOut; ++j) gw[k * NOut + j] += xk * dz[r * NOut + j];
            }
            for (std::size_t j = 0; j < NOut; ++j) gb[j] += dz[r * NOut + j];
            if (din) {
                for (std::size_t k = 0; k < NIn; ++k) {
                    float acc = 0;
                    for (std::size_t j = 0; j < NOut; ++j) acc += dz[r * NOut + j] * w[k * NOut + j];
                    din[r * NIn + k] = acc;
                }
            }
        }
    }

    float step()
    {
        dense<kIn, kHidden>(x.data(), w1.data(), b1.data(), h1.data());
        apply_tanh(h1.data(), h1.size(), std_tanh);
        dense<kHidden, kHidden>(h1.data(), w2.data(), b2.data(), h2.data());
        apply_tanh(h2.data(), h2.size(), std_tanh);
        dense<kHidden, kOut>(h2.data(), w3.data(), b3.data(), out.data());
        float loss = 0;
        for (std::size_t i = 0; i < kBatch * kOut; ++i) {
            const float e = out[i] - y[i];
            loss += e * e;
            dout[i] = e * (2.0f / (kBatch * kOut));  // d mean(e^2) / d out
        }
        loss /= kBatch * kOut;
        dense_backward<kHidden, kOut>(h2.data(), w3.data(), dout.data(), gw3.data(), gb3.data(), d2.data());
        for (std::size_t i = 0; i < kBatch * kHidden; ++i) d2[i] *= 1.0f - h2[i] * h2[i];  // through tanh
        dense_backward<kHidden, kHidden>(h1.data(), w2.data(), d2.data(), gw2.data(), gb2.data(), d1.data());
        for (std::size_t i = 0; i < kBatch * kHidden; ++i) d1[i] *= 1.0f - h1[i] * h1[i];
        dense_backward<kIn, kHidden>(x.data(), w1.data(), d1.data(), gw1.data(), gb1.data(), nullptr);
        adam.begin_step();
        adam.update(w1.data(), gw1.data(), mw1.data(), vw1.data(), w1.size());
        adam.update(b1.data(), gb1.data(), mb1.data(), vb1.data(), b1.size());
        adam.update(w2.data(), gw2.data(), mw2.data(), vw2.data(), w2.size());
        adam.update(b2.data(), gb2.data(), mb2.data(), vb2.data(), b2.size());
        adam.update(w3.data(), gw3.data(), mw3.data(), vw3.data(), w3.size());
        adam.update(b3.data(), gb3.data(), mb3.data(), vb3.data(), b3.size());
        return loss;
    }
};

auto hand_runner(const TinyMlpData& d, bool std_tanh)
{
    return [&d, std_tanh] {
        return [net = std::make_shared<HandMlp>(d, std_tanh)](int steps) {
            MlpRun run;
            float loss = 0;
            for (int i = 0; i < steps; ++i) {
                loss = net->step();
                if (i == 0) run.first_loss = loss;
            }
            run.last_loss = loss;
            return run;
        };
    };
}

}  // namespace

void run_tutorial_hand(const Options& o)
{
    const std::string opt = o.get("opt", "gd");
    const int iters = static_cast<int>(o.number("iters", 2000));
    const int reps = static_cast<int>(o.number("reps", 3));
    const float lr = static_cast<float>(o.number("lr", 1e-3));
    if (opt != "gd" && opt != "adam") throw std::invalid_argument("tutorial_hand: opt=gd|adam, got '" + opt + "'");
    const bool use_adam = opt == "adam";
    float final_x = 0, final_y = 0;
    ScalarTape tape;
    const auto [sec, cpu_sec] = time_median_wall_cpu(1, reps, [&] {
        float x = 2.0f, m = 0.0f, v = 0.0f;
        HandAdam adam;
        adam.lr = lr;
        float y = 0;
        for (int i = 0; i < iters; ++i) {
            tape.clear();
            const int xi = tape.leaf(x);
            const int yi = tape.add_c(tape.add(tape.mul_c(tape.pow_c(xi, 4.0f), 2.0f),
                                               tape.mul_c(tape.pow_c(xi, 3.0f), 3.0f)), 2.0f);
            y = tape.value(yi);
            const float g = tape.gradient(yi, xi);
            if (use_adam) {
                adam.begin_step();
                adam.update(&x, &g, &m, &v, 1);
            } else {
                x = x - g * lr;
            }
        }
        final_x = x;
        final_y = y;
    });
    Result{}.add("workload", "tutorial_hand").add("opt", opt).add("iters", iters)
        .add("us_per_iter", sec * 1e6 / iters).add("x", nine_digits(final_x)).add("y", nine_digits(final_y))
        .add("cpu_us_per_iter", cpu_sec * 1e6 / iters).print();
}

void run_tiny_mlp(const Options& o)
{
    const std::string impl = o.get("impl", "tape"), adam = o.get("adam", "keras");
    const int steps = static_cast<int>(o.number("steps", 1000));
    const int reps = static_cast<int>(o.number("reps", 5));
    set_threads(1);
    const TinyMlpData data = tiny_mlp_data();
    MlpRun run;
    std::pair<double, double> sec;  // wall, CPU
    if (impl == "tape") sec = time_runs(reps, steps, run, tape_runner(data, adam));
    else if (impl == "model") sec = time_runs(reps, steps, run, model_runner(data, adam));
    else if (impl == "hand") {
        if (adam != "keras") throw std::invalid_argument("tiny_mlp impl=hand: only adam=keras");
        const std::string tanh_impl = o.get("tanh", "xsimd");
        if (tanh_impl != "xsimd" && tanh_impl != "std") throw std::invalid_argument("tiny_mlp: tanh=xsimd|std");
        sec = time_runs(reps, steps, run, hand_runner(data, tanh_impl == "std"));
    } else {
        throw std::invalid_argument("tiny_mlp: impl=tape|model|hand, got '" + impl + "'");
    }
    Result{}.add("workload", "tiny_mlp").add("impl", impl).add("adam", adam).add("steps", steps)
        .add("us_per_step", sec.first * 1e6 / steps).add("cpu_us_per_step", sec.second * 1e6 / steps)
        .add("first_loss", nine_digits(run.first_loss))
        .add("loss", nine_digits(run.last_loss)).print();
}

}  // namespace xgrad::bench
