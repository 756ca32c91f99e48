#include "config/yaml_reader.h"

#include <yaml-cpp/eventhandler.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <sstream>
#include <utility>

namespace yardstick::config::internal {
namespace {

constexpr std::string_view kYamlTagPrefix = "tag:yaml.org,2002:";

// "!" marks a quoted scalar, "!!str" an explicit string: both are strings whatever they spell.
bool IsQuoted(const YAML::Node& node) {
  const std::string& tag = node.Tag();
  return tag == "!" || tag == std::string(kYamlTagPrefix) + "str";
}

std::string Place(const YAML::Mark& mark) {
  return std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

// Local tags (e.g. "!env FOO") would silently mean nothing here; they are reported.
bool CheckTag(const Field& f, Diagnostics& diag) {
  const std::string& tag = f.value.Tag();
  if (tag.empty() || tag == "?" || tag == "!" || tag.starts_with(kYamlTagPrefix)) return true;
  diag.Add(f.mark, f.path + ": YAML tag " + Quote(tag) + " is not supported");
  return false;
}

bool IsPlainScalar(const Field& f, std::string_view expected, Diagnostics& diag) {
  if (!CheckTag(f, diag)) return false;
  if (!f.value.IsScalar() || IsQuoted(f.value)) {
    diag.Add(f.mark, f.path + ": expected " + std::string(expected) + ", got " + Describe(f.value));
    return false;
  }
  return true;
}

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t substitute = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, substitute});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

// Sees where each document starts and whether it has content, without building nodes.
class DocumentScan final : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override {
    start = mark;
    has_content = false;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override { has_content = true; }
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {
    has_content = true;
  }
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    has_content = true;
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    has_content = true;
  }
  void OnMapEnd() override {}

  YAML::Mark start;
  bool has_content = false;
};

}  // namespace

bool LoadSingleDocument(const std::string& text, YAML::Node& root, Diagnostics& diag) {
  try {
    std::istringstream in(text);
    YAML::Parser parser(in);
    DocumentScan scan;
    int documents = 0;
    int previous_start = -1;
    while (parser.HandleNextDocument(scan)) {
      ++documents;
      if (scan.start.pos == previous_start) {
        const auto at = static_cast<size_t>(scan.start.pos);
        diag.Add(scan.start, "YAML syntax error: unexpected " +
                                 Quote(at < text.size() ? text.substr(at, 1) : "end of file"));
        return false;
      }
      if (documents > 1 && scan.has_content) {
        diag.Add(scan.start, "expected one YAML document; a second one starts here");
        break;
      }
      previous_start = scan.start.pos;
    }
    root = YAML::Load(text);
    return true;
  } catch (const YAML::ParserException& e) {
    diag.Add(e.mark, "YAML syntax error: " + e.msg);
  } catch (const YAML::Exception& e) {
    diag.Add(e.mark, std::string("cannot read the YAML: ") + e.what());
  }
  return false;
}

void Diagnostics::Add(const YAML::Mark& mark, std::string message) {
  const int line = mark.line >= 0 ? mark.line + 1 : 0;
  const int column = mark.column >= 0 ? mark.column + 1 : 0;
  issues_.push_back(Issue{line, column, std::move(message)});
}

std::vector<Issue> Diagnostics::TakeSorted() {
  std::stable_sort(issues_.begin(), issues_.end(), [](const Issue& a, const Issue& b) {
    return std::pair(a.line, a.column) < std::pair(b.line, b.column);
  });
  return std::move(issues_);
}

std::string Quote(std::string_view what) {
  constexpr size_t kMax = 60;
  std::string out = "\"";
  for (size_t i = 0; i < what.size() && i < kMax; ++i) {
    const char c = what[i];
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += '?';
    } else {
      out += c;
    }
  }
  if (what.size() > kMax) out += "...";
  return out + "\"";
}

std::string Describe(const YAML::Node& node) {
  if (!node.IsDefined() || node.IsNull()) return "an empty value";
  if (node.IsSequence()) return "a list";
  if (node.IsMap()) return "a mapping";
  if (IsQuoted(node)) return "the string " + Quote(node.Scalar());
  return Quote(node.Scalar());
}

std::string JoinNames(std::span<const std::string_view> names) {
  std::string out;
  for (const auto& n : names) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

std::optional<std::string_view> Suggest(std::string_view word,
                                        std::span<const std::string_view> candidates) {
  // A typo of a short key changes one or two characters; allow about a third of the word.
  const size_t limit = std::max<size_t>(1, std::min<size_t>(3, (word.size() + 2) / 3));
  std::optional<std::string_view> best;
  size_t best_distance = limit + 1;
  for (const auto& c : candidates) {
    const size_t d = EditDistance(word, c);
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  if (best || word.size() < 3) return best;
  // A shortened or extended key ("key" for "key_env", "threads_count" for "threads").
  for (const auto& c : candidates) {
    if (c.starts_with(word) || word.starts_with(c)) return c;
  }
  return std::nullopt;
}

std::optional<std::string> ReadString(const Field& f, Diagnostics& diag) {
  if (!CheckTag(f, diag)) return std::nullopt;
  if (!f.value.IsScalar()) {
    std::string hint = f.value.IsNull() ? " (write \"\" for an empty string)" : "";
    diag.Add(f.mark, f.path + ": expected a string, got " + Describe(f.value) + hint);
    return std::nullopt;
  }
  return f.value.Scalar();
}

std::optional<int64_t> ReadInteger(const Field& f, int64_t lo, int64_t hi, Diagnostics& diag) {
  const std::string range = "an integer from " + std::to_string(lo) + " to " + std::to_string(hi);
  if (!IsPlainScalar(f, range, diag)) return std::nullopt;
  std::string_view text = f.value.Scalar();
  if (text.starts_with('+')) text.remove_prefix(1);
  int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  const bool digits = !text.empty() && end == text.data() + text.size();
  if (!digits || (ec != std::errc() && ec != std::errc::result_out_of_range)) {
    diag.Add(f.mark, f.path + ": expected " + range + ", got " + Describe(f.value));
    return std::nullopt;
  }
  if (ec == std::errc::result_out_of_range || value < lo || value > hi) {
    diag.Add(f.mark, f.path + ": expected " + range + ", got " + f.value.Scalar());
    return std::nullopt;
  }
  return value;
}

std::optional<bool> ReadBool(const Field& f, Diagnostics& diag) {
  if (!IsPlainScalar(f, "true or false", diag)) return std::nullopt;
  const std::string& s = f.value.Scalar();
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  diag.Add(f.mark, f.path + ": expected true or false, got " + Describe(f.value));
  return std::nullopt;
}

std::optional<double> ReadNumber(const Field& f, Diagnostics& diag) {
  if (!IsPlainScalar(f, "a number", diag)) return std::nullopt;
  std::string_view text = f.value.Scalar();
  if (text.starts_with('+')) text.remove_prefix(1);
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() ||
      !std::isfinite(value)) {
    diag.Add(f.mark, f.path + ": expected a number, got " + Describe(f.value));
    return std::nullopt;
  }
  return value;
}

std::optional<std::string> ReadEnum(const Field& f, std::span<const std::string_view> allowed,
                                    Diagnostics& diag) {
  const std::string expected = "one of " + JoinNames(allowed);
  if (!CheckTag(f, diag)) return std::nullopt;
  if (!f.value.IsScalar()) {
    diag.Add(f.mark, f.path + ": expected " + expected + ", got " + Describe(f.value));
    return std::nullopt;
  }
  const std::string& s = f.value.Scalar();
  if (std::find(allowed.begin(), allowed.end(), s) != allowed.end()) return s;
  std::string message = f.path + ": expected " + expected + ", got " + Describe(f.value);
  if (auto near = Suggest(s, allowed)) message += " (did you mean " + Quote(*near) + "?)";
  diag.Add(f.mark, std::move(message));
  return std::nullopt;
}

bool CheckNotExpanded(const Field& f, std::string_view value, Diagnostics& diag) {
  if (value.find("${") == std::string_view::npos) return true;
  diag.Add(f.mark, f.path + ": " + Quote(value) +
                       " is not expanded: yardstick.yaml takes no ${VAR} substitution; put "
                       "secrets in environment variables named by the *_env keys");
  return false;
}

bool ForEachItem(const Field& f, Diagnostics& diag, const std::function<void(const Field&)>& item) {
  if (f.value.IsNull()) return true;
  if (!f.value.IsSequence()) {
    diag.Add(f.mark, f.path + ": expected a list, got " + Describe(f.value));
    return false;
  }
  for (size_t i = 0; i < f.value.size(); ++i) {
    const YAML::Node node = f.value[i];
    // An empty item ("-" alone) is marked at the next token; the list's place is closer.
    const YAML::Mark mark = node.IsNull() ? f.mark : node.Mark();
    item(Field{node, mark, f.path + "[" + std::to_string(i) + "]"});
  }
  return true;
}

MapReader::MapReader(const Field& f, Diagnostics& diag, std::span<const std::string_view> allowed)
    : self_(f), diag_(diag) {
  Read(allowed, true);
}

MapReader::MapReader(const Field& f, Diagnostics& diag) : self_(f), diag_(diag) { Read({}, false); }

void MapReader::Read(std::span<const std::string_view> allowed, bool check_keys) {
  if (self_.value.IsNull()) {
    is_mapping_ = true;
    return;
  }
  if (!self_.value.IsMap()) {
    diag_.Add(self_.mark, (self_.path.empty() ? std::string("the file") : self_.path) +
                              ": expected a mapping, got " + Describe(self_.value));
    return;
  }
  is_mapping_ = true;
  const std::string where = self_.path.empty() ? "at the top level" : "in " + self_.path;
  const std::string prefix = self_.path.empty() ? "" : self_.path + ".";
  for (auto it = self_.value.begin(); it != self_.value.end(); ++it) {
    const YAML::Node key = it->first;
    if (!key.IsScalar()) {
      diag_.Add(key.Mark(), "expected a string key " + where + ", got " + Describe(key));
      continue;
    }
    const std::string& name = key.Scalar();
    const auto previous = std::find_if(entries_.begin(), entries_.end(),
                                       [&](const Entry& e) { return e.key == name; });
    if (previous != entries_.end()) {
      diag_.Add(key.Mark(), "duplicate key " + Quote(name) + " " + where + " (first defined at " +
                                Place(previous->key_mark) + ")");
      continue;
    }
    if (check_keys && std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      std::string message;
      if (name == "<<") {
        message = "YAML merge keys (<<) are not supported " + where;
      } else {
        message = "unknown key " + Quote(name) + " " + where;
        if (auto near = Suggest(name, allowed)) {
          message += " (did you mean " + Quote(*near) + "?)";
        } else {
          message += "; expected one of " + JoinNames(allowed);
        }
      }
      diag_.Add(key.Mark(), std::move(message));
      // Keep it, so a duplicate of an unknown key is reported once as unknown, once as duplicate.
      entries_.push_back(Entry{name, key.Mark(), Field{}});
      continue;
    }
    const YAML::Node value = it->second;
    const YAML::Mark mark = value.IsNull() ? key.Mark() : value.Mark();
    entries_.push_back(Entry{name, key.Mark(), Field{value, mark, prefix + name}});
  }
  // Unknown keys stay out of entries().
  std::erase_if(entries_, [](const Entry& e) { return e.field.path.empty(); });
}

std::optional<Field> MapReader::Get(std::string_view key) const {
  for (const auto& e : entries_) {
    if (e.key == key) return e.field;
  }
  return std::nullopt;
}

bool MapReader::String(std::string_view key, std::string& out) const {
  const auto f = Get(key);
  if (!f) return false;
  auto v = ReadString(*f, diag_);
  if (!v) return false;
  out = std::move(*v);
  return true;
}

bool MapReader::Integer(std::string_view key, int lo, int hi, int& out) const {
  const auto f = Get(key);
  if (!f) return false;
  const auto v = ReadInteger(*f, lo, hi, diag_);
  if (!v) return false;
  out = static_cast<int>(*v);
  return true;
}

bool MapReader::Size(std::string_view key, size_t& out) const {
  const auto f = Get(key);
  if (!f) return false;
  const auto v = ReadInteger(*f, 1, int64_t{1} << 53, diag_);
  if (!v) return false;
  out = static_cast<size_t>(*v);
  return true;
}

bool MapReader::Bool(std::string_view key, bool& out) const {
  const auto f = Get(key);
  if (!f) return false;
  const auto v = ReadBool(*f, diag_);
  if (!v) return false;
  out = *v;
  return true;
}

bool MapReader::Enum(std::string_view key, std::span<const std::string_view> allowed,
                     std::string& out) const {
  const auto f = Get(key);
  if (!f) return false;
  auto v = ReadEnum(*f, allowed, diag_);
  if (!v) return false;
  out = std::move(*v);
  return true;
}

bool MapReader::Missing(std::string_view key) const {
  diag_.Add(self_.mark, self_.path + ": missing required key " + Quote(key));
  return false;
}

}  // namespace yardstick::config::internal
