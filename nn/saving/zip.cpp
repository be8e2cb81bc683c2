#include <xgrad/nn/saving/detail/zip.hpp>

#include <filesystem>

#include <unistd.h>
#include <zip.h>

#include <xgrad/core/atomic_file.hpp>
#include <xgrad/core/error.hpp>

namespace xgrad::nn::saving::zip {
namespace {
constexpr zip_uint64_t max_member_size = zip_uint64_t(1) << 34;  // 16 GiB: larger is corruption

struct Archive {
    ::zip_t* z = nullptr;
    ~Archive() { if (z) zip_discard(z); }
};

struct MemberFile {
    zip_file_t* f = nullptr;
    ~MemberFile() { if (f) zip_fclose(f); }
};
}  // namespace

std::vector<Member> read_archive(const std::string& path)
{
    int error = 0;
    Archive a;
    a.z = zip_open(path.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &error);
    if (!a.z) {
        zip_error_t e;
        zip_error_init_with_code(&e, error);
        const std::string why = zip_error_strerror(&e);
        zip_error_fini(&e);
        throw IOError(detail::cat(path, ": not a readable zip archive (", why, ")"));
    }
    const zip_int64_t n = zip_get_num_entries(a.z, 0);
    std::vector<Member> out;
    for (zip_int64_t i = 0; i < n; ++i) {
        zip_stat_t st;
        zip_stat_init(&st);
        if (zip_stat_index(a.z, static_cast<zip_uint64_t>(i), 0, &st) != 0 || !(st.valid & ZIP_STAT_NAME) ||
            !(st.valid & ZIP_STAT_SIZE)) {
            throw IOError(detail::cat(path, ": member ", i, " is unreadable"));
        }
        const std::string name = st.name;
        if (st.size > max_member_size) throw IOError(detail::cat(path, ": member '", name, "' claims an implausible size"));
        MemberFile mf;
        mf.f = zip_fopen_index(a.z, static_cast<zip_uint64_t>(i), 0);
        if (!mf.f) throw IOError(detail::cat(path, ": member '", name, "' cannot be opened (", zip_strerror(a.z), ")"));
        std::string bytes(static_cast<std::size_t>(st.size), '\0');
        zip_uint64_t done = 0;
        while (done < st.size) {
            const zip_int64_t got = zip_fread(mf.f, bytes.data() + done, st.size - done);
            if (got <= 0) {
                throw IOError(detail::cat(path, ": member '", name, "' is truncated or corrupt (",
                                          zip_file_strerror(mf.f), ")"));
            }
            done += static_cast<zip_uint64_t>(got);
        }
        char extra = 0;
        if (zip_fread(mf.f, &extra, 1) != 0) {
            throw IOError(detail::cat(path, ": member '", name, "' is corrupt (", zip_file_strerror(mf.f), ")"));
        }
        out.push_back({name, std::move(bytes)});
    }
    return out;
}

const std::string& member(const std::vector<Member>& members, const std::string& name, const std::string& path)
{
    for (const auto& m : members)
        if (m.name == name) return m.bytes;
    std::string names;
    for (const auto& m : members) names += (names.empty() ? "" : ", ") + m.name;
    throw IOError(detail::cat(path, ": the archive has no member '", name, "' (members: ", names, ")"));
}

void write_archive(const std::string& path, const std::vector<Member>& members)
{
    namespace fs = std::filesystem;
    const std::string tmp = detail::cat(path, ".tmp.", ::getpid());
    std::error_code ec;
    fs::remove(tmp, ec);
    int error = 0;
    Archive a;
    a.z = zip_open(tmp.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error);
    if (!a.z) throw IOError(detail::cat(path, ": cannot create '", tmp, "'"));
    try {
        for (const auto& m : members) {
            zip_source_t* src = zip_source_buffer(a.z, m.bytes.data(), m.bytes.size(), 0);
            if (!src) throw IOError(detail::cat(path, ": cannot add member '", m.name, "'"));
            const zip_int64_t index = zip_file_add(a.z, m.name.c_str(), src, ZIP_FL_ENC_UTF_8 | ZIP_FL_OVERWRITE);
            if (index < 0) {
                zip_source_free(src);
                throw IOError(detail::cat(path, ": cannot add member '", m.name, "' (", zip_strerror(a.z), ")"));
            }
            zip_set_file_compression(a.z, static_cast<zip_uint64_t>(index), ZIP_CM_STORE, 0);
        }
        if (zip_close(a.z) != 0) throw IOError(detail::cat(path, ": cannot write '", tmp, "' (", zip_strerror(a.z), ")"));
        a.z = nullptr;
        sync_path(tmp, "save");
        fs::rename(tmp, path, ec);
        if (ec) throw IOError(detail::cat(path, ": cannot rename '", tmp, "' into place (", ec.message(), ")"));
    } catch (...) {
        fs::remove(tmp, ec);
        throw;
    }
    try {
        sync_path(parent_directory(path), "save");
    } catch (const IOError&) {
        // The file is complete and in place; a failed directory fsync does not undo the save.
    }
}

}  // namespace xgrad::nn::saving::zip
