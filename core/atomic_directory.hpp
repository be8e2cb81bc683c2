// Atomic replacement of a directory of files (a checkpoint), for savers and
// their readers. A save writes every file into a staging directory and
// publishes it last:
//   const auto fresh = make_staging_directory(target, "save_weights");   // "<target>.tmp.<pid>"
//   ... write and fsync every file of fresh, `marker` (e.g. manifest.txt) last ...
//   publish_directory(fresh, target, "save_weights");
// Publishing over an existing directory takes two renames (target to
// "<target>.old.<pid>", then fresh to target): a crash between them leaves no
// `target` but two complete copies. So
//   - readers open resolve_directory(target, marker): `target`, or else the
//     copy a crashed save left, the staged one (the newer save) before the old;
//   - the next save calls recover_directory(target, marker) first: it renames
//     that copy back to `target` (one rename) and removes the copies crashed
//     saves left behind (those of processes no longer running).
// A copy is complete when it holds `marker`, the file a save writes last.
#pragma once

#include <string>

namespace xgrad {

// Creates the empty staging directory "<target>.tmp.<pid>" (replacing a leftover one); throws IOError.
std::string make_staging_directory(const std::string& target, const char* what);

// Moves the complete directory `fresh` to `target`, replacing the directory there. Throws IOError
// (and leaves the old `target` in place) unless the new one is in place; once it is, a failure to
// fsync the parent directory or to remove the old copy is only reported on stderr.
void publish_directory(const std::string& fresh, const std::string& target, const char* what);

// The directory to read `target` from: itself when it exists, else the complete copy a crashed
// publish_directory left (see above), else `target` (whose absence the reader reports).
std::string resolve_directory(const std::string& target, const std::string& marker);

// Before a save to `target`: restores the complete copy a crash left when `target` is missing,
// then removes the stale copies ("<target>.tmp.<pid>", "<target>.old.<pid>" of dead processes).
void recover_directory(const std::string& target, const std::string& marker, const char* what);

}  // namespace xgrad
