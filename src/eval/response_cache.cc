#include "eval/response_cache.h"

#include <openssl/evp.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace yardstick::eval {
namespace {

std::string Sha256Hex(const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

std::atomic<unsigned long> temp_counter{0};

}  // namespace

std::string ResponseCache::Key(const std::string& url_path, const std::string& request_body) {
  return Sha256Hex(url_path + "\n" + request_body);
}

std::string ResponseCache::PathOf(const std::string& key) const {
  return dir_ + "/" + key.substr(0, 2) + "/" + key + ".json";
}

std::optional<CachedResponse> ResponseCache::Get(const std::string& key) const {
  if (dir_.empty()) return std::nullopt;
  std::ifstream in(PathOf(key), std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  nlohmann::json entry = nlohmann::json::parse(ss.str(), nullptr, false);
  if (entry.is_discarded() || !entry.is_object() || !entry.contains("response")) {
    return std::nullopt;  // unreadable entries are ignored and overwritten
  }
  CachedResponse out;
  out.body = entry["response"].dump();
  if (entry.contains("latency_ms") && entry["latency_ms"].is_number()) {
    out.latency_ms = entry["latency_ms"].get<double>();
  }
  return out;
}

std::optional<Error> ResponseCache::Put(const std::string& key,
                                        const CachedResponse& response) const {
  if (dir_.empty()) return std::nullopt;
  namespace fs = std::filesystem;
  const std::string path = PathOf(key);
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  if (ec) return Error(ErrorCode::kIo, path + ": cannot create the cache folder: " + ec.message());
  nlohmann::json entry;
  entry["response"] = nlohmann::json::parse(response.body, nullptr, false);
  if (entry["response"].is_discarded()) return std::nullopt;  // never cache malformed JSON
  entry["latency_ms"] = response.latency_ms;
  const std::string temp =
      path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(temp_counter.fetch_add(1));
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << entry.dump();
    out.flush();
    if (!out) return Error(ErrorCode::kIo, temp + ": cannot write the cache entry");
  }
  fs::rename(temp, path, ec);
  if (ec) {
    fs::remove(temp, ec);
    return Error(ErrorCode::kIo, path + ": cannot store the cache entry");
  }
  return std::nullopt;
}

}  // namespace yardstick::eval
