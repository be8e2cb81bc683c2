// Checkpoints: atomic save over an existing checkpoint, load errors naming the
// file, a seeded mutation fuzz of the .npy and manifest readers.
#include <catch2/catch.hpp>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <xgrad/core/npy.hpp>
#include <xgrad/core/random.hpp>
#include <xgrad/nn/data/fashion_mnist.hpp>
#include <xgrad/nn/layers/dense.hpp>
#include <xgrad/nn/sequential.hpp>

using namespace xgrad;
using Catch::Contains;
namespace fs = std::filesystem;

namespace {
fs::path fresh_dir(const std::string& name)
{
    const fs::path dir = fs::temp_directory_path() / ("xgrad_test_ckpt_" + name);
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

std::string read_text(const fs::path& path)
{
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

// Removes the file first: truncating it in place makes ext4 flush it on close (auto_da_alloc), slowing the fuzz.
void write_text(const fs::path& path, const std::string& bytes)
{
    fs::remove(path);
    std::ofstream(path, std::ios::binary) << bytes;
}

// A model of two Dense layers named "<prefix>_a", "<prefix>_b".
nn::Sequential model(const std::string& prefix)
{
    return nn::Sequential({nn::Input({4}), nn::Dense(3, "relu", true, "glorot_uniform", "zeros", prefix + "_a"),
                           nn::Dense(2, "linear", true, "glorot_uniform", "zeros", prefix + "_b")});
}

// Truncates or flips bytes of `bytes`, seeded by gen.
std::string mutate(std::string bytes, Generator& gen)
{
    const auto action = gen.next_u64() % 3;
    if (action != 0) {
        const int flips = 1 + static_cast<int>(gen.next_u64() % 4);
        for (int f = 0; f < flips && !bytes.empty(); ++f)
            bytes[gen.next_u64() % bytes.size()] ^= static_cast<char>(1 + gen.next_u64() % 255);
    }
    if (action != 1) bytes.resize(gen.next_u64() % (bytes.size() + 1));
    return bytes;
}
}  // namespace

TEST_CASE("checkpoints: a save over an existing checkpoint swaps it in whole, no temp directory left")
{
    set_seed(11);
    const fs::path root = fresh_dir("swap");
    const std::string dir = (root / "ckpt").string();
    auto a = model("swap");
    a.save_weights(dir);
    auto w = a.get_weights();
    for (auto& v : w) v += 1.0f;
    a.set_weights(w);
    a.save_weights(dir + "/");  // a trailing slash names the same checkpoint
    std::vector<std::string> entries;
    for (const auto& e : fs::directory_iterator(root)) entries.push_back(e.path().filename().string());
    CHECK(entries == std::vector<std::string>{"ckpt"});
    auto b = model("swap");
    b.load_weights(dir);
    const auto wb = b.get_weights();
    REQUIRE(wb.size() == w.size());
    for (std::size_t i = 0; i < w.size(); ++i) CHECK(std::memcmp(wb[i].data(), w[i].data(), w[i].size() * sizeof(float)) == 0);
    // A corrupt .npy inside the checkpoint: the error names the file.
    const std::string npy = b.named_parameters()[0].first + ".npy";
    write_text(root / "ckpt" / npy, read_text(root / "ckpt" / npy).substr(0, 20));
    REQUIRE_THROWS_AS(b.load_weights(dir), Error);
    REQUIRE_THROWS_WITH(b.load_weights(dir), Contains(npy));
    fs::remove(root / "ckpt" / npy);
    REQUIRE_THROWS_WITH(b.load_weights(dir), Contains(npy));
    fs::remove_all(root);
}

TEST_CASE("Fashion-MNIST: a missing directory's error names the path")
{
    REQUIRE_THROWS_AS(nn::load_fashion_mnist("/nonexistent"), IOError);
    REQUIRE_THROWS_WITH(nn::load_fashion_mnist("/nonexistent"), Contains("/nonexistent"));
}

TEST_CASE("load_npy and load_weights: a seeded mutation fuzz never crashes, only throws or succeeds")
{
    set_seed(12);
    const fs::path root = fresh_dir("fuzz");
    const std::string dir = (root / "ckpt").string(), npy = (root / "a.npy").string();
    save_npy<float>(npy, xt::xarray<float>{{1, 2, 3}, {4, 5, 6}});
    auto a = model("fuzz");
    a.save_weights(dir);
    const std::string npy_bytes = read_text(npy), manifest = read_text(dir + "/manifest.txt");
    Generator gen(77);
    int ok = 0, rejected = 0;
    for (int round = 0; round < 300; ++round) {
        write_text(npy, mutate(npy_bytes, gen));
        try {
            auto v = load_npy<float>(npy);
            std::size_t n = 1;
            for (auto d : v.shape()) n *= d;
            CHECK(v.size() == n);
            ++ok;
        } catch (const Error&) {
            ++rejected;
        }
        write_text(dir + "/manifest.txt", mutate(manifest, gen));
        try {
            a.load_weights(dir);
            ++ok;
        } catch (const Error&) {
            ++rejected;
        }
    }
    CHECK(ok + rejected == 600);
    CHECK(rejected > 0);
    fs::remove_all(root);
}

TEST_CASE("checkpoint manifest: a repeated weight or file and trailing fields are rejected, naming the line")
{
    set_seed(13);
    const fs::path root = fresh_dir("manifest");
    const std::string dir = (root / "ckpt").string();
    auto a = model("mf");
    a.save_weights(dir);
    const std::string manifest = read_text(dir + "/manifest.txt");
    // Line 2 is the first weight, "mf_a.kernel mf_a.kernel.npy 2 4 3".
    const auto second = manifest.find('\n') + 1;
    const std::string first_entry = manifest.substr(second, manifest.find('\n', second) - second);
    REQUIRE(first_entry == "mf_a.kernel mf_a.kernel.npy 2 4 3");
    a.load_weights(dir);  // the manifest as written loads

    write_text(dir + "/manifest.txt", manifest + first_entry + "\n");  // line 6 repeats line 2
    REQUIRE_THROWS_AS(a.load_weights(dir), IOError);
    REQUIRE_THROWS_WITH(a.load_weights(dir), Contains("line 6 repeats the weight 'mf_a.kernel' of line 2"));

    write_text(dir + "/manifest.txt", manifest + "other mf_a.kernel.npy 2 4 3\n");  // another name, same file
    REQUIRE_THROWS_WITH(a.load_weights(dir), Contains("line 6 repeats the file 'mf_a.kernel.npy' of line 2"));

    std::string trailing = manifest;
    trailing.insert(second + first_entry.size(), " 7");
    write_text(dir + "/manifest.txt", trailing);
    REQUIRE_THROWS_AS(a.load_weights(dir), IOError);
    REQUIRE_THROWS_WITH(a.load_weights(dir), Contains("line 2 has a trailing field '7' after its 2 dimension(s)"));
    fs::remove_all(root);
}

namespace {
// A pid no process has (above Linux's largest pid_max): the copies of a save that crashed.
constexpr const char* dead_pid = "2147483646";

// The weights of `m`, all plus `delta`, set and returned.
std::vector<xt::xarray<float>> shift_weights(nn::Sequential& m, float delta)
{
    auto w = m.get_weights();
    for (auto& v : w) v += delta;
    m.set_weights(w);
    return w;
}

void check_weights(const nn::Sequential& m, const std::vector<xt::xarray<float>>& expected)
{
    const auto w = m.get_weights();
    REQUIRE(w.size() == expected.size());
    for (std::size_t i = 0; i < w.size(); ++i) CHECK(w[i] == expected[i]);
}

std::vector<std::string> entries_of(const fs::path& dir)
{
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
}
}  // namespace

TEST_CASE("checkpoints: a save killed between its two renames loses nothing; the next save cleans up")
{
    set_seed(14);
    const fs::path root = fresh_dir("crash_swap");
    const std::string dir = (root / "ckpt").string();
    auto a = model("crash");
    const auto old_weights = shift_weights(a, 0.0f);
    a.save_weights(dir);
    // The crash state: the old checkpoint renamed aside, the complete new one still staged.
    fs::rename(dir, dir + ".old." + dead_pid);
    const auto new_weights = shift_weights(a, 1.0f);
    a.save_weights(dir + ".tmp." + dead_pid);
    REQUIRE_FALSE(fs::exists(dir));

    auto b = model("crash");
    b.load_weights(dir);  // the newer complete copy
    check_weights(b, new_weights);
    b.load_weights(dir + "/");
    check_weights(b, new_weights);

    // Only the old copy left (the staged one removed by hand): it is the checkpoint.
    fs::rename(dir + ".tmp." + dead_pid, root / "kept");
    b.load_weights(dir);
    check_weights(b, old_weights);
    fs::rename(root / "kept", dir + ".tmp." + dead_pid);

    // The next save first puts the newer copy back, then replaces it; nothing stale remains.
    const auto third = shift_weights(a, 1.0f);
    a.save_weights(dir);
    CHECK(entries_of(root) == std::vector<std::string>{"ckpt"});
    b.load_weights(dir);
    check_weights(b, third);
    fs::remove_all(root);
}

TEST_CASE("checkpoints: a save killed while writing leaves the old checkpoint; the next save removes its files")
{
    set_seed(15);
    const fs::path root = fresh_dir("crash_write");
    const std::string dir = (root / "ckpt").string();
    auto a = model("crashw");
    const auto saved = shift_weights(a, 0.0f);
    a.save_weights(dir);
    // A staging directory without its manifest (killed mid-write), and an aside copy of another dead save.
    const std::string partial = dir + ".tmp." + dead_pid;
    fs::create_directories(partial);
    std::ofstream(partial + "/crashw_a.kernel.npy") << "half a file";
    fs::copy(dir, dir + ".old.2147483645");
    // A user's own directory that merely starts with the same name is not a leftover.
    fs::create_directories(dir + ".tmp.mine");

    auto b = model("crashw");
    b.load_weights(dir);
    check_weights(b, saved);
    fs::remove_all(dir);  // with the checkpoint gone, a staged copy without a manifest is never read
    fs::rename(dir + ".old.2147483645", root / "aside");
    REQUIRE_THROWS_WITH(b.load_weights(dir), Contains("manifest"));
    fs::rename(root / "aside", dir + ".old.2147483645");

    const auto next = shift_weights(a, 2.0f);
    a.save_weights(dir);  // restores the aside copy, then replaces it
    CHECK(entries_of(root) == std::vector<std::string>{"ckpt", "ckpt.tmp.mine"});
    b.load_weights(dir);
    check_weights(b, next);
    fs::remove_all(root);
}
