// Zip archives for .keras and .npz files, over libzip: read every member (stored
// or deflated), write stored members. Internal to nn/saving.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace xgrad::nn::saving::zip {

struct Member {
    std::string name;
    std::string bytes;
};

// Every member of the archive at `path`; throws IOError naming the path and the
// member for a missing, truncated or corrupt archive (CRCs are checked).
std::vector<Member> read_archive(const std::string& path);
// The member called `name`; throws IOError naming the archive and the member when missing.
const std::string& member(const std::vector<Member>& members, const std::string& name, const std::string& path);

// Writes the members, stored (uncompressed, as Keras writes them), to `path`
// atomically: a temporary sibling, fsync'ed, then renamed into place.
void write_archive(const std::string& path, const std::vector<Member>& members);

}  // namespace xgrad::nn::saving::zip
