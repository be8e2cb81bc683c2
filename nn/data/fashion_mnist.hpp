// Fashion-MNIST (Debian's dataset-fashion-mnist, IDX files): 60,000 training
// and 10,000 test images of 28x28 pixels in 10 classes.
//   auto data = xgrad::nn::load_fashion_mnist();
//   data.train.x   // (60000, 784) float32, pixels / 255 in [0, 1]
//   data.train.y   // (60000,) float32 class indices 0..9
// Keras's fashion_mnist.load_data() returns uint8 (n, 28, 28); this loader
// returns what the model consumes. Throws IOError naming a missing or bad file.
#pragma once

#include <string>
#include <vector>

#include <xtensor/xarray.hpp>

namespace xgrad::nn {

struct LabeledData {
    xt::xarray<float> x;
    xt::xarray<float> y;
};

struct FashionMnist {
    LabeledData train, test;
};

inline const char* const fashion_mnist_default_dir = "/usr/share/datasets/fashion-mnist";

// Reads {train,t10k}-{images-idx3,labels-idx1}-ubyte.gz from `dir`.
FashionMnist load_fashion_mnist(const std::string& dir = fashion_mnist_default_dir);

// One split from an images file and a labels file (IDX, gzip or not):
// images (n, rows, cols) -> x (n, rows*cols) / 255, labels (n,) -> y, each label < num_classes.
LabeledData load_idx_pair(const std::string& images_path, const std::string& labels_path,
                          std::size_t num_classes = 10);

// The class names, in label order.
const std::vector<std::string>& fashion_mnist_class_names();

// One-hot rows for class indices: (n,) -> (n, num_classes) (keras.utils.to_categorical);
// throws ValueError naming the position of a label out of range.
xt::xarray<float> to_categorical(const xt::xarray<float>& labels, std::size_t num_classes);

}  // namespace xgrad::nn
