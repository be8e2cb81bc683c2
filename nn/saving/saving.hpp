// Keras files, behind one seam (HDF5 and zip appear nowhere else in xgrad):
//   auto model = xgrad::nn::load_model("model.keras");   // Keras 3 archive, or a legacy Keras 2 .h5
//   model->evaluate(x, y);                                // compiled as Keras saved it, optimizer state included
//   model->fit(x, y);                                     // continues where Keras stopped
//   model->save("tuned.keras");                           // Keras 3's format: keras.models.load_model reads it
//   model->save_weights("w.weights.h5");                  // Keras 3's weights file
//   xgrad::nn::save_npz(*model, "w.npz");                 // numpy's np.savez, keyed by dotted names
// Keras 3 layout (.keras = zip of metadata.json, config.json, model.weights.h5):
//   config.json        serialize_layer(model) plus "compile_config"
//   model.weights.h5   <path>/vars/<i> for every layer, <path> = layers/<class in snake case, made
//                      unique among siblings> nested as the tree is ("layers/dense_1/vars/0");
//                      optimizer/vars/<i>: iterations, learning rate, then the slots (Optimizer::keras_slots)
// Unsupported content is an error naming the layer class, the config key or the dataset path;
// nothing is assigned until the whole file has been read and checked.
#pragma once

#include <memory>
#include <string>

#include <xgrad/nn/model.hpp>

namespace xgrad::nn {

// A Keras 3 ".keras" archive or a legacy Keras 2 ".h5" model (chosen by the file's content).
std::shared_ptr<Model> load_model(const std::string& path);
// Writes `model` as a Keras 3 .keras archive, atomically (what Model::save does).
void save_model(const Model& model, const std::string& path);

// Keras 3's ".weights.h5": the weights only, in model.weights.h5's layout.
void save_weights_h5(const Layer& model, const std::string& path);
void load_weights_h5(Layer& model, const std::string& path);

// numpy's np.savez layout: one "<dotted name>.npy" member per weight ("dense_1.kernel.npy").
void save_npz(const Layer& model, const std::string& path);
// Checks names and shapes against the model; nothing changes on error.
void load_npz(Layer& model, const std::string& path);

}  // namespace xgrad::nn
