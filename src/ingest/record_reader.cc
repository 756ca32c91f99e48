#include "ingest/record_reader.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <random>
#include <string_view>

namespace yardstick::ingest::internal {
namespace {

// The last whole second whose nanoseconds (plus a fraction) fit in int64_t (2262-04-11).
constexpr int64_t kMaxSeconds = std::numeric_limits<int64_t>::max() / kNanosPerSecond - 1;
constexpr size_t kMaxIdBytes = 256;

bool IsPathIdentifier(std::string_view key) {
  if (key.empty()) return false;
  return std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

std::string FormatDouble(double value) {
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  return ec == std::errc() ? std::string(buf, end) : std::to_string(value);
}

}  // namespace

// The generator is seeded once per thread from the operating system's entropy.
std::string RandomId() {
  thread_local std::mt19937_64 rng = [] {
    std::random_device device;
    std::seed_seq seed{device(), device(), device(), device(), device(), device()};
    return std::mt19937_64(seed);
  }();
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id(32, '0');
  for (size_t half = 0; half < 2; ++half) {
    uint64_t bits = rng();
    for (size_t i = 0; i < 16; ++i, bits >>= 4) id[half * 16 + 15 - i] = kHex[bits & 0xF];
  }
  return id;
}

std::string FormatMillis(int64_t ns) {
  return FormatDouble(static_cast<double>(ns) / static_cast<double>(kNanosPerMilli));
}

bool RecordReader::String(Field field, element value, std::string& out) {
  std::string_view text;
  if (value.get_string().get(text)) return Fail(field, "expected a string");
  out.assign(text);
  return true;
}

bool RecordReader::NonEmptyString(Field field, element value, std::string& out) {
  std::string_view text;
  if (value.get_string().get(text) || text.empty()) {
    return Fail(field, "expected a non-empty string");
  }
  out.assign(text);
  return true;
}

bool RecordReader::Id(element value, std::string& out) {
  std::string_view text;
  if (value.get_string().get(text) || text.empty() || text.size() > kMaxIdBytes) {
    return Fail(Field::kId, "expected a non-empty string of at most 256 bytes");
  }
  out.assign(text);
  return true;
}

bool RecordReader::Hex(Field field, element value, size_t digits, std::string& out) {
  // Lower-case hex digit of each byte, or 0 for bytes that are not hex digits.
  static constexpr auto kLower = [] {
    std::array<char, 256> table{};
    for (int c = '0'; c <= '9'; ++c) table[static_cast<size_t>(c)] = static_cast<char>(c);
    for (int c = 'a'; c <= 'f'; ++c) table[static_cast<size_t>(c)] = static_cast<char>(c);
    for (int c = 'A'; c <= 'F'; ++c)
      table[static_cast<size_t>(c)] = static_cast<char>(c - 'A' + 'a');
    return table;
  }();
  std::string_view text;
  if (!value.get_string().get(text) && text.size() == digits) {
    out.resize(digits);
    char any_bad = 0;
    char any_nonzero = 0;
    for (size_t i = 0; i < digits; ++i) {
      const char c = kLower[static_cast<unsigned char>(text[i])];
      out[i] = c;
      any_bad |= static_cast<char>(c == 0);
      any_nonzero |= static_cast<char>(c != '0');
    }
    if (!any_bad && any_nonzero) return true;
    out.clear();
  }
  return Fail(field, "expected " + std::to_string(digits) + " hex digits, not all zero");
}

bool RecordReader::Count(Field field, element value, int64_t& out) {
  constexpr double kLimit = 9.2e18;
  switch (value.type()) {
    case element_type::INT64: {
      int64_t n = 0;
      if (!value.get_int64().get(n) && n >= 0) {
        out = n;
        return true;
      }
      break;
    }
    case element_type::DOUBLE: {  // 12.0 and 1e3 are integers too
      double d = 0;
      if (!value.get_double().get(d) && d >= 0 && d < kLimit && d == std::floor(d)) {
        out = static_cast<int64_t>(d);
        return true;
      }
      break;
    }
    default:
      break;
  }
  return Fail(field, "expected a non-negative integer");
}

bool RecordReader::NonNegative(Field field, element value, double& out) {
  if (value.get_double().get(out) || !(out >= 0)) {
    return Fail(field, "expected a non-negative number");
  }
  return true;
}

bool RecordReader::Number(Field field, element value, double& out) {
  if (value.get_double().get(out)) return Fail(field, "expected a number");
  return true;
}

bool RecordReader::Time(Field field, element value, int64_t& out) {
  const char* kRange = "expected Unix seconds from 0 to 9223372035";
  switch (value.type()) {
    case element_type::STRING: {
      std::string_view text;
      text = value.get_string().value_unsafe();
      auto parsed = ParseTimestamp(text);
      if (!parsed) return Fail(field, parsed.error().message());
      out = *parsed;
      return true;
    }
    case element_type::INT64: {
      int64_t seconds = 0;
      seconds = value.get_int64().value_unsafe();
      if (seconds < 0 || seconds > kMaxSeconds) break;
      out = seconds * kNanosPerSecond;
      return true;
    }
    case element_type::UINT64:
      break;
    case element_type::DOUBLE: {
      double seconds = 0;
      seconds = value.get_double().value_unsafe();
      if (!(seconds >= 0 && seconds < static_cast<double>(kMaxSeconds))) break;
      const double whole = std::floor(seconds);
      out = static_cast<int64_t>(whole) * kNanosPerSecond +
            std::llround((seconds - whole) * static_cast<double>(kNanosPerSecond));
      return true;
    }
    default:
      return Fail(field, "expected an RFC 3339 time string or a number of Unix seconds");
  }
  double seconds = 0;
  seconds = value.get_double().value_unsafe();
  return Fail(field, std::string(kRange) +
                         (seconds > 1e11 ? " (is this in milliseconds or nanoseconds?)" : ""));
}

void RecordReader::Text(element value, std::string& out) {
  std::string_view text;
  if (!value.get_string().get(text)) {
    out.assign(text);
  } else {
    out = simdjson::minify(value);
  }
}

bool RecordReader::Attributes(element value, model::Attributes& out) {
  object attributes;
  if (value.get_object().get(attributes)) {
    return Fail(Field::kAttributes, "expected an object of string, number or boolean values");
  }
  if (attributes.size() > options_.max_attributes) {
    return Fail(Field::kAttributes, "has " + std::to_string(attributes.size()) +
                                        " attributes; at most " +
                                        std::to_string(options_.max_attributes) + " are allowed");
  }
  out.reserve(attributes.size());
  auto fail_at = [&](std::string_view key, std::string reason) {
    std::string path = ".attributes";
    AppendPathKey(path, key);
    return Fail(std::move(path), std::move(reason));
  };
  for (auto [key, item] : attributes) {
    if (key.empty()) return fail_at(key, "attribute names must not be empty");
    switch (item.type()) {
      case element_type::STRING: {
        std::string_view text;
        text = item.get_string().value_unsafe();
        out.emplace_back(std::string(key), std::string(text));
        break;
      }
      case element_type::INT64: {
        int64_t n = 0;
        n = item.get_int64().value_unsafe();
        out.emplace_back(std::string(key), std::to_string(n));
        break;
      }
      case element_type::UINT64: {
        uint64_t n = 0;
        n = item.get_uint64().value_unsafe();
        out.emplace_back(std::string(key), std::to_string(n));
        break;
      }
      case element_type::DOUBLE: {
        double d = 0;
        d = item.get_double().value_unsafe();
        out.emplace_back(std::string(key), FormatDouble(d));
        break;
      }
      case element_type::BOOL: {
        bool b = false;
        b = item.get_bool().value_unsafe();
        out.emplace_back(std::string(key), b ? "true" : "false");
        break;
      }
      case element_type::NULL_VALUE:
        break;  // null: the attribute is not set
      default:
        return fail_at(key,
                       "expected a string, number or boolean (nested objects and arrays are "
                       "not allowed; flatten them into keys such as \"a.b\")");
    }
  }
  for (size_t i = 1; i < out.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (out[i].first == out[j].first) {
        return fail_at(out[i].first, "duplicate attribute '" + Excerpt(out[i].first) + "'");
      }
    }
  }
  return true;
}
void AppendPathKey(std::string& path, std::string_view full_key) {
  const std::string key = Excerpt(full_key, 128);
  if (IsPathIdentifier(key)) {
    path += '.';
    path += key;
    return;
  }
  path += "[\"";
  for (char c : key) {
    if (c == '"' || c == '\\') {
      path += '\\';
      path += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      static constexpr char kHex[] = "0123456789abcdef";
      path += "\\u00";
      path += kHex[(c >> 4) & 0xF];
      path += kHex[c & 0xF];
    } else {
      path += c;
    }
  }
  path += "\"]";
}
}  // namespace yardstick::ingest::internal
