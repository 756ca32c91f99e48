#include "redact/scan.h"

#include <array>
#include <bit>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace yardstick::redact::internal {
namespace {

enum : uint8_t { kDigit = 1, kToken = 2, kAt = 4, kColon = 8, kEquals = 16 };

constexpr std::array<uint8_t, 256> MakeClassTable() {
  std::array<uint8_t, 256> t{};
  for (size_t c = '0'; c <= '9'; ++c) t[c] = kDigit | kToken;
  for (size_t c = 'a'; c <= 'z'; ++c) t[c] = kToken;
  for (size_t c = 'A'; c <= 'Z'; ++c) t[c] = kToken;
  for (char c : {'_', '.', '~', '+', '/', '-'}) t[static_cast<unsigned char>(c)] = kToken;
  t['='] = kToken | kEquals;
  t['@'] = kAt;
  t[':'] = kColon;
  return t;
}

constexpr std::array<uint8_t, 256> kClass = MakeClassTable();

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Adds the bytes [begin, end) of `text` to a profile in progress; `run` is the length of the
// token run ending just before `begin`.
void AddBytes(std::string_view text, size_t begin, size_t end, TextProfile& p, uint32_t& run) {
  uint32_t seen = 0;
  for (size_t i = begin; i < end; ++i) {
    const uint32_t k = kClass[static_cast<unsigned char>(text[i])];
    seen |= k;
    p.digits += k & kDigit;
    p.colons += (k >> 3) & 1u;
    run = (k & kToken) ? run + 1 : 0;
    if (run >= kLongToken) p.long_token = true;
  }
  p.at = p.at || (seen & kAt) != 0;
  p.label_separator = p.label_separator || (seen & (kColon | kEquals)) != 0;
}

#if defined(__SSE2__)

inline __m128i Load(const char* p) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p)); }

inline uint32_t Mask(__m128i v) { return static_cast<uint32_t>(_mm_movemask_epi8(v)); }

// Lanes where lo <= v <= lo + span (unsigned).
inline __m128i InRange(__m128i v, char lo, char span) {
  const __m128i x = _mm_sub_epi8(v, _mm_set1_epi8(lo));
  return _mm_cmpeq_epi8(_mm_min_epu8(x, _mm_set1_epi8(span)), x);
}

inline __m128i Eq(__m128i v, char c) { return _mm_cmpeq_epi8(v, _mm_set1_epi8(c)); }

// True when the 64-bit mask holds 15 consecutive ones.
inline bool HasRun15(uint64_t m) {
  m &= m >> 1;                 // runs of 2
  m &= m >> 2;                 // 4
  m &= m >> 4;                 // 8
  return (m & (m >> 7)) != 0;  // 15
}

#endif

}  // namespace

TextProfile ProfileTextBytewise(std::string_view text) {
  TextProfile p;
  uint32_t run = 0;
  AddBytes(text, 0, text.size(), p, run);
  return p;
}

TextProfile ProfileText(std::string_view text) {
#if defined(__SSE2__)
  TextProfile p;
  const char* data = text.data();
  const size_t n = text.size();
  size_t i = 0;
  uint32_t carry = 0;  // token characters at the end of the previous block
  uint32_t flags = 0;  // '@' in bit 0, ':' or '=' in bit 1
  for (; i + 64 <= n; i += 64) {
    uint64_t digit = 0, token = 0;
    for (int k = 0; k < 4; ++k) {
      const __m128i v = Load(data + i + 16 * static_cast<size_t>(k));
      const __m128i d = InRange(v, '0', 9);
      const __m128i letter = InRange(_mm_or_si128(v, _mm_set1_epi8(0x20)), 'a', 25);
      const __m128i punct = _mm_or_si128(
          _mm_or_si128(_mm_or_si128(Eq(v, '_'), Eq(v, '.')), _mm_or_si128(Eq(v, '~'), Eq(v, '+'))),
          _mm_or_si128(_mm_or_si128(Eq(v, '/'), Eq(v, '=')), Eq(v, '-')));
      const __m128i colon = Eq(v, ':');
      const unsigned shift = 16u * static_cast<unsigned>(k);
      digit |= static_cast<uint64_t>(Mask(d)) << shift;
      token |= static_cast<uint64_t>(Mask(_mm_or_si128(_mm_or_si128(d, letter), punct))) << shift;
      const uint32_t colons = Mask(colon);
      p.colons += static_cast<uint32_t>(std::popcount(colons));
      flags |= Mask(Eq(v, '@')) != 0 ? 1u : 0u;
      flags |= (colons | Mask(Eq(v, '='))) != 0 ? 2u : 0u;
    }
    p.digits += static_cast<uint32_t>(std::popcount(digit));
    if (!p.long_token) {
      p.long_token =
          carry + static_cast<uint32_t>(std::countr_one(token)) >= kLongToken || HasRun15(token);
      carry = token == ~uint64_t{0} ? carry + 64 : static_cast<uint32_t>(std::countl_one(token));
    }
  }
  p.at = (flags & 1u) != 0;
  p.label_separator = (flags & 2u) != 0;
  uint32_t run = carry;
  AddBytes(text, i, n, p, run);
  return p;
#else
  return ProfileTextBytewise(text);
#endif
}

size_t FindDigit(std::string_view text, size_t from) {
  const size_t n = text.size();
  size_t i = from;
#if defined(__SSE2__)
  const char* data = text.data();
  for (; i + 16 <= n; i += 16) {
    const uint32_t m = Mask(InRange(Load(data + i), '0', 9));
    if (m != 0) return i + static_cast<size_t>(std::countr_zero(m));
  }
#endif
  while (i < n && !IsDigit(text[i])) ++i;
  return i;
}

}  // namespace yardstick::redact::internal
