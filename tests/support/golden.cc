#include "support/golden.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <limits>

namespace yardstick::testing {

std::string GoldenPath(const std::string& name) {
  return std::string(YARDSTICK_GOLDEN_DIR) + "/" + name;
}

std::vector<nlohmann::json> ReadJsonlFile(const std::string& path) {
  std::vector<nlohmann::json> lines;
  std::ifstream in(path);
  if (!in) {
    ADD_FAILURE() << "cannot open " << path;
    return lines;
  }
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty()) continue;
    try {
      lines.push_back(nlohmann::json::parse(line));
    } catch (const nlohmann::json::exception& e) {
      ADD_FAILURE() << path << ":" << number << ": " << e.what();
    }
  }
  if (lines.empty()) ADD_FAILURE() << path << " has no cases";
  return lines;
}

std::vector<nlohmann::json> ReadGoldenJsonl(const std::string& name) {
  return ReadJsonlFile(GoldenPath(name));
}

double GoldenDouble(const nlohmann::json& value) {
  if (value.is_string()) {
    const auto& s = value.get_ref<const std::string&>();
    if (s == "NaN") return std::numeric_limits<double>::quiet_NaN();
    if (s == "Infinity") return std::numeric_limits<double>::infinity();
    if (s == "-Infinity") return -std::numeric_limits<double>::infinity();
    ADD_FAILURE() << "not a golden number: " << s;
    return std::numeric_limits<double>::quiet_NaN();
  }
  if (value.is_boolean()) return value.get<bool>() ? 1.0 : 0.0;
  return value.get<double>();
}

bool SameDouble(double actual, double expected) {
  if (std::isnan(expected)) return std::isnan(actual);
  return actual == expected;
}

bool NearRelative(double actual, double expected, double rel) {
  if (std::isnan(expected)) return std::isnan(actual);
  if (std::isinf(expected)) return actual == expected;
  const double scale = std::max(std::fabs(expected), 1e-300);
  return std::fabs(actual - expected) <= rel * scale;
}

}  // namespace yardstick::testing
