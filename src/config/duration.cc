// Durations in yardstick.yaml: "500ms", "30s", "5m", "1h", "7d", "2w".
#include <charconv>
#include <cstdint>
#include <limits>

#include "config/sections.h"

namespace yardstick::config::internal {

std::optional<int64_t> ParseDurationText(std::string_view text) {
  size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  if (digits == 0 || digits == text.size()) return std::nullopt;
  int64_t count = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + digits, count);
  if (ec != std::errc() || end != text.data() + digits) return std::nullopt;
  const std::string_view unit = text.substr(digits);
  int64_t scale = 0;
  if (unit == "ms") {
    scale = 1'000'000;
  } else if (unit == "s") {
    scale = 1'000'000'000;
  } else if (unit == "m") {
    scale = 60'000'000'000;
  } else if (unit == "h") {
    scale = 3'600'000'000'000;
  } else if (unit == "d") {
    scale = 86'400'000'000'000;
  } else if (unit == "w") {
    scale = 7 * 86'400'000'000'000;
  } else {
    return std::nullopt;
  }
  if (count > std::numeric_limits<int64_t>::max() / scale) return std::nullopt;
  return count * scale;
}

bool ReadDuration(const MapReader& map, std::string_view key, bool allow_zero, Diagnostics& diag,
                  int64_t& out) {
  const auto f = map.Get(key);
  if (!f) return false;
  const std::string expected = std::string(": expected a duration like 30s, 5m, 1h or 7d") +
                               (allow_zero ? "" : " (greater than 0)") + ", got ";
  if (!f->value.IsScalar()) {
    diag.Add(f->mark, f->path + expected + Describe(f->value));
    return false;
  }
  const std::string& text = f->value.Scalar();
  const auto ns = ParseDurationText(text);
  if (!ns || (*ns == 0 && !allow_zero)) {
    diag.Add(f->mark, f->path + expected + Quote(text));
    return false;
  }
  out = *ns;
  return true;
}

}  // namespace yardstick::config::internal
