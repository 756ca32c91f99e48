#include "eval/gate.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <optional>

namespace yardstick::eval {
namespace {

class Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {}
  void SkipSpace() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  bool AtEnd() {
    SkipSpace();
    return pos_ >= s_.size();
  }
  // A name: letters, digits, '_', '.', '+', '-' (metric names like chrf++ and rouge-l).
  std::string Word() {
    SkipSpace();
    const std::size_t start = pos_;
    while (pos_ < s_.size()) {
      const char c = s_[pos_];
      if (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '+' ||
          c == '-') {
        ++pos_;
      } else {
        break;
      }
    }
    return std::string(s_.substr(start, pos_ - start));
  }
  std::string Op() {
    SkipSpace();
    for (std::string_view op : {">=", "<=", "==", ">", "<"}) {
      if (s_.substr(pos_).starts_with(op)) {
        pos_ += op.size();
        return std::string(op);
      }
    }
    return "";
  }
  std::optional<double> Number() {
    SkipSpace();
    double value = 0;
    const char* begin = s_.data() + pos_;
    const char* end = s_.data() + s_.size();
    if (begin < end && *begin == '+') ++begin;
    const auto [ptr, ec] = std::from_chars(begin, end, value);
    if (ec != std::errc() || !std::isfinite(value)) return std::nullopt;
    pos_ = static_cast<std::size_t>(ptr - s_.data());
    return value;
  }
  std::string_view Rest() {
    SkipSpace();
    return s_.substr(pos_);
  }

 private:
  std::string_view s_;
  std::size_t pos_ = 0;
};

std::unexpected<Error> Bad(std::string_view text, const std::string& why) {
  return MakeError(ErrorCode::kInvalidArgument,
                   "gate condition '" + std::string(text) + "': " + why +
                       " (expected e.g. 'bleu >= 30', 'exact_match gap by group <= 0.05', "
                       "'failures == 0' or 'no_significant_regression')");
}

}  // namespace

bool CompareWith(double value, const std::string& op, double threshold) {
  if (std::isnan(value)) return false;
  if (op == ">=") return value >= threshold;
  if (op == ">") return value > threshold;
  if (op == "<=") return value <= threshold;
  if (op == "<") return value < threshold;
  if (op == "==") return value == threshold;
  return false;
}

Result<GateCondition> ParseGateCondition(std::string_view text) {
  GateCondition c;
  c.text = std::string(text);
  Lexer lex(text);
  std::string first = lex.Word();
  if (first.empty()) return Bad(text, "expected a metric name or a keyword first");
  if (first == "no_significant_regression") {
    c.kind = GateCondition::Kind::kNoRegression;
    if (lex.AtEnd()) return c;
    if (lex.Word() != "on") return Bad(text, "expected 'on <metric>,...' or nothing after it");
    std::string list(lex.Rest());
    std::size_t start = 0;
    while (start <= list.size()) {
      std::size_t comma = list.find(',', start);
      if (comma == std::string::npos) comma = list.size();
      std::string name = list.substr(start, comma - start);
      while (!name.empty() && std::isspace(static_cast<unsigned char>(name.back())))
        name.pop_back();
      while (!name.empty() && std::isspace(static_cast<unsigned char>(name.front()))) {
        name.erase(name.begin());
      }
      if (name.empty()) return Bad(text, "empty metric name in the list");
      c.metrics.push_back(name);
      start = comma + 1;
    }
    return c;
  }
  if (first == "demographic_parity_difference") {
    c.kind = GateCondition::Kind::kDemographicParity;
  } else if (first == "equalized_odds_difference") {
    c.kind = GateCondition::Kind::kEqualizedOdds;
  } else if (first == "failures") {
    c.kind = GateCondition::Kind::kFailures;
  } else {
    c.metric = first;
    for (std::string_view suffix : {".ci_low", ".ci_high"}) {
      if (c.metric.ends_with(suffix)) {
        c.statistic = std::string(suffix.substr(1));
        c.metric.resize(c.metric.size() - suffix.size());
      }
    }
    lex.SkipSpace();
    std::string op = lex.Op();
    if (op.empty()) {
      if (lex.Word() != "gap") return Bad(text, "expected a comparison operator after the metric");
      if (lex.Word() != "by") return Bad(text, "expected 'by <field>' after 'gap'");
      c.kind = GateCondition::Kind::kGap;
      c.field = lex.Word();
      if (c.field.empty()) return Bad(text, "expected a field name after 'gap by'");
      if (c.statistic != "value") return Bad(text, "a gap is taken of the value, not a CI bound");
    } else {
      c.op = op;
    }
  }
  if (c.op.empty()) c.op = lex.Op();
  if (c.op.empty()) return Bad(text, "expected one of >=, >, <=, <, ==");
  auto number = lex.Number();
  if (!number) return Bad(text, "expected a number after '" + c.op + "'");
  c.threshold = *number;
  if (!lex.AtEnd()) return Bad(text, "unexpected text '" + std::string(lex.Rest()) + "'");
  return c;
}

}  // namespace yardstick::eval
