#include "server/http_util.h"

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>

namespace yardstick::server {
namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned mp = m > 2 ? m - 3 : m + 9;
  const unsigned doy = (153 * mp + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void CivilFromDays(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
}

bool Digits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

std::unexpected<Error> BadTime(std::string_view text) {
  return MakeError(ErrorCode::kInvalidArgument,
                   "'" + std::string(text) +
                       "' is not a time (expected RFC 3339 like 2026-11-26T10:00:00Z, Unix "
                       "seconds, or now-24h)");
}

}  // namespace

int64_t NowNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<int64_t> ParseRfc3339(std::string_view s) {
  int year, month, day, hour, minute, second;
  if (!Digits(s, 0, 4, year) || s.size() < 19 || s[4] != '-' || !Digits(s, 5, 2, month) ||
      s[7] != '-' || !Digits(s, 8, 2, day) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
      !Digits(s, 11, 2, hour) || s[13] != ':' || !Digits(s, 14, 2, minute) || s[16] != ':' ||
      !Digits(s, 17, 2, second)) {
    return BadTime(s);
  }
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1 || day > kDays[month - 1] || hour > 23 || minute > 59 ||
      second > 60) {
    return BadTime(s);
  }
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (month == 2 && day == 29 && !leap) return BadTime(s);
  size_t pos = 19;
  int64_t frac_ns = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int64_t scale = 100'000'000;
    const size_t start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      frac_ns += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return BadTime(s);
  }
  int64_t offset_s = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int oh, om;
    if (!Digits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !Digits(s, pos + 4, 2, om) || oh > 23 || om > 59) {
      return BadTime(s);
    }
    offset_s = (oh * 3600 + om * 60) * (s[pos] == '+' ? 1 : -1);
    pos += 6;
  } else {
    return BadTime(s);
  }
  if (pos != s.size()) return BadTime(s);
  const int64_t days =
      DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  const int64_t secs = days * 86400 + hour * 3600 + minute * 60 + second - offset_s;
  return secs * 1'000'000'000 + frac_ns;
}

std::string FormatRfc3339(int64_t ns) {
  int64_t secs = ns / 1'000'000'000;
  int64_t rem = ns % 1'000'000'000;
  if (rem < 0) {
    rem += 1'000'000'000;
    --secs;
  }
  int64_t days = secs / 86400;
  int64_t sod = secs % 86400;
  if (sod < 0) {
    sod += 86400;
    --days;
  }
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, y, m, d);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ",
                static_cast<long long>(y), m, d, static_cast<long long>(sod / 3600),
                static_cast<long long>(sod / 60 % 60), static_cast<long long>(sod % 60),
                static_cast<long long>(rem / 1'000'000));
  return buf;
}

Result<int64_t> ParseDuration(std::string_view text) {
  if (text.empty()) return MakeError(ErrorCode::kInvalidArgument, "empty duration");
  int64_t unit = 1'000'000'000;
  std::string_view number = text;
  switch (text.back()) {
    case 's':
      number.remove_suffix(1);
      break;
    case 'm':
      unit = 60'000'000'000;
      number.remove_suffix(1);
      break;
    case 'h':
      unit = 3'600'000'000'000;
      number.remove_suffix(1);
      break;
    case 'd':
      unit = 86'400'000'000'000;
      number.remove_suffix(1);
      break;
    case 'w':
      unit = 7 * 86'400'000'000'000;
      number.remove_suffix(1);
      break;
    default:
      break;
  }
  double v = 0;
  auto [p, ec] = std::from_chars(number.data(), number.data() + number.size(), v);
  if (ec != std::errc() || p != number.data() + number.size() || !std::isfinite(v) || v < 0 ||
      v > 1e6 * 86400) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "'" + std::string(text) + "' is not a duration (expected e.g. 5m, 1h, 7d)");
  }
  return static_cast<int64_t>(std::llround(v * static_cast<double>(unit)));
}

Result<int64_t> ParseTimeParam(std::string_view text, int64_t now_ns) {
  if (text == "now") return now_ns;
  // Relative: "now-24h", or "-24h" (a sign followed by a duration with a unit).
  std::string_view rel;
  if (text.starts_with("now-")) {
    rel = text.substr(4);
  } else if (text.size() > 2 && text[0] == '-' &&
             std::string_view("smhdw").find(text.back()) != std::string_view::npos) {
    rel = text.substr(1);
  }
  if (!rel.empty()) {
    auto d = ParseDuration(rel);
    if (!d) return BadTime(text);
    return now_ns - *d;
  }
  if (text.size() >= 19 && text[4] == '-') return ParseRfc3339(text);
  double secs = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), secs);
  if (ec != std::errc() || p != text.data() + text.size() || !std::isfinite(secs) ||
      std::fabs(secs) > 1e11) {
    return BadTime(text);
  }
  return static_cast<int64_t>(std::llround(secs * 1e9));
}

namespace {
nlohmann::json Attrs(const model::Attributes& a) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [k, v] : a) j[k] = v;
  return j;
}
void PutIf(nlohmann::json& j, const char* key, const std::string& v) {
  if (!v.empty()) j[key] = v;
}
void PutTokens(nlohmann::json& j, const char* key, int64_t v) {
  if (v >= 0) j[key] = v;
}
}  // namespace

nlohmann::json CallToJson(const model::Call& c) {
  nlohmann::json j = {{"type", "call"},
                      {"id", c.id},
                      {"start_time", FormatRfc3339(c.start_ns)},
                      {"end_time", FormatRfc3339(c.end_ns)},
                      {"duration_ms", static_cast<double>(c.end_ns - c.start_ns) / 1e6}};
  PutIf(j, "trace_id", c.trace_id);
  PutIf(j, "span_id", c.span_id);
  PutIf(j, "parent_span_id", c.parent_span_id);
  PutIf(j, "conversation_id", c.conversation_id);
  PutIf(j, "session_id", c.session_id);
  PutIf(j, "user_id", c.user_id);
  if (c.ttft_s) j["ttft_ms"] = *c.ttft_s * 1e3;
  PutIf(j, "operation", c.operation);
  PutIf(j, "provider", c.provider);
  PutIf(j, "request_model", c.request_model);
  PutIf(j, "response_model", c.response_model);
  PutIf(j, "service", c.service);
  PutIf(j, "environment", c.environment);
  PutIf(j, "route", c.route);
  PutIf(j, "prompt_name", c.prompt_name);
  PutIf(j, "prompt_version", c.prompt_version);
  PutIf(j, "release", c.release);
  PutIf(j, "variant", c.variant);
  PutTokens(j, "input_tokens", c.input_tokens);
  PutTokens(j, "output_tokens", c.output_tokens);
  PutTokens(j, "cache_read_tokens", c.cache_read_tokens);
  PutTokens(j, "cache_creation_tokens", c.cache_creation_tokens);
  PutTokens(j, "reasoning_tokens", c.reasoning_tokens);
  if (c.cost_usd) {
    j["cost_usd"] = *c.cost_usd;
    j["cost_computed"] = c.cost_computed;
  }
  j["status"] = c.status == model::CallStatus::kError ? "error"
                : c.status == model::CallStatus::kOk  ? "ok"
                                                      : "unset";
  PutIf(j, "error_type", c.error_type);
  PutIf(j, "finish_reason", c.finish_reason);
  PutIf(j, "input", c.input_text);
  PutIf(j, "output", c.output_text);
  if (!c.attributes.empty()) j["attributes"] = Attrs(c.attributes);
  return j;
}

nlohmann::json ScoreToJson(const model::Score& s) {
  nlohmann::json j = {
      {"type", "score"}, {"id", s.id}, {"name", s.name}, {"time", FormatRfc3339(s.time_ns)}};
  if (s.value) j["value"] = *s.value;
  PutIf(j, "label", s.label);
  PutIf(j, "call_id", s.call_id);
  PutIf(j, "trace_id", s.trace_id);
  PutIf(j, "conversation_id", s.conversation_id);
  PutIf(j, "user_id", s.user_id);
  PutIf(j, "source", s.source);
  PutIf(j, "author", s.author);
  PutIf(j, "comment", s.comment);
  if (!s.attributes.empty()) j["attributes"] = Attrs(s.attributes);
  return j;
}

nlohmann::json OutcomeToJson(const model::Outcome& o) {
  nlohmann::json j = {{"type", "outcome"},
                      {"id", o.id},
                      {"name", o.name},
                      {"value", o.value},
                      {"time", FormatRfc3339(o.time_ns)}};
  PutIf(j, "conversation_id", o.conversation_id);
  PutIf(j, "session_id", o.session_id);
  PutIf(j, "user_id", o.user_id);
  if (!o.attributes.empty()) j["attributes"] = Attrs(o.attributes);
  return j;
}

std::string ErrorBody(std::string_view code, std::string_view message) {
  nlohmann::json j = {{"error", {{"code", code}, {"message", message}}}};
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace yardstick::server
