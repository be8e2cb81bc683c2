// Runs an example executable (short mode) and captures what it prints.
#pragma once

#include <array>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <sys/wait.h>

struct ExampleRun {
    int exit_code;
    std::string output;  // stdout and stderr
};

inline std::string example_out_dir(const std::string& name)
{
    return std::string(XGRAD_BINARY_DIR) + "/tests/example_out/" + name;
}

inline ExampleRun run_example(const std::string& name, const std::string& arguments = "")
{
    const std::string cmd = std::string(XGRAD_BINARY_DIR) + "/examples/" + name + " --out '" +
                            example_out_dir(name) + "' " + arguments + " 2>&1";
    ExampleRun run{-1, ""};
    FILE* pipe = popen(cmd.c_str(), "r");
    if (!pipe) return run;
    std::array<char, 4096> buf{};
    while (std::fgets(buf.data(), static_cast<int>(buf.size()), pipe)) run.output += buf.data();
    const int status = pclose(pipe);
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return run;
}

inline std::vector<std::string> lines_of(const std::string& text)
{
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

// Rows of numbers of a CSV file written by an example (the header skipped).
inline std::vector<std::vector<double>> read_csv(const std::string& path)
{
    std::vector<std::vector<double>> rows;
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);
    while (std::getline(in, line)) {
        std::vector<double> row;
        std::istringstream cells(line);
        for (std::string cell; std::getline(cells, cell, ',');) row.push_back(std::stod(cell));
        rows.push_back(row);
    }
    return rows;
}
