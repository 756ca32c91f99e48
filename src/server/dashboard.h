#pragma once
// The web dashboard's files (web/, built with Vite): embedded in the binary at build time, or
// read from a directory (server.dashboard.dir). Answers GETs of non-API paths: a file when one
// exists, index.html for any other path without a file extension (the single-page app's routes:
// /kpis, /calls, /conversations/<id>), 404 for a missing file. docs/dashboard.md describes it.
//
// Thread safety: const methods are safe from any thread.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/error.h"

namespace yardstick::server {

struct StaticResponse {
  int status = 200;
  std::string content_type;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // Cache-Control, security headers
};

class Dashboard {
 public:
  // The files embedded at build time (none when the build had no Node.js: then every page says
  // how to build the dashboard).
  static Dashboard Embedded();
  // Files read from `dir` at each request (for development: `npm run build -- --watch`).
  static Result<Dashboard> FromDirectory(const std::string& dir);

  // True when index.html is available.
  bool built() const;
  // The answer to GET `path` (a URL path starting with '/', without the query string).
  StaticResponse Get(std::string_view path) const;

 private:
  Dashboard() = default;
  // The bytes of `path` ("/index.html"), or false when there is no such file.
  bool Find(std::string_view path, std::string& out) const;

  std::string dir_;  // empty: embedded
};

// The Content-Type for a file name by its extension (application/octet-stream when unknown).
std::string_view ContentTypeFor(std::string_view path);

}  // namespace yardstick::server
