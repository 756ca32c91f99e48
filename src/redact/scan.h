#pragma once
// Fast scans over a text: the profile that rules detectors out, and the search for the next
// digit. SSE2 on x86-64 (16 bytes per step), a byte loop elsewhere; both give the same results.
// Internal to the redact module.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace yardstick::redact::internal {

// What one pass over a text found: enough to rule detectors out without running them.
struct TextProfile {
  uint32_t digits = 0;
  uint32_t colons = 0;
  bool long_token = false;       // a run of >= kLongToken characters of [A-Za-z0-9_.~+/=-]
  bool at = false;               // '@'
  bool label_separator = false;  // ':' or '='
};

// The shortest token a token secret can be ("xoxb-" and 10 characters).
constexpr uint32_t kLongToken = 15;

TextProfile ProfileText(std::string_view text);

// The same, one byte at a time (the reference for tests).
TextProfile ProfileTextBytewise(std::string_view text);

// The offset of the first ASCII digit at or after `from`, or text.size().
size_t FindDigit(std::string_view text, size_t from);

}  // namespace yardstick::redact::internal
