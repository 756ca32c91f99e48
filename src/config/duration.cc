// Durations written in yardstick.yaml ("500ms", "30s", "5m", "1h", "7d", "2w").
#include <cmath>
#include <cstdint>
#include <optional>
#include <string_view>

#include "config/sections.h"

namespace yardstick::config::internal {

std::optional<int64_t> ParseDurationText(std::string_view text) {
  size_t i = 0;
  bool digits = false, dot = false;
  while (i < text.size() && ((text[i] >= '0' && text[i] <= '9') || (text[i] == '.' && !dot))) {
    if (text[i] == '.') {
      dot = true;
    } else {
      digits = true;
    }
    ++i;
  }
  if (!digits || i == text.size()) return std::nullopt;
  const std::string_view unit = text.substr(i);
  double scale = 0;
  if (unit == "ms") {
    scale = 1e6;
  } else if (unit == "s") {
    scale = 1e9;
  } else if (unit == "m") {
    scale = 60e9;
  } else if (unit == "h") {
    scale = 3600e9;
  } else if (unit == "d") {
    scale = 86400e9;
  } else if (unit == "w") {
    scale = 7 * 86400e9;
  } else {
    return std::nullopt;
  }
  double number = 0, fraction = 0.1;
  bool after_dot = false;
  for (const char c : text.substr(0, i)) {
    if (c == '.') {
      after_dot = true;
    } else if (after_dot) {
      number += (c - '0') * fraction;
      fraction /= 10;
    } else {
      number = number * 10 + (c - '0');
    }
  }
  const double ns = std::round(number * scale);
  if (!(ns < 9.2e18)) return std::nullopt;
  return static_cast<int64_t>(ns);
}

}  // namespace yardstick::config::internal
