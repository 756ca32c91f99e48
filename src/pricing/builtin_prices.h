#pragma once
// The bytes of data/model-prices.json, embedded at build time (CMake generates the definition
// from the file; see embed_file.cmake). Internal to the pricing module.

#include <cstddef>

namespace yardstick::pricing::internal {

extern const unsigned char kBuiltinPricesJson[];
extern const size_t kBuiltinPricesJsonSize;

}  // namespace yardstick::pricing::internal
