#pragma once
// The dashboard's built files as embedded by cmake/embed_dir.cmake (generated source).

#include <cstddef>

namespace yardstick::server::internal {

struct EmbeddedFile {
  const char* path;  // "/index.html", "/assets/index-1a2b3c.js"
  const unsigned char* data;
  size_t size;
};

extern const EmbeddedFile kDashboardFiles[];
extern const size_t kDashboardFileCount;

}  // namespace yardstick::server::internal
