#pragma once
// The on-disk cache of endpoint responses: a rerun, or a run resumed after it was interrupted,
// reuses every answer it already paid for.
//
// The key is the SHA-256 of the endpoint's URL path, the model and the request body (the API key
// is not part of it). Each entry is one file, <dir>/<first 2 hex digits>/<64 hex digits>.json,
// holding {"response": <the response JSON>, "latency_ms": <the original latency>}. Entries are
// written to a temporary file and renamed into place, so a process killed mid-write leaves no
// torn entry. Only successful responses are stored.
//
// Thread safety: Get() and Put() may be called concurrently (different keys never share a file;
// the same key written twice ends with one complete copy).

#include <optional>
#include <string>

#include "base/error.h"

namespace yardstick::eval {

struct CachedResponse {
  std::string body;  // the response JSON text
  double latency_ms = 0;
};

class ResponseCache {
 public:
  // An empty `dir` disables the cache (Get misses, Put does nothing).
  explicit ResponseCache(std::string dir) : dir_(std::move(dir)) {}

  static std::string Key(const std::string& url_path, const std::string& request_body);

  std::optional<CachedResponse> Get(const std::string& key) const;
  // Errors: the directory or file cannot be written.
  std::optional<Error> Put(const std::string& key, const CachedResponse& response) const;

  bool enabled() const { return !dir_.empty(); }
  const std::string& dir() const { return dir_; }

 private:
  std::string PathOf(const std::string& key) const;
  std::string dir_;
};

}  // namespace yardstick::eval
