#include "text/tercom_tokenizer.h"

#include <utility>

#include "text/unicode.h"

namespace yardstick::text {
namespace {

// Each step below reproduces one re.sub() of sacrebleu's tokenizer_ter.py. The patterns are
// fixed-width (one or two code points), so a left-to-right scan that advances past each match
// makes exactly the decisions re.sub makes.

bool IsAsciiDigit(char32_t c) { return c >= U'0' && c <= U'9'; }

// [{-~[-` -&(-+:-@/]: ASCII punctuation and symbols other than ' , - . and the space itself is
// included (U+0020..U+0026).
bool IsTercomSplitChar(char32_t c) {
  return (c >= 0x7B && c <= 0x7E) || (c >= 0x5B && c <= 0x60) || (c >= 0x20 && c <= 0x26) ||
         (c >= 0x28 && c <= 0x2B) || (c >= 0x3A && c <= 0x40) || c == U'/';
}

// TercomTokenizer.ASIAN_PUNCT
bool IsAsianPunct(char32_t c) {
  return c == 0x3001 || c == 0x3002 || (c >= 0x3008 && c <= 0x3011) ||
         (c >= 0x3014 && c <= 0x301F) || (c >= 0xFF61 && c <= 0xFF65) || c == 0x30FB;
}

// TercomTokenizer.FULL_WIDTH_PUNCT
bool IsFullWidthPunct(char32_t c) {
  switch (c) {
    case 0xFF0E:
    case 0xFF0C:
    case 0xFF1F:
    case 0xFF1A:
    case 0xFF1B:
    case 0xFF01:
    case 0xFF02:
    case 0xFF08:
    case 0xFF09:
      return true;
    default:
      return false;
  }
}

// The character classes _normalize_asian surrounds with spaces (ideographs, strokes, radicals,
// compatibility blocks, U+3200..U+3F22, Asian and full-width punctuation).
bool IsTercomAsianSplitChar(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
         (c >= 0x31C0 && c <= 0x31EF) || (c >= 0x2E80 && c <= 0x2EFF) ||
         (c >= 0x3300 && c <= 0x33FF) || (c >= 0xF900 && c <= 0xFAFF) ||
         (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0x3200 && c <= 0x3F22) || IsAsianPunct(c) ||
         IsFullWidthPunct(c);
}

// [\.,?:;!"()]
bool IsTercomPunct(char32_t c) {
  switch (c) {
    case U'.':
    case U',':
    case U'?':
    case U':':
    case U';':
    case U'!':
    case U'"':
    case U'(':
    case U')':
      return true;
    default:
      return false;
  }
}

bool IsPeriodOrComma(char32_t c) { return c == U'.' || c == U','; }

void ReplaceInPlace(std::u32string& s, std::u32string_view from, std::u32string_view to) {
  if (s.find(from) != std::u32string::npos) s = ReplaceAll(s, from, to);
}

// _normalize_general_and_western, reading `s` and leaving the result in `s` (`tmp` is scratch).
void NormalizeGeneralAndWestern(std::u32string& s, std::u32string& tmp) {
  // re.sub(r"\n-", "", s) then re.sub(r"\n", " ", s), fused: at a newline the first pass
  // removes "\n-", and any other newline becomes a space.
  tmp.clear();
  for (std::size_t i = 0, n = s.size(); i < n; ++i) {
    if (s[i] == U'\n') {
      if (i + 1 < n && s[i + 1] == U'-') {
        ++i;
      } else {
        tmp.push_back(U' ');
      }
    } else {
      tmp.push_back(s[i]);
    }
  }
  std::swap(s, tmp);

  // XML entities, one pass each in this order ("&amp;lt;" becomes "<", "&amp;quot;" does not).
  if (s.find(U'&') != std::u32string::npos) {
    ReplaceInPlace(s, U"&quot;", U"\"");
    ReplaceInPlace(s, U"&amp;", U"&");
    ReplaceInPlace(s, U"&lt;", U"<");
    ReplaceInPlace(s, U"&gt;", U">");
  }

  // f" {s} " and the punctuation split r" \1 ".
  tmp.clear();
  tmp.push_back(U' ');
  for (char32_t c : s) {
    if (IsTercomSplitChar(c)) {
      tmp.push_back(U' ');
      tmp.push_back(c);
      tmp.push_back(U' ');
    } else {
      tmp.push_back(c);
    }
  }
  tmp.push_back(U' ');
  std::swap(s, tmp);

  // Possessives. The second rule, r"'s$" -> " 's", can never match: the line ends with the
  // space added above.
  ReplaceInPlace(s, U"'s ", U" 's ");

  // r"([^0-9])([\.,])" -> r"\1 \2 "
  tmp.clear();
  for (std::size_t i = 0, n = s.size(); i < n; ++i) {
    if (i + 1 < n && !IsAsciiDigit(s[i]) && IsPeriodOrComma(s[i + 1])) {
      tmp.push_back(s[i]);
      tmp.push_back(U' ');
      tmp.push_back(s[i + 1]);
      tmp.push_back(U' ');
      ++i;
    } else {
      tmp.push_back(s[i]);
    }
  }
  std::swap(s, tmp);

  // r"([\.,])([^0-9])" -> r" \1 \2"
  tmp.clear();
  for (std::size_t i = 0, n = s.size(); i < n; ++i) {
    if (i + 1 < n && IsPeriodOrComma(s[i]) && !IsAsciiDigit(s[i + 1])) {
      tmp.push_back(U' ');
      tmp.push_back(s[i]);
      tmp.push_back(U' ');
      tmp.push_back(s[i + 1]);
      ++i;
    } else {
      tmp.push_back(s[i]);
    }
  }
  std::swap(s, tmp);

  // r"([0-9])(-)" -> r"\1 \2 "
  tmp.clear();
  for (std::size_t i = 0, n = s.size(); i < n; ++i) {
    if (i + 1 < n && IsAsciiDigit(s[i]) && s[i + 1] == U'-') {
      tmp.push_back(s[i]);
      tmp.push_back(U' ');
      tmp.push_back(U'-');
      tmp.push_back(U' ');
      ++i;
    } else {
      tmp.push_back(s[i]);
    }
  }
  std::swap(s, tmp);
}

// _normalize_asian. Its passes each surround one character class with spaces; since only the
// final whitespace collapse observes the number of spaces, one pass over the union suffices.
// The three Hiragana / Katakana rules are anchored at the start of the line ("^") and need a
// kana there, but the line always starts with the space added by the western normalization,
// so they never match.
void NormalizeAsian(std::u32string& s, std::u32string& tmp) {
  tmp.clear();
  for (char32_t c : s) {
    if (IsTercomAsianSplitChar(c)) {
      tmp.push_back(U' ');
      tmp.push_back(c);
      tmp.push_back(U' ');
    } else {
      tmp.push_back(c);
    }
  }
  std::swap(s, tmp);
}

// _remove_punct, then _remove_asian_punct when `asian`.
void RemovePunct(std::u32string& s, bool asian) {
  std::size_t w = 0;
  for (char32_t c : s) {
    if (IsTercomPunct(c) || (asian && (IsAsianPunct(c) || IsFullWidthPunct(c)))) continue;
    s[w++] = c;
  }
  s.resize(w);
}

// ' '.join(s.split())
void CollapseWhitespace(std::u32string_view s, std::u32string& out) {
  out.clear();
  std::size_t i = 0;
  const std::size_t n = s.size();
  while (i < n) {
    while (i < n && IsSpace(s[i])) ++i;
    if (i == n) break;
    if (!out.empty()) out.push_back(U' ');
    while (i < n && !IsSpace(s[i])) out.push_back(s[i++]);
  }
}

}  // namespace

std::u32string TercomTokenizer::Tokenize(std::u32string_view line) const {
  std::u32string out;
  std::u32string scratch;
  Tokenize(line, out, scratch);
  return out;
}

void TercomTokenizer::Tokenize(std::u32string_view line, std::u32string& out,
                               std::u32string& scratch) const {
  out.clear();
  if (line.empty()) return;
  if (!options_.normalized && !options_.no_punct) {
    if (options_.case_sensitive) {
      CollapseWhitespace(line, out);
    } else {
      scratch = Lower(line);
      CollapseWhitespace(scratch, out);
    }
    return;
  }
  std::u32string s = options_.case_sensitive ? std::u32string(line) : Lower(line);
  if (options_.normalized) {
    NormalizeGeneralAndWestern(s, scratch);
    if (options_.asian_support) NormalizeAsian(s, scratch);
  }
  if (options_.no_punct) RemovePunct(s, options_.asian_support);
  CollapseWhitespace(s, out);
}

}  // namespace yardstick::text
