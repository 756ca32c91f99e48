// Cron parsing and fire times: UTC and fixed offsets, steps, lists, ranges, month ends, leap
// years, day of week 0 and 7, the day-of-month / day-of-week OR rule.

#include "config/cron.h"

#include <gtest/gtest.h>

#include <ctime>

namespace yardstick::config {
namespace {

int64_t At(int y, int mo, int d, int h = 0, int mi = 0) {
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  return static_cast<int64_t>(timegm(&tm)) * 1'000'000'000;
}

CronSchedule Cron(const char* text) {
  auto c = CronSchedule::Parse(text);
  EXPECT_TRUE(c) << text << ": " << (c ? "" : c.error().message());
  return c ? *c : *CronSchedule::Parse("* * * * *");
}

TEST(Cron, StepsListsAndRanges) {
  EXPECT_EQ(Cron("*/15 * * * *").Next(At(2024, 1, 1, 0, 7)), At(2024, 1, 1, 0, 15));
  EXPECT_EQ(Cron("*/15 * * * *").Next(At(2024, 1, 1, 0, 45)), At(2024, 1, 1, 1, 0));
  EXPECT_EQ(Cron("*/15 * * * *").Next(At(2024, 1, 1, 0, 15)), At(2024, 1, 1, 0, 30));
  EXPECT_EQ(Cron("5,35 * * * *").Next(At(2024, 1, 1, 10, 5)), At(2024, 1, 1, 10, 35));
  EXPECT_EQ(Cron("5,35 * * * *").Next(At(2024, 1, 1, 10, 35)), At(2024, 1, 1, 11, 5));
  // Weekdays 9:00, 13:00, 17:00: from Friday evening to Monday morning.
  const auto work = Cron("0 9-17/4 * * 1-5");
  EXPECT_EQ(work.Next(At(2024, 6, 7, 17, 30)), At(2024, 6, 10, 9, 0));
  EXPECT_EQ(work.Next(At(2024, 6, 10, 9, 0)), At(2024, 6, 10, 13, 0));
  EXPECT_EQ(work.Previous(At(2024, 6, 10, 9, 0)), At(2024, 6, 7, 17, 0));
  EXPECT_EQ(Cron("10/20 * * * *").Next(At(2024, 1, 1, 0, 31)), At(2024, 1, 1, 0, 50));
  EXPECT_EQ(Cron("0 0 * JAN,jul *").Next(At(2024, 2, 1)), At(2024, 7, 1));
  EXPECT_EQ(Cron("* * * * *").Next(At(2024, 1, 1, 0, 0) + 1), At(2024, 1, 1, 0, 1));
}

TEST(Cron, MonthEndsAndLeapYears) {
  EXPECT_EQ(Cron("0 0 1 * *").Next(At(2024, 1, 31, 12)), At(2024, 2, 1));
  EXPECT_EQ(Cron("0 0 31 * *").Next(At(2024, 4, 1)), At(2024, 5, 31));
  EXPECT_EQ(Cron("0 0 31 * *").Previous(At(2024, 5, 1)), At(2024, 3, 31));
  EXPECT_EQ(Cron("0 0 29 2 *").Next(At(2023, 3, 1)), At(2024, 2, 29));
  EXPECT_EQ(Cron("0 0 29 2 *").Next(At(2024, 3, 1)), At(2028, 2, 29));
  EXPECT_EQ(Cron("0 0 29 2 *").Previous(At(2024, 2, 29)), At(2020, 2, 29));
  // 2100 is not a leap year: from 2096 the next 29 February is in 2104.
  EXPECT_EQ(Cron("0 0 29 2 *").Next(At(2096, 3, 1)), At(2104, 2, 29));
  EXPECT_EQ(Cron("59 23 31 12 *").Next(At(2024, 12, 31, 23, 59)), At(2025, 12, 31, 23, 59));
}

TEST(Cron, DayOfWeekZeroAndSevenAreSunday) {
  // 2024-06-05 is a Wednesday; the next Sunday is 9 June.
  EXPECT_EQ(Cron("0 12 * * 0").Next(At(2024, 6, 5)), At(2024, 6, 9, 12));
  EXPECT_EQ(Cron("0 12 * * 7").Next(At(2024, 6, 5)), At(2024, 6, 9, 12));
  EXPECT_EQ(Cron("0 12 * * SUN").Next(At(2024, 6, 5)), At(2024, 6, 9, 12));
  EXPECT_EQ(Cron("0 0 * * 5-7").Next(At(2024, 6, 5)), At(2024, 6, 7));
  // Both day fields restricted: either matches (Friday 6 September before the 13th).
  EXPECT_EQ(Cron("0 0 13 * 5").Next(At(2024, 9, 1)), At(2024, 9, 6));
  // Day of week restricted with a day-of-month star: only Fridays.
  EXPECT_EQ(Cron("0 0 * * 5").Next(At(2024, 9, 7)), At(2024, 9, 13));
}

TEST(Cron, WordsAndOffsets) {
  EXPECT_EQ(Cron("daily").Next(At(2024, 1, 1, 0, 0)), At(2024, 1, 2));
  EXPECT_EQ(Cron("daily").Previous(At(2024, 1, 2)), At(2024, 1, 1));
  EXPECT_EQ(Cron("weekly").Next(At(2024, 6, 5)), At(2024, 6, 10));  // Monday
  EXPECT_EQ(Cron("monthly").Next(At(2024, 12, 15)), At(2025, 1, 1));
  // Midnight at UTC+02:00 is 22:00 UTC the day before; at UTC-05:30 it is 05:30 UTC.
  EXPECT_EQ(Cron("daily").Next(At(2024, 1, 1, 0, 0), 120), At(2024, 1, 1, 22, 0));
  EXPECT_EQ(Cron("daily").Next(At(2024, 1, 1, 0, 0), -330), At(2024, 1, 1, 5, 30));
  EXPECT_EQ(Cron("daily").Previous(At(2024, 1, 1, 5, 30), -330), At(2023, 12, 31, 5, 30));
  EXPECT_EQ(Cron("monthly").Next(At(2024, 2, 15), 60), At(2024, 2, 29, 23, 0));
  EXPECT_EQ(*ParseUtcOffset("+02:00"), 120);
  EXPECT_EQ(*ParseUtcOffset("-0530"), -330);
  EXPECT_EQ(*ParseUtcOffset("UTC"), 0);
  EXPECT_FALSE(ParseUtcOffset("Europe/Paris"));
  EXPECT_FALSE(ParseUtcOffset("+25:00"));
}

TEST(Cron, Errors) {
  for (const char* bad : {"60 * * * *", "* 24 * * *", "* * 0 * *", "* * * 13 *", "* * * * 8",
                          "* * *", "* * * * * *", "*/0 * * * *", "5-1 * * * *", "a * * * *",
                          "0 0 30 2 *", "0 0 31 4,6 *", "1,,2 * * * *", "hourly"}) {
    EXPECT_FALSE(CronSchedule::Parse(bad)) << bad;
  }
  auto e = CronSchedule::Parse("0 25 * * *");
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().message(), "hour: 25 is out of range 0-23");
}

}  // namespace
}  // namespace yardstick::config
