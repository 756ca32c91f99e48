#pragma once
// Helpers shared by the ingest tests.

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "ingest/events.h"

namespace yardstick::ingest::testing {

// A valid call with only the required fields; 2026-11-26T10:00:00Z is 1795687200 s.
inline constexpr std::string_view kMinimalCall =
    R"({"type":"call","start_time":"2026-11-26T10:00:00Z","duration_ms":1500})";
inline constexpr int64_t kStartNs = 1795687200LL * 1'000'000'000;

// `record` (a JSON object) with `"key": value_json` added at the end.
inline std::string With(std::string_view record, std::string_view key,
                        std::string_view value_json) {
  std::string out(record.substr(0, record.rfind('}')));
  out += ",\"";
  out += key;
  out += "\":";
  out += value_json;
  out += "}";
  return out;
}

// Parses `body`, failing the test on a body-level error.
inline ParseResult MustParse(std::string_view body, const ParseOptions& options = {}) {
  auto result = ParseEvents(body, options);
  EXPECT_TRUE(result.has_value()) << (result ? "" : result.error().message());
  return result ? std::move(*result) : ParseResult{};
}

// Parses one record sent as a one-element array and returns its rejection (failing the test
// when it is not rejected).
inline model::Rejection RejectionOf(std::string_view record, const ParseOptions& options = {}) {
  const ParseResult result = MustParse("[" + std::string(record) + "]", options);
  EXPECT_EQ(result.records, 1u);
  EXPECT_EQ(result.rejections.size(), 1u) << record;
  EXPECT_TRUE(result.batch.empty()) << record;
  return result.rejections.empty() ? model::Rejection{} : result.rejections.front();
}

// The single call of a one-record body (failing the test when it was rejected).
inline model::Call CallOf(std::string_view record) {
  const ParseResult result = MustParse(record);
  EXPECT_TRUE(result.rejections.empty())
      << record << ": " << (result.rejections.empty() ? "" : result.rejections[0].reason);
  EXPECT_EQ(result.batch.calls.size(), 1u);
  return result.batch.calls.empty() ? model::Call{} : result.batch.calls.front();
}

}  // namespace yardstick::ingest::testing
