// Annotation templates: {{ $variable }} and {{ $variable | function }} (see alerts.h).
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "alerts/alerts.h"

namespace yardstick::alerts {
namespace {

constexpr std::string_view kFunctions[] = {"humanize", "humanizePercentage", "humanizeDuration",
                                           "printf"};

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool IsNameChar(char c) {
  return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// One conversion, %[-+ 0#]*[0-9]*(.[0-9]+)?[feg], with literal text around it ("%%" allowed).
bool ValidPrintf(std::string_view fmt) {
  int conversions = 0;
  for (size_t i = 0; i < fmt.size(); ++i) {
    if (fmt[i] != '%') continue;
    if (i + 1 < fmt.size() && fmt[i + 1] == '%') {
      ++i;
      continue;
    }
    ++i;
    while (i < fmt.size() && std::string_view("-+ 0#").find(fmt[i]) != std::string_view::npos) ++i;
    size_t digits = 0;
    while (i < fmt.size() && fmt[i] >= '0' && fmt[i] <= '9' && digits < 2) ++i, ++digits;
    if (i < fmt.size() && fmt[i] == '.') {
      ++i;
      digits = 0;
      while (i < fmt.size() && fmt[i] >= '0' && fmt[i] <= '9' && digits < 2) ++i, ++digits;
      if (digits == 0) return false;
    }
    if (i >= fmt.size() || std::string_view("feg").find(fmt[i]) == std::string_view::npos) {
      return false;
    }
    ++conversions;
  }
  return conversions == 1;
}

// `fmt` is one of this file's literals or a format ValidPrintf accepted (one f/e/g conversion
// of a double, width and precision of at most two digits).
std::string Number(double v, const char* fmt = "%.6g") {
  char buf[160];
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
  std::snprintf(buf, sizeof buf, fmt, v);
#pragma GCC diagnostic pop
  return buf;
}

// Prometheus's humanize: SI prefixes, 4 significant digits.
std::string Humanize(double v) {
  if (v == 0 || !std::isfinite(v)) return Number(v, "%.4g");
  static constexpr const char* kBig[] = {"", "k", "M", "G", "T", "P", "E"};
  static constexpr const char* kSmall[] = {"", "m", "u", "n", "p", "f", "a"};
  double a = std::fabs(v);
  if (a >= 1) {
    int i = 0;
    while (a >= 1000 && i < 6) a /= 1000, v /= 1000, ++i;
    return Number(v, "%.4g") + kBig[i];
  }
  int i = 0;
  while (a < 1 && i < 6) a *= 1000, v *= 1000, ++i;
  return Number(v, "%.4g") + kSmall[i];
}

std::string HumanizeDuration(double seconds) {
  if (!std::isfinite(seconds)) return Number(seconds);
  std::string sign = seconds < 0 ? "-" : "";
  double s = std::fabs(seconds);
  if (s < 1) {
    if (s == 0) return "0s";
    if (s >= 1e-3) return sign + Number(s * 1e3, "%.4g") + "ms";
    if (s >= 1e-6) return sign + Number(s * 1e6, "%.4g") + "us";
    return sign + Number(s * 1e9, "%.4g") + "ns";
  }
  const auto total = static_cast<int64_t>(s);
  const int64_t days = total / 86400, hours = total % 86400 / 3600, minutes = total % 3600 / 60;
  const double secs = s - static_cast<double>(total - total % 60);
  std::string out = sign;
  if (days) out += std::to_string(days) + "d ";
  if (hours) out += std::to_string(hours) + "h ";
  if (minutes) out += std::to_string(minutes) + "m ";
  out += Number(secs, "%.4g") + "s";
  return out;
}

}  // namespace

Result<Template> Template::Parse(std::string_view text) {
  Template t;
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t open = text.find("{{", pos);
    if (open == std::string_view::npos) {
      t.parts_.push_back(Part{std::string(text.substr(pos)), "", "", ""});
      break;
    }
    if (open > pos) t.parts_.push_back(Part{std::string(text.substr(pos, open - pos)), "", "", ""});
    const size_t close = text.find("}}", open + 2);
    const std::string at = " (at offset " + std::to_string(open) + ")";
    if (close == std::string_view::npos) {
      return MakeError(ErrorCode::kInvalidArgument, "unclosed {{" + at);
    }
    std::string_view action = Trim(text.substr(open + 2, close - open - 2));
    Part part;
    std::string_view fn;
    if (const size_t bar = action.find('|'); bar != std::string_view::npos) {
      fn = Trim(action.substr(bar + 1));
      action = Trim(action.substr(0, bar));
    }
    if (!action.starts_with('$')) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "expected a variable such as $value or $labels.model in {{ }}, got \"" +
                           std::string(action) + "\"" + at);
    }
    std::string_view name = action.substr(1);
    if (name.starts_with("labels.")) {
      const std::string_view label = name.substr(7);
      if (label.empty() || !std::all_of(label.begin(), label.end(), IsNameChar)) {
        return MakeError(
            ErrorCode::kInvalidArgument,
            "expected a label name after $labels., got \"" + std::string(label) + "\"" + at);
      }
    } else if (std::find(std::begin(kTemplateVariables), std::end(kTemplateVariables), name) ==
               std::end(kTemplateVariables)) {
      std::string known;
      for (auto v : kTemplateVariables) known += (known.empty() ? "$" : ", $") + std::string(v);
      return MakeError(ErrorCode::kInvalidArgument, "unknown variable $" + std::string(name) + at +
                                                        "; variables: " + known +
                                                        ", $labels.<name>");
    }
    part.variable = std::string(name);
    if (!fn.empty()) {
      std::string_view fname = fn;
      std::string_view arg;
      if (const size_t space = fn.find(' '); space != std::string_view::npos) {
        fname = fn.substr(0, space);
        arg = Trim(fn.substr(space + 1));
      }
      if (std::find(std::begin(kFunctions), std::end(kFunctions), fname) == std::end(kFunctions)) {
        return MakeError(ErrorCode::kInvalidArgument,
                         "unknown function \"" + std::string(fname) + "\"" + at +
                             "; functions: humanize, humanizePercentage, humanizeDuration, "
                             "printf");
      }
      if (fname == "printf") {
        if (arg.size() < 2 || arg.front() != '"' || arg.back() != '"' ||
            !ValidPrintf(arg.substr(1, arg.size() - 2))) {
          return MakeError(ErrorCode::kInvalidArgument,
                           "printf takes one quoted format with a single %f, %e or %g "
                           "conversion, e.g. printf \"%.2f\"" +
                               at);
        }
        part.format = std::string(arg.substr(1, arg.size() - 2));
      } else if (!arg.empty()) {
        return MakeError(ErrorCode::kInvalidArgument,
                         std::string(fname) + " takes no argument" + at);
      }
      part.function = std::string(fname);
    }
    t.parts_.push_back(std::move(part));
    pos = close + 2;
  }
  return t;
}

std::string Template::Render(const TemplateData& data) const {
  std::string out;
  for (const Part& p : parts_) {
    if (p.variable.empty()) {
      out += p.literal;
      continue;
    }
    std::optional<double> number;
    std::string text;
    if (p.variable.starts_with("labels.")) {
      if (auto it = data.labels.find(p.variable.substr(7)); it != data.labels.end()) {
        text = it->second;
      }
    } else if (auto n = data.numbers.find(p.variable); n != data.numbers.end()) {
      number = n->second;
    } else if (auto s = data.strings.find(p.variable); s != data.strings.end()) {
      text = s->second;
    }
    if (number && p.function.empty()) {
      out += Number(*number);
    } else if (number && p.function == "humanize") {
      out += Humanize(*number);
    } else if (number && p.function == "humanizePercentage") {
      out += Number(*number * 100, "%.4g") + "%";
    } else if (number && p.function == "humanizeDuration") {
      out += HumanizeDuration(*number);
    } else if (number && p.function == "printf") {
      out += Number(*number, p.format.c_str());
    } else {
      out += text;  // strings and labels print as they are
    }
  }
  return out;
}

std::optional<std::string> TemplateProblem(std::string_view text) {
  auto t = Template::Parse(text);
  if (t) return std::nullopt;
  return t.error().message();
}

}  // namespace yardstick::alerts
