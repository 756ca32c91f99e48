#pragma once
// Reading the golden reference vectors in tests/golden/ (see tests/golden/README.md).

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace yardstick::testing {

// Absolute path of a file in tests/golden/.
std::string GoldenPath(const std::string& name);

// Reads a JSON Lines file by absolute path; fails the calling test (ADD_FAILURE) if it cannot be
// read, a line is not JSON, or it holds no case.
std::vector<nlohmann::json> ReadJsonlFile(const std::string& path);

// Reads a JSON Lines golden file; fails the calling test (ADD_FAILURE) if it cannot be read.
std::vector<nlohmann::json> ReadGoldenJsonl(const std::string& name);

// A golden number: JSON numbers, or the strings "NaN", "Infinity", "-Infinity".
double GoldenDouble(const nlohmann::json& value);

// True when `actual` has the same IEEE-754 bits as `expected` (NaN equals NaN; +0 equals -0).
bool SameDouble(double actual, double expected);

// True when |actual - expected| <= rel * max(|expected|, tiny) or both are NaN / same infinity.
bool NearRelative(double actual, double expected, double rel);

}  // namespace yardstick::testing
