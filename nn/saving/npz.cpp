// numpy's .npz (np.savez): a zip archive with one "<key>.npy" member per array.
// Keys are the weights' dotted names ("dense_1.kernel"), as torch's state_dict
// and JAX users name parameters.
#include <xgrad/nn/saving/saving.hpp>

#include <map>
#include <sstream>

#include <xgrad/core/npy.hpp>
#include <xgrad/nn/saving/detail/zip.hpp>

namespace xgrad::nn {

void save_npz(const Layer& model, const std::string& path)
{
    if (!model.built()) throw ValueError(detail::cat(model.name(), ".save_npz: the model is not built yet"));
    std::vector<saving::zip::Member> members;
    for (const auto& [name, v] : model.named_parameters()) {
        std::ostringstream out;
        write_npy<float>(out, v.value());
        members.push_back({name + ".npy", out.str()});
    }
    saving::zip::write_archive(path, members);
}

void load_npz(Layer& model, const std::string& path)
{
    if (!model.built()) throw ValueError(detail::cat(model.name(), ".load_npz: build the model first"));
    const auto members = saving::zip::read_archive(path);
    const auto params = model.named_parameters();
    std::map<std::string, bool> known;
    for (const auto& [name, v] : params) known[name + ".npy"] = true;
    for (const auto& m : members) {
        if (!known.count(m.name)) {
            throw IOError(detail::cat(path, ": member '", m.name, "' is not a weight of '", model.name(), "'"));
        }
    }
    std::vector<xt::xarray<float>> values;
    for (const auto& [name, v] : params) {
        std::istringstream in(saving::zip::member(members, name + ".npy", path));
        auto value = read_npy<float>(in, path + "/" + name + ".npy");
        if (value.shape() != v.shape()) {
            throw IOError(detail::cat(path, "/", name, ".npy: has shape ", to_string(value.shape()), ", the model's '",
                                      name, "' has shape ", to_string(v.shape())));
        }
        values.push_back(std::move(value));
    }
    model.set_weights(values);
}

}  // namespace xgrad::nn
