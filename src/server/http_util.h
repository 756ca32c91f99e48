#pragma once
// Helpers of the HTTP layer: time parsing and formatting for query parameters, and the JSON
// shapes of records in responses.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "base/error.h"
#include "model/records.h"

namespace httplib {
struct Response;
}

namespace yardstick::server {

inline constexpr const char* kJson = "application/json";

int64_t NowNanos();

// "2026-11-26T10:00:00Z" with optional fraction (up to nanoseconds) and offset (+01:00).
Result<int64_t> ParseRfc3339(std::string_view text);
std::string FormatRfc3339(int64_t ns);  // UTC, millisecond precision, "Z"

// A time in a query parameter: RFC 3339, Unix seconds ("1764151200", fractions allowed), or
// relative to now ("now", "now-24h", "-7d").
Result<int64_t> ParseTimeParam(std::string_view text, int64_t now_ns);

// A duration: "90s", "5m", "1h", "7d", "2w", or a number of seconds. 0 is allowed.
Result<int64_t> ParseDuration(std::string_view text);

nlohmann::json CallToJson(const model::Call& call);
nlohmann::json ScoreToJson(const model::Score& score);
nlohmann::json OutcomeToJson(const model::Outcome& outcome);

// {"error": {"code": ..., "message": ...}}
std::string ErrorBody(std::string_view code, std::string_view message);

// A response body from JSON: compact, invalid UTF-8 replaced (never throws).
std::string JsonText(const nlohmann::json& j);

// Answers `status` with ErrorBody(code, message).
void SendError(httplib::Response& res, int status, std::string_view code, std::string_view message);

}  // namespace yardstick::server
