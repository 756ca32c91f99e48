#include "config/cron.h"

#include <array>
#include <cctype>
#include <vector>

namespace yardstick::config {
namespace {

constexpr int64_t kNanosPerMinute = 60'000'000'000;
constexpr int64_t kMinutesPerDay = 1440;

// Floor division for possibly negative numerators.
int64_t FloorDiv(int64_t a, int64_t b) {
  const int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = FloorDiv(y, 400);
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

struct Civil {
  int64_t year;
  int month, day;
};

Civil CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = FloorDiv(z, 146097);
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return Civil{yoe + era * 400 + (m <= 2), m, d};
}

int Weekday(int64_t days) { return static_cast<int>(((days % 7) + 11) % 7); }  // 1970-01-01: Thu

struct FieldSpec {
  const char* name;
  int lo, hi;
  std::array<const char*, 12> names;  // value lo + i; nullptr when the field has no names
};

constexpr FieldSpec kFields[5] = {
    {"minute", 0, 59, {}},
    {"hour", 0, 23, {}},
    {"day of month", 1, 31, {}},
    {"month",
     1,
     12,
     {"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}},
    {"day of week", 0, 7, {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}},
};

std::unexpected<Error> Bad(const FieldSpec& f, const std::string& what) {
  return MakeError(ErrorCode::kInvalidArgument, std::string(f.name) + ": " + what);
}

Result<int> ParseValue(const FieldSpec& f, std::string_view s) {
  if (s.empty()) return Bad(f, "expected a number, got an empty value");
  if (std::isalpha(static_cast<unsigned char>(s[0]))) {
    std::string upper;
    for (char c : s) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    for (size_t i = 0; i < f.names.size(); ++i) {
      if (f.names[i] != nullptr && upper == f.names[i]) return f.lo + static_cast<int>(i);
    }
    return Bad(f, "unknown name '" + std::string(s) + "'");
  }
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9' || v > 1000) {
      return Bad(f, "expected a number, got '" + std::string(s) + "'");
    }
    v = v * 10 + (c - '0');
  }
  if (v < f.lo || v > f.hi) {
    return Bad(f, std::to_string(v) + " is out of range " + std::to_string(f.lo) + "-" +
                      std::to_string(f.hi));
  }
  return v;
}

// Parses one field into the values it allows (within [lo, hi]).
Result<std::vector<int>> ParseField(const FieldSpec& f, std::string_view text) {
  std::vector<int> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    const std::string_view item = text.substr(start, comma - start);
    if (item.empty()) return Bad(f, "empty list item in '" + std::string(text) + "'");
    std::string_view range = item;
    int step = 1;
    if (const size_t slash = item.find('/'); slash != std::string_view::npos) {
      range = item.substr(0, slash);
      const std::string_view step_text = item.substr(slash + 1);
      int s = 0;
      bool ok = !step_text.empty();
      for (char c : step_text) {
        ok = ok && c >= '0' && c <= '9' && s < 1000;
        if (ok) s = s * 10 + (c - '0');
      }
      if (!ok || s < 1)
        return Bad(f, "expected a step >= 1 after '/', got '" + std::string(item) + "'");
      step = s;
    }
    int lo = f.lo, hi = f.hi;
    if (range != "*") {
      const size_t dash = range.find('-');
      auto first = ParseValue(f, range.substr(0, dash));
      if (!first) return std::unexpected(first.error());
      lo = *first;
      if (dash != std::string_view::npos) {
        auto last = ParseValue(f, range.substr(dash + 1));
        if (!last) return std::unexpected(last.error());
        hi = *last;
        if (hi < lo) {
          return Bad(f, "range '" + std::string(range) + "' ends before it starts");
        }
      } else if (item.find('/') == std::string_view::npos) {
        hi = lo;
      }
    }
    for (int v = lo; v <= hi; v += step) out.push_back(v);
    start = comma + 1;
  }
  return out;
}

constexpr int kDaysInMonth[13] = {0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

}  // namespace

Result<CronSchedule> CronSchedule::Parse(std::string_view text) {
  std::string expr(text);
  if (text == "daily") expr = "0 0 * * *";
  if (text == "weekly") expr = "0 0 * * 1";
  if (text == "monthly") expr = "0 0 1 * *";
  std::vector<std::string> fields;
  std::string cur;
  for (char c : expr) {
    if (c == ' ' || c == '\t') {
      if (!cur.empty()) fields.push_back(std::move(cur));
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  if (!cur.empty()) fields.push_back(std::move(cur));
  if (fields.size() != 5) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "expected daily, weekly, monthly or 5 cron fields (minute hour "
                     "day-of-month month day-of-week), got " +
                         std::to_string(fields.size()) + " field" +
                         (fields.size() == 1 ? "" : "s"));
  }
  CronSchedule c;
  c.text_ = std::string(text);
  for (int i = 0; i < 5; ++i) {
    auto values = ParseField(kFields[i], fields[static_cast<size_t>(i)]);
    if (!values) return std::unexpected(values.error());
    for (int v : *values) {
      switch (i) {
        case 0:
          c.minutes_.set(static_cast<size_t>(v));
          break;
        case 1:
          c.hours_.set(static_cast<size_t>(v));
          break;
        case 2:
          c.mdays_.set(static_cast<size_t>(v));
          break;
        case 3:
          c.months_.set(static_cast<size_t>(v));
          break;
        default:
          c.wdays_.set(static_cast<size_t>(v % 7));
          break;
      }
    }
  }
  c.mday_star_ = fields[2].starts_with('*');
  c.wday_star_ = fields[4].starts_with('*');
  if (!c.mday_star_ && c.wday_star_) {
    bool possible = false;
    for (int m = 1; m <= 12; ++m) {
      for (int d = 1; d <= kDaysInMonth[m]; ++d) {
        possible =
            possible || (c.months_[static_cast<size_t>(m)] && c.mdays_[static_cast<size_t>(d)]);
      }
    }
    if (!possible) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "'" + std::string(text) + "' never fires (no month has that day)");
    }
  }
  return c;
}

bool CronSchedule::DayMatches(int64_t, int mday, int wday) const {
  const bool m = mdays_[static_cast<size_t>(mday)];
  const bool w = wdays_[static_cast<size_t>(wday)];
  if (!mday_star_ && !wday_star_) return m || w;
  return m && w;
}

int64_t CronSchedule::Next(int64_t after_ns, int offset_minutes) const {
  int64_t t = FloorDiv(after_ns, kNanosPerMinute) + 1 + offset_minutes;  // local minutes
  for (int guard = 0; guard < 1'000'000; ++guard) {
    const int64_t days = FloorDiv(t, kMinutesPerDay);
    const int64_t minute_of_day = t - days * kMinutesPerDay;
    const Civil civil = CivilFromDays(days);
    if (!months_[static_cast<size_t>(civil.month)]) {
      const int64_t y = civil.year + (civil.month == 12);
      const int m = civil.month == 12 ? 1 : civil.month + 1;
      t = DaysFromCivil(y, m, 1) * kMinutesPerDay;
      continue;
    }
    if (!DayMatches(days, civil.day, Weekday(days))) {
      t = (days + 1) * kMinutesPerDay;
      continue;
    }
    const int hour = static_cast<int>(minute_of_day / 60);
    if (!hours_[static_cast<size_t>(hour)]) {
      t = days * kMinutesPerDay + (hour + 1) * 60;
      continue;
    }
    if (!minutes_[static_cast<size_t>(minute_of_day % 60)]) {
      t += 1;
      continue;
    }
    return (t - offset_minutes) * kNanosPerMinute;
  }
  return INT64_MAX;  // unreachable for expressions Parse accepted
}

int64_t CronSchedule::Previous(int64_t before_ns, int offset_minutes) const {
  int64_t t = -FloorDiv(-before_ns, kNanosPerMinute) - 1 + offset_minutes;
  for (int guard = 0; guard < 1'000'000; ++guard) {
    const int64_t days = FloorDiv(t, kMinutesPerDay);
    const int64_t minute_of_day = t - days * kMinutesPerDay;
    const Civil civil = CivilFromDays(days);
    if (!months_[static_cast<size_t>(civil.month)]) {
      t = DaysFromCivil(civil.year, civil.month, 1) * kMinutesPerDay - 1;
      continue;
    }
    if (!DayMatches(days, civil.day, Weekday(days))) {
      t = days * kMinutesPerDay - 1;
      continue;
    }
    const int hour = static_cast<int>(minute_of_day / 60);
    if (!hours_[static_cast<size_t>(hour)]) {
      t = days * kMinutesPerDay + hour * 60 - 1;
      continue;
    }
    if (!minutes_[static_cast<size_t>(minute_of_day % 60)]) {
      t -= 1;
      continue;
    }
    return (t - offset_minutes) * kNanosPerMinute;
  }
  return INT64_MIN;
}

Result<int> ParseUtcOffset(std::string_view text) {
  if (text == "UTC" || text == "Z" || text == "utc") return 0;
  const auto bad = [&] {
    return MakeError(
        ErrorCode::kInvalidArgument,
        "expected UTC or a fixed offset like +02:00 or -05:30, got '" + std::string(text) + "'");
  };
  if (text.size() < 5 || (text[0] != '+' && text[0] != '-')) return bad();
  std::string digits;
  for (size_t i = 1; i < text.size(); ++i) {
    if (text[i] == ':' && i == 3) continue;
    if (text[i] < '0' || text[i] > '9') return bad();
    digits += text[i];
  }
  if (digits.size() != 4) return bad();
  const int h = (digits[0] - '0') * 10 + (digits[1] - '0');
  const int m = (digits[2] - '0') * 10 + (digits[3] - '0');
  if (h > 14 || m > 59) return bad();
  const int minutes = h * 60 + m;
  return text[0] == '-' ? -minutes : minutes;
}

}  // namespace yardstick::config
