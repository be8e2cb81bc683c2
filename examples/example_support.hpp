// Small helpers shared by the examples: command-line options, CSV files and
// gnuplot PNGs. Not part of the library; examples include it by relative path.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace example {

struct Option {
    std::string name;         // "--steps"
    std::string value_name;   // "N"; empty for a flag
    std::string help;
    std::string default_value;
};

class Args {
public:
    // Parses argv against `options` (plus --help and --out DIR). Prints usage and
    // exits 0 on --help; prints a clear message and exits 2 on a bad argument.
    Args(int argc, char** argv, std::string description, std::vector<Option> options)
        : options_(std::move(options))
    {
        options_.push_back({"--out", "DIR", "folder for CSV and PNG files", "out"});
        for (const auto& o : options_) values_[o.name] = o.default_value;
        for (int i = 1; i < argc; ++i) {
            const std::string arg = argv[i];
            if (arg == "--help" || arg == "-h") {
                usage(argv[0], description, std::cout);
                std::exit(0);
            }
            const Option* opt = find(arg);
            if (!opt) fail(argv[0], description, "unknown argument '" + arg + "'");
            if (opt->value_name.empty()) {
                values_[arg] = "1";
            } else {
                if (i + 1 >= argc) fail(argv[0], description, arg + " needs a value (" + opt->value_name + ")");
                values_[arg] = argv[++i];
            }
        }
        program_ = argv[0];
        description_ = std::move(description);
    }

    bool flag(const std::string& name) const { return values_.at(name) == "1"; }
    std::string str(const std::string& name) const { return values_.at(name); }
    long integer(const std::string& name, long min_value = 1) const
    {
        const std::string& v = values_.at(name);
        char* end = nullptr;
        const long n = std::strtol(v.c_str(), &end, 10);
        if (v.empty() || *end != '\0' || n < min_value) {
            fail(program_, description_, name + " expects a whole number >= " + std::to_string(min_value) +
                                             ", got '" + v + "'");
        }
        return n;
    }
    // The output folder, created if needed.
    std::string out_dir() const
    {
        std::filesystem::create_directories(values_.at("--out"));
        return values_.at("--out");
    }

private:
    const Option* find(const std::string& name) const
    {
        for (const auto& o : options_) if (o.name == name) return &o;
        return nullptr;
    }
    void usage(const std::string& program, const std::string& description, std::ostream& out) const
    {
        out << description << "\n\nUsage: " << program << " [options]\n  --help            this text\n";
        for (const auto& o : options_) {
            std::string lhs = o.name + (o.value_name.empty() ? "" : " " + o.value_name);
            lhs.resize(std::max<std::size_t>(lhs.size() + 1, 18), ' ');
            out << "  " << lhs << o.help;
            if (!o.default_value.empty() && !o.value_name.empty()) out << " (default " << o.default_value << ")";
            out << "\n";
        }
    }
    [[noreturn]] void fail(const std::string& program, const std::string& description, const std::string& why) const
    {
        std::cerr << program << ": " << why << "\n\n";
        usage(program, description, std::cerr);
        std::exit(2);
    }

    std::vector<Option> options_;
    std::map<std::string, std::string> values_;
    std::string program_, description_;
};

// Writes rows of numbers under a header line; returns the path.
inline std::string write_csv(const std::string& path, const std::string& header,
                             const std::vector<std::vector<double>>& rows)
{
    std::ofstream out(path);
    out << header << "\n";
    out.precision(9);
    for (const auto& row : rows) {
        for (std::size_t i = 0; i < row.size(); ++i) out << (i ? "," : "") << row[i];
        out << "\n";
    }
    if (!out) std::cerr << "warning: could not write " << path << "\n";
    return path;
}

// Draws `png` with gnuplot from a script body (terminal and output are set
// here). Never fails the example: prints why when no plot could be drawn.
inline bool plot_png(const std::string& png, const std::string& script)
{
    const std::string script_path = png + ".gp";
    {
        std::ofstream gp(script_path);
        gp << "set terminal pngcairo size 900,600 noenhanced\n"
           << "set output '" << png << "'\n"
           << "set datafile separator ','\n"
           << script;
    }
    const std::string cmd = "gnuplot '" + script_path + "' 2>/dev/null";
    const int rc = std::system(cmd.c_str());
    if (rc != 0) {
        // pngcairo is missing from gnuplot-nox builds without cairo: fall back to png.
        std::ifstream in(script_path);
        std::stringstream body;
        body << in.rdbuf();
        std::string text = body.str();
        text.replace(text.find("pngcairo"), 8, "png");
        std::ofstream(script_path) << text;
        if (std::system(cmd.c_str()) != 0) {
            std::cout << "(plot " << png << " not drawn: gnuplot is missing or failed; the CSV is there)\n";
            return false;
        }
    }
    std::remove(script_path.c_str());
    std::cout << "plot: " << png << "\n";
    return true;
}

// Runs an example's body and turns an exception it lets out (bad input, a missing data file)
// into its message on stderr and exit code 1, instead of std::terminate's abort.
inline int guarded_main(int argc, char** argv, int (*body)(int, char**))
{
    try {
        return body(argc, argv);
    } catch (const std::exception& e) {
        std::cerr << (argc > 0 ? argv[0] : "example") << ": " << e.what() << "\n";
        return 1;
    }
}

}  // namespace example
