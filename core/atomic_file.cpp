#include <xgrad/core/atomic_file.hpp>

#include <cstdio>
#include <fstream>

#include <unistd.h>

#include <xgrad/core/error.hpp>

namespace xgrad {

void write_file_atomically(const std::string& path, const std::function<void(std::ostream&)>& write)
{
    const std::string tmp = detail::cat(path, ".tmp.", ::getpid());
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) throw IOError(detail::cat("write_file_atomically: cannot open '", tmp, "' for writing"));
        try {
            write(out);
        } catch (...) {
            out.close();
            std::remove(tmp.c_str());
            throw;
        }
        out.flush();
        if (!out) {
            std::remove(tmp.c_str());
            throw IOError(detail::cat("write_file_atomically: writing '", tmp, "' failed (disk full?)"));
        }
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        std::remove(tmp.c_str());
        throw IOError(detail::cat("write_file_atomically: cannot rename '", tmp, "' to '", path, "'"));
    }
}

}  // namespace xgrad
