// The C++ side of bench/compare.sh. Usage:
//   xgrad_bench <workload> key=value ...   run one workload, print one result line
//   xgrad_bench serve                      read such commands from stdin, one per line
// Workloads: triad, optim, tutorial, tutorial_untaped, mlp, mlp_init, conv, cnn, cnn_init, tutorial_hand, tiny_mlp, tape_costs
// (see bench_workloads.hpp).
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench_workloads.hpp"

namespace xb = xgrad::bench;

namespace {
void run(const std::vector<std::string>& args)
{
    if (args.empty()) return;
    xb::Options o;
    for (std::size_t i = 1; i < args.size(); ++i) {
        const auto eq = args[i].find('=');
        if (eq == std::string::npos) throw std::invalid_argument("expected key=value, got '" + args[i] + "'");
        o.values[args[i].substr(0, eq)] = args[i].substr(eq + 1);
    }
    const std::string& w = args[0];
    if (w == "triad") xb::run_triad(o);
    else if (w == "optim") xb::run_optim(o);
    else if (w == "tutorial") xb::run_tutorial(o);
    else if (w == "tutorial_untaped") xb::run_tutorial_untaped(o);
    else if (w == "mlp") xb::run_mlp(o);
    else if (w == "mlp_init") xb::run_mlp_init(o);
    else if (w == "conv") xb::run_conv(o);
    else if (w == "cnn") xb::run_cnn(o);
    else if (w == "cnn_init") xb::run_cnn_init(o);
    else if (w == "tutorial_hand") xb::run_tutorial_hand(o);
    else if (w == "tiny_mlp") xb::run_tiny_mlp(o);
    else if (w == "tape_costs") xb::run_tape_costs(o);
    else throw std::invalid_argument("unknown workload '" + w + "'");
}
}  // namespace

int main(int argc, char** argv)
{
    try {
        std::vector<std::string> args(argv + 1, argv + argc);
        if (args.size() == 1 && args[0] == "serve") {
            std::string line;
            while (std::getline(std::cin, line)) {
                std::istringstream in(line);
                std::vector<std::string> words;
                for (std::string w; in >> w;) words.push_back(w);
                try {
                    run(words);
                } catch (const std::exception& e) {
                    std::cout << "error " << e.what() << std::endl;
                }
            }
            return 0;
        }
        run(args);
    } catch (const std::exception& e) {
        std::cerr << "xgrad_bench: " << e.what() << "\n";
        return 1;
    }
}
