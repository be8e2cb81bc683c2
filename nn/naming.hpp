// Keras-style automatic names: the first layer of a kind is "dense", then
// "dense_1", "dense_2", ... counted per prefix for the whole process, as
// keras.backend.get_uid does. clear_session() restarts the counts.
#pragma once

#include <string>

namespace xgrad::nn {

// "prefix" for the first call with this prefix, then "prefix_1", "prefix_2", ...
std::string unique_name(const std::string& prefix);
// Forgets every count (keras.backend.clear_session).
void clear_session();
// "Dense" -> "dense", "BatchNormalization" -> "batch_normalization" (Keras's to_snake_case).
std::string to_snake_case(const std::string& class_name);

}  // namespace xgrad::nn
