#include <catch2/catch.hpp>
#include <zlib.h>
#include <filesystem>
#include <fstream>
#include <xgrad/core/random.hpp>
#include <xgrad/nn/data/batches.hpp>
#include <xgrad/nn/data/fashion_mnist.hpp>
#include <xgrad/nn/data/idx.hpp>

using namespace xgrad;
using Catch::Contains;

namespace {
std::string temp_path(const std::string& name)
{
    return (std::filesystem::temp_directory_path() / ("xgrad_nn_" + std::to_string(::getpid()) + "_" + name)).string();
}

std::vector<std::uint8_t> idx_bytes(const std::vector<std::uint32_t>& dims, std::uint8_t fill_base)
{
    std::vector<std::uint8_t> out{0, 0, 0x08, static_cast<std::uint8_t>(dims.size())};
    std::size_t n = 1;
    for (auto d : dims) {
        for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<std::uint8_t>(d >> s));
        n *= d;
    }
    for (std::size_t i = 0; i < n; ++i) out.push_back(static_cast<std::uint8_t>(fill_base + i));
    return out;
}

void write_raw(const std::string& path, const std::vector<std::uint8_t>& bytes)
{
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

void write_gz(const std::string& path, const std::vector<std::uint8_t>& bytes)
{
    gzFile f = gzopen(path.c_str(), "wb");
    gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
    gzclose(f);
}

std::vector<std::uint8_t> read_raw(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(in), {});
}
}  // namespace

TEST_CASE("IDX: plain and gzip files, with clear errors")
{
    const std::string raw = temp_path("a.idx"), gz = temp_path("a.idx.gz");
    write_raw(raw, idx_bytes({3, 2, 2}, 10));
    write_gz(gz, idx_bytes({3, 2, 2}, 10));
    for (const auto& path : {raw, gz}) {
        auto a = nn::read_idx(path);
        CHECK(a.shape == Shape{3, 2, 2});
        REQUIRE(a.data.size() == 12);
        CHECK(a.data[11] == 21);
    }
    REQUIRE_THROWS_AS(nn::read_idx(temp_path("missing.gz")), IOError);
    REQUIRE_THROWS_WITH(nn::read_idx(temp_path("missing.gz")), Contains("missing.gz: cannot open the IDX file"));
    auto bytes = idx_bytes({3, 2, 2}, 0);
    bytes.resize(bytes.size() - 5);
    write_gz(gz, bytes);
    REQUIRE_THROWS_WITH(nn::read_idx(gz), Contains("truncated IDX file: expected 12 data bytes for shape (3, 2, 2), got 7"));
    std::filesystem::remove(raw);
    std::filesystem::remove(gz);
}

TEST_CASE("IDX: a seeded mutation fuzz never crashes, only throws IOError or succeeds")
{
    const std::string gz_seed = temp_path("seed.gz"), target = temp_path("fuzz.bin");
    write_gz(gz_seed, idx_bytes({4, 3, 3}, 0));
    const auto plain = idx_bytes({4, 3, 3}, 0);
    const auto compressed = read_raw(gz_seed);
    Generator gen(2024);
    int ok = 0, rejected = 0;
    for (int round = 0; round < 600; ++round) {
        auto bytes = round % 2 ? compressed : plain;
        const auto action = gen.next_u64() % 3;
        if (action == 0) {
            bytes.resize(gen.next_u64() % (bytes.size() + 1));
        } else {
            const int flips = 1 + static_cast<int>(gen.next_u64() % 4);
            for (int f = 0; f < flips && !bytes.empty(); ++f)
                bytes[gen.next_u64() % bytes.size()] ^= static_cast<std::uint8_t>(1 + gen.next_u64() % 255);
            if (action == 2) bytes.resize(gen.next_u64() % (bytes.size() + 1));
        }
        write_raw(target, bytes);
        try {
            auto a = nn::read_idx(target);
            std::size_t n = 1;
            for (auto d : a.shape) n *= d;
            CHECK(a.data.size() == n);
            ++ok;
        } catch (const IOError&) {
            ++rejected;
        }
    }
    CHECK(ok + rejected == 600);
    CHECK(rejected > 0);
    std::filesystem::remove(gz_seed);
    std::filesystem::remove(target);
}

TEST_CASE("Fashion-MNIST-style pairs: scaling, label checks, count mismatch")
{
    const std::string images = temp_path("img.gz"), labels = temp_path("lbl.gz");
    write_gz(images, idx_bytes({2, 2, 2}, 250));  // 250..255, then wraps to 0, 1
    write_gz(labels, std::vector<std::uint8_t>{0, 0, 8, 1, 0, 0, 0, 2, 3, 9});
    auto d = nn::load_idx_pair(images, labels);
    CHECK(d.x.shape() == Shape{2, 4});
    CHECK(d.x(0, 0) == 250.0f / 255.0f);
    CHECK(d.x(1, 1) == 255.0f / 255.0f);
    CHECK(d.x(1, 2) == 0.0f);
    CHECK(d.y(1) == 9.0f);
    write_gz(labels, std::vector<std::uint8_t>{0, 0, 8, 1, 0, 0, 0, 2, 3, 10});
    REQUIRE_THROWS_WITH(nn::load_idx_pair(images, labels), Contains("label 10 at position 1 is out of range"));
    write_gz(labels, std::vector<std::uint8_t>{0, 0, 8, 1, 0, 0, 0, 3, 3, 1, 2});
    REQUIRE_THROWS_WITH(nn::load_idx_pair(images, labels), Contains("has 3 labels, but"));
    REQUIRE_THROWS_WITH(nn::load_fashion_mnist(temp_path("nowhere")), Contains("train-images-idx3-ubyte.gz: cannot open"));
    auto onehot = nn::to_categorical(xt::xarray<float>{2, 0}, 3);
    CHECK(onehot(0, 2) == 1.0f);
    CHECK(onehot(1, 0) == 1.0f);
    REQUIRE_THROWS_WITH(nn::to_categorical(xt::xarray<float>{3}, 3), Contains("label 3 at position 0"));
    std::filesystem::remove(images);
    std::filesystem::remove(labels);
}

TEST_CASE("BatchIterator: seeded shuffles, every row once per epoch")
{
    xt::xarray<float> x = xt::xarray<float>::from_shape({10, 2});
    xt::xarray<float> y = xt::xarray<float>::from_shape({10});
    for (std::size_t i = 0; i < 10; ++i) { x(i, 0) = float(i); x(i, 1) = -float(i); y(i) = float(i); }
    nn::BatchIterator a(x, y, 4, true, 7), b(x, y, 4, true, 7);
    CHECK(a.size() == 3);
    CHECK(a.order() == b.order());
    std::vector<int> seen(10, 0);
    for (std::size_t k = 0; k < a.size(); ++k) {
        auto [xb, yb] = a.batch(k);
        CHECK(xb.shape()[0] == (k < 2 ? 4u : 2u));
        for (std::size_t i = 0; i < yb.size(); ++i) {
            ++seen[static_cast<int>(yb(i))];
            CHECK(xb(i, 0) == yb(i));
        }
    }
    CHECK(std::all_of(seen.begin(), seen.end(), [](int s) { return s == 1; }));
    auto first = a.order();
    a.next_epoch();
    CHECK(a.order() != first);
    REQUIRE_THROWS_WITH(nn::BatchIterator(x, xt::xarray<float>::from_shape({9}), 4),
                        Contains("x has 10 samples (shape (10, 2)) but y has 9"));
    REQUIRE_THROWS_WITH(a.batch(3), Contains("batch 3 is out of range (3 batches)"));
}
