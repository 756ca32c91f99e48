#pragma once
// Schedules of periodic work (`schedules[].schedule` in yardstick.yaml): the words daily, weekly
// and monthly or a 5-field cron expression, and their fire times in UTC or a fixed UTC offset.
//
// Cron syntax (Vixie cron): "minute hour day-of-month month day-of-week", fields separated by
// spaces; each field a comma-separated list of `*`, `N`, `N-M`, with an optional step `/S`
// (`*/15`, `10-50/20`, `5/10` = from 5 to the field's maximum every 10). Ranges: minute 0-59,
// hour 0-23, day of month 1-31, month 1-12 or JAN-DEC, day of week 0-7 or SUN-SAT (0 and 7 are
// Sunday). When both day fields are restricted (neither starts with `*`), a day matches when
// either matches; otherwise both must. daily = "0 0 * * *", weekly = "0 0 * * 1" (Monday 00:00),
// monthly = "0 0 1 * *". An expression that can never fire (e.g. "0 0 30 2 *") is an error.
//
// Fire times are computed in the local time of a fixed UTC offset (no daylight saving), to the
// minute. Thread safety: a CronSchedule is an immutable value.

#include <bitset>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/error.h"

namespace yardstick::config {

class CronSchedule {
 public:
  // Errors (kInvalidArgument) name the field and the value, e.g. "hour: 25 is out of range 0-23".
  static Result<CronSchedule> Parse(std::string_view text);

  // The first fire time strictly after `after_ns` (Unix nanoseconds), with the wall clock at
  // UTC + offset_minutes.
  int64_t Next(int64_t after_ns, int offset_minutes = 0) const;
  // The last fire time strictly before `before_ns`.
  int64_t Previous(int64_t before_ns, int offset_minutes = 0) const;

  const std::string& text() const { return text_; }

 private:
  bool DayMatches(int64_t days_since_epoch, int mday, int wday) const;

  std::string text_;
  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<32> mdays_;   // 1..31
  std::bitset<13> months_;  // 1..12
  std::bitset<7> wdays_;    // 0..6, Sunday 0
  bool mday_star_ = true, wday_star_ = true;
};

// "UTC", "Z", "+02:00", "-05:30", "+0100" into minutes east of UTC; error otherwise.
Result<int> ParseUtcOffset(std::string_view text);

}  // namespace yardstick::config
