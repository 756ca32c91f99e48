#pragma once
// Unicode primitives with the exact semantics the reference metric implementations rely on.
//
// sacrebleu, rouge-score and the SQuAD evaluator are Python programs: their tokenizers are
// defined by CPython's str.lower(), str.split(), str.isspace() and the `re` module's \s, \w and
// \b classes. This header reproduces those definitions on code points, using utf8proc's Unicode
// character database (no hand-written tables), so that every metric built on it tokenizes the
// way the reference does. Text is handled as std::u32string (one element per code point, as
// Python's str indexes it).
//
// Thread safety: every function is pure and may be called concurrently.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace yardstick::text {

// ---- UTF-8 ----------------------------------------------------------------------------------

// Returns the byte offset of the first ill-formed UTF-8 sequence in `s` (overlong forms,
// surrogates and code points above U+10FFFF are ill-formed), or nullopt when `s` is valid.
std::optional<std::size_t> FindInvalidUtf8(std::string_view s);

// Decodes strict UTF-8. The error names the byte offset of the first ill-formed sequence.
Result<std::u32string> DecodeUtf8(std::string_view s);

// Appends the UTF-8 encoding of `c` to `out`.
void AppendUtf8(std::string& out, char32_t c);

// Encodes code points as UTF-8.
std::string EncodeUtf8(std::u32string_view s);

// ---- Character classes (CPython 3.11 definitions) -------------------------------------------

// str.isspace(): general category Zs, or bidirectional class WS, B or S. Also `re`'s \s.
bool IsSpace(char32_t c);
// str.isalpha(): general categories Lu, Ll, Lt, Lm, Lo.
bool IsAlpha(char32_t c);
// str.isdecimal(): general category Nd. Also `re`'s \d.
bool IsDecimal(char32_t c);
// str.isalnum(): a letter or any number (categories L* and N*).
bool IsAlnum(char32_t c);
// `re`'s \w for str patterns: IsAlnum(c) or '_'.
bool IsWordChar(char32_t c);
// Unicode general category groups, as the `regex` module's \p{P}, \p{S}, \p{N}.
bool IsPunctuation(char32_t c);  // Pc Pd Ps Pe Pi Pf Po
bool IsSymbol(char32_t c);       // Sm Sc Sk So
bool IsNumber(char32_t c);       // Nd Nl No
// ASCII punctuation as Python's string.punctuation: !"#$%&'()*+,-./:;<=>?@[\]^_`{|}~
bool IsAsciiPunctuation(char32_t c);

// ---- String operations (CPython 3.11 definitions) -------------------------------------------

// str.lower(): full lowercase mapping (U+0130 becomes "i\u0307") with the Final_Sigma rule for
// U+03A3.
std::u32string Lower(std::u32string_view s);

// str.split() with no argument: splits on runs of IsSpace characters, dropping empty pieces.
// The views point into `s`.
std::vector<std::u32string_view> SplitWhitespace(std::u32string_view s);

// str.rstrip() / str.strip() with no argument.
std::u32string_view RStrip(std::u32string_view s);
std::u32string_view Strip(std::u32string_view s);

// ' '.join(s.split()): collapses whitespace runs to one ASCII space and trims both ends.
std::u32string NormalizeWhitespace(std::u32string_view s);

// Replaces every occurrence of `from` in `s` with `to`, scanning left to right without overlap
// (str.replace).
std::u32string ReplaceAll(std::u32string_view s, std::u32string_view from, std::u32string_view to);

}  // namespace yardstick::text
