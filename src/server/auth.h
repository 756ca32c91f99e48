#pragma once
// API keys: generation, hashing (SHA-256; only hashes are stored) and lookup with a cache.
//
// Keys look like "ys_<project-or-admin>_<32 random hex>"; the prefix only helps humans and
// secret scanners, the lookup is by hash. A project key reads and writes its own project only;
// the admin key manages projects and may act on any project it names.

#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "base/error.h"
#include "store/store.h"

namespace yardstick::server {

std::string Sha256Hex(std::string_view data);
// A new random key (OpenSSL RAND_bytes).
Result<std::string> GenerateKey(std::string_view label);

struct Principal {
  bool admin = false;
  std::string project;  // the key's project ("" for admin)
};

class KeyRing {
 public:
  explicit KeyRing(store::Store* store) : store_(store) {}

  // The principal a presented key stands for; nullopt for an unknown key.
  Result<std::optional<Principal>> Authenticate(std::string_view key);

  // Registers a key (hash only) for a project, or as admin when project is empty.
  Result<void> Register(const std::string& key, const std::string& project,
                        const std::string& name);

  // Creates the project and a new key for it; returns the key (shown once).
  Result<std::string> CreateProjectKey(const std::string& project, const std::string& name);

  // Ensures an admin key exists: registers `env_key` when given; otherwise, when no admin key is
  // stored yet, generates one and returns it (to be printed once). nullopt when nothing new.
  Result<std::optional<std::string>> EnsureAdmin(const std::optional<std::string>& env_key);

 private:
  store::Store* store_;
  std::shared_mutex mutex_;
  std::unordered_map<std::string, Principal> cache_;  // hash -> principal
};

}  // namespace yardstick::server
