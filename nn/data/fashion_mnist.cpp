#include <xgrad/nn/data/fashion_mnist.hpp>

#include <cmath>

#include <xgrad/core/error.hpp>
#include <xgrad/nn/data/idx.hpp>

namespace xgrad::nn {

LabeledData load_idx_pair(const std::string& images_path, const std::string& labels_path, std::size_t num_classes)
{
    const IdxArray images = read_idx(images_path);
    const IdxArray labels = read_idx(labels_path);
    if (images.shape.size() != 3) {
        throw IOError(detail::cat(images_path, ": expected a 3-D image array (n, rows, cols), got shape ",
                                  to_string(images.shape)));
    }
    if (labels.shape.size() != 1) {
        throw IOError(detail::cat(labels_path, ": expected a 1-D label array (n,), got shape ", to_string(labels.shape)));
    }
    const std::size_t n = images.shape[0], pixels = images.shape[1] * images.shape[2];
    if (labels.shape[0] != n) {
        throw IOError(detail::cat(labels_path, ": has ", labels.shape[0], " labels, but ", images_path, " has ", n,
                                  " images"));
    }
    LabeledData out;
    out.x = xt::xarray<float>::from_shape({n, pixels});
    for (std::size_t i = 0; i < images.data.size(); ++i) out.x.data()[i] = static_cast<float>(images.data[i]) / 255.0f;
    out.y = xt::xarray<float>::from_shape({n});
    for (std::size_t i = 0; i < n; ++i) {
        if (labels.data[i] >= num_classes) {
            throw IOError(detail::cat(labels_path, ": label ", int(labels.data[i]), " at position ", i,
                                      " is out of range (expected 0 to ", num_classes - 1, ")"));
        }
        out.y(i) = static_cast<float>(labels.data[i]);
    }
    return out;
}

FashionMnist load_fashion_mnist(const std::string& dir)
{
    FashionMnist data;
    data.train = load_idx_pair(dir + "/train-images-idx3-ubyte.gz", dir + "/train-labels-idx1-ubyte.gz");
    data.test = load_idx_pair(dir + "/t10k-images-idx3-ubyte.gz", dir + "/t10k-labels-idx1-ubyte.gz");
    return data;
}

const std::vector<std::string>& fashion_mnist_class_names()
{
    static const std::vector<std::string> names{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                                "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
    return names;
}

xt::xarray<float> to_categorical(const xt::xarray<float>& labels, std::size_t num_classes)
{
    xt::xarray<float> out(Shape{labels.size(), num_classes}, 0.0f);
    for (std::size_t i = 0; i < labels.size(); ++i) {
        const float y = labels.data()[i];
        if (!(y >= 0.0f && y < static_cast<float>(num_classes)) || y != std::floor(y)) {
            throw ValueError(detail::cat("to_categorical: label ", y, " at position ", i,
                                         " is out of range: expected an integer in [0, ", num_classes, ")"));
        }
        out(i, static_cast<std::size_t>(y)) = 1.0f;
    }
    return out;
}

}  // namespace xgrad::nn
