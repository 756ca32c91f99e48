#include "server/dashboard.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "server/dashboard_files.h"

namespace yardstick::server {
namespace {

// Scripts, styles and data come only from this server; the page talks to nothing else.
constexpr const char* kCsp =
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

constexpr const char* kNotBuilt = R"(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Yardstick</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 3em auto">
<h1>Yardstick</h1>
<p>This <code>yardstick</code> binary was built without its web dashboard: Node.js (18 or
later) and npm were not found when it was built, or the build set
<code>-DYARDSTICK_BUILD_DASHBOARD=OFF</code>. Install them (<code>scripts/install-deps</code>) and
rebuild, or point <code>server.dashboard.dir</code> at a built <code>web/dist</code>.</p>
<p>The HTTP API under <code>/v1/</code> works as usual (docs/api.md).</p>
</body></html>
)";

bool HasExtension(std::string_view path) {
  const auto slash = path.rfind('/');
  const std::string_view last = slash == std::string_view::npos ? path : path.substr(slash + 1);
  return last.find('.') != std::string_view::npos;
}

// Paths that could leave the directory or name hidden files are never looked up.
bool SafePath(std::string_view path) {
  if (path.empty() || path[0] != '/') return false;
  if (path.find('\\') != std::string_view::npos || path.find('\0') != std::string_view::npos) {
    return false;
  }
  return path.find("/.") == std::string_view::npos;
}

void AddCommonHeaders(StaticResponse& r) {
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  r.headers.emplace_back("Content-Security-Policy", kCsp);
}

}  // namespace

std::string_view ContentTypeFor(std::string_view path) {
  struct Type {
    std::string_view ext;
    std::string_view type;
  };
  static constexpr Type kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
      {".txt", "text/plain; charset=utf-8"},
  };
  for (const auto& t : kTypes) {
    if (path.ends_with(t.ext)) return t.type;
  }
  return "application/octet-stream";
}

Dashboard Dashboard::Embedded() { return Dashboard(); }

Result<Dashboard> Dashboard::FromDirectory(const std::string& dir) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(std::filesystem::path(dir) / "index.html", ec)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "server.dashboard.dir: " + dir +
                         " has no index.html (expected the output of `npm run build` in web/)");
  }
  Dashboard d;
  d.dir_ = dir;
  return d;
}

bool Dashboard::Find(std::string_view path, std::string& out) const {
  if (!SafePath(path)) return false;
  if (dir_.empty()) {
    for (size_t i = 0; i < internal::kDashboardFileCount; ++i) {
      const auto& f = internal::kDashboardFiles[i];
      if (path == f.path) {
        out.assign(reinterpret_cast<const char*>(f.data), f.size);
        return true;
      }
    }
    return false;
  }
  const std::filesystem::path file = std::filesystem::path(dir_) / std::string(path.substr(1));
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) return false;
  std::ifstream in(file, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  out = std::move(ss).str();
  return true;
}

bool Dashboard::built() const {
  std::string ignored;
  return Find("/index.html", ignored);
}

StaticResponse Dashboard::Get(std::string_view path) const {
  StaticResponse r;
  AddCommonHeaders(r);
  const std::string_view wanted = path == "/" || path.empty() ? "/index.html" : path;
  if (Find(wanted, r.body)) {
    r.content_type = ContentTypeFor(wanted);
    // Vite puts a content hash in every file name under /assets/: those never change.
    r.headers.emplace_back("Cache-Control", wanted.starts_with("/assets/")
                                                ? "public, max-age=31536000, immutable"
                                                : "no-cache");
    return r;
  }
  if (HasExtension(wanted) || !SafePath(wanted)) {
    r.status = 404;
    r.content_type = "text/plain; charset=utf-8";
    r.body = "not found\n";
    return r;
  }
  // A route of the single-page app: index.html, which reads the path itself.
  r.headers.emplace_back("Cache-Control", "no-cache");
  r.content_type = "text/html; charset=utf-8";
  if (!Find("/index.html", r.body)) {
    r.status = 404;
    r.body = kNotBuilt;
  }
  return r;
}

}  // namespace yardstick::server
