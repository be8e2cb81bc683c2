// Atomic file writes: the content goes to "<path>.tmp.<pid>", is flushed and
// fsync'ed, and is renamed over `path` only when complete (then the directory
// is fsync'ed too), so a crash mid-save leaves the previous file intact and a
// completed save survives a power loss.
#pragma once

#include <functional>
#include <ostream>
#include <string>

namespace xgrad {

// Calls write(stream) and publishes the file atomically; throws IOError naming the path on failure.
void write_file_atomically(const std::string& path, const std::function<void(std::ostream&)>& write);

// fsync()s a file or directory, so its content (or its entries: renames,
// creations) is on disk; throws IOError naming the path and `what` on failure.
void sync_path(const std::string& path, const char* what = "sync_path");

// The directory holding `path` ("." when it names no directory).
std::string parent_directory(const std::string& path);

}  // namespace xgrad
