// Atomic file writes: the content goes to "<path>.tmp.<pid>", is flushed, and
// is renamed over `path` only when complete, so a crash mid-save leaves the
// previous file intact.
#pragma once

#include <functional>
#include <ostream>
#include <string>

namespace xgrad {

// Calls write(stream) and publishes the file atomically; throws IOError naming the path on failure.
void write_file_atomically(const std::string& path, const std::function<void(std::ostream&)>& write);

}  // namespace xgrad
