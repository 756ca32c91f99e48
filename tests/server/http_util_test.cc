#include "server/http_util.h"

#include <gtest/gtest.h>

namespace yardstick::server {
namespace {

TEST(HttpUtil, ParsesRfc3339) {
  EXPECT_EQ(*ParseRfc3339("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(*ParseRfc3339("2025-11-26T10:00:00Z"), 1'764'151'200'000'000'000);
  EXPECT_EQ(*ParseRfc3339("2025-11-26T11:00:00+01:00"), 1'764'151'200'000'000'000);
  EXPECT_EQ(*ParseRfc3339("2025-11-26T10:00:00.5Z"), 1'764'151'200'500'000'000);
  EXPECT_EQ(*ParseRfc3339("2025-11-26T10:00:00.123456789Z"), 1'764'151'200'123'456'789);
  EXPECT_EQ(*ParseRfc3339("2024-02-29T00:00:00Z"), 1'709'164'800'000'000'000);
  for (const char* bad :
       {"2025-11-26", "2026-13-01T00:00:00Z", "2025-02-29T00:00:00Z", "2025-11-26T10:00:00",
        "2025-11-26T25:00:00Z", "2025-11-26T10:00:00.Z", "2025-11-26T10:00:00Zjunk", "yesterday"}) {
    EXPECT_FALSE(ParseRfc3339(bad).has_value()) << bad;
  }
}

TEST(HttpUtil, FormatsRfc3339) {
  EXPECT_EQ(FormatRfc3339(1'764'151'200'123'456'789), "2025-11-26T10:00:00.123Z");
  EXPECT_EQ(FormatRfc3339(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatRfc3339(-1'000'000), "1969-12-31T23:59:59.999Z");
  const int64_t t = 1'709'164'800'000'000'000;
  EXPECT_EQ(*ParseRfc3339(FormatRfc3339(t)), t);
}

TEST(HttpUtil, ParsesTimeParametersAndDurations) {
  const int64_t now = 1'764'151'200'000'000'000;
  EXPECT_EQ(*ParseTimeParam("now", now), now);
  EXPECT_EQ(*ParseTimeParam("now-1h", now), now - 3'600'000'000'000);
  EXPECT_EQ(*ParseTimeParam("-7d", now), now - 7 * 86'400'000'000'000);
  EXPECT_EQ(*ParseTimeParam("1764151200", now), now);
  EXPECT_EQ(*ParseTimeParam("1764151200.5", now), now + 500'000'000);
  EXPECT_EQ(*ParseTimeParam("2025-11-26T10:00:00Z", now), now);
  for (const char* bad : {"", "now+1h", "-", "1h", "tomorrow", "now-xh", "12abc"}) {
    EXPECT_FALSE(ParseTimeParam(bad, now).has_value()) << bad;
  }
  EXPECT_EQ(*ParseDuration("90s"), 90'000'000'000);
  EXPECT_EQ(*ParseDuration("5m"), 300'000'000'000);
  EXPECT_EQ(*ParseDuration("1d"), 86'400'000'000'000);
  EXPECT_EQ(*ParseDuration("60"), 60'000'000'000);
  EXPECT_EQ(*ParseDuration("0"), 0);
  for (const char* bad : {"", "m", "-5m", "5y", "abc"}) {
    EXPECT_FALSE(ParseDuration(bad).has_value()) << bad;
  }
}

TEST(HttpUtil, RecordsToJsonOmitUnknownValues) {
  model::Call c;
  c.id = "x";
  c.start_ns = 0;
  c.end_ns = 1'500'000'000;
  c.status = model::CallStatus::kError;
  const auto j = CallToJson(c);
  EXPECT_EQ(j["duration_ms"], 1500.0);
  EXPECT_EQ(j["status"], "error");
  EXPECT_FALSE(j.contains("input_tokens"));
  EXPECT_FALSE(j.contains("cost_usd"));
}

}  // namespace
}  // namespace yardstick::server
