// A small RAII layer over the HDF5 C API for the Keras file formats: files held
// in memory (a .keras member) or on disk, groups, string attributes, and
// float32/int64 datasets. Every error names the file and the object path.
// Internal to nn/saving: nothing outside it includes HDF5.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <hdf5.h>
#include <xtensor/xarray.hpp>

namespace xgrad::nn::saving::h5 {

// An hid_t closed with its own close function.
class Handle {
public:
    Handle() = default;
    Handle(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
    ~Handle() { reset(); }
    Handle(Handle&& o) noexcept : id_(o.id_), close_(o.close_) { o.id_ = -1; }
    Handle& operator=(Handle&& o) noexcept
    {
        if (this != &o) { reset(); id_ = o.id_; close_ = o.close_; o.id_ = -1; }
        return *this;
    }
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;
    hid_t get() const { return id_; }
    bool valid() const { return id_ >= 0; }

private:
    void reset() { if (id_ >= 0 && close_) close_(id_); id_ = -1; }
    hid_t id_ = -1;
    herr_t (*close_)(hid_t) = nullptr;
};

class File;

// A group (or the file's root), addressed by its path for messages.
class Group {
public:
    Group(const File& file, Handle handle, std::string path);
    const std::string& path() const { return path_; }
    bool has(const std::string& name) const;
    // Sub-group `name`; throws IOError naming the path when missing.
    Group group(const std::string& name) const;
    Group create_group(const std::string& name) const;
    // The names of the links in this group, in HDF5's (alphabetical) order.
    std::vector<std::string> children() const;
    bool is_group(const std::string& name) const;

    // A string attribute (variable or fixed length), or a list of strings.
    std::optional<std::string> string_attribute(const std::string& name) const;
    std::vector<std::string> string_list_attribute(const std::string& name) const;
    void set_string_attribute(const std::string& name, const std::string& value) const;

    // A float dataset read as float32 (float64 data is refused: never a silent conversion).
    xt::xarray<float> read_float(const std::string& name) const;
    std::int64_t read_int_scalar(const std::string& name) const;
    // The shape of dataset `name`.
    std::vector<std::size_t> dataset_shape(const std::string& name) const;
    void write_float(const std::string& name, const xt::xarray<float>& value) const;
    void write_int_scalar(const std::string& name, std::int64_t value) const;

private:
    std::string where(const std::string& name) const;
    const File* file_;
    Handle handle_;
    std::string path_;
};

class File {
public:
    // Opens an HDF5 image held in memory; `source` names it in errors ("m.keras/model.weights.h5").
    static File open_image(const std::string& bytes, const std::string& source);
    static File open(const std::string& path);
    // A new file built in memory; image() returns its bytes.
    static File create_in_memory(const std::string& source);
    Group root() const;
    std::string image() const;
    const std::string& source() const { return source_; }

private:
    File(Handle handle, std::string source) : handle_(std::move(handle)), source_(std::move(source)) {}
    Handle handle_;
    std::string source_;
};

}  // namespace xgrad::nn::saving::h5
