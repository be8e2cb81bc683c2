// Shared by the fuzz targets and the seed generator: the model and optimizer
// whose checkpoint and state files the seeds are, and a scratch file per process.
#pragma once

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>

#include <unistd.h>

#include <xgrad/xgrad.hpp>

namespace xgrad::fuzz {

// Dense(3, relu) -> Dense(2) on 4 inputs, with fixed names (checkpoints go by name).
inline nn::Sequential make_model()
{
    set_seed(1);
    return nn::Sequential({nn::Input({4}), nn::Dense(3, "relu", true, "glorot_uniform", "zeros", "fa"),
                           nn::Dense(2, "linear", true, "glorot_uniform", "zeros", "fb")},
                          "fuzz_model");
}

inline std::shared_ptr<optim::Adam> make_optimizer()
{
    return std::make_shared<optim::Adam>(optim::AdamOptions{}.amsgrad(true).use_ema(true));
}

// "<dir>/<name>.<pid>": loaders that take a path read the input from here.
inline std::string scratch_path(const std::string& name)
{
    const char* dir = std::getenv("TMPDIR");
    return std::string(dir && *dir ? dir : "/tmp") + "/xgrad_fuzz_" + name + "." + std::to_string(::getpid());
}

// Removes the file first: truncating it in place makes ext4 flush it on close (auto_da_alloc), slowing the fuzz.
inline void write_bytes(const std::string& path, const std::uint8_t* data, std::size_t size)
{
    std::remove(path.c_str());
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
}

}  // namespace xgrad::fuzz
