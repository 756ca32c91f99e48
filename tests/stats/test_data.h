#pragma once
// Reading the stats module's own golden vectors (tests/stats/data/*.jsonl, made by
// tests/stats/data/generate_golden.py) and small conversions shared by the stats tests.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/golden.h"

namespace yardstick::stats::testing {

inline std::vector<nlohmann::json> ReadStatsData(const std::string& name) {
  return yardstick::testing::ReadJsonlFile(std::string(YARDSTICK_STATS_DATA_DIR) + "/" + name);
}

// A JSON array of golden numbers (numbers or "NaN"/"Infinity"/"-Infinity"; null = NaN).
inline std::vector<double> Doubles(const nlohmann::json& array) {
  std::vector<double> out;
  for (const auto& v : array) {
    out.push_back(v.is_null() ? std::numeric_limits<double>::quiet_NaN()
                              : yardstick::testing::GoldenDouble(v));
  }
  return out;
}

// A JSON array of arrays of numbers.
inline std::vector<std::vector<double>> Matrix(const nlohmann::json& rows) {
  std::vector<std::vector<double>> out;
  for (const auto& row : rows) out.push_back(Doubles(row));
  return out;
}

}  // namespace yardstick::stats::testing
