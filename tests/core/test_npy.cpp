// .npy files: round trips, numpy's own layout, and clear errors on bad files.
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include <xgrad/core/error.hpp>
#include <xgrad/core/npy.hpp>
#include <xgrad/core/shape.hpp>

using namespace xgrad;
using Catch::Contains;

namespace {
std::string temp_path(const std::string& name) { return std::string(XGRAD_BINARY_DIR) + "/tests/" + name; }

void write_bytes(const std::string& path, const std::string& bytes)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// A .npy image as numpy writes it: magic, version 1.0, header padded to 64 bytes.
std::string npy_image(const std::string& dict, const std::string& data, char major = 1)
{
    std::string header = dict;
    const std::size_t unpadded = 10 + header.size() + 1;
    header.append((64 - unpadded % 64) % 64, ' ');
    header += '\n';
    std::string out = std::string("\x93NUMPY", 6) + major + '\0';
    out += static_cast<char>(header.size() & 0xff);
    out += static_cast<char>(header.size() >> 8);
    return out + header + data;
}

template <class T>
std::string raw(std::initializer_list<T> values)
{
    std::string out;
    for (T v : values) out.append(reinterpret_cast<const char*>(&v), sizeof(T));
    return out;
}
}  // namespace

TEST_CASE("npy: float32 and float64 round trips keep shape and values")
{
    const auto path = temp_path("roundtrip.npy");
    const xt::xarray<float> a{{1.5f, -2.0f, 3.25f}, {0.0f, 1e-30f, -7.0f}};
    save_npy(path, a);
    const auto back = load_npy<float>(path);
    CHECK((back.shape() == a.shape()));
    CHECK((back == a));

    xt::xarray<double> cube = xt::xarray<double>::from_shape({2, 3, 4});
    for (std::size_t i = 0; i < cube.size(); ++i) cube.flat(i) = 0.1 * double(i) - 1.0;
    save_npy(path, cube);
    CHECK((load_npy<double>(path) == cube));

    const xt::xarray<double> scalar(2.5);
    save_npy(path, scalar);
    const auto s = load_npy<double>(path);
    CHECK(s.dimension() == 0);
    CHECK(s() == 2.5);

    const xt::xarray<float> vec{1.0f, 2.0f, 3.0f};
    std::stringstream buffer;
    write_npy(buffer, vec);
    CHECK((buffer.str().size() - 3 * sizeof(float)) % 64 == 0);  // header padded to 64 bytes
    CHECK(buffer.str().find("'shape': (3,)") != std::string::npos);
    CHECK((read_npy<float>(buffer, "buffer") == vec));
    std::remove(path.c_str());
}

TEST_CASE("npy: reads numpy's layout")
{
    std::stringstream in(npy_image("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }",
                                   raw<float>({1.0f, 2.0f, 3.0f, 4.0f})));
    const auto a = read_npy<float>(in, "numpy");
    CHECK((a == xt::xarray<float>{{1.0f, 2.0f}, {3.0f, 4.0f}}));
    // Version 2.0 has a 4-byte header length.
    std::string v2 = npy_image("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", raw<double>({-0.5}), 2);
    v2.insert(10, std::string("\0\0", 2));  // the extra two length bytes (the header stays under 64 KiB)
    std::stringstream in2(v2);
    CHECK((read_npy<double>(in2, "v2") == xt::xarray<double>{-0.5}));
}

TEST_CASE("npy: missing, truncated and corrupt files raise IOError naming the file")
{
    REQUIRE_THROWS_AS(load_npy<float>(temp_path("does_not_exist.npy")), IOError);
    REQUIRE_THROWS_WITH(load_npy<float>(temp_path("does_not_exist.npy")), Contains("does_not_exist.npy") && Contains("cannot open"));

    const auto path = temp_path("corrupt.npy");
    auto expect = [&](const std::string& bytes, const std::string& what) {
        write_bytes(path, bytes);
        INFO(what);
        REQUIRE_THROWS_AS(load_npy<float>(path), IOError);
        REQUIRE_THROWS_WITH(load_npy<float>(path), Contains("corrupt.npy") && Contains(what));
    };
    const std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
    const std::string good = npy_image(dict, raw<float>({1, 2, 3, 4, 5, 6}));
    expect("", "not a .npy file");
    expect("PK\x03\x04 this is a zip file", "not a .npy file");
    expect(good.substr(0, 40), "truncated");
    expect(good.substr(0, good.size() - 3), "truncated: 24 data bytes expected for shape (2, 3), got 21");
    expect(npy_image(dict, ""), "truncated");
    expect(npy_image("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", raw<double>({1, 2, 3, 4, 5, 6})), "dtype <f4");
    expect(npy_image("{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }", raw<double>({1})), "dtype <f4");
    expect(npy_image("{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }", raw<float>({1})), "Fortran order");
    expect(npy_image("{'descr': '<f4', 'fortran_order': False, }", raw<float>({1})), "no shape");
    expect(npy_image("{'descr': '<f4', 'fortran_order': False, 'shape': (100000000000, 100000000000), }", ""), "implausible shape");
    expect(npy_image("{'descr': '<f4', 'fortran_order': False, 'shape': (1000000000,), }", raw<float>({1})), "truncated");
    expect(npy_image(dict, raw<float>({1, 2, 3, 4, 5, 6}), 7), "version 7");
    std::remove(path.c_str());
}

TEST_CASE("npy: the header is parsed strictly")
{
    auto read = [](const std::string& shape, const std::string& data = "") {
        std::stringstream in(npy_image("{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }", data));
        return read_npy<float>(in, "strict.npy");
    };
    auto rejects = [&](const std::string& shape, const std::string& what) {
        INFO(shape);
        REQUIRE_THROWS_AS(read(shape, raw<float>({1, 2, 3, 4, 5, 6})), IOError);
        REQUIRE_THROWS_WITH(read(shape, raw<float>({1, 2, 3, 4, 5, 6})), Contains("strict.npy") && Contains(what));
    };
    // Each of these used to load as (2, 3): \d+ found the digits and skipped the rest.
    rejects("(-2, 3)", "dimension '-2' of 'shape' is not a non-negative integer");
    rejects("(2.3,)", "dimension '2.3' of 'shape' is not a non-negative integer");
    rejects("(2, 3e0)", "'3e0'");
    rejects("(2, 'x', 3)", "'x'");
    rejects("(2 3)", "expected ',' or ')'");
    rejects("(6)", "must be a tuple");
    rejects("[2, 3]", "expected '('");
    rejects("(99999999999999999999, 1)", "dimension 99999999999999999999 of 'shape' does not fit in 64 bits");
    // A zero dimension used to skip the size check: the strides (2^64) overflowed.
    rejects("(0, 4294967296, 4294967296)", "implausible shape (0, 4294967296, 4294967296)");
    rejects("(4294967296, 4294967296, 0)", "implausible shape");
    CHECK((read("(2, 3)", raw<float>({1, 2, 3, 4, 5, 6})).shape() == Shape{2, 3}));
    CHECK((read("(2,3,)", raw<float>({1, 2, 3, 4, 5, 6})).shape() == Shape{2, 3}));
    CHECK((read("(0, 3)").shape() == Shape{0, 3}));
    CHECK(read("()", raw<float>({4.5f}))() == 4.5f);

    auto dict = [](const std::string& text) {
        std::stringstream in(npy_image(text, raw<float>({1})));
        return read_npy<float>(in, "dict.npy");
    };
    CHECK((dict("{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (1,)}") == xt::xarray<float>{1.0f}));
    REQUIRE_THROWS_WITH(dict("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'shape': (1,), }"),
                        Contains("dict.npy") && Contains("key 'shape' appears twice"));
    REQUIRE_THROWS_WITH(dict("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'extra': 1, }"),
                        Contains("unknown key 'extra'"));
    REQUIRE_THROWS_WITH(dict("{'descr': '<f4', 'fortran_order': 0, 'shape': (1,), }"), Contains("True or False"));
    REQUIRE_THROWS_WITH(dict("{'descr': '<f4', 'shape': (1,), }"), Contains("no 'fortran_order' key"));
    REQUIRE_THROWS_WITH(dict("{'descr': '<f4', 'fortran_order': False, 'shape': (1,) } x"), Contains("after the closing"));
}

namespace {
// A stream that cannot seek (a pipe): tellg() fails.
class PipeBuffer : public std::streambuf {
public:
    explicit PipeBuffer(std::string bytes) : bytes_(std::move(bytes)) { setg(bytes_.data(), bytes_.data(), bytes_.data() + bytes_.size()); }

private:
    std::string bytes_;
};
}  // namespace

TEST_CASE("npy: a stream that cannot seek is read without trusting the shape")
{
    const std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }";
    PipeBuffer good(npy_image(dict, raw<float>({1, 2, 3, 4})));
    std::istream in(&good);
    REQUIRE(in.tellg() == std::istream::pos_type(-1));
    CHECK((read_npy<float>(in, "pipe") == xt::xarray<float>{{1, 2}, {3, 4}}));
    // 4 GB announced, 4 bytes sent: an IOError, not a 4 GB allocation.
    PipeBuffer lying(npy_image("{'descr': '<f4', 'fortran_order': False, 'shape': (1000000000,), }", raw<float>({1})));
    std::istream in2(&lying);
    REQUIRE_THROWS_WITH(read_npy<float>(in2, "pipe"), Contains("truncated: 4000000000 data bytes expected") && Contains("got 4"));
}

TEST_CASE("npy: saving is atomic and reports unwritable paths")
{
    REQUIRE_THROWS_AS(save_npy<float>("/nonexistent-dir/x.npy", xt::xarray<float>{1.0f}), IOError);
    REQUIRE_THROWS_WITH(save_npy<float>("/nonexistent-dir/x.npy", xt::xarray<float>{1.0f}), Contains("/nonexistent-dir/x.npy"));
    const auto path = temp_path("atomic.npy");
    save_npy(path, xt::xarray<float>{1.0f});
    save_npy(path, xt::xarray<float>{2.0f, 3.0f});
    CHECK((load_npy<float>(path) == xt::xarray<float>{2.0f, 3.0f}));
    std::ifstream tmp(path + ".tmp." + std::to_string(::getpid()));
    CHECK_FALSE(tmp.good());
    std::remove(path.c_str());
}
