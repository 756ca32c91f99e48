#pragma once
// Helpers shared by the tests that read sacrebleu's golden vectors (BLEU, chrF, TER).

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "metrics/metric.h"
#include "metrics/signature.h"

namespace yardstick::metrics::golden {

// The golden `refs` layout: a list of streams, `null` for a missing reference.
inline ReferenceStreams StreamsFromJson(const nlohmann::json& refs) {
  ReferenceStreams streams;
  for (const auto& stream : refs) {
    auto& out = streams.emplace_back();
    for (const auto& r : stream) {
      if (r.is_null()) {
        out.push_back(std::nullopt);
      } else {
        out.push_back(r.get<std::string>());
      }
    }
  }
  return streams;
}

// A golden signature with sacrebleu's version replaced by ours, for comparing the rest.
inline std::string WithOurVersion(std::string signature) {
  const std::string theirs = "version:2.6.0";
  const auto pos = signature.find(theirs);
  EXPECT_NE(pos, std::string::npos) << signature;
  if (pos != std::string::npos) {
    signature.replace(pos, theirs.size(), "version:" + SignatureVersion());
  }
  return signature;
}

// The detail `name` of a score; fails the test (and returns NaN) when it is absent or not a number.
inline double DetailNumber(const Score& score, const std::string& name) {
  for (const auto& [key, value] : score.details) {
    if (key == name && std::holds_alternative<double>(value)) return std::get<double>(value);
  }
  ADD_FAILURE() << "missing numeric detail " << name;
  return std::nan("");
}

}  // namespace yardstick::metrics::golden
