// Model::save_weights / load_weights. A checkpoint is a directory:
//   manifest.txt    "xgrad-weights 1", then one line per parameter:
//                   <name> <file> <rank> <dim>...    e.g. "dense_1.kernel dense_1.kernel.npy 2 784 128"
//   <name>.npy      its float32 value (numpy reads it)
//   optimizer.state with include_optimizer: the optimizer's save_state file
// A save is atomic as a whole (core/atomic_directory.hpp): everything is
// written (and fsync'ed) into a fresh sibling directory "<dir>.tmp.<pid>", the
// manifest last, then swapped in with renames, so a reader sees the old
// checkpoint or the new one, never a mix of epochs. A crash between the two
// renames leaves no <dir> but both complete copies: loading then reads the new
// one, and the next save renames it back and removes what crashed saves left.
// Loading reads and checks everything before assigning anything.
#include <xgrad/nn/model.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <xgrad/core/atomic_directory.hpp>
#include <xgrad/core/atomic_file.hpp>
#include <xgrad/core/communicator.hpp>
#include <xgrad/core/npy.hpp>
#include <xgrad/nn/saving/saving.hpp>
#include <xgrad/optim/optimizer.hpp>

namespace xgrad::nn {
namespace {
constexpr const char* manifest_header = "xgrad-weights 1";
constexpr const char* manifest_file = "manifest.txt";
constexpr const char* optimizer_file = "optimizer.state";

struct Entry {
    std::string name, file;
    Shape shape;
};

std::vector<Entry> read_manifest(const std::string& dir)
{
    const std::string path = dir + "/" + manifest_file;
    std::ifstream in(path);
    if (!in) throw IOError(detail::cat(path, ": cannot open the checkpoint manifest (missing or unreadable)"));
    std::string line;
    if (!std::getline(in, line) || line != manifest_header) {
        throw IOError(detail::cat(path, ": not an xgrad checkpoint manifest (expected the first line '",
                                  manifest_header, "')"));
    }
    std::vector<Entry> entries;
    std::vector<int> lines;  // the manifest line of each entry
    for (int number = 2; std::getline(in, line); ++number) {
        if (line.empty()) continue;
        std::istringstream fields(line);
        Entry e;
        std::size_t rank = 0;
        if (!(fields >> e.name >> e.file >> rank) || rank > 8) {
            throw IOError(detail::cat(path, ": line ", number, " is corrupt (expected '<name> <file> <rank> <dims>')"));
        }
        for (std::size_t i = 0; i < rank; ++i) {
            std::size_t d = 0;
            if (!(fields >> d)) throw IOError(detail::cat(path, ": line ", number, " has fewer than ", rank, " dimensions"));
            e.shape.push_back(d);
        }
        if (std::string extra; fields >> extra) {
            throw IOError(detail::cat(path, ": line ", number, " has a trailing field '", extra, "' after its ", rank,
                                      " dimension(s) (expected '<name> <file> <rank> <dims>')"));
        }
        if (e.file.find('/') != std::string::npos || e.file == "..") {
            throw IOError(detail::cat(path, ": line ", number, " names a file outside the checkpoint: '", e.file, "'"));
        }
        for (std::size_t k = 0; k < entries.size(); ++k) {
            if (entries[k].name == e.name || entries[k].file == e.file) {
                const bool same_name = entries[k].name == e.name;
                throw IOError(detail::cat(path, ": line ", number, " repeats the ", same_name ? "weight '" : "file '",
                                          same_name ? e.name : e.file, "' of line ", lines[k],
                                          " (a corrupt manifest: each weight and file appears once)"));
            }
        }
        entries.push_back(std::move(e));
        lines.push_back(number);
    }
    return entries;
}

std::string without_trailing_slash(std::string path)
{
    while (path.size() > 1 && path.back() == '/') path.pop_back();
    return path;
}

// Writes the checkpoint into `dir`, a fresh directory; the manifest last (it marks the copy complete).
void write_checkpoint(const std::string& dir, const std::vector<std::pair<std::string, Variable>>& params)
{
    std::ostringstream manifest;
    manifest << manifest_header << "\n";
    for (const auto& [name, v] : params) {
        const std::string file = name + ".npy";
        save_npy<float>(dir + "/" + file, v.value());
        manifest << name << " " << file << " " << v.rank();
        for (auto d : v.shape()) manifest << " " << d;
        manifest << "\n";
    }
    write_file_atomically(dir + "/" + manifest_file, [&](std::ostream& out) { out << manifest.str(); });
    sync_path(dir, "save_weights");
}
}  // namespace

namespace {
bool ends_with(const std::string& s, const std::string& suffix)
{
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}
}  // namespace

// Under data parallelism only rank 0 writes files: the other ranks hold the same weights.
void Model::save(const std::string& path) const
{
    if (distributed::is_writer()) save_model(*this, path);
}

void Model::save_weights(const std::string& path, bool include_optimizer) const
{
    if (!distributed::is_writer()) return;
    if (ends_with(path, ".h5")) return save_weights_h5(*this, path);
    if (ends_with(path, ".npz")) return save_npz(*this, path);
    if (!built()) throw ValueError(detail::cat(name(), ".save_weights: the model is not built yet (call it or fit it first)"));
    if (include_optimizer && !optimizer_) {
        throw ValueError(detail::cat(name(), ".save_weights: include_optimizer needs a compiled model (it has no optimizer)"));
    }
    const std::string target = without_trailing_slash(path);
    recover_directory(target, manifest_file, "save_weights");
    const std::string fresh = make_staging_directory(target, "save_weights");
    try {
        if (include_optimizer) optimizer_->save_state(fresh + "/" + optimizer_file);
        write_checkpoint(fresh, named_parameters());
        publish_directory(fresh, target, "save_weights");
    } catch (...) {
        std::error_code ec;
        std::filesystem::remove_all(fresh, ec);
        throw;
    }
}

void Model::load_weights(const std::string& path, bool include_optimizer)
{
    if (ends_with(path, ".h5")) return load_weights_h5(*this, path);
    if (ends_with(path, ".npz")) return load_npz(*this, path);
    if (!built()) throw ValueError(detail::cat(name(), ".load_weights: build the model first (call it once or add an Input)"));
    if (include_optimizer && !optimizer_) {
        throw ValueError(detail::cat(name(), ".load_weights: include_optimizer needs a compiled model (compile it first)"));
    }
    // After a save crashed between its two renames, the complete copy it left.
    const std::string dir = resolve_directory(without_trailing_slash(path), manifest_file);
    const auto entries = read_manifest(dir);
    auto params = named_parameters();
    for (const auto& e : entries) {
        bool found = false;
        for (const auto& p : params) found = found || p.first == e.name;
        if (!found) throw IOError(detail::cat(path, ": the checkpoint has a weight '", e.name, "' that the model ", name(),
                                              " does not have"));
    }
    std::vector<xt::xarray<float>> values;
    for (const auto& [name, v] : params) {
        const Entry* entry = nullptr;
        for (const auto& e : entries)
            if (e.name == name) entry = &e;
        if (!entry) throw IOError(detail::cat(path, ": the checkpoint has no weight '", name, "'"));
        if (entry->shape != v.shape()) {
            throw IOError(detail::cat(path, ": weight '", name, "' has shape ", to_string(entry->shape),
                                      " in the checkpoint, the model expects ", to_string(v.shape())));
        }
        auto value = load_npy<float>(dir + "/" + entry->file);
        if (value.shape() != v.shape()) {
            throw IOError(detail::cat(dir, "/", entry->file, ": holds an array of shape ", to_string(value.shape()),
                                      ", the manifest and the model say ", to_string(v.shape()), " for '", name, "'"));
        }
        values.push_back(std::move(value));
    }
    if (include_optimizer) {
        const std::string file = dir + "/" + optimizer_file;
        if (!std::filesystem::exists(file)) {
            throw IOError(detail::cat(path, ": the checkpoint holds no optimizer state ('", optimizer_file,
                                      "'); save it with include_optimizer"));
        }
        optimizer_->load_state(file, trainable_variables());  // checks everything before changing anything
    }
    set_weights(values);
}

}  // namespace xgrad::nn
