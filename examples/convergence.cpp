// Writing optimizers from scratch: TensorFlow Core's "custom optimizers"
// tutorial in C++. Gradient descent, momentum and Adam are written here, in
// the tutorial's exact forms, through xgrad's public extension API (derive from
// xgrad::optim::Optimizer, write only the update rule), then run through the
// tutorial's convergence test on L(x) = 2x^4 + 3x^3 + 2 from x = 2 in float32.
// The built-in optimizers run the same test for comparison.
#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <xgrad/xgrad.hpp>

#include "example_support.hpp"

namespace {

using xgrad::optim::Optimizer;
using xgrad::optim::UpdateContext;

xgrad::optim::BasicOptions tutorial_options(const char* name, double learning_rate)
{
    // on_nan_gradient Apply: the test itself watches for NaN.
    return xgrad::optim::BasicOptions(name, learning_rate).on_nan_gradient(xgrad::optim::NanGradientPolicy::Apply);
}

// var -= lr * grad
class GradientDescent : public Optimizer {
public:
    explicit GradientDescent(double lr) : Optimizer(tutorial_options("gradient_descent", lr), "GradientDescent") {}
    std::string kind() const override { return "tutorial_gradient_descent"; }

protected:
    void update_step(UpdateContext& u) override
    {
        for (std::size_t i = 0; i < u.n; ++i) u.w[i] -= u.learning_rate * u.g[i];
    }
};

// change = lr * grad + momentum * change;  var -= change
class Momentum : public Optimizer {
public:
    Momentum(double lr, double momentum)
        : Optimizer(tutorial_options("momentum", lr), "Momentum"), momentum_(static_cast<float>(momentum)) {}
    std::string kind() const override { return "tutorial_momentum"; }

protected:
    void build(const xgrad::Variable& var) override { add_slot(var, "change"); }
    void update_step(UpdateContext& u) override
    {
        float* change = u.slot("change");
        for (std::size_t i = 0; i < u.n; ++i) {
            change[i] = u.learning_rate * u.g[i] + momentum_ * change[i];
            u.w[i] -= change[i];
        }
    }

private:
    float momentum_;
};

// v = b1 v + (1 - b1) g;  s = b2 s + (1 - b2) g^2;  v_hat = v / (1 - b1^t);  s_hat = s / (1 - b2^t)
// var -= lr * v_hat / (sqrt(s_hat) + ep).  Python-float arithmetic (1 - b1, b1^t with
// a float t) happens in double and meets the float32 tensors rounded once.
class Adam : public Optimizer {
public:
    Adam(double lr, double beta_1 = 0.9, double beta_2 = 0.999, double ep = 1e-7)
        : Optimizer(tutorial_options("adam", lr), "Adam"), beta_1_(beta_1), beta_2_(beta_2), ep_(ep) {}
    std::string kind() const override { return "tutorial_adam"; }

protected:
    void build(const xgrad::Variable& var) override
    {
        add_slot(var, "v");
        add_slot(var, "s");
    }
    void update_step(UpdateContext& u) override
    {
        const double t = static_cast<double>(u.iterations + 1);
        const float b1 = static_cast<float>(beta_1_), one_minus_b1 = static_cast<float>(1 - beta_1_);
        const float b2 = static_cast<float>(beta_2_), one_minus_b2 = static_cast<float>(1 - beta_2_);
        const float bc1 = static_cast<float>(1 - std::pow(beta_1_, t));
        const float bc2 = static_cast<float>(1 - std::pow(beta_2_, t));
        const float ep = static_cast<float>(ep_);
        float* v = u.slot("v");
        float* s = u.slot("s");
        for (std::size_t i = 0; i < u.n; ++i) {
            v[i] = b1 * v[i] + one_minus_b1 * u.g[i];
            s[i] = b2 * s[i] + one_minus_b2 * (u.g[i] * u.g[i]);
            const float v_hat = v[i] / bc1;
            const float s_hat = s[i] / bc2;
            u.w[i] -= u.learning_rate * (v_hat / (std::sqrt(s_hat) + ep));
        }
    }

private:
    double beta_1_, beta_2_, ep_;
};

// dL/dx of L(x) = 2x^4 + 3x^3 + 2, through the tape.
xgrad::Tensor gradient(const xgrad::Variable& x)
{
    xgrad::GradientTape tape;
    const auto loss = 2.0f * xgrad::pow(x, 4.0f) + 3.0f * xgrad::pow(x, 3.0f) + 2.0f;
    return tape.gradient(loss, x);
}

// The tutorial's convergence test: prints the title, then one outcome line.
std::vector<float> convergence_test(Optimizer& optimizer, const std::string& title, int max_iters = 2000)
{
    std::cout << title << "\n-------------------------------\n";
    xgrad::Variable x(xt::xarray<float>(2.0f), "x");
    std::vector<float> path;
    for (int iter = 1; iter <= max_iters; ++iter) {
        const auto grad = gradient(x);
        if (std::isnan(grad.item())) {
            std::cout << "Gradient exploded at iteration " << iter << "\n\n";
            return path;
        }
        const float x_old = x.item();
        optimizer.apply_gradients({grad}, {x});
        path.push_back(x.item());
        if (x.item() == x_old) {
            std::cout << "Converged in " << iter << " iterations\n\n";
            return path;
        }
    }
    std::cout << "Exceeded maximum of " << max_iters << " iterations. Test terminated.\n\n";
    return path;
}

std::string lr_text(double lr)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", lr);
    return buf;
}

// One CSV (iteration, then x per learning rate) and one PNG of the paths drawn
// over log L(x), for one optimizer.
void save_paths(const std::string& out, const std::string& family, const std::vector<double>& rates,
                const std::vector<std::vector<float>>& paths)
{
    std::size_t longest = 0;
    for (const auto& p : paths) longest = std::max(longest, p.size());
    std::vector<std::vector<double>> rows;
    for (std::size_t i = 0; i < longest; ++i) {
        std::vector<double> row{double(i + 1)};
        for (const auto& p : paths) row.push_back(i < p.size() ? p[i] : NAN);
        rows.push_back(row);
    }
    std::string header = "iteration";
    for (double lr : rates) header += ",x_lr_" + lr_text(lr);
    const auto csv = example::write_csv(out + "/convergence_" + family + ".csv", header, rows);
    std::string plot = "set title '" + family + ": x over log L(x) = log(2x^4 + 3x^3 + 2)'\n"
                       "set xlabel 'iteration (log scale)'\nset logscale x\nset ylabel 'x'\nset yrange [-2:2.5]\nset xrange [1:" +
                       std::to_string(std::max<std::size_t>(longest, 2)) + "]\n"
                       "set view map\nset isosamples 2, 200\nset palette grey negative\nset cblabel 'log L(x)'\n"
                       "splot log(2*y**4 + 3*y**3 + 2) with pm3d notitle";
    const char* colors[] = {"#1b9e77", "#d95f02", "#7570b3"};
    for (std::size_t k = 0; k < rates.size(); ++k) {
        plot += ", '" + csv + "' using 1:" + std::to_string(k + 2) + ":(0) with lines lw 2 lc rgb '" +
                colors[k % 3] + "' title 'lr=" + lr_text(rates[k]) + "'";
    }
    example::plot_png(out + "/convergence_" + family + ".png", plot + "\n");
}

}  // namespace

namespace {
int run(int argc, char** argv)
{
    example::Args args(argc, argv,
                       "Optimizers from scratch (TensorFlow Core tutorial): gradient descent, momentum and Adam\n"
                       "written with xgrad's extension API, run through the convergence test on 2x^4 + 3x^3 + 2.",
                       {{"--max-iters", "N", "iterations before a run is stopped", "2000"}});
    const int max_iters = static_cast<int>(args.integer("--max-iters"));
    const std::string out = args.out_dir();
    const std::vector<double> rates{1e-3, 1e-2, 1e-1};

    std::vector<std::vector<float>> gd, momentum, adam;
    for (double lr : rates) {
        GradientDescent opt(lr);
        gd.push_back(convergence_test(opt, "Gradient descent optimizer: learning rate=" + lr_text(lr), max_iters));
    }
    for (double lr : rates) {
        Momentum opt(lr, 0.7);
        momentum.push_back(convergence_test(opt, "Momentum optimizer: learning rate=" + lr_text(lr), max_iters));
    }
    for (double lr : rates) {
        Adam opt(lr);
        adam.push_back(convergence_test(opt, "Adam: learning rate=" + lr_text(lr), max_iters));
    }

    std::cout << "=== The built-in optimizers (xgrad::optim, Keras conventions) on the same test ===\n\n";
    using xgrad::optim::NanGradientPolicy;
    for (double lr : rates) {
        xgrad::optim::GradientDescent opt(xgrad::optim::GradientDescentOptions{}.learning_rate(lr).on_nan_gradient(NanGradientPolicy::Apply));
        convergence_test(opt, "xgrad::optim::GradientDescent: learning rate=" + lr_text(lr), max_iters);
    }
    for (double lr : rates) {
        xgrad::optim::Momentum opt(xgrad::optim::MomentumOptions{}.learning_rate(lr).momentum(0.7).on_nan_gradient(NanGradientPolicy::Apply));
        convergence_test(opt, "xgrad::optim::Momentum: learning rate=" + lr_text(lr), max_iters);
    }
    for (double lr : rates) {
        xgrad::optim::Adam opt(xgrad::optim::AdamOptions{}.learning_rate(lr).on_nan_gradient(NanGradientPolicy::Apply));
        convergence_test(opt, "xgrad::optim::Adam: learning rate=" + lr_text(lr), max_iters);
    }

    save_paths(out, "gradient_descent", rates, gd);
    save_paths(out, "momentum", rates, momentum);
    save_paths(out, "adam", rates, adam);
    return 0;
}
}  // namespace

int main(int argc, char** argv) { return example::guarded_main(argc, argv, run); }
