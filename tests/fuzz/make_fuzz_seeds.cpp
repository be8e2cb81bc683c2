// Writes the seed corpus of every fuzz target, made by the library itself:
//   make_fuzz_seeds <dir>   ->  <dir>/<target>/seed_<n>
#include <filesystem>
#include <iostream>

#include "fuzz_common.hpp"

namespace fs = std::filesystem;
using namespace xgrad;

namespace {
void copy_seed(const fs::path& from, const fs::path& dir, int n)
{
    fs::copy_file(from, dir / ("seed_" + std::to_string(n)), fs::copy_options::overwrite_existing);
}

void write_seed(const fs::path& dir, int n, const std::string& bytes)
{
    std::ofstream(dir / ("seed_" + std::to_string(n)), std::ios::binary) << bytes;
}

// An IDX file of unsigned bytes (the format nn/data/idx.hpp reads; big-endian sizes).
std::string idx_bytes(const Shape& shape)
{
    std::string out{'\0', '\0', '\x08', static_cast<char>(shape.size())};
    std::size_t n = 1;
    for (auto d : shape) {
        for (int b = 3; b >= 0; --b) out.push_back(static_cast<char>((d >> (8 * b)) & 0xff));
        n *= d;
    }
    for (std::size_t i = 0; i < n; ++i) out.push_back(static_cast<char>(i * 37));
    return out;
}
}  // namespace

int main(int argc, char** argv)
{
    if (argc != 2) {
        std::cerr << "usage: make_fuzz_seeds <corpus dir>\n";
        return 2;
    }
    const fs::path root = argv[1];
    for (const char* t : {"npy", "idx", "manifest", "optimizer_state", "layer_config"}) fs::create_directories(root / t);
    const fs::path scratch = fuzz::scratch_path("seeds");
    fs::remove_all(scratch);
    fs::create_directories(scratch);

    int n = 0;
    for (const auto& a : {xt::xarray<float>{1.5f, -2.0f}, xt::xarray<float>{{1, 2, 3}, {4, 5, 6}}, xt::xarray<float>(3.0f)}) {
        save_npy<float>((scratch / "a.npy").string(), a);
        copy_seed(scratch / "a.npy", root / "npy", n++);
    }
    save_npy<double>((scratch / "d.npy").string(), xgrad::array<double>({2, 1}, {0.25, -1e300}));
    copy_seed(scratch / "d.npy", root / "npy", n++);

    n = 0;
    for (const Shape& s : {Shape{4}, Shape{2, 3, 3}, Shape{0}}) write_seed(root / "idx", n++, idx_bytes(s));

    auto model = fuzz::make_model();
    model.save_weights((scratch / "ckpt").string());
    copy_seed(scratch / "ckpt" / "manifest.txt", root / "manifest", 0);

    auto optimizer = fuzz::make_optimizer();
    optimizer->save_state((scratch / "empty.state").string());  // no variable built yet
    copy_seed(scratch / "empty.state", root / "optimizer_state", 0);
    const auto vars = model.trainable_variables();
    std::vector<Tensor> grads;
    for (const auto& v : vars) grads.emplace_back(xt::xarray<float>(v.shape(), 0.5f));
    optimizer->apply_gradients(grads, vars);
    optimizer->apply_gradients(grads, vars);
    optimizer->save_state((scratch / "adam.state").string());
    copy_seed(scratch / "adam.state", root / "optimizer_state", 1);

    n = 0;
    auto dump = [&](const nn::Layer& layer) { write_seed(root / "layer_config", n++, nn::serialize_layer(layer).dump()); };
    dump(nn::Dense(5, "relu", true, "glorot_uniform", "zeros", "d"));
    dump(nn::Dropout(0.25, 7, "drop"));
    dump(model);
    auto in_a = nn::Input({3}, "in_a"), in_b = nn::Input({3}, "in_b");
    const nn::Model functional({in_a, in_b}, nn::Dense(2)(nn::Concatenate()({in_a, nn::Dense(3)(in_b)})), "functional");
    dump(functional);

    fs::remove_all(scratch);
    std::cout << "seed corpus written to " << root.string() << "\n";
    return 0;
}
