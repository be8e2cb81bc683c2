// Each example, run in its short mode, checked on its key output.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <regex>

#include "run_example.hpp"

namespace {
struct Row {
    double w0, w1, b;
};
// "[label] step N: w = [a, b]  b = c ..." for `label` and `step`.
Row find_row(const std::string& output, const std::string& label, int step)
{
    const std::regex re("\\[" + label + " *\\] step " + std::to_string(step) +
                        ": w = \\[(\\S+), (\\S+)\\]  b = (\\S+)");
    std::smatch m;
    REQUIRE(std::regex_search(output, m, re));
    return {std::stod(m[1]), std::stod(m[2]), std::stod(m[3])};
}
}  // namespace

TEST_CASE("examples: linear_regression reproduces the published TensorFlow tables")
{
    const auto run = run_example("linear_regression");
    REQUIRE(run.exit_code == 0);
    // ../shared/reference/linear_regression_keras.md, to 1e-5.
    const Row fresh[3] = {{-0.10012173, 0.16457547, 0.0100003},
                          {-0.09012143, 0.17457578, 0.02000059},
                          {-0.08012114, 0.18457608, 0.03000089}};
    const Row restarted[3] = {{-0.1001218, 0.1645754, 0.01000023},
                              {-0.09268039, 0.1720168, 0.01744163},
                              {-0.08629228, 0.17840491, 0.02382975}};
    for (int step = 1; step <= 3; ++step) {
        const Row a = find_row(run.output, "new Adam each step", step);
        const Row& ea = fresh[step - 1];
        CHECK(a.w0 == Approx(ea.w0).margin(1e-5));
        CHECK(a.w1 == Approx(ea.w1).margin(1e-5));
        CHECK(a.b == Approx(ea.b).margin(1e-5));
        const Row r = find_row(run.output, "restarted moments", step);
        const Row& er = restarted[step - 1];
        CHECK(r.w0 == Approx(er.w0).margin(1e-5));
        CHECK(r.w1 == Approx(er.w1).margin(1e-5));
        CHECK(r.b == Approx(er.b).margin(1e-5));
    }
    // Where the answer is unique, the persistent Adam finds it.
    const Row unique = find_row(run.output, "persistent, columns paired at random", 6000);
    CHECK(unique.w0 == Approx(2.0).margin(1e-3));
    CHECK(unique.w1 == Approx(1.0).margin(1e-3));
    CHECK(unique.b == Approx(2.0).margin(1e-3));
    CHECK(std::filesystem::exists(example_out_dir("linear_regression") + "/linear_regression_loss.csv"));
}

TEST_CASE("examples: dense_network moves every weight with a real gradient by the learning rate")
{
    const auto run = run_example("dense_network");
    REQUIRE(run.exit_code == 0);
    CHECK(run.output.find("'name': 'adam'") != std::string::npos);
    CHECK(run.output.find("Total params: 132") != std::string::npos);
    const auto rows = read_csv(example_out_dir("dense_network") + "/dense_network_first_layer.csv");
    REQUIRE(rows.size() == 100);  // index, before, after, gradient, |change|
    std::size_t checked = 0;
    for (const auto& r : rows) {
        const double change = std::abs(r[2] - r[1]);
        if (std::abs(r[3]) > 1e-3) {
            CHECK(change == Approx(0.001).margin(1e-5));
            ++checked;
        } else if (r[3] == 0.0) {
            CHECK(change == 0.0);
        }
    }
    CHECK(checked > 50);
}

TEST_CASE("examples: convergence prints the tutorial's nine outcomes in order")
{
    const auto run = run_example("convergence");
    REQUIRE(run.exit_code == 0);
    const std::regex outcome("^(Converged in \\d+ iterations|Gradient exploded at iteration \\d+|"
                             "Exceeded maximum of 2000 iterations\\. Test terminated\\.)$");
    const std::regex title("^(Gradient descent optimizer|Momentum optimizer|Adam): learning rate=(0\\.001|0\\.01|0\\.1)$");
    std::vector<std::string> outcomes, titles;
    for (const auto& line : lines_of(run.output)) {
        if (std::regex_match(line, title)) titles.push_back(line);
        if (std::regex_match(line, outcome) && outcomes.size() < 9) outcomes.push_back(line);
    }
    REQUIRE(titles.size() == 9);
    REQUIRE(outcomes.size() == 9);
    CHECK(titles[0] == "Gradient descent optimizer: learning rate=0.001");
    CHECK(titles[4] == "Momentum optimizer: learning rate=0.01");
    CHECK(titles[8] == "Adam: learning rate=0.1");
    // The tutorial's published outcomes, which float32 reproduces exactly (one
    // rounding in another place moves the iteration counts). Its point: plain GD
    // stalls at the plateau or explodes, momentum gets through at the middle rate,
    // Adam's scaling never explodes.
    const std::vector<std::string> expected = {
        "Exceeded maximum of 2000 iterations. Test terminated.",
        "Exceeded maximum of 2000 iterations. Test terminated.",
        "Gradient exploded at iteration 6",
        "Exceeded maximum of 2000 iterations. Test terminated.",
        "Converged in 80 iterations",
        "Gradient exploded at iteration 6",
        "Exceeded maximum of 2000 iterations. Test terminated.",
        "Exceeded maximum of 2000 iterations. Test terminated.",
        "Converged in 1156 iterations"};
    for (std::size_t i = 0; i < expected.size(); ++i) {
        INFO(titles[i]);
        CHECK(outcomes[i] == expected[i]);
    }
    for (const char* family : {"gradient_descent", "momentum", "adam"}) {
        CHECK(std::filesystem::exists(example_out_dir("convergence") + "/convergence_" + family + ".csv"));
    }
}

TEST_CASE("examples: fashion_mnist short mode reaches 80% test accuracy on a 12,000-image subset")
{
    const auto run = run_example("fashion_mnist");
    REQUIRE(run.exit_code == 0);
    std::smatch m;
    REQUIRE(std::regex_search(run.output, m, std::regex("fit: test accuracy (\\S+)")));
    CHECK(std::stod(m[1]) >= 0.80);
    REQUIRE(std::regex_search(run.output, m, std::regex("clipped tape step: test accuracy (\\S+)")));
    CHECK(std::stod(m[1]) >= 0.80);
    const auto rows = read_csv(example_out_dir("fashion_mnist") + "/fashion_mnist_curves.csv");
    REQUIRE(rows.size() == 2);
    CHECK(rows[1][1] < rows[0][1]);  // the loss falls
}

TEST_CASE("examples: cnn_fashion_mnist short mode trains the convnet on a 6,000-image subset")
{
    const auto run = run_example("cnn_fashion_mnist");
    REQUIRE(run.exit_code == 0);
    std::smatch m;
    REQUIRE(std::regex_search(run.output, m, std::regex("test accuracy (0\\.\\d{4})")));
    CHECK(std::stod(m[1]) >= 0.70);
    REQUIRE(std::regex_search(run.output, m, std::regex("seconds per epoch (\\S+)")));
    CHECK(std::stod(m[1]) > 0.0);
    const auto rows = read_csv(example_out_dir("cnn_fashion_mnist") + "/cnn_fashion_mnist_curves.csv");
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].size() == 5);  // epoch, loss, accuracy, test accuracy, seconds
}

TEST_CASE("examples: custom_optimizer trains the dense network with a user-written optimizer")
{
    const auto run = run_example("custom_optimizer");
    REQUIRE(run.exit_code == 0);
    CHECK(run.output.find("'name': 'adabelief'") != std::string::npos);
    const auto rows = read_csv(example_out_dir("custom_optimizer") + "/custom_optimizer.csv");
    REQUIRE(rows.size() == 20);  // epoch, adam loss, adam acc, adabelief loss, adabelief acc
    CHECK(rows.back()[3] < 0.5 * rows.front()[3]);
    CHECK(rows.back()[4] > 0.9);
}

TEST_CASE("examples: custom_model trains a subclassed model whose nested layers all own their weights")
{
    const auto run = run_example("custom_model");
    REQUIRE(run.exit_code == 0);
    CHECK(run.output.find("residual_block (ResidualBlock)") != std::string::npos);
    CHECK(run.output.find(" residual_block.dense.kernel residual_block.dense.bias residual_block.dense_1.kernel") !=
          std::string::npos);
    std::smatch m;
    REQUIRE(std::regex_search(run.output, m, std::regex("test accuracy (\\S+)")));
    CHECK(std::stod(m[1]) >= 0.80);
    const auto rows = read_csv(example_out_dir("custom_model") + "/custom_model_curves.csv");
    REQUIRE(rows.size() == 2);
    CHECK(rows[1][1] < rows[0][1]);
}

TEST_CASE("examples: functional_model trains a two-input graph and prints Connected to")
{
    const auto run = run_example("functional_model");
    REQUIRE(run.exit_code == 0);
    CHECK(run.output.find("┃ Layer (type)        ┃ Output Shape      ┃    Param # ┃ Connected to      ┃") !=
          std::string::npos);
    CHECK(run.output.find("│ concatenate         │ (None, 256)       │          0 │ dense[0][0],      │") !=
          std::string::npos);
    std::smatch m;
    REQUIRE(std::regex_search(run.output, m, std::regex("test accuracy (\\S+)")));
    CHECK(std::stod(m[1]) >= 0.80);
}

TEST_CASE("examples: keras_interop evaluates, fine-tunes and re-saves the Keras 3 file")
{
    const std::string out = example_out_dir("keras_interop");
    std::filesystem::create_directories(out);
    const auto run = run_example("keras_interop", "--model " + std::string(XGRAD_SOURCE_DIR) +
                                                      "/tests/data/keras/fashion_mnist_dense_dropout.keras --epochs 1 "
                                                      "--predict " + out + "/p.npy --save " + out + "/tuned.keras");
    REQUIRE(run.exit_code == 0);
    CHECK(run.output.find("'name': 'adam'") != std::string::npos);
    CHECK(run.output.find("iterations: 16500") != std::string::npos);
    const std::regex line("^loss (\\S+) accuracy (\\S+)$");
    std::vector<double> acc;
    for (const auto& l : lines_of(run.output)) {
        std::smatch m;
        if (std::regex_match(l, m, line)) acc.push_back(std::stod(m[2]));
    }
    REQUIRE(acc.size() == 2);
    CHECK(acc[0] > 0.86);  // Keras's model on the 10,000 test images
    CHECK(acc[1] > 0.86);
    CHECK(run.output.find("reloaded: predictions bit-identical") != std::string::npos);
    CHECK(std::filesystem::exists(out + "/p.npy"));
    const auto bad = run_example("keras_interop", "--model /nonexistent.keras");
    CHECK(bad.exit_code == 1);
    CHECK(bad.output.find("/nonexistent.keras") != std::string::npos);
}

TEST_CASE("examples: distributed_fashion_mnist trains as one process and checks its weights")
{
    const auto run = run_example("distributed_fashion_mnist", "--train 3000 --epochs 1");
    REQUIRE(run.exit_code == 0);
    CHECK(run.output.find("single process, 1 rank(s)") != std::string::npos);
    CHECK(run.output.find("weights identical on all 1 ranks") != std::string::npos);
    std::smatch m;
    REQUIRE(std::regex_search(run.output, m, std::regex("test accuracy (\\S+)")));
    CHECK(std::stod(m[1]) >= 0.70);
}

TEST_CASE("examples: --help succeeds and bad arguments fail with a message")
{
    for (const char* name : {"linear_regression", "dense_network", "fashion_mnist", "convergence", "custom_optimizer",
                             "custom_model", "functional_model", "keras_interop", "cnn_fashion_mnist",
                             "distributed_fashion_mnist"}) {
        INFO(name);
        const auto help = run_example(name, "--help");
        CHECK(help.exit_code == 0);
        CHECK(help.output.find("Usage:") != std::string::npos);
        const auto bad = run_example(name, "--no-such-option");
        CHECK(bad.exit_code == 2);
        CHECK(bad.output.find("unknown argument '--no-such-option'") != std::string::npos);
    }
    const auto bad_value = run_example("linear_regression", "--steps zero");
    CHECK(bad_value.exit_code == 2);
    CHECK(bad_value.output.find("--steps expects a whole number") != std::string::npos);
    const auto holdout = run_example("cnn_fashion_mnist", "--holdout");  // the held-out slice is --full's
    CHECK(holdout.exit_code == 2);
    CHECK(holdout.output.find("--holdout needs --full") != std::string::npos);
    // An error the library throws (here before any training) ends the example with its message
    // and exit code 1, not std::terminate's abort.
    struct Thrown {
        const char* example;
        const char* arguments;
        const char* message;
    };
    for (const Thrown& t : {Thrown{"cnn_fashion_mnist", "--initializer bogus", "initializer: unknown name 'bogus'"},
                            Thrown{"cnn_fashion_mnist", "--beta-2 1.5", "Adam: option 'beta_2' must be in [0.0, 1.0), got 1.5"},
                            Thrown{"cnn_fashion_mnist", "--beta-1 1", "Adam: option 'beta_1' must be in [0.0, 1.0), got 1.0"},
                            Thrown{"fashion_mnist", "--data /nonexistent",
                                   "/nonexistent/train-images-idx3-ubyte.gz: cannot open the IDX file"}}) {
        INFO(t.example << " " << t.arguments);
        const auto run = run_example(t.example, t.arguments);
        CHECK(run.exit_code == 1);
        CHECK(run.output.find(t.message) != std::string::npos);
    }
}
