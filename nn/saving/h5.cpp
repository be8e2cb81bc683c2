#include <xgrad/nn/saving/detail/h5.hpp>

#include <atomic>
#include <mutex>

#include <xgrad/core/error.hpp>
#include <xgrad/core/shape.hpp>

namespace xgrad::nn::saving::h5 {
namespace {
// HDF5 prints its own error stack unless told not to; xgrad reports errors itself.
void quiet()
{
    static std::once_flag once;
    std::call_once(once, [] { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); });
}

// The name HDF5 knows an in-memory file by: unique, since it refuses two open files of one name.
std::string memory_name(const std::string& source)
{
    static std::atomic<std::uint64_t> counter{0};
    return detail::cat(source, "#", counter++);
}

[[noreturn]] void fail(const std::string& where, const std::string& what)
{
    throw IOError(detail::cat(where, ": ", what));
}

Handle check(hid_t id, herr_t (*close)(hid_t), const std::string& where, const char* what)
{
    if (id < 0) fail(where, what);
    return Handle(id, close);
}

herr_t collect_name(hid_t, const char* name, const H5L_info_t*, void* out)
{
    static_cast<std::vector<std::string>*>(out)->push_back(name);
    return 0;
}

std::vector<std::size_t> dims_of(hid_t space, const std::string& where)
{
    const int rank = H5Sget_simple_extent_ndims(space);
    if (rank < 0 || rank > 32) fail(where, "unreadable dataspace");
    std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
    if (rank > 0 && H5Sget_simple_extent_dims(space, dims.data(), nullptr) < 0) fail(where, "unreadable dataspace");
    return std::vector<std::size_t>(dims.begin(), dims.end());
}

// The strings of an attribute of string type: scalar or 1-D, fixed or variable length.
std::vector<std::string> read_strings(hid_t attr, const std::string& where)
{
    Handle type = check(H5Aget_type(attr), H5Tclose, where, "unreadable attribute type");
    if (H5Tget_class(type.get()) != H5T_STRING) fail(where, "the attribute is not a string");
    Handle space = check(H5Aget_space(attr), H5Sclose, where, "unreadable attribute dataspace");
    const hssize_t n = H5Sget_simple_extent_npoints(space.get());
    if (n < 0 || n > (1 << 24)) fail(where, "implausible attribute size");
    std::vector<std::string> out;
    if (H5Tis_variable_str(type.get()) > 0) {
        std::vector<char*> ptrs(static_cast<std::size_t>(n), nullptr);
        Handle mem = check(H5Tcopy(H5T_C_S1), H5Tclose, where, "string type");
        H5Tset_size(mem.get(), H5T_VARIABLE);
        H5Tset_cset(mem.get(), H5Tget_cset(type.get()));
        if (H5Aread(attr, mem.get(), ptrs.data()) < 0) fail(where, "cannot read the string attribute");
        for (char* p : ptrs) out.emplace_back(p ? p : "");
        H5Dvlen_reclaim(mem.get(), space.get(), H5P_DEFAULT, ptrs.data());
        return out;
    }
    const std::size_t size = H5Tget_size(type.get());
    if (size == 0 || size > (1u << 20)) fail(where, "implausible string length");
    std::vector<char> buf(size * static_cast<std::size_t>(n) + 1, '\0');
    if (H5Aread(attr, type.get(), buf.data()) < 0) fail(where, "cannot read the string attribute");
    for (hssize_t i = 0; i < n; ++i) {
        const char* s = buf.data() + static_cast<std::size_t>(i) * size;
        std::size_t len = 0;
        while (len < size && s[len] != '\0') ++len;
        out.emplace_back(s, len);
    }
    return out;
}
}  // namespace

Group::Group(const File& file, Handle handle, std::string path)
    : file_(&file), handle_(std::move(handle)), path_(std::move(path))
{
}

std::string Group::where(const std::string& name) const
{
    return detail::cat(file_->source(), ": ", path_ == "/" ? "/" + name : path_ + "/" + name);
}

bool Group::has(const std::string& name) const { return H5Lexists(handle_.get(), name.c_str(), H5P_DEFAULT) > 0; }

Group Group::group(const std::string& name) const
{
    if (!has(name)) fail(where(name), "missing group");
    Handle g = check(H5Gopen2(handle_.get(), name.c_str(), H5P_DEFAULT), H5Gclose, where(name), "not a group");
    return Group(*file_, std::move(g), path_ == "/" ? "/" + name : path_ + "/" + name);
}

Group Group::create_group(const std::string& name) const
{
    Handle g = check(H5Gcreate2(handle_.get(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose,
                     where(name), "cannot create the group");
    return Group(*file_, std::move(g), path_ == "/" ? "/" + name : path_ + "/" + name);
}

std::vector<std::string> Group::children() const
{
    std::vector<std::string> names;
    hsize_t index = 0;
    if (H5Literate(handle_.get(), H5_INDEX_NAME, H5_ITER_INC, &index, collect_name, &names) < 0) {
        fail(where(""), "cannot list the group");
    }
    return names;
}

bool Group::is_group(const std::string& name) const
{
    if (!has(name)) return false;
    const hid_t obj = H5Oopen(handle_.get(), name.c_str(), H5P_DEFAULT);
    if (obj < 0) return false;
    const bool group = H5Iget_type(obj) == H5I_GROUP;
    H5Oclose(obj);
    return group;
}

std::optional<std::string> Group::string_attribute(const std::string& name) const
{
    if (H5Aexists(handle_.get(), name.c_str()) <= 0) return std::nullopt;
    Handle attr = check(H5Aopen(handle_.get(), name.c_str(), H5P_DEFAULT), H5Aclose, where("@" + name), "cannot open");
    auto strings = read_strings(attr.get(), where("@" + name));
    if (strings.size() != 1) fail(where("@" + name), detail::cat("expected one string, found ", strings.size()));
    return strings[0];
}

std::vector<std::string> Group::string_list_attribute(const std::string& name) const
{
    if (H5Aexists(handle_.get(), name.c_str()) <= 0) fail(where("@" + name), "missing attribute");
    Handle attr = check(H5Aopen(handle_.get(), name.c_str(), H5P_DEFAULT), H5Aclose, where("@" + name), "cannot open");
    return read_strings(attr.get(), where("@" + name));
}

void Group::set_string_attribute(const std::string& name, const std::string& value) const
{
    Handle type = check(H5Tcopy(H5T_C_S1), H5Tclose, where("@" + name), "string type");
    H5Tset_size(type.get(), H5T_VARIABLE);
    H5Tset_cset(type.get(), H5T_CSET_UTF8);
    Handle space = check(H5Screate(H5S_SCALAR), H5Sclose, where("@" + name), "dataspace");
    Handle attr = check(H5Acreate2(handle_.get(), name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
                        H5Aclose, where("@" + name), "cannot create the attribute");
    const char* text = value.c_str();
    if (H5Awrite(attr.get(), type.get(), &text) < 0) fail(where("@" + name), "cannot write the attribute");
}

std::vector<std::size_t> Group::dataset_shape(const std::string& name) const
{
    if (!has(name)) fail(where(name), "missing dataset");
    Handle ds = check(H5Dopen2(handle_.get(), name.c_str(), H5P_DEFAULT), H5Dclose, where(name), "not a dataset");
    Handle space = check(H5Dget_space(ds.get()), H5Sclose, where(name), "unreadable dataspace");
    return dims_of(space.get(), where(name));
}

xt::xarray<float> Group::read_float(const std::string& name) const
{
    if (!has(name)) fail(where(name), "missing dataset");
    Handle ds = check(H5Dopen2(handle_.get(), name.c_str(), H5P_DEFAULT), H5Dclose, where(name), "not a dataset");
    Handle type = check(H5Dget_type(ds.get()), H5Tclose, where(name), "unreadable type");
    if (H5Tget_class(type.get()) != H5T_FLOAT || H5Tget_size(type.get()) != 4) {
        fail(where(name), detail::cat("expected float32 data, found ",
                                      H5Tget_class(type.get()) == H5T_FLOAT ? "float" : "non-float", " of ",
                                      8 * H5Tget_size(type.get()), " bits (xgrad loads float32 weights only)"));
    }
    Handle space = check(H5Dget_space(ds.get()), H5Sclose, where(name), "unreadable dataspace");
    const auto dims = dims_of(space.get(), where(name));
    Shape shape(dims.begin(), dims.end());
    num_elements(shape, where(name).c_str());
    xt::xarray<float> out = xt::xarray<float>::from_shape(shape);
    if (out.size() > 0 && H5Dread(ds.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()) < 0) {
        fail(where(name), "cannot read the data (truncated or corrupt file?)");
    }
    return out;
}

std::int64_t Group::read_int_scalar(const std::string& name) const
{
    if (!has(name)) fail(where(name), "missing dataset");
    Handle ds = check(H5Dopen2(handle_.get(), name.c_str(), H5P_DEFAULT), H5Dclose, where(name), "not a dataset");
    Handle type = check(H5Dget_type(ds.get()), H5Tclose, where(name), "unreadable type");
    if (H5Tget_class(type.get()) != H5T_INTEGER) fail(where(name), "expected an integer");
    Handle space = check(H5Dget_space(ds.get()), H5Sclose, where(name), "unreadable dataspace");
    if (H5Sget_simple_extent_npoints(space.get()) != 1) fail(where(name), "expected a scalar");
    std::int64_t value = 0;
    if (H5Dread(ds.get(), H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, &value) < 0) fail(where(name), "cannot read");
    return value;
}

void Group::write_float(const std::string& name, const xt::xarray<float>& value) const
{
    std::vector<hsize_t> dims(value.shape().begin(), value.shape().end());
    Handle space = check(dims.empty() ? H5Screate(H5S_SCALAR)
                                      : H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr),
                         H5Sclose, where(name), "dataspace");
    Handle ds = check(H5Dcreate2(handle_.get(), name.c_str(), H5T_IEEE_F32LE, space.get(), H5P_DEFAULT, H5P_DEFAULT,
                                 H5P_DEFAULT),
                      H5Dclose, where(name), "cannot create the dataset");
    if (value.size() > 0 && H5Dwrite(ds.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, value.data()) < 0) {
        fail(where(name), "cannot write the dataset");
    }
}

void Group::write_int_scalar(const std::string& name, std::int64_t value) const
{
    Handle space = check(H5Screate(H5S_SCALAR), H5Sclose, where(name), "dataspace");
    Handle ds = check(H5Dcreate2(handle_.get(), name.c_str(), H5T_STD_I64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT,
                                 H5P_DEFAULT),
                      H5Dclose, where(name), "cannot create the dataset");
    if (H5Dwrite(ds.get(), H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, &value) < 0) {
        fail(where(name), "cannot write the dataset");
    }
}

File File::open_image(const std::string& bytes, const std::string& source)
{
    quiet();
    if (bytes.size() < 8 || bytes.compare(0, 8, "\x89HDF\r\n\x1a\n") != 0) fail(source, "not an HDF5 file");
    Handle fapl = check(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, source, "property list");
    if (H5Pset_fapl_core(fapl.get(), 1 << 16, 0) < 0 ||
        H5Pset_file_image(fapl.get(), const_cast<char*>(bytes.data()), bytes.size()) < 0) {
        fail(source, "cannot hold the file in memory");
    }
    Handle file = check(H5Fopen(memory_name(source).c_str(), H5F_ACC_RDONLY, fapl.get()), H5Fclose, source,
                        "not a readable HDF5 file (truncated or corrupt?)");
    return File(std::move(file), source);
}

File File::open(const std::string& path)
{
    quiet();
    if (H5Fis_hdf5(path.c_str()) <= 0) fail(path, "missing, unreadable or not an HDF5 file");
    Handle file = check(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose, path,
                        "not a readable HDF5 file (truncated or corrupt?)");
    return File(std::move(file), path);
}

File File::create_in_memory(const std::string& source)
{
    quiet();
    Handle fapl = check(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, source, "property list");
    if (H5Pset_fapl_core(fapl.get(), 1 << 16, 0) < 0) fail(source, "cannot create an in-memory file");
    Handle file = check(H5Fcreate(memory_name(source).c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()), H5Fclose, source,
                        "cannot create an in-memory HDF5 file");
    return File(std::move(file), source);
}

Group File::root() const
{
    Handle g = check(H5Gopen2(handle_.get(), "/", H5P_DEFAULT), H5Gclose, source_, "cannot open the root group");
    return Group(*this, std::move(g), "/");
}

std::string File::image() const
{
    if (H5Fflush(handle_.get(), H5F_SCOPE_GLOBAL) < 0) fail(source_, "cannot flush");
    const ssize_t size = H5Fget_file_image(handle_.get(), nullptr, 0);
    if (size <= 0) fail(source_, "cannot take the file image");
    std::string bytes(static_cast<std::size_t>(size), '\0');
    if (H5Fget_file_image(handle_.get(), bytes.data(), bytes.size()) != size) fail(source_, "cannot take the file image");
    return bytes;
}

}  // namespace xgrad::nn::saving::h5
