#include "ingest/body_reader.h"

#include <algorithm>
#include <array>
#include <cstring>

namespace yardstick::ingest::internal {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

size_t SkipSpace(std::string_view s, size_t pos) {
  while (pos < s.size() && IsSpace(s[pos])) ++pos;
  return pos;
}

// Where a value scan stopped: `end` one past the value, or `error` set at `error_offset`.
struct Scan {
  size_t end = 0;
  const char* error = nullptr;
  size_t error_offset = 0;
};

Scan Fail(const char* what, size_t offset) { return {0, what, offset}; }

// Byte classes for the scanners: bytes that end a run inside a string, and bytes that matter
// outside strings.
constexpr auto kStringStops = [] {
  std::array<bool, 256> table{};
  table['"'] = table['\\'] = table['\n'] = true;
  return table;
}();
constexpr auto kStructural = [] {
  std::array<bool, 256> table{};
  table['"'] = table['{'] = table['}'] = table['['] = table[']'] = true;
  return table;
}();

// The string starting at s[pos] == '"'. Raw line breaks end it with an error (JSON forbids them,
// and in NDJSON they mean the line was cut).
Scan ScanString(std::string_view s, size_t pos) {
  const size_t n = s.size();
  size_t p = pos + 1;
  while (true) {
    while (p < n && !kStringStops[static_cast<unsigned char>(s[p])]) ++p;
    if (p >= n || s[p] == '\n') return Fail("unterminated string", pos);
    if (s[p] == '"') return {p + 1, nullptr, 0};
    p += 2;  // a backslash and the byte it escapes
  }
}

// One JSON value starting at s[pos] (not whitespace). Brackets are counted, not matched: a
// mismatch such as {] is left for the JSON parser to report.
Scan ScanValue(std::string_view s, size_t pos) {
  const char first = s[pos];
  if (first == '"') return ScanString(s, pos);
  if (first == '{' || first == '[') {
    size_t depth = 0;
    const size_t n = s.size();
    for (size_t p = pos; p < n; ++p) {
      while (p < n && !kStructural[static_cast<unsigned char>(s[p])]) ++p;
      if (p >= n) break;
      switch (s[p]) {
        case '"': {
          const Scan str = ScanString(s, p);
          if (str.error) return str;
          p = str.end - 1;
          break;
        }
        case '{':
        case '[':
          ++depth;
          break;
        default:  // '}' or ']'
          if (--depth == 0) return {p + 1, nullptr, 0};
          break;
      }
    }
    return Fail("unterminated record (a '}' or ']' is missing)", pos);
  }
  size_t p = pos;
  while (p < s.size() && !IsSpace(s[p]) && s[p] != ',' && s[p] != ']' && s[p] != '}') ++p;
  if (p == pos) return Fail("expected a record", pos);
  return {p, nullptr, 0};
}

Result<BodyFormat> ArrayError(std::string_view body, const char* what, size_t offset) {
  return MakeError(ErrorCode::kParse,
                   "malformed JSON array at " + DescribeOffset(body, offset) + ": " + what);
}

Result<BodyFormat> SplitArray(std::string_view body, size_t pos, std::vector<RecordSpan>& spans) {
  pos = SkipSpace(body, pos + 1);
  if (pos < body.size() && body[pos] == ']') {
    pos = SkipSpace(body, pos + 1);
    if (pos != body.size()) return ArrayError(body, "unexpected data after the array", pos);
    return BodyFormat::kArray;
  }
  while (true) {
    pos = SkipSpace(body, pos);
    if (pos >= body.size()) return ArrayError(body, "the array is not closed (expected ']')", pos);
    const Scan value = ScanValue(body, pos);
    if (value.error) return ArrayError(body, value.error, value.error_offset);
    spans.push_back({body.substr(pos, value.end - pos), pos, 0});
    pos = SkipSpace(body, value.end);
    if (pos >= body.size()) return ArrayError(body, "the array is not closed (expected ']')", pos);
    if (body[pos] == ']') break;
    if (body[pos] != ',') return ArrayError(body, "expected ',' or ']' after a record", pos);
    ++pos;
  }
  pos = SkipSpace(body, pos + 1);
  if (pos != body.size()) return ArrayError(body, "unexpected data after the array", pos);
  return BodyFormat::kArray;
}

// NDJSON lines from `start` (0, or 3 after a byte order mark) on; blank lines are skipped.
void SplitLines(std::string_view body, size_t start, std::vector<RecordSpan>& spans) {
  size_t line = 0;
  size_t pos = start;
  while (pos < body.size()) {
    ++line;
    const void* nl = std::memchr(body.data() + pos, '\n', body.size() - pos);
    const size_t end =
        nl ? static_cast<size_t>(static_cast<const char*>(nl) - body.data()) : body.size();
    size_t text_end = end;
    if (text_end > pos && body[text_end - 1] == '\r') --text_end;
    const std::string_view text = body.substr(pos, text_end - pos);
    if (!std::all_of(text.begin(), text.end(), IsSpace)) spans.push_back({text, pos, line});
    pos = end + 1;
  }
}

// True if more than one line of the body has something on it.
bool HasSeveralLines(std::string_view body, size_t first) {
  const size_t nl = body.find('\n', first);
  return nl != std::string_view::npos && SkipSpace(body, nl) < body.size();
}

}  // namespace

Result<BodyFormat> SplitBody(std::string_view body, std::vector<RecordSpan>& spans) {
  const size_t start = body.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;  // a byte order mark
  size_t pos = SkipSpace(body, start);
  if (pos == body.size()) return BodyFormat::kEmpty;
  if (body[pos] == '[') return SplitArray(body, pos, spans);
  // One JSON value followed by nothing is a single record (it may be pretty-printed over several
  // lines); anything else with several lines is NDJSON, read line by line.
  const Scan first = ScanValue(body, pos);
  const bool single =
      first.error ? !HasSeveralLines(body, pos) : SkipSpace(body, first.end) == body.size();
  if (single) {
    size_t end = body.size();
    while (end > pos && IsSpace(body[end - 1])) --end;
    spans.push_back({body.substr(pos, end - pos), pos, 0});
    return BodyFormat::kObject;
  }
  SplitLines(body, start, spans);
  return BodyFormat::kNdjson;
}

std::string DescribeOffset(std::string_view body, size_t offset) {
  offset = std::min(offset, body.size());
  const std::string_view before = body.substr(0, offset);
  const size_t line = 1 + static_cast<size_t>(std::count(before.begin(), before.end(), '\n'));
  const size_t line_start = before.rfind('\n');
  const size_t column = line_start == std::string_view::npos ? offset + 1 : offset - line_start;
  return "byte " + std::to_string(offset) + " (line " + std::to_string(line) + ", column " +
         std::to_string(column) + ")";
}

}  // namespace yardstick::ingest::internal
