#include "bench_common.hpp"

#include <omp.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

namespace xgrad::bench {

double median(std::vector<double> v)
{
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

void set_threads(int threads)
{
    omp_set_num_threads(threads);
}

long peak_rss_kib()
{
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
    }
    return -1;
}

Result& Result::add(const std::string& key, const std::string& value)
{
    line += " " + key + "=" + value;
    return *this;
}

Result& Result::add(const std::string& key, double value)
{
    std::ostringstream s;
    s.precision(6);
    s << value;
    return add(key, s.str());
}

void Result::print() const
{
    std::cout << line << std::endl;
}

}  // namespace xgrad::bench
