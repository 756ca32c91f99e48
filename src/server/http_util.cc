#include "server/http_util.h"

#include <httplib.h>

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "ingest/events.h"

namespace yardstick::server {
namespace {

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
  auto t = ingest::ParseTimestamp(s);
  if (!t) return BadTime(s);
  return t;
}

std::string FormatRfc3339(int64_t ns) { return ingest::FormatTimestamp(ns); }

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

std::string JsonText(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void SendError(httplib::Response& res, int status, std::string_view code,
               std::string_view message) {
  res.status = status;
  res.set_content(ErrorBody(code, message), kJson);
}

}  // namespace yardstick::server
