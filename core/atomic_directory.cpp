#include <xgrad/core/atomic_directory.hpp>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <iostream>
#include <limits>
#include <vector>

#include <signal.h>
#include <unistd.h>

#include <xgrad/core/atomic_file.hpp>
#include <xgrad/core/error.hpp>

namespace xgrad {
namespace {
namespace fs = std::filesystem;

// A copy of `target` left by a save: "<target>.tmp.<pid>" (staged) or "<target>.old.<pid>" (renamed aside).
struct Copy {
    fs::path path;
    bool staged;
    long pid;
};

bool process_alive(long pid)
{
    if (pid <= 0 || pid > std::numeric_limits<pid_t>::max()) return false;  // no such process
    return pid == ::getpid() || ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

std::vector<Copy> copies_of(const fs::path& target)
{
    std::vector<Copy> out;
    const std::string base = target.filename().string();
    std::error_code ec;
    const fs::path parent = target.has_parent_path() ? target.parent_path() : fs::path(".");
    for (fs::directory_iterator it(parent, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        for (const bool staged : {true, false}) {
            const std::string prefix = base + (staged ? ".tmp." : ".old.");
            if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) continue;
            const std::string digits = name.substr(prefix.size());
            if (digits.size() > 10 || !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
                continue;
            out.push_back({it->path(), staged, std::stol(digits)});
        }
    }
    return out;
}

// The complete copy to read when `target` is missing: staged before old, then the newest marker.
const Copy* best_copy(const std::vector<Copy>& copies, const std::string& marker, bool dead_only)
{
    const Copy* best = nullptr;
    fs::file_time_type best_time{};
    for (const auto& c : copies) {
        std::error_code ec;
        const auto time = fs::last_write_time(c.path / marker, ec);
        if (ec || (dead_only && process_alive(c.pid))) continue;
        if (!best || (c.staged && !best->staged) || (c.staged == best->staged && time > best_time)) {
            best = &c;
            best_time = time;
        }
    }
    return best;
}

bool exists(const fs::path& p)
{
    std::error_code ec;
    return fs::symlink_status(p, ec).type() != fs::file_type::not_found && !ec;
}

void rename_or_throw(const fs::path& from, const fs::path& to, const char* what)
{
    std::error_code ec;
    fs::rename(from, to, ec);
    if (ec) {
        throw IOError(detail::cat(what, ": cannot rename '", from.string(), "' to '", to.string(), "' (",
                                  ec.message(), ")"));
    }
}

// After the new directory is in place: a failure here does not undo the save.
void sync_parent_after_publish(const fs::path& target, const char* what)
{
    try {
        sync_path(parent_directory(target.string()), what);
    } catch (const IOError& e) {
        std::cerr << what << ": warning: '" << target.string()
                  << "' is saved, but making the rename durable failed: " << e.what() << "\n";
    }
}
}  // namespace

std::string make_staging_directory(const std::string& target, const char* what)
{
    const std::string fresh = detail::cat(target, ".tmp.", ::getpid());
    std::error_code ec;
    fs::remove_all(fresh, ec);
    fs::create_directories(fresh, ec);
    if (ec) throw IOError(detail::cat(what, ": cannot create the directory '", fresh, "' (", ec.message(), ")"));
    return fresh;
}

void publish_directory(const std::string& fresh, const std::string& target, const char* what)
{
    if (!exists(target)) {
        rename_or_throw(fresh, target, what);
        sync_parent_after_publish(target, what);
        return;
    }
    const fs::path aside = detail::cat(target, ".old.", ::getpid());
    std::error_code ec;
    fs::remove_all(aside, ec);
    rename_or_throw(target, aside, what);
    try {
        rename_or_throw(fresh, target, what);
    } catch (...) {
        fs::rename(aside, target, ec);  // put the old directory back
        throw;
    }
    sync_parent_after_publish(target, what);
    fs::remove_all(aside, ec);
    if (ec) {
        std::cerr << what << ": warning: '" << target << "' is saved, but the old copy '" << aside.string()
                  << "' could not be removed (" << ec.message() << "); the next save removes it\n";
    }
}

std::string resolve_directory(const std::string& target, const std::string& marker)
{
    if (exists(target)) return target;
    const auto copies = copies_of(target);
    const Copy* best = best_copy(copies, marker, /*dead_only=*/false);
    return best ? best->path.string() : target;
}

void recover_directory(const std::string& target, const std::string& marker, const char* what)
{
    auto copies = copies_of(target);
    if (!exists(target)) {
        if (const Copy* best = best_copy(copies, marker, /*dead_only=*/true)) {
            rename_or_throw(best->path, target, what);
            sync_parent_after_publish(target, what);
            copies = copies_of(target);
        }
    }
    for (const auto& c : copies) {
        if (c.pid != ::getpid() && process_alive(c.pid)) continue;  // another save in progress
        std::error_code ec;
        fs::remove_all(c.path, ec);
    }
}

}  // namespace xgrad
