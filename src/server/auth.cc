#include "server/auth.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <regex>

#include "server/http_util.h"

namespace yardstick::server {

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * len);
  for (unsigned int i = 0; i < len; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 15]);
  }
  return out;
}

Result<std::string> GenerateKey(std::string_view label) {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) {
    return MakeError(ErrorCode::kInternal, "the system random generator failed");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string key = "ys_";
  for (char c : label) {
    key.push_back(std::isalnum(static_cast<unsigned char>(c)) ? c : '-');
  }
  key.push_back('_');
  for (unsigned char b : bytes) {
    key.push_back(kHex[b >> 4]);
    key.push_back(kHex[b & 15]);
  }
  return key;
}

Result<std::optional<Principal>> KeyRing::Authenticate(std::string_view key) {
  if (key.empty()) return std::optional<Principal>();
  const std::string hash = Sha256Hex(key);
  {
    std::shared_lock lock(mutex_);
    if (auto it = cache_.find(hash); it != cache_.end()) return std::optional(it->second);
  }
  auto stored = store_->FindApiKey(hash);
  if (!stored) return std::unexpected(stored.error());
  if (!*stored) return std::optional<Principal>();
  Principal p{(*stored)->role == "admin", (*stored)->project};
  std::unique_lock lock(mutex_);
  cache_[hash] = p;
  return std::optional(p);
}

Result<void> KeyRing::Register(const std::string& key, const std::string& project,
                               const std::string& name) {
  const std::string hash = Sha256Hex(key);
  if (!project.empty()) {
    if (auto r = store_->PutProject(project); !r) return r;
  }
  store::ApiKey k{hash, project, project.empty() ? "admin" : "project", name, NowNanos()};
  if (auto r = store_->PutApiKey(k); !r) return r;
  std::unique_lock lock(mutex_);
  cache_[hash] = Principal{project.empty(), project};
  return {};
}

Result<std::string> KeyRing::CreateProjectKey(const std::string& project, const std::string& name) {
  static const std::regex kName("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
  if (!std::regex_match(project, kName)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "project names are 1-64 letters, digits, '_', '.', '-' (starting with a "
                     "letter or digit), not '" +
                         project + "'");
  }
  auto key = GenerateKey(project);
  if (!key) return key;
  if (auto r = Register(*key, project, name); !r) return std::unexpected(r.error());
  return key;
}

Result<std::optional<std::string>> KeyRing::EnsureAdmin(const std::optional<std::string>& env_key) {
  if (env_key) {
    if (env_key->size() < 16) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "the admin key from the environment is shorter than 16 characters");
    }
    if (auto r = Register(*env_key, "", "environment"); !r) return std::unexpected(r.error());
    return std::optional<std::string>();
  }
  auto keys = store_->ListApiKeys();
  if (!keys) return std::unexpected(keys.error());
  for (const auto& k : *keys) {
    if (k.role == "admin" && k.name == "generated") return std::optional<std::string>();
  }
  auto key = GenerateKey("admin");
  if (!key) return std::unexpected(key.error());
  if (auto r = Register(*key, "", "generated"); !r) return std::unexpected(r.error());
  return std::optional<std::string>(*key);
}

}  // namespace yardstick::server
