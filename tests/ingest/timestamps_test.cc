// RFC 3339 parsing and formatting. Expected values are Python's calendar.timegm of the same
// times.

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

#include "ingest/events.h"

namespace yardstick::ingest {
namespace {

constexpr int64_t kSec = 1'000'000'000;

int64_t Parse(std::string_view text) {
  auto t = ParseTimestamp(text);
  EXPECT_TRUE(t.has_value()) << text << ": " << (t ? "" : t.error().message());
  return t.value_or(-1);
}

TEST(ParseTimestamp, UtcWithAndWithoutFraction) {
  EXPECT_EQ(Parse("2026-11-26T10:00:00Z"), 1795687200 * kSec);
  EXPECT_EQ(Parse("2026-11-26T10:00:00.123Z"), 1795687200 * kSec + 123'000'000);
  EXPECT_EQ(Parse("2026-11-26T10:00:00.5Z"), 1795687200 * kSec + 500'000'000);
  EXPECT_EQ(Parse("2026-11-26T10:00:00.123456789Z"), 1795687200 * kSec + 123'456'789);
  // Digits beyond nanoseconds are truncated, not rounded.
  EXPECT_EQ(Parse("2026-11-26T10:00:00.1234567899Z"), 1795687200 * kSec + 123'456'789);
  EXPECT_EQ(Parse("1970-01-01T00:00:00Z"), 0);
}

TEST(ParseTimestamp, OffsetsAndSpellings) {
  EXPECT_EQ(Parse("2026-11-26T10:00:00+05:30"), 1795667400 * kSec);
  EXPECT_EQ(Parse("2026-11-26T10:00:00-08:00"), 1795716000 * kSec);
  EXPECT_EQ(Parse("2026-11-26T10:00:00+00:00"), 1795687200 * kSec);
  EXPECT_EQ(Parse("2026-11-26T10:00:00-00:00"), 1795687200 * kSec);
  EXPECT_EQ(Parse("2026-11-26t10:00:00z"), 1795687200 * kSec);
  EXPECT_EQ(Parse("2026-11-26 10:00:00Z"), 1795687200 * kSec);
  // An offset that moves the time into the previous year.
  EXPECT_EQ(Parse("2025-01-01T00:30:00+01:30"), 1735686000 * kSec);
}

TEST(ParseTimestamp, CalendarEdges) {
  EXPECT_EQ(Parse("2000-02-29T23:59:59Z"), 951868799 * kSec);
  EXPECT_FALSE(ParseTimestamp("2100-02-29T00:00:00Z"));  // 2100 is not a leap year
  EXPECT_FALSE(ParseTimestamp("2026-02-29T00:00:00Z"));
  EXPECT_FALSE(ParseTimestamp("2026-04-31T00:00:00Z"));
  EXPECT_FALSE(ParseTimestamp("2026-13-01T00:00:00Z"));
  EXPECT_FALSE(ParseTimestamp("2026-00-01T00:00:00Z"));
  EXPECT_FALSE(ParseTimestamp("2026-01-00T00:00:00Z"));
  EXPECT_FALSE(ParseTimestamp("2026-01-01T24:00:00Z"));
  EXPECT_FALSE(ParseTimestamp("2026-01-01T23:60:00Z"));
  EXPECT_FALSE(ParseTimestamp("2026-12-31T23:59:60Z"));  // leap seconds are not accepted
  EXPECT_FALSE(ParseTimestamp("2026-01-01T00:00:00+24:00"));
}

TEST(ParseTimestamp, Range) {
  EXPECT_EQ(Parse("2262-04-11T23:47:16.854775807Z"), std::numeric_limits<int64_t>::max());
  auto over = ParseTimestamp("2262-04-11T23:47:16.854775808Z");
  ASSERT_FALSE(over);
  EXPECT_NE(over.error().message().find("outside the supported range"), std::string::npos);
  EXPECT_FALSE(ParseTimestamp("1969-12-31T23:59:59Z"));
  EXPECT_FALSE(ParseTimestamp("1970-01-01T00:30:00+01:00"));
  EXPECT_FALSE(ParseTimestamp("9999-12-31T23:59:59Z"));
}

TEST(ParseTimestamp, Malformed) {
  for (const char* bad :
       {"", "2026", "2026-11-26", "2026-11-26T10:00Z", "2026-11-26T10:00:00",
        "2026-11-26T10:00:00.Z", "2026-11-26T10:00:00+0100", "2026-11-26T10:00:00+01",
        "2026-11-26T10:00:00Z ", " 2026-11-26T10:00:00Z", "2026/11/26T10:00:00Z",
        "26-11-2026T10:00:00Z", "2026-11-26X10:00:00Z", "2026-1-26T10:00:00Z",
        "2026-11-26T10:00:00UTC", "+2026-11-26T10:00:00Z", "2026-11-26T1a:00:00Z"}) {
    auto t = ParseTimestamp(bad);
    ASSERT_FALSE(t) << bad;
    EXPECT_EQ(t.error().code(), ErrorCode::kParse);
  }
  auto t = ParseTimestamp("yesterday");
  EXPECT_EQ(t.error().message(),
            "'yesterday' is not an RFC 3339 time (expected YYYY-MM-DDTHH:MM:SS[.fraction] "
            "followed by Z or an offset such as +01:00)");
}

TEST(FormatTimestamp, RoundTrips) {
  EXPECT_EQ(FormatTimestamp(1795687200 * kSec + 123'456'789), "2026-11-26T10:00:00.123Z");
  EXPECT_EQ(FormatTimestamp(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatTimestamp(951868799 * kSec), "2000-02-29T23:59:59.000Z");
  for (int64_t t = 0; t < 4'000'000'000 * kSec; t += 86'399'999'999'977) {
    const int64_t ms = t - t % 1'000'000;
    EXPECT_EQ(Parse(FormatTimestamp(t)), ms) << FormatTimestamp(t);
  }
}

}  // namespace
}  // namespace yardstick::ingest
