// Escalation rules: matching a score, a call or a conversation; the idempotency key; the
// payload document.
#define PCRE2_CODE_UNIT_WIDTH 8
#include <openssl/evp.h>
#include <pcre2.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <ctime>
#include <nlohmann/json.hpp>
#include <sstream>

#include "escalation/escalation.h"
#include "store/store.h"

namespace yardstick::escalation {
namespace {

using nlohmann::json;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string Number(double v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

std::string Time(int64_t ns) {
  const std::time_t t = static_cast<std::time_t>(ns / 1'000'000'000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof out, "%s.%03dZ", buf,
                static_cast<int>((ns % 1'000'000'000) / 1'000'000));
  return out;
}

std::string PercentEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 15];
    }
  }
  return out;
}

std::string Seconds(int64_t ns) { return Number(static_cast<double>(ns) / 1e9) + "s"; }

}  // namespace

std::string IdempotencyKey(const std::string& project, const std::string& conversation_id,
                           const std::string& rule) {
  std::string input = project;
  input += '\0';
  input += conversation_id;
  input += '\0';
  input += rule;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(input.data(), input.size(), digest, &len, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "esc-";
  for (unsigned int i = 0; i < 16 && i < len; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

Result<RuleSet> RuleSet::Compile(const std::vector<config::EscalationRuleConfig>& rules) {
  RuleSet set;
  set.rules_ = rules;
  for (const auto& r : rules) {
    pcre2_code* re = nullptr;
    if (!r.regex.empty()) {
      int code = 0;
      PCRE2_SIZE offset = 0;
      re = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(r.regex.data()), r.regex.size(), PCRE2_UTF,
                         &code, &offset, nullptr);
      if (re == nullptr) {
        return MakeError(ErrorCode::kInvalidArgument, "escalation rule '" + r.name +
                                                          "': the regex does not compile at "
                                                          "offset " +
                                                          std::to_string(offset));
      }
    }
    set.regexes_.push_back(re);
  }
  return set;
}

RuleSet::RuleSet(RuleSet&& o) noexcept
    : rules_(std::move(o.rules_)), regexes_(std::move(o.regexes_)) {
  o.regexes_.clear();
}

RuleSet& RuleSet::operator=(RuleSet&& o) noexcept {
  std::swap(rules_, o.rules_);
  std::swap(regexes_, o.regexes_);
  return *this;
}

RuleSet::~RuleSet() {
  for (void* re : regexes_) pcre2_code_free(static_cast<pcre2_code*>(re));
}

bool RuleSet::AppliesTo(size_t i, const std::string& project) const {
  const auto& p = rules_[i].projects;
  return p.empty() || std::find(p.begin(), p.end(), project) != p.end();
}

bool RuleSet::NeedsConversation(size_t i) const {
  const auto& c = rules_[i].condition;
  return c == "failed_calls" || c == "max_turns" || c == "max_duration";
}

std::optional<std::string> RuleSet::MatchScore(size_t i, const model::Score& s) const {
  const auto& r = rules_[i];
  if (r.condition != "score" || s.name != r.score_name) return std::nullopt;
  if (!r.score_source.empty() && s.source != r.score_source) return std::nullopt;
  std::string what = "score " + s.name;
  if (!s.source.empty()) what += " (source " + s.source + ")";
  if (!s.call_id.empty()) what += " on call " + s.call_id;
  if (!r.score_label.empty()) {
    if (s.label != r.score_label) return std::nullopt;
    return what + " has label " + s.label;
  }
  if (!s.value) return std::nullopt;
  const double v = *s.value;
  if (r.equals && v == *r.equals) return what + " = " + Number(v);
  if (r.below && v < *r.below) return what + " = " + Number(v) + ", below " + Number(*r.below);
  if (r.above && v > *r.above) return what + " = " + Number(v) + ", above " + Number(*r.above);
  return std::nullopt;
}

std::optional<std::string> RuleSet::MatchCall(size_t i, const model::Call& c) const {
  const auto& r = rules_[i];
  if (r.condition != "human_request" || c.input_text.empty()) return std::nullopt;
  const std::string input = Lower(c.input_text);
  for (const auto& phrase : r.phrases) {
    if (input.find(Lower(phrase)) != std::string::npos) {
      return "the user asked for a human (\"" + phrase + "\" in call " + c.id + ")";
    }
  }
  if (auto* re = static_cast<pcre2_code*>(regexes_[i])) {
    pcre2_match_data* md = pcre2_match_data_create_from_pattern(re, nullptr);
    const int rc = pcre2_match(re, reinterpret_cast<PCRE2_SPTR>(c.input_text.data()),
                               c.input_text.size(), 0, 0, md, nullptr);
    std::optional<std::string> reason;
    if (rc >= 0) {
      const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md);
      reason = "the user asked for a human (\"" + c.input_text.substr(ov[0], ov[1] - ov[0]) +
               "\" in call " + c.id + ")";
    }
    pcre2_match_data_free(md);
    return reason;
  }
  return std::nullopt;
}

std::optional<std::string> RuleSet::MatchConversation(size_t i,
                                                      const std::vector<model::Call>& calls) const {
  const auto& r = rules_[i];
  if (calls.empty()) return std::nullopt;
  if (r.condition == "failed_calls") {
    int run = 0;
    for (const auto& c : calls) {
      run = c.status == model::CallStatus::kError ? run + 1 : 0;
      if (run >= r.failed_calls) {
        std::string reason = std::to_string(run) + " failed calls in a row (the last: call " + c.id;
        if (!c.error_type.empty()) reason += ", " + c.error_type;
        return reason + ")";
      }
    }
  } else if (r.condition == "max_turns") {
    if (calls.size() > static_cast<size_t>(r.max_turns)) {
      return std::to_string(calls.size()) + " turns, more than " + std::to_string(r.max_turns);
    }
  } else if (r.condition == "max_duration") {
    int64_t end = 0;
    for (const auto& c : calls) end = std::max(end, c.end_ns);
    const int64_t duration = end - calls.front().start_ns;
    if (duration > r.max_duration_ns) {
      return "the conversation has lasted " + Seconds(duration) + ", more than " +
             Seconds(r.max_duration_ns);
    }
  }
  return std::nullopt;
}

std::string BuildDocument(const config::EscalationRuleConfig& rule, const std::string& project,
                          const store::Conversation& conv, const std::string& reason,
                          const std::string& key, int64_t now_ns) {
  std::string user;
  for (const auto& c : conv.calls) {
    if (!c.user_id.empty()) user = c.user_id;
  }
  if (user.empty()) {
    for (const auto& s : conv.scores) {
      if (!s.user_id.empty()) user = s.user_id;
    }
  }
  const size_t n = static_cast<size_t>(rule.recent_messages);
  json messages = json::array();
  const size_t first_call = conv.calls.size() > n ? conv.calls.size() - n : 0;
  for (size_t i = first_call; i < conv.calls.size(); ++i) {
    const auto& c = conv.calls[i];
    json m = {{"call_id", c.id},
              {"time", Time(c.start_ns)},
              {"input", c.input_text},
              {"output", c.output_text},
              {"status", c.status == model::CallStatus::kError ? "error"
                         : c.status == model::CallStatus::kOk  ? "ok"
                                                               : "unset"}};
    if (!c.model().empty()) m["model"] = c.model();
    messages.push_back(std::move(m));
  }
  json scores = json::array();
  const size_t first_score = conv.scores.size() > n ? conv.scores.size() - n : 0;
  for (size_t i = first_score; i < conv.scores.size(); ++i) {
    const auto& s = conv.scores[i];
    json j = {{"name", s.name}, {"source", s.source}, {"time", Time(s.time_ns)}};
    j["value"] = s.value ? json(*s.value) : json(nullptr);
    if (!s.label.empty()) j["label"] = s.label;
    if (!s.call_id.empty()) j["call_id"] = s.call_id;
    if (!s.comment.empty()) j["comment"] = s.comment;
    scores.push_back(std::move(j));
  }
  json doc = {{"kind", "escalation"},
              {"idempotency_key", key},
              {"project", project},
              {"conversation_id", conv.id},
              {"user_id", user},
              {"rule", {{"name", rule.name}, {"condition", rule.condition}}},
              {"reason", reason},
              {"triggered_at", Time(now_ns)},
              {"link", "/v1/conversations/" + PercentEncode(conv.id) +
                           "?project=" + PercentEncode(project)},
              {"messages", std::move(messages)},
              {"scores", std::move(scores)}};
  return doc.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace yardstick::escalation
