#include <xgrad/core/atomic_file.hpp>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

#include <fcntl.h>
#include <unistd.h>

#include <xgrad/core/error.hpp>

namespace xgrad {

void sync_path(const std::string& path, const char* what)
{
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw IOError(detail::cat(what, ": cannot open '", path, "' to fsync it (", std::strerror(errno), ")"));
    const int rc = ::fsync(fd);
    const int err = errno;
    ::close(fd);
    // Some file systems cannot fsync a directory (EINVAL): nothing more to do there.
    if (rc != 0 && err != EINVAL) {
        throw IOError(detail::cat(what, ": fsync of '", path, "' failed (", std::strerror(err), ")"));
    }
}

std::string parent_directory(const std::string& path)
{
    const auto slash = path.find_last_of('/');
    if (slash == std::string::npos) return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
}

void write_file_atomically(const std::string& path, const std::function<void(std::ostream&)>& write)
{
    const char* op = "write_file_atomically";
    const std::string tmp = detail::cat(path, ".tmp.", ::getpid());
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) throw IOError(detail::cat(op, ": cannot open '", tmp, "' for writing"));
        try {
            write(out);
        } catch (...) {
            out.close();
            std::remove(tmp.c_str());
            throw;
        }
        out.close();
        if (!out) {
            std::remove(tmp.c_str());
            throw IOError(detail::cat(op, ": writing '", tmp, "' failed (disk full?)"));
        }
    }
    try {
        sync_path(tmp, op);
    } catch (...) {
        std::remove(tmp.c_str());
        throw;
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        std::remove(tmp.c_str());
        throw IOError(detail::cat(op, ": cannot rename '", tmp, "' to '", path, "'"));
    }
    sync_path(parent_directory(path), op);
}

}  // namespace xgrad
