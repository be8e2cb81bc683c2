#include <xgrad/core/npy.hpp>

#include <cstring>
#include <fstream>
#include <algorithm>
#include <optional>

#include <xgrad/core/atomic_file.hpp>
#include <xgrad/core/error.hpp>
#include <xgrad/core/npy_header.hpp>
#include <xgrad/core/shape.hpp>

namespace xgrad {

namespace {
template <class T>
const char* descr() { return std::is_same_v<T, float> ? "<f4" : "<f8"; }

// The bytes left in `in` after its read position; nullopt for a stream that cannot seek.
std::optional<std::streamsize> remaining_bytes(std::istream& in)
{
    const auto here = in.tellg();
    if (here == std::istream::pos_type(-1) || !in.seekg(0, std::ios::end)) {
        in.clear();
        return std::nullopt;
    }
    const auto available = static_cast<std::streamsize>(in.tellg() - here);
    in.seekg(here);
    return available;
}
}  // namespace

template <class T>
void write_npy(std::ostream& out, const xt::xarray<T>& array)
{
    std::string shape = "(";
    for (std::size_t i = 0; i < array.dimension(); ++i) shape += std::to_string(array.shape()[i]) + ", ";
    if (array.dimension() > 1) shape.resize(shape.size() - 2);
    else if (array.dimension() == 1) shape.resize(shape.size() - 1);
    shape += ")";
    std::string header = detail::cat("{'descr': '", descr<T>(), "', 'fortran_order': False, 'shape': ", shape, ", }");
    const std::size_t unpadded = 10 + header.size() + 1;
    header.append((64 - unpadded % 64) % 64, ' ');
    header += '\n';
    const auto len = static_cast<std::uint16_t>(header.size());
    out.write("\x93NUMPY\x01\x00", 8);
    const char len_bytes[2] = {static_cast<char>(len & 0xff), static_cast<char>(len >> 8)};
    out.write(len_bytes, 2);
    out.write(header.data(), static_cast<std::streamsize>(header.size()));
    out.write(reinterpret_cast<const char*>(array.data()), static_cast<std::streamsize>(array.size() * sizeof(T)));
}

namespace {
detail::NpyHeader read_header(std::istream& in, const std::string& source)
{
    char magic[10];
    if (!in.read(magic, 10) || std::memcmp(magic, "\x93NUMPY", 6) != 0) {
        throw IOError(detail::cat("load_npy: '", source, "' is not a .npy file (bad magic or shorter than 10 bytes)"));
    }
    const int major = magic[6];
    if (major < 1 || major > 3) {
        throw IOError(detail::cat("load_npy: '", source, "' has unsupported .npy format version ", major));
    }
    std::size_t header_len = static_cast<unsigned char>(magic[8]) | (static_cast<unsigned char>(magic[9]) << 8);
    if (major != 1) {
        char extra[2];
        if (!in.read(extra, 2)) throw IOError(detail::cat("load_npy: '", source, "' is truncated in its header"));
        header_len |= (static_cast<std::size_t>(static_cast<unsigned char>(extra[0])) << 16) |
                      (static_cast<std::size_t>(static_cast<unsigned char>(extra[1])) << 24);
    }
    if (header_len > (1u << 20)) throw IOError(detail::cat("load_npy: '", source, "' has an implausible header length ", header_len));
    std::string header(header_len, '\0');
    if (!in.read(header.data(), static_cast<std::streamsize>(header_len))) {
        throw IOError(detail::cat("load_npy: '", source, "' is truncated: header of ", header_len, " bytes expected"));
    }
    detail::NpyHeader h = detail::parse_npy_header(header, source);
    if (h.fortran_order) {
        throw IOError(detail::cat("load_npy: '", source, "' is in Fortran order; only C order is supported"));
    }
    return h;
}

// Reads the data of `h` (items of `item` bytes) into the buffer `into(bytes)` returns.
template <class Into>
void read_payload(std::istream& in, const detail::NpyHeader& h, std::size_t item, const std::string& source, Into&& into)
{
    std::size_t count = 0;
    try {
        count = num_elements(h.shape, "load_npy");
    } catch (const ShapeError& e) {
        throw IOError(detail::cat("load_npy: '", source, "' has an implausible shape ", to_string(h.shape), " (",
                                  e.what(), ")"));
    }
    // Never allocate more than the stream holds: a corrupt shape is an error, not bad_alloc.
    // (count * item fits: num_elements caps count at PTRDIFF_MAX / 8.)
    const auto bytes = static_cast<std::streamsize>(count * item);
    const auto truncated = [&](std::streamsize got) {
        return IOError(detail::cat("load_npy: '", source, "' is truncated: ", bytes, " data bytes expected for shape ",
                                   to_string(h.shape), ", got ", got));
    };
    const std::optional<std::streamsize> available = remaining_bytes(in);
    if (available && *available < bytes) throw truncated(*available);
    if (available) {
        if (!in.read(into(static_cast<std::size_t>(bytes)), bytes)) throw truncated(in.gcount());
        return;
    }
    // A stream that cannot seek: the data arrives in chunks before the array is allocated.
    std::string data;
    char chunk[1 << 16];
    while (static_cast<std::streamsize>(data.size()) < bytes) {
        const auto want = std::min<std::streamsize>(sizeof(chunk), bytes - static_cast<std::streamsize>(data.size()));
        in.read(chunk, want);
        data.append(chunk, static_cast<std::size_t>(in.gcount()));
        if (in.gcount() < want) throw truncated(static_cast<std::streamsize>(data.size()));
    }
    std::memcpy(into(data.size()), data.data(), data.size());
}

// The integer dtypes labels come in: descr, size, signedness.
struct IntegerType {
    const char* descr;
    std::size_t size;
    bool is_signed;
};
constexpr IntegerType integer_types[] = {{"|i1", 1, true}, {"<i2", 2, true}, {"<i4", 4, true}, {"<i8", 8, true},
                                         {"|u1", 1, false}, {"<u2", 2, false}, {"<u4", 4, false}, {"<u8", 8, false}};
}  // namespace

template <class T>
xt::xarray<T> read_npy(std::istream& in, const std::string& source)
{
    const detail::NpyHeader h = read_header(in, source);
    if (h.descr != descr<T>()) {
        throw IOError(detail::cat("load_npy: '", source, "' does not hold dtype ", descr<T>(), " (its dtype: ", h.descr, ")"));
    }
    xt::xarray<T> out;
    read_payload(in, h, sizeof(T), source, [&](std::size_t) {
        out = xt::xarray<T>::from_shape(h.shape);
        return reinterpret_cast<char*>(out.data());
    });
    return out;
}

xt::xarray<float> load_npy_labels(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) throw IOError(detail::cat("load_npy: cannot open '", path, "' (missing file?)"));
    const detail::NpyHeader h = read_header(in, path);
    if (h.descr == "<f4") {
        in.seekg(0);
        return read_npy<float>(in, path);
    }
    const IntegerType* type = nullptr;
    for (const auto& t : integer_types)
        if (h.descr == t.descr) type = &t;
    if (!type) throw IOError(detail::cat("load_npy: '", path, "' holds dtype ", h.descr, ", not float32 or integer labels"));
    std::string raw;
    read_payload(in, h, type->size, path, [&](std::size_t bytes) {
        raw.resize(bytes);
        return raw.data();
    });
    xt::xarray<float> out = xt::xarray<float>::from_shape(h.shape);
    for (std::size_t i = 0; i < out.size(); ++i) {
        std::int64_t v = 0;
        if (type->is_signed) {
            std::int64_t s = 0;
            std::memcpy(&s, raw.data() + i * type->size, type->size);
            const int shift = 64 - 8 * static_cast<int>(type->size);
            v = shift ? (s << shift) >> shift : s;  // sign-extend
        } else {
            std::uint64_t u = 0;
            std::memcpy(&u, raw.data() + i * type->size, type->size);
            v = u > (std::uint64_t(1) << 24) ? (std::int64_t(1) << 25) : static_cast<std::int64_t>(u);
        }
        if (v > (std::int64_t(1) << 24) || v < -(std::int64_t(1) << 24)) {
            throw IOError(detail::cat("load_npy: '", path, "' label ", i, " does not fit float32 exactly"));
        }
        out.data()[i] = static_cast<float>(v);
    }
    return out;
}

template <class T>
void save_npy(const std::string& path, const xt::xarray<T>& array)
{
    write_file_atomically(path, [&](std::ostream& out) { write_npy(out, array); });
}

template <class T>
xt::xarray<T> load_npy(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) throw IOError(detail::cat("load_npy: cannot open '", path, "' (missing file?)"));
    return read_npy<T>(in, path);
}

#define XGRAD_INSTANTIATE(T)                                                  \
    template void write_npy(std::ostream&, const xt::xarray<T>&);             \
    template xt::xarray<T> read_npy(std::istream&, const std::string&);       \
    template void save_npy(const std::string&, const xt::xarray<T>&);         \
    template xt::xarray<T> load_npy(const std::string&);
XGRAD_INSTANTIATE(float)
XGRAD_INSTANTIATE(double)

}  // namespace xgrad
