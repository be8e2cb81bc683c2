#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <algorithm>
#include <vector>
#include <sys/mman.h>
#include <sys/resource.h>
// Adam step as bench/bench_optim.cpp's ReferenceStep over four arrays placed by `mode`.
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
int main(int argc, char** argv) {
    const size_t n = 10000000;
    const char* mode = argc > 1 ? argv[1] : "malloc";
    long stagger = argc > 2 ? atol(argv[2]) : 0;  // bytes added between arrays
    float* p[4];
    if (!strcmp(mode, "malloc")) {           // separate blocks (> M_MMAP_THRESHOLD: each its own mmap)
        for (int k = 0; k < 4; ++k) p[k] = (float*)aligned_alloc(64, n * 4 + 64 * k * 0);
    } else if (!strcmp(mode, "one")) {       // one block, arrays back to back + stagger
        size_t stride = n * 4 + stagger;
        char* base = (char*)aligned_alloc(64, 4 * stride + 4096);
        for (int k = 0; k < 4; ++k) p[k] = (float*)(base + k * stride);
    } else if (!strcmp(mode, "shift")) {     // separate blocks, array k shifted by k*stagger bytes
        for (int k = 0; k < 4; ++k) p[k] = (float*)((char*)aligned_alloc(64, n * 4 + 4 * stagger + 64) + k * stagger);
    }
    for (size_t i = 0; i < n; ++i) { p[0][i] = 0.5f; p[1][i] = 0.f; p[2][i] = 0.f; p[3][i] = 1e-3f; }
    std::printf("mode=%s stagger=%ld page offsets: %ld %ld %ld %ld\n", mode, stagger,
        (long)((uintptr_t)p[0] & 4095), (long)((uintptr_t)p[1] & 4095), (long)((uintptr_t)p[2] & 4095), (long)((uintptr_t)p[3] & 4095));
    struct rusage r0, r1; getrusage(RUSAGE_SELF, &r0);
    std::vector<double> ts;
    for (int t = 1; t <= 12; ++t) {
        auto s = std::chrono::steady_clock::now();
        step(p[0], p[1], p[2], p[3], n, t);
        double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - s).count();
        if (t > 2) ts.push_back(ms);
    }
    getrusage(RUSAGE_SELF, &r1);
    std::sort(ts.begin(), ts.end());
    std::printf("  median %.2f ms  min %.2f  minor faults during steps %ld\n", ts[ts.size() / 2], ts[0], r1.ru_minflt - r0.ru_minflt);
}
