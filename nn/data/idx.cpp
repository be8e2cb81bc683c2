#include <xgrad/nn/data/idx.hpp>

#include <zlib.h>

#include <memory>

#include <xgrad/core/error.hpp>

namespace xgrad::nn {
namespace {
constexpr std::size_t max_elements = std::size_t{1} << 32;

struct GzCloser {
    void operator()(gzFile_s* f) const { gzclose(f); }
};
using GzFile = std::unique_ptr<gzFile_s, GzCloser>;

// Reads up to n bytes; returns how many were read; throws on a decompression error.
std::size_t read_some(gzFile file, std::uint8_t* out, std::size_t n, const std::string& path)
{
    std::size_t done = 0;
    while (done < n) {
        const unsigned chunk = static_cast<unsigned>(std::min<std::size_t>(n - done, 1u << 20));
        const int got = gzread(file, out + done, chunk);
        if (got < 0) {
            int code = 0;
            const char* message = gzerror(file, &code);
            throw IOError(detail::cat(path, ": corrupt compressed data (", message ? message : "zlib error", ")"));
        }
        if (got == 0) break;
        done += static_cast<std::size_t>(got);
    }
    return done;
}
}  // namespace

IdxArray read_idx(const std::string& path)
{
    GzFile file(gzopen(path.c_str(), "rb"));
    if (!file) throw IOError(detail::cat(path, ": cannot open the IDX file (missing or unreadable)"));
    std::uint8_t header[4];
    if (read_some(file.get(), header, 4, path) != 4) {
        throw IOError(detail::cat(path, ": truncated IDX file: expected a 4-byte header"));
    }
    if (header[0] != 0 || header[1] != 0) {
        throw IOError(detail::cat(path, ": not an IDX file: the first two bytes must be 0, got ", int(header[0]), ", ",
                                  int(header[1])));
    }
    if (header[2] != 0x08) {
        throw IOError(detail::cat(path, ": unsupported IDX data type 0x", std::hex, int(header[2]),
                                  " (expected 0x8, unsigned bytes)"));
    }
    const int dims = header[3];
    if (dims < 1 || dims > 8) throw IOError(detail::cat(path, ": IDX file with ", dims, " dimensions (expected 1 to 8)"));
    IdxArray out;
    std::size_t total = 1;
    for (int d = 0; d < dims; ++d) {
        std::uint8_t b[4];
        if (read_some(file.get(), b, 4, path) != 4) {
            throw IOError(detail::cat(path, ": truncated IDX file: expected ", dims, " dimension sizes in the header"));
        }
        const std::size_t size = (std::size_t{b[0]} << 24) | (std::size_t{b[1]} << 16) | (std::size_t{b[2]} << 8) | b[3];
        out.shape.push_back(size);
        total *= size;
        if (total > max_elements) throw IOError(detail::cat(path, ": IDX dimensions are implausibly large"));
    }
    // Read in chunks so a corrupt header cannot make us allocate gigabytes up front.
    std::size_t done = 0;
    while (done < total) {
        const std::size_t want = std::min<std::size_t>(total - done, 1u << 22);
        out.data.resize(done + want);
        const std::size_t got = read_some(file.get(), out.data.data() + done, want, path);
        done += got;
        if (got < want) {
            throw IOError(detail::cat(path, ": truncated IDX file: expected ", total, " data bytes for shape ",
                                      to_string(out.shape), ", got ", done));
        }
    }
    std::uint8_t extra;
    if (read_some(file.get(), &extra, 1, path) != 0) {
        throw IOError(detail::cat(path, ": IDX file has data beyond the ", total, " bytes its shape ",
                                  to_string(out.shape), " announces"));
    }
    return out;
}

}  // namespace xgrad::nn
