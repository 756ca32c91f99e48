#include "notify/template.h"

#include <algorithm>
#include <charconv>

namespace yardstick::notify {
namespace {

using nlohmann::json;

std::string Place(std::string_view text, size_t offset) {
  size_t line = 1, column = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(column) +
         " of the template: ";
}

Error At(std::string_view text, size_t offset, const std::string& what) {
  return Error(ErrorCode::kInvalidArgument, Place(text, offset) + what);
}

bool IsKeyChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

const json* Lookup(const json& vars, const std::vector<std::string>& path) {
  const json* cur = &vars;
  for (const auto& step : path) {
    if (cur->is_object()) {
      auto it = cur->find(step);
      if (it == cur->end()) return nullptr;
      cur = &*it;
    } else if (cur->is_array()) {
      size_t i = 0;
      const auto [end, ec] = std::from_chars(step.data(), step.data() + step.size(), i);
      if (ec != std::errc() || end != step.data() + step.size() || i >= cur->size()) {
        return nullptr;
      }
      cur = &(*cur)[i];
    } else {
      return nullptr;
    }
  }
  return cur;
}

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// The value's text escaped for the inside of a JSON string.
std::string InString(const json* v) {
  if (v == nullptr || v->is_null()) return "";
  const std::string text = v->is_string() ? v->get<std::string>() : Dump(*v);
  const std::string quoted = Dump(json(text));
  return quoted.substr(1, quoted.size() - 2);
}

}  // namespace

const std::vector<std::string>& Template::Roots() {
  static const std::vector<std::string> roots = {
      "kind",   "notifier",  "idempotency_key", "summary",  "project",
      "status", "group_key", "alerts",          "document", "created_at"};
  return roots;
}

Result<Template> Template::Parse(std::string_view text) {
  Template t;
  bool in_string = false;
  bool escaped = false;
  std::string literal;
  size_t literal_start = 0;
  size_t i = 0;
  while (i < text.size()) {
    if (text.compare(i, 2, "{{") == 0) {
      const size_t close = text.find("}}", i + 2);
      if (close == std::string_view::npos) return std::unexpected(At(text, i, "unclosed {{"));
      std::string_view inner = text.substr(i + 2, close - i - 2);
      while (!inner.empty() && inner.front() == ' ') inner.remove_prefix(1);
      while (!inner.empty() && inner.back() == ' ') inner.remove_suffix(1);
      Segment s;
      s.in_string = in_string;
      s.offset = i;
      size_t start = 0;
      while (start <= inner.size()) {
        const size_t dot = std::min(inner.find('.', start), inner.size());
        const std::string_view step = inner.substr(start, dot - start);
        if (step.empty() || !std::all_of(step.begin(), step.end(), IsKeyChar)) {
          return std::unexpected(
              At(text, i,
                 "expected a placeholder like {{document.conversation_id}}, got {{" +
                     std::string(inner) + "}}"));
        }
        s.path.emplace_back(step);
        start = dot + 1;
      }
      const auto& roots = Roots();
      if (std::find(roots.begin(), roots.end(), s.path[0]) == roots.end()) {
        std::string names;
        for (const auto& r : roots) names += (names.empty() ? "" : ", ") + r;
        return std::unexpected(
            At(text, i, "unknown variable '" + s.path[0] + "' (expected one of " + names + ")"));
      }
      if (!literal.empty()) {
        t.segments_.push_back(Segment{std::move(literal), {}, false, literal_start});
        literal.clear();
      }
      t.segments_.push_back(std::move(s));
      i = close + 2;
      literal_start = i;
      escaped = false;
      continue;
    }
    const char c = text[i];
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    }
    literal.push_back(c);
    ++i;
  }
  if (!literal.empty())
    t.segments_.push_back(Segment{std::move(literal), {}, false, literal_start});

  // The filled-in text must be JSON: render with a sample of every root and parse.
  const json sample = {{"kind", "alert"},
                       {"notifier", "n"},
                       {"idempotency_key", "k"},
                       {"summary", "s"},
                       {"project", "p"},
                       {"status", "firing"},
                       {"group_key", "g"},
                       {"alerts", json::array()},
                       {"document", json::object()},
                       {"created_at", "2026-01-01T00:00:00.000Z"}};
  std::vector<size_t> starts;
  const std::string rendered = t.RenderWithOffsets(sample, &starts);
  try {
    const json parsed = json::parse(rendered);
    if (parsed.is_discarded()) return MakeError(ErrorCode::kInvalidArgument, "not JSON");
  } catch (const json::parse_error& e) {
    // Map the byte in the output back to the template: find the segment it falls in.
    const size_t byte = e.byte > 0 ? e.byte - 1 : 0;
    size_t offset = text.size();
    for (size_t k = 0; k < t.segments_.size(); ++k) {
      const size_t end = k + 1 < starts.size() ? starts[k + 1] : rendered.size();
      if (byte >= starts[k] && byte < end) {
        const Segment& s = t.segments_[k];
        offset = s.path.empty() ? s.offset + (byte - starts[k]) : s.offset;
        break;
      }
    }
    std::string what = e.what();
    const size_t colon = what.rfind(": ");
    if (colon != std::string::npos) what = what.substr(colon + 2);
    return std::unexpected(At(text, offset, "not valid JSON: " + what));
  } catch (const json::exception& e) {
    return std::unexpected(At(text, 0, std::string("not valid JSON: ") + e.what()));
  }
  return t;
}

std::string Template::Render(const nlohmann::json& vars) const {
  return RenderWithOffsets(vars, nullptr);
}

std::string Template::RenderWithOffsets(const nlohmann::json& vars,
                                        std::vector<size_t>* starts) const {
  std::string out;
  for (const auto& s : segments_) {
    if (starts) starts->push_back(out.size());
    if (s.path.empty()) {
      out += s.literal;
      continue;
    }
    const json* v = Lookup(vars, s.path);
    if (s.in_string) {
      out += InString(v);
    } else {
      out += v ? Dump(*v) : "null";
    }
  }
  return out;
}

}  // namespace yardstick::notify
