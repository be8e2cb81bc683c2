// Interleaved: the same Adam step over layouts that differ only in where the arrays sit.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <cstdint>
#include <algorithm>
#include <vector>
#include <string>
#include <sys/mman.h>
#include <malloc.h>
#include <unistd.h>
static void step(float* pw, float* pm, float* pv, const float* pg, size_t n, int t) {
    const float lr = 1e-3f, b1 = 0.9f, b2 = 0.999f, eps = 1e-7f;
    const float alpha = (float)(lr * std::sqrt(1 - std::pow(0.999, t)) / (1 - std::pow(0.9, t)));
#pragma omp simd
    for (size_t i = 0; i < n; ++i) {
        pm[i] += (pg[i] - pm[i]) * (1 - b1);
        pv[i] += (pg[i] * pg[i] - pv[i]) * (1 - b2);
        pw[i] -= alpha * pm[i] / (std::sqrt(pv[i]) + eps);
    }
}
struct Layout { std::string name; float* p[4]; std::vector<double> ts; int t = 0; };
int main(int argc, char** argv) {
    const size_t n = argc > 1 ? atol(argv[1]) : 10000000;
    const int reps = argc > 2 ? atoi(argv[2]) : 20;
    std::vector<Layout> L;
    auto add = [&](std::string name, auto alloc) { Layout l; l.name = name; for (int k = 0; k < 4; ++k) l.p[k] = alloc(k);
        for (size_t i = 0; i < n; ++i) { l.p[0][i] = 0.5f; l.p[1][i] = 0; l.p[2][i] = 0; l.p[3][i] = 1e-3f; } L.push_back(l); };
    add("separate_aligned_alloc64", [&](int) { return (float*)aligned_alloc(64, n * 4); });
    add("separate_shift_k*1088B", [&](int k) { return (float*)((char*)aligned_alloc(64, n * 4 + 4096) + k * 1088); });
    add("separate_mmap_thp", [&](int) { size_t sz = (n * 4 + (2u << 20)) & ~size_t((2u << 20) - 1); void* q = mmap(0, sz + (2u<<20), PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0);
        char* a = (char*)(((uintptr_t)q + (2u<<20) - 1) & ~uintptr_t((2u<<20)-1)); madvise(a, sz, MADV_HUGEPAGE); return (float*)a; });
    add("separate_mmap_thp_shift", [&](int k) { size_t sz = (n * 4 + (4u << 20)) & ~size_t((2u << 20) - 1); void* q = mmap(0, sz + (2u<<20), PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0);
        char* a = (char*)(((uintptr_t)q + (2u<<20) - 1) & ~uintptr_t((2u<<20)-1)); madvise(a, sz, MADV_HUGEPAGE); return (float*)(a + k * 1088); });
    for (auto& l : L) std::printf("%-28s offsets %4lu %4lu %4lu %4lu\n", l.name.c_str(), (uintptr_t)l.p[0] & 4095, (uintptr_t)l.p[1] & 4095, (uintptr_t)l.p[2] & 4095, (uintptr_t)l.p[3] & 4095);
    for (int r = 0; r < reps + 2; ++r)
        for (auto& l : L) {
            auto s = std::chrono::steady_clock::now();
            step(l.p[0], l.p[1], l.p[2], l.p[3], n, ++l.t);
            double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - s).count();
            if (r >= 2) l.ts.push_back(ms);
        }
    for (auto& l : L) { std::sort(l.ts.begin(), l.ts.end()); std::printf("%-28s median %7.2f ms  min %7.2f ms\n", l.name.c_str(), l.ts[l.ts.size() / 2], l.ts[0]); }
    // denormal census of the state after the steps
    size_t dn = 0; for (int k = 0; k < 3; ++k) for (size_t i = 0; i < n; ++i) dn += std::fpclassify(L[0].p[k][i]) == FP_SUBNORMAL;
    std::printf("subnormal values in w, m, v after %d steps: %zu\n", L[0].t, dn);
    std::printf("AnonHugePages: "); fflush(stdout); std::system(("grep AnonHugePages /proc/" + std::to_string(getpid()) + "/smaps_rollup").c_str());
}
