#include "bench_common.hpp"

#include <omp.h>
#include <sys/resource.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>

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

long minor_faults()
{
    rusage r{};
    getrusage(RUSAGE_SELF, &r);
    return r.ru_minflt;
}

double& faults_per_timed_call()
{
    static double faults = 0;
    return faults;
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

void save_npy_int64(const std::string& path, const std::vector<std::size_t>& values)
{
    std::string header = "{'descr': '<i8', 'fortran_order': False, 'shape': (" + std::to_string(values.size()) + ",), }";
    const std::size_t unpadded = 10 + header.size() + 1;
    header.append((64 - unpadded % 64) % 64, ' ');
    header += '\n';
    std::ofstream out(path, std::ios::binary);
    if (!out) throw std::runtime_error("cannot write " + path);
    const auto len = static_cast<std::uint16_t>(header.size());
    out.write("\x93NUMPY\x01\x00", 8);
    const char len_le[2] = {static_cast<char>(len & 0xff), static_cast<char>(len >> 8)};
    out.write(len_le, 2);
    out << header;
    std::vector<std::int64_t> data(values.begin(), values.end());
    out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size() * sizeof(std::int64_t)));
    if (!out) throw std::runtime_error("cannot write " + path);
}

}  // namespace xgrad::bench
