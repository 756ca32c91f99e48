// The state machine of one alert instance, silences and fingerprints.
#include <cstdio>
#include <regex>

#include "alerts/alerts.h"

namespace yardstick::alerts {

const char* StateName(State state) {
  switch (state) {
    case State::kInactive:
      return "inactive";
    case State::kPending:
      return "pending";
    case State::kFiring:
      return "firing";
    case State::kResolved:
      return "resolved";
  }
  return "inactive";
}

State Step(InstanceTimes& t, bool condition, int64_t now, int64_t for_ns,
           int64_t keep_firing_for_ns) {
  switch (t.state) {
    case State::kInactive:
    case State::kResolved:
      if (!condition) return t.state;
      t.active_since_ns = now;
      t.last_true_ns = now;
      t.fired_at_ns = 0;
      t.resolved_at_ns = 0;
      if (for_ns <= 0) {
        t.fired_at_ns = now;
        t.state = State::kFiring;
      } else {
        t.state = State::kPending;
      }
      return t.state;
    case State::kPending:
      if (!condition) {
        t.state = State::kInactive;
        return t.state;
      }
      t.last_true_ns = now;
      if (now - t.active_since_ns >= for_ns) {
        t.fired_at_ns = now;
        t.state = State::kFiring;
      }
      return t.state;
    case State::kFiring:
      if (condition) {
        t.last_true_ns = now;
        return t.state;
      }
      if (keep_firing_for_ns > 0 && now - t.last_true_ns < keep_firing_for_ns) return t.state;
      t.resolved_at_ns = now;
      t.state = State::kResolved;
      return t.state;
  }
  return t.state;
}

const char* SilenceStatus(const Silence& s, int64_t now) {
  if (now < s.starts_ns) return "pending";
  if (now >= s.ends_ns) return "expired";
  return "active";
}

namespace {

bool MatchOne(const Matcher& m, const Labels& labels) {
  const auto it = labels.find(m.name);
  const std::string value = it == labels.end() ? "" : it->second;
  bool match = false;
  if (m.regex) {
    try {
      match = std::regex_match(value, std::regex(m.value, std::regex::ECMAScript));
    } catch (const std::regex_error&) {
      match = false;  // ValidateSilence rejects such matchers before they are stored
    }
  } else {
    match = value == m.value;
  }
  return match == m.equal;
}

}  // namespace

bool Silences(const Silence& s, const Labels& labels, int64_t now) {
  if (std::string_view(SilenceStatus(s, now)) != "active") return false;
  if (!s.project.empty()) {
    const auto it = labels.find("project");
    if (it == labels.end() || it->second != s.project) return false;
  }
  for (const auto& m : s.matchers) {
    if (!MatchOne(m, labels)) return false;
  }
  return true;
}

Result<void> ValidateSilence(const Silence& s) {
  if (s.matchers.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "matchers: at least one matcher is required");
  }
  for (size_t i = 0; i < s.matchers.size(); ++i) {
    const Matcher& m = s.matchers[i];
    const std::string where = "matchers[" + std::to_string(i) + "]";
    if (m.name.empty()) {
      return MakeError(ErrorCode::kInvalidArgument, where + ".name: expected a label name");
    }
    if (m.regex) {
      try {
        std::regex re(m.value, std::regex::ECMAScript);
      } catch (const std::regex_error& e) {
        return MakeError(ErrorCode::kInvalidArgument,
                         where + ".value: invalid regular expression: " + e.what());
      }
    }
  }
  if (s.ends_ns <= s.starts_ns) {
    return MakeError(ErrorCode::kInvalidArgument, "ends: must be after starts");
  }
  return {};
}

std::string Fingerprint(const Labels& labels) {
  uint64_t h = 0xcbf29ce484222325ULL;
  auto mix = [&](std::string_view s) {
    for (const char c : s) {
      h ^= static_cast<unsigned char>(c);
      h *= 0x100000001b3ULL;
    }
    h ^= 0xff;
    h *= 0x100000001b3ULL;
  };
  for (const auto& [name, value] : labels) {  // std::map: sorted by name
    mix(name);
    mix(value);
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

}  // namespace yardstick::alerts
