#include "text/unicode.h"

#include <utf8proc.h>

namespace yardstick::text {
namespace {

utf8proc_category_t Category(char32_t c) {
  return utf8proc_category(static_cast<utf8proc_int32_t>(c));
}

// Cased (Unicode derived property): Lu, Ll, Lt, or a character with a case mapping
// (Other_Lowercase/Other_Uppercase letters such as circled letters and Roman numerals).
bool IsCased(char32_t c) {
  const auto cat = Category(c);
  if (cat == UTF8PROC_CATEGORY_LU || cat == UTF8PROC_CATEGORY_LL || cat == UTF8PROC_CATEGORY_LT) {
    return true;
  }
  const auto cp = static_cast<utf8proc_int32_t>(c);
  return utf8proc_tolower(cp) != cp || utf8proc_toupper(cp) != cp;
}

// Case_Ignorable (Unicode derived property): categories Mn, Me, Cf, Lm, Sk, plus the characters
// whose Word_Break property is MidLetter, MidNumLet or Single_Quote.
bool IsCaseIgnorable(char32_t c) {
  switch (Category(c)) {
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_ME:
    case UTF8PROC_CATEGORY_CF:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_SK:
      return true;
    default:
      break;
  }
  switch (c) {
    case U'\'':   // Single_Quote
    case U'.':    // MidNumLet
    case U':':    // MidLetter
    case 0x00B7:  // MidLetter
    case 0x0387:  // MidLetter
    case 0x055F:  // MidLetter
    case 0x05F4:  // MidLetter
    case 0x2018:  // MidNumLet
    case 0x2019:  // MidNumLet
    case 0x2024:  // MidNumLet
    case 0x2027:  // MidLetter
    case 0xFE13:  // MidLetter
    case 0xFE52:  // MidNumLet
    case 0xFE55:  // MidLetter
    case 0xFF07:  // MidNumLet
    case 0xFF0E:  // MidNumLet
    case 0xFF1A:  // MidLetter
      return true;
    default:
      return false;
  }
}

// CPython's handle_capital_sigma: U+03A3 lowers to final sigma when preceded by a cased letter
// (skipping case-ignorables) and not followed by one.
char32_t LowerCapitalSigma(std::u32string_view s, std::size_t i) {
  std::size_t j = i;
  char32_t c = 0;
  bool found = false;
  while (j > 0) {
    --j;
    c = s[j];
    if (!IsCaseIgnorable(c)) {
      found = true;
      break;
    }
  }
  bool final_sigma = found && IsCased(c);
  if (final_sigma) {
    for (j = i + 1; j < s.size(); ++j) {
      if (!IsCaseIgnorable(s[j])) {
        final_sigma = !IsCased(s[j]);
        break;
      }
    }
  }
  return final_sigma ? char32_t{0x03C2} : char32_t{0x03C3};
}

}  // namespace

std::optional<std::size_t> FindInvalidUtf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  std::size_t i = 0;
  while (i < n) {
    const unsigned char b = p[i];
    if (b < 0x80) {
      ++i;
      continue;
    }
    std::size_t len;
    unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (b >= 0xC2 && b <= 0xDF) {
      len = 2;
    } else if (b >= 0xE0 && b <= 0xEF) {
      len = 3;
      if (b == 0xE0) lo = 0xA0;  // overlong
      if (b == 0xED) hi = 0x9F;  // surrogates
    } else if (b >= 0xF0 && b <= 0xF4) {
      len = 4;
      if (b == 0xF0) lo = 0x90;  // overlong
      if (b == 0xF4) hi = 0x8F;  // above U+10FFFF
    } else {
      return i;
    }
    if (i + len > n) return i;
    if (p[i + 1] < lo || p[i + 1] > hi) return i;
    for (std::size_t k = 2; k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) return i;
    }
    i += len;
  }
  return std::nullopt;
}

Result<std::u32string> DecodeUtf8(std::string_view s) {
  if (auto bad = FindInvalidUtf8(s)) {
    return MakeError(ErrorCode::kParse,
                     "invalid UTF-8 at byte " + std::to_string(*bad) + ": expected UTF-8 text");
  }
  std::u32string out;
  out.reserve(s.size());
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  std::size_t i = 0;
  while (i < n) {
    const unsigned char b = p[i];
    if (b < 0x80) {
      out.push_back(b);
      i += 1;
    } else if (b < 0xE0) {
      out.push_back(static_cast<char32_t>(((b & 0x1Fu) << 6) | (p[i + 1] & 0x3Fu)));
      i += 2;
    } else if (b < 0xF0) {
      out.push_back(static_cast<char32_t>(((b & 0x0Fu) << 12) | ((p[i + 1] & 0x3Fu) << 6) |
                                          (p[i + 2] & 0x3Fu)));
      i += 3;
    } else {
      out.push_back(static_cast<char32_t>(((b & 0x07u) << 18) | ((p[i + 1] & 0x3Fu) << 12) |
                                          ((p[i + 2] & 0x3Fu) << 6) | (p[i + 3] & 0x3Fu)));
      i += 4;
    }
  }
  return out;
}

void AppendUtf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out.push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (c >> 6)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (c >> 12)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (c >> 18)));
    out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

std::string EncodeUtf8(std::u32string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char32_t c : s) AppendUtf8(out, c);
  return out;
}

bool IsSpace(char32_t c) {
  if (c < 0x80) {
    return c == ' ' || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F);
  }
  const utf8proc_property_t* prop = utf8proc_get_property(static_cast<utf8proc_int32_t>(c));
  return prop->category == UTF8PROC_CATEGORY_ZS || prop->bidi_class == UTF8PROC_BIDI_CLASS_WS ||
         prop->bidi_class == UTF8PROC_BIDI_CLASS_B || prop->bidi_class == UTF8PROC_BIDI_CLASS_S;
}

bool IsAlpha(char32_t c) {
  if (c < 0x80) return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  switch (Category(c)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
      return true;
    default:
      return false;
  }
}

bool IsDecimal(char32_t c) {
  if (c < 0x80) return c >= '0' && c <= '9';
  return Category(c) == UTF8PROC_CATEGORY_ND;
}

bool IsNumber(char32_t c) {
  if (c < 0x80) return c >= '0' && c <= '9';
  switch (Category(c)) {
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
      return true;
    default:
      return false;
  }
}

bool IsAlnum(char32_t c) { return IsAlpha(c) || IsNumber(c); }

bool IsWordChar(char32_t c) { return c == U'_' || IsAlnum(c); }

bool IsPunctuation(char32_t c) {
  switch (Category(c)) {
    case UTF8PROC_CATEGORY_PC:
    case UTF8PROC_CATEGORY_PD:
    case UTF8PROC_CATEGORY_PS:
    case UTF8PROC_CATEGORY_PE:
    case UTF8PROC_CATEGORY_PI:
    case UTF8PROC_CATEGORY_PF:
    case UTF8PROC_CATEGORY_PO:
      return true;
    default:
      return false;
  }
}

bool IsSymbol(char32_t c) {
  switch (Category(c)) {
    case UTF8PROC_CATEGORY_SM:
    case UTF8PROC_CATEGORY_SC:
    case UTF8PROC_CATEGORY_SK:
    case UTF8PROC_CATEGORY_SO:
      return true;
    default:
      return false;
  }
}

bool IsAsciiPunctuation(char32_t c) {
  return (c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x40) || (c >= 0x5B && c <= 0x60) ||
         (c >= 0x7B && c <= 0x7E);
}

std::u32string Lower(std::u32string_view s) {
  std::u32string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char32_t c = s[i];
    if (c < 0x80) {
      out.push_back((c >= 'A' && c <= 'Z') ? c + 32 : c);
    } else if (c == 0x0130) {  // SpecialCasing: LATIN CAPITAL LETTER I WITH DOT ABOVE
      out.push_back(U'i');
      out.push_back(0x0307);
    } else if (c == 0x03A3) {
      out.push_back(LowerCapitalSigma(s, i));
    } else {
      out.push_back(static_cast<char32_t>(utf8proc_tolower(static_cast<utf8proc_int32_t>(c))));
    }
  }
  return out;
}

std::vector<std::u32string_view> SplitWhitespace(std::u32string_view s) {
  std::vector<std::u32string_view> parts;
  std::size_t i = 0;
  const std::size_t n = s.size();
  while (i < n) {
    while (i < n && IsSpace(s[i])) ++i;
    if (i == n) break;
    const std::size_t start = i;
    while (i < n && !IsSpace(s[i])) ++i;
    parts.push_back(s.substr(start, i - start));
  }
  return parts;
}

std::u32string_view RStrip(std::u32string_view s) {
  std::size_t end = s.size();
  while (end > 0 && IsSpace(s[end - 1])) --end;
  return s.substr(0, end);
}

std::u32string_view Strip(std::u32string_view s) {
  s = RStrip(s);
  std::size_t start = 0;
  while (start < s.size() && IsSpace(s[start])) ++start;
  return s.substr(start);
}

std::u32string NormalizeWhitespace(std::u32string_view s) {
  std::u32string out;
  out.reserve(s.size());
  for (std::u32string_view piece : SplitWhitespace(s)) {
    if (!out.empty()) out.push_back(U' ');
    out.append(piece);
  }
  return out;
}

std::u32string ReplaceAll(std::u32string_view s, std::u32string_view from, std::u32string_view to) {
  std::u32string out;
  if (from.empty()) return std::u32string(s);
  out.reserve(s.size());
  std::size_t pos = 0;
  while (true) {
    const std::size_t hit = s.find(from, pos);
    if (hit == std::u32string_view::npos) break;
    out.append(s.substr(pos, hit - pos));
    out.append(to);
    pos = hit + from.size();
  }
  out.append(s.substr(pos));
  return out;
}

}  // namespace yardstick::text
