// RFC 3339 timestamps <-> Unix nanoseconds, with the proleptic Gregorian calendar
// (days_from_civil / civil_from_days after H. Hinnant's public-domain date algorithms).

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "ingest/events.h"

namespace yardstick::ingest {
namespace {

constexpr int64_t kNanosPerSecond = 1'000'000'000;

int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void CivilFromDays(int64_t z, int64_t& y, int64_t& m, int64_t& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = yoe + era * 400 + (m <= 2 ? 1 : 0);
}

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int64_t DaysInMonth(int64_t y, int64_t m) {
  static constexpr int64_t kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

// Reads `n` decimal digits at `pos`; false if any is not a digit.
bool Digits(std::string_view s, size_t pos, size_t n, int64_t& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    const char c = s[i];
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  return true;
}

std::string Quoted(std::string_view text) {
  constexpr size_t kMax = 40;
  std::string out = "'";
  if (text.size() <= kMax) {
    out += text;
  } else {
    size_t cut = kMax;  // not inside a UTF-8 character
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    out += text.substr(0, cut);
    out += "...";
  }
  out += "'";
  return out;
}

}  // namespace

Result<int64_t> ParseTimestamp(std::string_view s) {
  auto malformed = [&] {
    return MakeError(ErrorCode::kParse,
                     Quoted(s) +
                         " is not an RFC 3339 time (expected YYYY-MM-DDTHH:MM:SS[.fraction] "
                         "followed by Z or an offset such as +01:00)");
  };
  int64_t year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!Digits(s, 0, 4, year) || s.size() < 19 || s[4] != '-' || !Digits(s, 5, 2, month) ||
      s[7] != '-' || !Digits(s, 8, 2, day) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
      !Digits(s, 11, 2, hour) || s[13] != ':' || !Digits(s, 14, 2, minute) || s[16] != ':' ||
      !Digits(s, 17, 2, second)) {
    return malformed();
  }
  size_t pos = 19;
  int64_t fraction_ns = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    const size_t start = pos;
    int64_t scale = 100'000'000;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      fraction_ns += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return malformed();
  }
  if (pos >= s.size()) return malformed();
  int64_t offset_s = 0;
  if (s[pos] == 'Z' || s[pos] == 'z') {
    ++pos;
  } else if (s[pos] == '+' || s[pos] == '-') {
    const int64_t sign = s[pos] == '-' ? -1 : 1;
    int64_t oh = 0, om = 0;
    if (!Digits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !Digits(s, pos + 4, 2, om)) {
      return malformed();
    }
    if (oh > 23 || om > 59) {
      return MakeError(ErrorCode::kParse, Quoted(s) + " has an offset out of range");
    }
    offset_s = sign * (oh * 3600 + om * 60);
    pos += 6;
  } else {
    return malformed();
  }
  if (pos != s.size()) return malformed();
  if (month < 1 || month > 12) {
    return MakeError(ErrorCode::kParse,
                     Quoted(s) + " has month " + std::to_string(month) + " (expected 01 to 12)");
  }
  if (day < 1 || day > DaysInMonth(year, month)) {
    return MakeError(ErrorCode::kParse,
                     Quoted(s) + ": day " + std::to_string(day) + " does not exist in that month");
  }
  if (hour > 23 || minute > 59 || second > 59) {
    return MakeError(ErrorCode::kParse,
                     Quoted(s) + " has a time of day out of range (expected 00:00:00 to 23:59:59)");
  }
  const int64_t seconds =
      DaysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offset_s;
  int64_t ns = 0;
  if (seconds < 0 || __builtin_mul_overflow(seconds, kNanosPerSecond, &ns) ||
      __builtin_add_overflow(ns, fraction_ns, &ns)) {
    return MakeError(ErrorCode::kParse,
                     Quoted(s) + " is outside the supported range (1970-01-01 to 2262-04-11)");
  }
  return ns;
}

std::string FormatTimestamp(int64_t unix_ns) {
  int64_t seconds = unix_ns / kNanosPerSecond;
  int64_t rem = unix_ns % kNanosPerSecond;
  if (rem < 0) {
    rem += kNanosPerSecond;
    --seconds;
  }
  int64_t days = seconds / 86400;
  int64_t sod = seconds % 86400;
  if (sod < 0) {
    sod += 86400;
    --days;
  }
  int64_t y = 0, m = 0, d = 0;
  CivilFromDays(days, y, m, d);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld.%03lldZ",
                static_cast<long long>(y), static_cast<long long>(m), static_cast<long long>(d),
                static_cast<long long>(sod / 3600), static_cast<long long>(sod / 60 % 60),
                static_cast<long long>(sod % 60), static_cast<long long>(rem / 1'000'000));
  return buf;
}

}  // namespace yardstick::ingest
