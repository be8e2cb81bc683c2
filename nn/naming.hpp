// Layer names. Automatic names come from the class name ("Dense" -> "dense")
// and are made unique among the sublayers of one parent when a layer is added
// to it ("dense", "dense_1", ...; Layer::adopt). No process-wide counter is
// involved, so the names of a model depend only on the code that builds it.
#pragma once

#include <string>

namespace xgrad::nn {

// "Dense" -> "dense", "BatchNormalization" -> "batch_normalization" (Keras's to_snake_case).
std::string to_snake_case(const std::string& class_name);
// Throws ValueError naming the class when `name` is empty or contains '/' (as Keras).
void check_layer_name(const std::string& name, const std::string& class_name);

}  // namespace xgrad::nn
