#pragma once
// Helpers for the config tests: parse YAML text and get either the Config or the formatted
// errors ("<string>:<line>:<col>: <message>" lines).

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "config/config.h"

namespace yardstick::config::testing {

// The configuration `yaml` describes; fails the test (and returns defaults) when it is invalid.
inline Config Valid(std::string_view yaml, const LoadOptions& options = {}) {
  auto loaded = LoadString(yaml, "<string>", options);
  EXPECT_TRUE(loaded.has_value()) << (loaded ? "" : loaded.error().message());
  return loaded ? *loaded : Defaults();
}

// The error message for `yaml`; fails the test when it is valid.
inline std::string Errors(std::string_view yaml, const LoadOptions& options = {}) {
  auto loaded = LoadString(yaml, "<string>", options);
  EXPECT_FALSE(loaded.has_value()) << "expected an error for:\n" << yaml;
  return loaded ? std::string() : loaded.error().message();
}

}  // namespace yardstick::config::testing
