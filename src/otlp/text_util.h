#pragma once
// Internal to the otlp module: the small text routines both decoders and the mapper share, so
// that the two encodings spell values identically (JSON strings, numbers, base64, hex ids).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace yardstick::otlp::internal {

// Appends `s` as a JSON string literal (quotes included). `s` must be UTF-8.
void AppendJsonString(std::string& out, std::string_view s);

// Appends the shortest decimal form that reads back as `value` ("0.2", "4", "1e+300"). NaN and
// infinities, which JSON cannot spell, are "NaN", "Infinity", "-Infinity"; with `quote_special`
// they are quoted (for use inside JSON text).
void AppendDouble(std::string& out, double value, bool quote_special);

void AppendInt(std::string& out, int64_t value);

// Standard base64 with padding (RFC 4648 section 4).
void AppendBase64(std::string& out, std::string_view bytes);

// Lower-case hex of raw bytes.
void AppendHex(std::string& out, std::string_view bytes);

// Reads `text` as hex of exactly `digits` digits (either case) into lower-case `out`; false
// when the length or a digit is wrong.
bool ParseHexId(std::string_view text, size_t digits, std::string& out);

bool IsUtf8(std::string_view s);

// Replaces bytes that are not UTF-8 with U+FFFD.
std::string RepairUtf8(std::string_view s);

// `s` cut to at most `max_bytes` without splitting a UTF-8 sequence, with "..." appended when
// cut.
std::string Abbreviate(std::string_view s, size_t max_bytes);

// ASCII lower case.
std::string AsciiLower(std::string_view s);

}  // namespace yardstick::otlp::internal
