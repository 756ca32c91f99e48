#pragma once
// Small helpers of the integration tests that call a real server's HTTP API: a client with the
// tests' read timeout, the bearer header, and creating a project (which returns its key).

#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>
#include <string>

namespace yardstick::testing {

inline httplib::Client ApiClient(int port, int read_timeout_s = 30) {
  httplib::Client c("127.0.0.1", port);
  c.set_read_timeout(read_timeout_s, 0);
  return c;
}

inline httplib::Headers BearerAuth(const std::string& key) {
  return {{"Authorization", "Bearer " + key}};
}

// Creates project `name` with the admin key; returns the project's key ("" after a failed
// expectation).
inline std::string CreateProjectKey(httplib::Client& client, const std::string& admin_key,
                                    const std::string& name) {
  auto res = client.Post("/v1/projects", BearerAuth(admin_key),
                         nlohmann::json{{"name", name}}.dump(), "application/json");
  EXPECT_TRUE(res) << "POST /v1/projects: " << httplib::to_string(res.error());
  if (!res) return "";
  EXPECT_EQ(res->status, 201) << res->body;
  return nlohmann::json::parse(res->body, nullptr, false).value("key", "");
}

}  // namespace yardstick::testing
