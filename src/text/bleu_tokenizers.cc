#include "text/bleu_tokenizers.h"

#include <array>
#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "text/unicode.h"

namespace yardstick::text {
namespace {

// ---- Character classes ----------------------------------------------------------------------
//
// The rules test \s (Python whitespace), \p{P}, \p{S}, \p{N} once or twice per character. The
// answers come from unicode.h; they are cached in a table: ASCII is fixed at compile time
// (checked against unicode.h by the tests through BleuCharClasses), the rest of the BMP is
// filled 256 code points at a time on first use.

constexpr std::uint8_t kAsciiClassTable[128] = {
    // 0x00-0x1F: \t \n \v \f \r and the separators 0x1C-0x1F are whitespace.
    0, 0, 0, 0, 0, 0, 0, 0, 0, kBleuSpace, kBleuSpace, kBleuSpace, kBleuSpace, kBleuSpace, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, kBleuSpace, kBleuSpace, kBleuSpace, kBleuSpace,
    // 0x20-0x2F:  ! " # $ % & ' ( ) * + , - . /
    kBleuSpace, kBleuPunct, kBleuPunct, kBleuPunct, kBleuSymbol, kBleuPunct, kBleuPunct, kBleuPunct,
    kBleuPunct, kBleuPunct, kBleuPunct, kBleuSymbol, kBleuPunct, kBleuPunct, kBleuPunct, kBleuPunct,
    // 0x30-0x3F: 0-9 : ; < = > ?
    kBleuNumber, kBleuNumber, kBleuNumber, kBleuNumber, kBleuNumber, kBleuNumber, kBleuNumber,
    kBleuNumber, kBleuNumber, kBleuNumber, kBleuPunct, kBleuPunct, kBleuSymbol, kBleuSymbol,
    kBleuSymbol, kBleuPunct,
    // 0x40-0x5F: @ A-Z [ \ ] ^ _
    kBleuPunct, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    kBleuPunct, kBleuPunct, kBleuPunct, kBleuSymbol, kBleuPunct,
    // 0x60-0x7F: ` a-z { | } ~ DEL
    kBleuSymbol, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    kBleuPunct, kBleuSymbol, kBleuPunct, kBleuSymbol, 0};

std::uint8_t ComputeClasses(char32_t c) {
  std::uint8_t f = 0;
  if (IsSpace(c)) f |= kBleuSpace;
  if (IsPunctuation(c)) f |= kBleuPunct;
  if (IsSymbol(c)) f |= kBleuSymbol;
  if (IsNumber(c)) f |= kBleuNumber;
  return f;
}

// Lazily filled classes of U+0080..U+FFFF, one 256-entry block at a time (double-checked under
// a mutex, so concurrent tokenizers are safe).
class BmpClassCache {
 public:
  std::uint8_t Get(char32_t c) {
    const std::size_t block = c >> 8;
    if (!ready_[block].load(std::memory_order_acquire)) Fill(block);
    return table_[c];
  }

 private:
  void Fill(std::size_t block) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (ready_[block].load(std::memory_order_relaxed)) return;
    const char32_t first = static_cast<char32_t>(block << 8);
    for (char32_t c = first; c < first + 256; ++c) table_[c] = ComputeClasses(c);
    ready_[block].store(true, std::memory_order_release);
  }

  std::array<std::atomic<bool>, 256> ready_{};
  std::array<std::uint8_t, 0x10000> table_{};
  std::mutex mutex_;
};

BmpClassCache& Cache() {
  static BmpClassCache* cache = new BmpClassCache();  // never destroyed: usable at exit
  return *cache;
}

inline std::uint8_t ClassesOf(char32_t c) {
  if (c < 128) return kAsciiClassTable[c];
  if (c < 0x10000) return Cache().Get(c);
  return ComputeClasses(c);
}

inline bool IsSpaceC(char32_t c) {
  return c < 128 ? (kAsciiClassTable[c] & kBleuSpace) != 0 : (ClassesOf(c) & kBleuSpace) != 0;
}
inline bool IsAsciiDigit(char32_t c) { return c >= U'0' && c <= U'9'; }
inline bool IsPeriodOrComma(char32_t c) { return c == U'.' || c == U','; }

// 13a rule 1: [\{-\~\[-\` -\&\(-\+\:-\@\/]
constexpr bool IsRegexpSplitChar(char32_t c) {
  return (c >= 0x7B && c <= 0x7E) || (c >= 0x5B && c <= 0x60) || (c >= 0x20 && c <= 0x26) ||
         (c >= 0x28 && c <= 0x2B) || (c >= 0x3A && c <= 0x40) || c == 0x2F;
}

// ---- Streaming substitutions ----------------------------------------------------------------
//
// Each stage consumes code points with Push() and forwards its output to the next stage, so a
// chain of re.sub calls runs in one pass without intermediate strings. Finish() flushes.

// re.sub('(A)', ' \1 ') for a one-character class A.
template <typename Pred, typename Next>
class SurroundStage {
 public:
  SurroundStage(Pred pred, Next& next) : pred_(pred), next_(next) {}
  [[gnu::always_inline]] void Push(char32_t c) {
    if (pred_(c)) {
      next_.Push(U' ');
      next_.Push(c);
      next_.Push(U' ');
    } else {
      next_.Push(c);
    }
  }
  void Finish() { next_.Finish(); }

 private:
  Pred pred_;
  Next& next_;
};

// re.sub('(A)(B)', ...) for one-character classes A and B. re.sub tries a match at each
// position from the left; after a match it continues behind it, otherwise it copies one
// character. Holding one pending character reproduces exactly that: the pending character is
// the candidate for (A), the pushed one for (B).
enum class PairForm {
  kSpaceAfterEach,   // '\1 \2 '
  kSpaceAroundFirst  // ' \1 \2'
};

template <PairForm kForm, typename First, typename Second, typename Next>
class PairStage {
 public:
  PairStage(First first, Second second, Next& next) : first_(first), second_(second), next_(next) {}
  [[gnu::always_inline]] void Push(char32_t c) {
    if (has_pending_) {
      if (first_(pending_) && second_(c)) {
        if constexpr (kForm == PairForm::kSpaceAfterEach) {
          next_.Push(pending_);
          next_.Push(U' ');
          next_.Push(c);
          next_.Push(U' ');
        } else {
          next_.Push(U' ');
          next_.Push(pending_);
          next_.Push(U' ');
          next_.Push(c);
        }
        has_pending_ = false;
        return;
      }
      next_.Push(pending_);
    }
    pending_ = c;
    has_pending_ = true;
  }
  void Finish() {
    if (has_pending_) next_.Push(pending_);
    has_pending_ = false;
    next_.Finish();
  }

 private:
  First first_;
  Second second_;
  Next& next_;
  char32_t pending_ = 0;
  bool has_pending_ = false;
};

// ' '.join(text.split()) into a preallocated buffer (written without branches on the
// character: a space is stored speculatively and kept only where a token resumes after a gap).
class NormalizeSink {
 public:
  explicit NormalizeSink(char32_t* out) : begin_(out), p_(out) {}
  [[gnu::always_inline]] void Push(char32_t c) {
    const bool space = IsSpaceC(c);
    *p_ = U' ';
    p_ += static_cast<std::size_t>(!space & gap_);
    *p_ = c;
    p_ += static_cast<std::size_t>(!space);
    gap_ = space & (p_ != begin_);
  }
  void Finish() {}
  std::size_t size() const { return static_cast<std::size_t>(p_ - begin_); }

 private:
  char32_t* begin_;
  char32_t* p_;
  bool gap_ = false;
};

// Runs `feed(stage)` through sacrebleu's TokenizerRegexp rules into `out`. `max_text` bounds
// the number of non-space code points fed (stages only add spaces, and the normalized output
// has at most one space per non-space character).
template <typename Feed>
void RunRegexpRules(std::u32string& out, std::size_t max_text, Feed feed) {
  out.resize_and_overwrite(2 * max_text + 1, [&](char32_t* buf, std::size_t) {
    NormalizeSink sink(buf);
    auto digit = [](char32_t c) { return IsAsciiDigit(c); };
    auto not_digit = [](char32_t c) { return !IsAsciiDigit(c); };
    auto period_comma = [](char32_t c) { return IsPeriodOrComma(c); };
    auto dash_char = [](char32_t c) { return c == U'-'; };
    auto split_char = [](char32_t c) { return IsRegexpSplitChar(c); };
    // Stages are declared last to first; text flows split -> before -> after -> dash -> sink.
    // Tokenize dash when preceded by a digit.
    PairStage<PairForm::kSpaceAfterEach, decltype(digit), decltype(dash_char), NormalizeSink> dash(
        digit, dash_char, sink);
    // Tokenize period and comma unless followed by a digit.
    PairStage<PairForm::kSpaceAroundFirst, decltype(period_comma), decltype(not_digit),
              decltype(dash)>
        after(period_comma, not_digit, dash);
    // Tokenize period and comma unless preceded by a digit.
    PairStage<PairForm::kSpaceAfterEach, decltype(not_digit), decltype(period_comma),
              decltype(after)>
        before(not_digit, period_comma, after);
    // Language-dependent part (assuming Western languages): split punctuation and symbols.
    SurroundStage<decltype(split_char), decltype(before)> split(split_char, before);
    feed(split);
    split.Finish();
    return sink.size();
  });
}

// 13a's language-independent part: drop "<skipped>", join "-\n" hyphenations, newlines to
// spaces, unescape four entities (each str.replace runs once, in this order).
std::u32string_view Prepare13a(std::u32string_view line, std::u32string& scratch) {
  bool special = false;
  for (char32_t c : line) special |= (c == U'<') | (c == U'\n') | (c == U'&');
  if (!special) return line;
  scratch = ReplaceAll(line, U"<skipped>", U"");
  scratch = ReplaceAll(scratch, U"-\n", U"");
  scratch = ReplaceAll(scratch, U"\n", U" ");
  if (scratch.find(U'&') != std::u32string::npos) {
    scratch = ReplaceAll(scratch, U"&quot;", U"\"");
    scratch = ReplaceAll(scratch, U"&amp;", U"&");
    scratch = ReplaceAll(scratch, U"&lt;", U"<");
    scratch = ReplaceAll(scratch, U"&gt;", U">");
  }
  return scratch;
}

// Feeds an optional leading space, `text`, and an optional trailing space to a stage.
template <typename Stage>
void FeedWithContext(Stage& stage, std::u32string_view text, bool before, bool after) {
  if (before) stage.Push(U' ');
  for (char32_t c : text) stage.Push(c);
  if (after) stage.Push(U' ');
}

void Tokenize13a(std::u32string_view line, std::u32string& out, std::u32string& scratch) {
  line = Prepare13a(line, scratch);
  // The post-tokenizer runs on f' {line} '.
  RunRegexpRules(out, line.size(), [&](auto& stage) { FeedWithContext(stage, line, true, true); });
}

void TokenizeZh(std::u32string_view line, std::u32string& out) {
  line = Strip(line);
  // Chinese characters become ' c ' before the 13a rules.
  RunRegexpRules(out, line.size(), [&](auto& stage) {
    for (char32_t c : line) {
      if (IsSacrebleuChineseChar(c)) {
        stage.Push(U' ');
        stage.Push(c);
        stage.Push(U' ');
      } else {
        stage.Push(c);
      }
    }
  });
}

void RunIntlRules(std::u32string_view line, bool before_space, bool after_space,
                  std::u32string& out) {
  out.resize_and_overwrite(2 * line.size() + 1, [&](char32_t* buf, std::size_t) {
    NormalizeSink sink(buf);
    auto is_p = [](char32_t c) { return (ClassesOf(c) & kBleuPunct) != 0; };
    auto is_s = [](char32_t c) { return (ClassesOf(c) & kBleuSymbol) != 0; };
    auto not_n = [](char32_t c) { return (ClassesOf(c) & kBleuNumber) == 0; };
    // Stages are declared last to first; text flows before -> after -> symbols -> sink.
    // Separate out symbols.
    SurroundStage<decltype(is_s), NormalizeSink> symbols(is_s, sink);
    // Separate out punctuations followed by a non-digit.
    PairStage<PairForm::kSpaceAroundFirst, decltype(is_p), decltype(not_n), decltype(symbols)>
        after(is_p, not_n, symbols);
    // Separate out punctuations preceded by a non-digit.
    PairStage<PairForm::kSpaceAfterEach, decltype(not_n), decltype(is_p), decltype(after)> before(
        not_n, is_p, after);
    FeedWithContext(before, line, before_space, after_space);
    before.Finish();
    return sink.size();
  });
}

void TokenizeIntl(std::u32string_view line, std::u32string& out) {
  RunIntlRules(line, false, false, out);
}

// " ".join(line), optionally followed by whitespace normalization.
void TokenizeChar(std::u32string_view line, std::u32string& out, bool normalize) {
  out.resize_and_overwrite(2 * line.size() + 1, [&](char32_t* p, std::size_t) {
    char32_t* const begin = p;
    if (normalize) {
      NormalizeSink sink(p);
      for (std::size_t i = 0; i < line.size(); ++i) {
        sink.Push(U' ');
        sink.Push(line[i]);
      }
      return sink.size();
    }
    for (std::size_t i = 0; i < line.size(); ++i) {
      if (i > 0) *p++ = U' ';
      *p++ = line[i];
    }
    return static_cast<std::size_t>(p - begin);
  });
}

void Normalize(std::u32string_view line, std::u32string& out) {
  out.resize_and_overwrite(line.size() + 1, [&](char32_t* p, std::size_t) {
    NormalizeSink sink(p);
    for (char32_t c : line) sink.Push(c);
    return sink.size();
  });
}

}  // namespace

std::uint8_t BleuCharClasses(char32_t c) { return ClassesOf(c); }

Result<BleuTokenizer> ParseBleuTokenizer(std::string_view name) {
  if (name == "13a") return BleuTokenizer::k13a;
  if (name == "intl") return BleuTokenizer::kIntl;
  if (name == "zh") return BleuTokenizer::kZh;
  if (name == "char") return BleuTokenizer::kChar;
  if (name == "none") return BleuTokenizer::kNone;
  return MakeError(ErrorCode::kInvalidArgument, "unknown BLEU tokenizer '" + std::string(name) +
                                                    "': expected one of 13a, intl, zh, char, none");
}

std::string_view BleuTokenizerSignature(BleuTokenizer tokenizer) {
  switch (tokenizer) {
    case BleuTokenizer::kNone:
      return "none";
    case BleuTokenizer::k13a:
      return "13a";
    case BleuTokenizer::kIntl:
      return "intl";
    case BleuTokenizer::kZh:
      return "zh";
    case BleuTokenizer::kChar:
      return "char";
  }
  return "13a";
}

bool IsSacrebleuChineseChar(char32_t c) {
  // sacrebleu's _UCODE_RANGES, compared as Python strings: '\u20000' is U+2000 followed by
  // '0', so that range is U+2001..U+2A6D; likewise '\u2f800'..'\u2fa1d' is U+2F81..U+2FA1.
  struct Range {
    char32_t lo, hi;
  };
  static constexpr Range kRanges[] = {
      {0x3400, 0x4DB5}, {0x4E00, 0x9FA5}, {0x9FA6, 0x9FBB}, {0xF900, 0xFA2D}, {0xFA30, 0xFA6A},
      {0xFA70, 0xFAD9}, {0x2001, 0x2A6D}, {0x2F81, 0x2FA1}, {0xFF00, 0xFFEF}, {0x2E80, 0x2EFF},
      {0x3000, 0x303F}, {0x31C0, 0x31EF}, {0x2F00, 0x2FDF}, {0x2FF0, 0x2FFF}, {0x3100, 0x312F},
      {0x31A0, 0x31BF}, {0xFE10, 0xFE1F}, {0xFE30, 0xFE4F}, {0x2600, 0x26FF}, {0x2700, 0x27BF},
      {0x3200, 0x32FF}, {0x3300, 0x33FF},
  };
  if (c < 0x2001 || c > 0xFFEF) return false;
  for (const Range& r : kRanges) {
    if (c >= r.lo && c <= r.hi) return true;
  }
  return false;
}

namespace {

// The context bits of word `index` of `count` words spanning [begin, end) of a line of length n
// (the line as the tokenizer sees it: rstripped by BLEU; zh strips it itself).
std::uint8_t WordContext(BleuTokenizer tokenizer, std::size_t begin, std::size_t end,
                         std::size_t n) {
  switch (tokenizer) {
    case BleuTokenizer::k13a:  // f' {line} '
      return kBleuWordSpaceBefore | kBleuWordSpaceAfter;
    case BleuTokenizer::kIntl:
    case BleuTokenizer::kZh: {
      std::uint8_t context = 0;
      if (begin > 0) context |= kBleuWordSpaceBefore;
      if (end < n) context |= kBleuWordSpaceAfter;
      return context;
    }
    case BleuTokenizer::kNone:
    case BleuTokenizer::kChar:
      break;
  }
  return 0;  // no context-dependent rules
}

// Decodes the strict UTF-8 sequence at s[i] (s[i] >= 0x80). Returns its length, 0 if invalid.
std::size_t DecodeAt(std::string_view s, std::size_t i, char32_t& cp) {
  const auto* b = reinterpret_cast<const unsigned char*>(s.data());
  const unsigned char c = b[i];
  std::size_t len;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
    cp = c & 0x1Fu;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    cp = c & 0x0Fu;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    cp = c & 0x07u;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + len > s.size() || b[i + 1] < lo || b[i + 1] > hi) return 0;
  cp = (cp << 6) | (b[i + 1] & 0x3Fu);
  for (std::size_t k = 2; k < len; ++k) {
    if ((b[i + k] & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b[i + k] & 0x3Fu);
  }
  return len;
}

}  // namespace

std::u32string_view SplitBleuWords(BleuTokenizer tokenizer, std::u32string_view line,
                                   std::u32string& scratch, std::vector<BleuWord>& words) {
  words.clear();
  if (tokenizer == BleuTokenizer::k13a) {
    line = Prepare13a(line, scratch);
  } else if (tokenizer == BleuTokenizer::kZh) {
    line = Strip(line);
  }
  const bool zh = tokenizer == BleuTokenizer::kZh;
  const std::size_t n = line.size();
  auto add = [&](std::size_t begin, std::size_t end, std::uint8_t flags) {
    words.push_back({static_cast<std::uint32_t>(begin), static_cast<std::uint32_t>(end - begin),
                     static_cast<std::uint8_t>(WordContext(tokenizer, begin, end, n) | flags)});
  };
  std::size_t i = 0;
  while (i < n) {
    const char32_t c = line[i];
    if (IsSpaceC(c)) {
      ++i;
      continue;
    }
    if (zh && IsSacrebleuChineseChar(c)) {  // becomes ' c ': a token by itself
      add(i, i + 1, kBleuWordVerbatim);
      ++i;
      continue;
    }
    const std::size_t begin = i;
    while (i < n && !IsSpaceC(line[i]) && !(zh && IsSacrebleuChineseChar(line[i]))) ++i;
    add(begin, i, 0);
  }
  return line;
}

namespace {

// Byte classes for SplitBleuWordsUtf8.
enum : std::uint8_t {
  kByteText = 0,   // an ASCII character that continues a word
  kByteSpace = 1,  // ASCII whitespace
  kByteMulti = 2,  // the first byte of a multi-byte sequence (or an invalid byte)
};

constexpr std::array<std::uint8_t, 256> MakeByteClasses() {
  std::array<std::uint8_t, 256> t{};
  for (std::size_t b = 0; b < 256; ++b) {
    t[b] = b >= 0x80                                 ? kByteMulti
           : (kAsciiClassTable[b] & kBleuSpace) != 0 ? kByteSpace
                                                     : kByteText;
  }
  return t;
}

constexpr std::array<std::uint8_t, 256> kByteClasses = MakeByteClasses();

// The number of bytes from p that are certainly kByteText: ASCII 0x21..0x7F. Reads 8 bytes at a
// time; may stop early at other kByteText bytes.
inline std::size_t TextRun(const unsigned char* p, const unsigned char* end) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
  constexpr std::uint64_t kHigh = 0x8080808080808080ULL;
  const unsigned char* q = p;
  while (end - q >= 8) {
    std::uint64_t x;
    std::memcpy(&x, q, 8);
    // Bytes below 0x21 or from 0x80 up. A borrow can only flag bytes above a truly flagged
    // one, so the lowest flag is exact.
    const std::uint64_t stop = ((x - kOnes * 0x21) & ~x & kHigh) | (x & kHigh);
    if (stop != 0) {
      return static_cast<std::size_t>(q - p) + static_cast<std::size_t>(std::countr_zero(stop)) / 8;
    }
    q += 8;
  }
  return static_cast<std::size_t>(q - p);
}

#if defined(__SSE2__)
// Bit masks of one 64-byte block of a line, bit k for byte k.
struct BlockMasks {
  std::uint64_t spaces;  // ' '
  std::uint64_t high;    // bytes >= 0x80
  std::uint64_t bad;     // bytes < 0x20, and 13a's '<' and '&' when asked for
};

inline BlockMasks ClassifyBlock(const unsigned char* p, bool is_13a) {
  const __m128i space = _mm_set1_epi8(' ');
  const __m128i below_text = _mm_set1_epi8(0x21);  // signed compare: also flags bytes >= 0x80
  const __m128i lt = _mm_set1_epi8('<');
  const __m128i amp = _mm_set1_epi8('&');
  BlockMasks m{0, 0, 0};
  for (int k = 0; k < 4; ++k) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * k));
    const auto spaces = static_cast<std::uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(x, space)));
    const auto low = static_cast<std::uint32_t>(_mm_movemask_epi8(_mm_cmplt_epi8(x, below_text)));
    const auto high = static_cast<std::uint32_t>(_mm_movemask_epi8(x));
    std::uint32_t bad = low & ~spaces & ~high;
    if (is_13a) {
      bad |= static_cast<std::uint32_t>(
          _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(x, lt), _mm_cmpeq_epi8(x, amp))));
    }
    m.spaces |= std::uint64_t{spaces} << (16 * k);
    m.high |= std::uint64_t{high} << (16 * k);
    m.bad |= std::uint64_t{bad} << (16 * k);
  }
  return m;
}
#endif

// Splits a line whose only whitespace is U+0020, 64 bytes at a time: words start where a
// non-space byte follows a space (or the line's start) and end where a space follows a
// non-space byte, which bit operations on the blocks' space masks find. Returns false, for the
// general loop to decide, when the line has a byte below 0x20 (tabs, newlines, and the control
// characters the general loop keeps inside words), 13a's '<' or '&' (when `is_13a`), invalid
// UTF-8, or a non-ASCII whitespace character. Every word gets the context `context`.
bool SplitOnSpaces(std::string_view line, bool is_13a, std::uint8_t context,
                   std::vector<BleuWord>& words) {
#if defined(__SSE2__)
  const auto* b = reinterpret_cast<const unsigned char*>(line.data());
  const std::size_t n = line.size();
  std::size_t ends = 0;       // words ended (their size holds their end until the last loop)
  std::uint64_t before = 1;   // bit 0: the byte before the block is a space (or none)
  std::size_t next_char = 0;  // multi-byte characters are decoded from here on
  for (std::size_t base = 0; base < n; base += 64) {
    BlockMasks m;
    if (base + 64 <= n) {
      m = ClassifyBlock(b + base, is_13a);
    } else {  // the tail, padded with spaces
      unsigned char tail[64];
      std::memset(tail, ' ', sizeof tail);
      std::memcpy(tail, b + base, n - base);
      m = ClassifyBlock(tail, is_13a);
    }
    if (m.bad != 0) return false;
    // Multi-byte characters: valid, and not whitespace (which would separate words).
    for (std::uint64_t h = m.high; h != 0; h &= h - 1) {
      const std::size_t i = base + static_cast<std::size_t>(std::countr_zero(h));
      if (i < next_char) continue;  // a continuation byte of the previous character
      char32_t cp = 0;
      const std::size_t len = DecodeAt(line, i, cp);
      if (len == 0 || IsSpaceC(cp)) return false;
      next_char = i + len;
    }
    const std::uint64_t space_before = (m.spaces << 1) | before;  // bit k: byte k-1 is a space
    for (std::uint64_t s = ~m.spaces & space_before; s != 0; s &= s - 1) {
      words.push_back(
          {static_cast<std::uint32_t>(base) + static_cast<std::uint32_t>(std::countr_zero(s)), 0,
           context});
    }
    BleuWord* out = words.data();
    for (std::uint64_t e = m.spaces & ~space_before; e != 0; e &= e - 1) {
      out[ends++].size =
          static_cast<std::uint32_t>(base) + static_cast<std::uint32_t>(std::countr_zero(e));
    }
    before = m.spaces >> 63;
  }
  if (ends < words.size()) words[ends++].size = static_cast<std::uint32_t>(n);  // n % 64 == 0
  for (BleuWord& w : words) w.size -= w.begin;
  return true;
#else
  (void)line;
  (void)is_13a;
  (void)context;
  (void)words;
  return false;
#endif
}

// Sets the context bits of `words` as SplitBleuWords gives them for the right-stripped line
// (zh: the stripped line, whose first character is at `text_begin`).
void SetWordContexts(BleuTokenizer tokenizer, std::size_t text_begin,
                     std::vector<BleuWord>& words) {
  if (tokenizer != BleuTokenizer::kIntl && tokenizer != BleuTokenizer::kZh) {
    const std::uint8_t context = WordContext(tokenizer, 0, 0, 0);  // the same for every word
    for (BleuWord& w : words) w.context |= context;
    return;
  }
  const std::size_t text_end = words.empty() ? 0 : words.back().begin + words.back().size;
  for (BleuWord& w : words) {
    w.context |= WordContext(tokenizer, w.begin - text_begin, w.begin + w.size - text_begin,
                             text_end - text_begin);
  }
}

}  // namespace

bool SplitBleuWordsUtf8(BleuTokenizer tokenizer, std::string_view line,
                        std::vector<BleuWord>& words) {
  words.clear();
  const bool zh = tokenizer == BleuTokenizer::kZh;
  // Most lines only have spaces between words; zh also splits at its Chinese characters. Only
  // intl's contexts depend on where the word is (13a pads the line; none and char ignore them).
  if (!zh && SplitOnSpaces(line, tokenizer == BleuTokenizer::k13a, WordContext(tokenizer, 0, 0, 0),
                           words)) {
    if (tokenizer == BleuTokenizer::kIntl) SetWordContexts(tokenizer, 0, words);
    return true;
  }
  words.clear();
  if (tokenizer == BleuTokenizer::k13a &&
      (line.find('<') != std::string_view::npos || line.find('&') != std::string_view::npos ||
       line.find('\n') != std::string_view::npos)) {
    return false;  // 13a rewrites these first
  }
  const std::uint8_t* table = kByteClasses.data();
  const auto* b = reinterpret_cast<const unsigned char*>(line.data());
  const std::size_t n = line.size();
  std::size_t first_text = n;  // byte offset of the first non-space character
  auto push = [&](std::size_t begin, std::size_t end, std::uint8_t context) {
    if (first_text == n) first_text = begin;
    words.push_back(
        {static_cast<std::uint32_t>(begin), static_cast<std::uint32_t>(end - begin), context});
  };
  // Classifies the multi-byte character at i: its length (0 if invalid), whitespace, Chinese.
  auto multi = [&](std::size_t i, bool& space, bool& chinese) -> std::size_t {
    // U+00C0..U+07FF (lead bytes C3..DF: Latin letters with diacritics, Greek, Cyrillic,
    // Hebrew, Arabic) holds no whitespace and nothing Chinese.
    if (b[i] >= 0xC3 && b[i] <= 0xDF && i + 1 < n && (b[i + 1] & 0xC0) == 0x80) {
      space = chinese = false;
      return 2;
    }
    char32_t cp = 0;
    const std::size_t len = DecodeAt(line, i, cp);
    space = len != 0 && IsSpaceC(cp);
    chinese = len != 0 && zh && IsSacrebleuChineseChar(cp);
    return len;
  };
  std::size_t i = 0;
  while (i < n) {
    const std::uint8_t cls = table[b[i]];
    if (cls == kByteSpace) {
      ++i;
      continue;
    }
    const std::size_t begin = i;
    if (cls == kByteMulti) {
      bool space = false, chinese = false;
      const std::size_t len = multi(i, space, chinese);
      if (len == 0) return false;
      i += len;
      if (space) continue;
      if (chinese) {  // becomes ' c ': a token by itself
        push(begin, i, kBleuWordVerbatim);
        continue;
      }
    } else {
      ++i;
    }
    while (i < n) {
      i += TextRun(b + i, b + n);
      if (i >= n) break;
      const std::uint8_t c = table[b[i]];
      if (c == kByteText) {
        ++i;
        continue;
      }
      if (c == kByteSpace) break;
      bool space = false, chinese = false;
      const std::size_t len = multi(i, space, chinese);
      if (len == 0) return false;
      if (space || chinese) break;
      i += len;
    }
    push(begin, i, 0);
  }
  SetWordContexts(tokenizer, zh ? first_text : 0, words);
  return true;
}

namespace {

// The common shape of a word, tokenized without running the rule chain: no character that can
// start a two-character match (13a/zh: '.', ',', '-'; intl: \p{P}) except possibly the last
// one, which with a space after it always becomes a token of its own (13a/zh: rule 2 splits it
// after a non-digit, rule 3 before the space; intl: rule 1 after a non-number, rule 2 before the
// space). The remaining rule splits off single characters (13a/zh: the rule-1 class; intl:
// \p{S}). Returns false when the word does not have this shape.
bool TokenizeSimpleWord(BleuTokenizer tokenizer, std::u32string_view word, bool after,
                        std::u32string& out) {
  const bool intl = tokenizer == BleuTokenizer::kIntl;
  auto pair_char = [intl](char32_t c) {
    return intl ? (ClassesOf(c) & kBleuPunct) != 0 : (c == U'.' || c == U',' || c == U'-');
  };
  auto single_char = [intl](char32_t c) {
    return intl ? (ClassesOf(c) & kBleuSymbol) != 0 : c < 128 && IsRegexpSplitChar(c);
  };
  std::u32string_view body = word;
  bool split_last = false;
  if (!body.empty() && pair_char(body.back())) {
    // 13a/zh: only a final '.' or ',' is always split; a final '-' needs a digit before it.
    if (!after || (!intl && body.back() == U'-')) return false;
    split_last = true;
    body.remove_suffix(1);
  }
  for (char32_t c : body) {
    if (pair_char(c)) return false;
  }
  out.resize_and_overwrite(2 * word.size() + 1, [&](char32_t* p, std::size_t) {
    char32_t* const begin = p;
    bool open = false;  // a token is being written
    for (char32_t c : body) {
      if (single_char(c)) {
        if (p != begin) *p++ = U' ';
        *p++ = c;
        open = false;
      } else {
        if (!open && p != begin) *p++ = U' ';
        *p++ = c;
        open = true;
      }
    }
    if (split_last) {
      if (p != begin) *p++ = U' ';
      *p++ = word.back();
    }
    return static_cast<std::size_t>(p - begin);
  });
  return true;
}

}  // namespace

namespace {

// Bytes: ASCII characters that some rule of 13a/zh (kActive13a) or intl (kActiveIntl) acts on,
// and the bytes of multi-byte characters (kMultiByte).
enum : std::uint8_t { kActive13a = 1, kActiveIntl = 2, kMultiByte = 4 };

constexpr std::array<std::uint8_t, 256> MakeActiveBytes() {
  std::array<std::uint8_t, 256> t{};
  for (char32_t c = 0; c < 256; ++c) {
    std::uint8_t f = 0;
    if (c >= 128) {
      f = kMultiByte;
    } else {
      if (IsRegexpSplitChar(c) || c == U'.' || c == U',' || c == U'-') f |= kActive13a;
      if ((kAsciiClassTable[c] & (kBleuPunct | kBleuSymbol)) != 0) f |= kActiveIntl;
    }
    t[c] = f;
  }
  return t;
}

constexpr std::array<std::uint8_t, 256> kActiveBytes = MakeActiveBytes();

}  // namespace

bool IsSingleTokenBleuWordUtf8(BleuTokenizer tokenizer, std::string_view word,
                               std::uint8_t context) {
  if (word.empty()) return false;
  if (tokenizer == BleuTokenizer::kNone || (context & kBleuWordVerbatim) != 0) return true;
  if (tokenizer == BleuTokenizer::kChar) return word.size() == 1;
  // 13a, zh, intl: no rule applies to any character. 13a ignores non-ASCII characters; zh and
  // intl must look at them.
  const auto* b = reinterpret_cast<const unsigned char*>(word.data());
  std::uint8_t active = 0;
  for (std::size_t i = 0; i < word.size(); ++i) active |= kActiveBytes[b[i]];
  const std::uint8_t flags = tokenizer == BleuTokenizer::kIntl  ? kActiveIntl | kMultiByte
                             : tokenizer == BleuTokenizer::k13a ? kActive13a
                                                                : kActive13a | kMultiByte;
  return (active & flags) == 0;
}

bool SplitSimpleBleuWordUtf8(BleuTokenizer tokenizer, std::string_view word, std::uint8_t context,
                             std::vector<BleuTokenRange>& tokens) {
  tokens.clear();
  const auto* b = reinterpret_cast<const unsigned char*>(word.data());
  const auto n = static_cast<std::uint32_t>(word.size());
  if (n == 0) return true;
  // First the most common case: no rule applies to any character.
  if (IsSingleTokenBleuWordUtf8(tokenizer, word, context)) {
    tokens.push_back({0, n});
    return true;
  }
  // The code point at byte i and its length (0: invalid).
  auto at = [&](std::uint32_t i, char32_t& cp) -> std::uint32_t {
    if (b[i] < 0x80) {
      cp = b[i];
      return 1;
    }
    return static_cast<std::uint32_t>(DecodeAt(word, i, cp));
  };
  if (tokenizer == BleuTokenizer::kChar) {
    for (std::uint32_t i = 0; i < n;) {
      char32_t cp = 0;
      const std::uint32_t len = at(i, cp);
      if (len == 0) return false;
      tokens.push_back({i, len});
      i += len;
    }
    return true;
  }
  const bool intl = tokenizer == BleuTokenizer::kIntl;
  // Then the shape of TokenizeSimpleWord.
  auto classes = [&](char32_t c) -> std::uint8_t {  // bit 1: pair character, bit 2: single
    if (intl) {
      const std::uint8_t f = ClassesOf(c);
      return static_cast<std::uint8_t>(((f & kBleuPunct) != 0 ? 1 : 0) |
                                       ((f & kBleuSymbol) != 0 ? 2 : 0));
    }
    if (c >= 128) return tokenizer == BleuTokenizer::kZh && IsSacrebleuChineseChar(c) ? 4 : 0;
    return static_cast<std::uint8_t>((c == U'.' || c == U',' || c == U'-' ? 1 : 0) |
                                     (IsRegexpSplitChar(c) ? 2 : 0));
  };
  std::uint32_t body_end = n;
  char32_t last = 0;
  {
    std::uint32_t j = n - 1;
    while (j > 0 && (b[j] & 0xC0) == 0x80) --j;  // start of the last code point
    if (at(j, last) != n - j) return false;
    if (!intl && last == U'-') {
      // 13a/zh: a final '-' is split off after a digit (rule 4); otherwise it stays inside.
      if (j > 0 && IsAsciiDigit(b[j - 1])) body_end = j;
    } else if ((classes(last) & 1) != 0) {
      // 13a/zh: a final '.' or ',' is split before a space; intl: any final punctuation.
      if ((context & kBleuWordSpaceAfter) == 0) return false;
      body_end = j;
    }
  }
  // 13a/zh: the rules split a '-' off only after a digit (rule 4), and a '.' or ',' only next to
  // a non-digit (rules 2 and 3), so a '-' after a non-digit and a '.' or ',' between two digits
  // (3.14, 1,000) stay inside their token. Rule 1 only adds spaces around its own characters,
  // so it never changes the neighbours these rules see.
  auto stays_inside = [&](std::uint32_t i) {
    const bool digit_before = i > 0 && IsAsciiDigit(b[i - 1]);
    if (b[i] == '-') return !digit_before;
    return digit_before && i + 1 < n && IsAsciiDigit(b[i + 1]);
  };
  bool open = false;  // a token is being extended
  for (std::uint32_t i = 0; i < body_end;) {
    char32_t cp = 0;
    const std::uint32_t len = at(i, cp);
    if (len == 0) return false;
    std::uint8_t f =
        cp < 128 && !intl && !IsRegexpSplitChar(cp) && cp != U'.' && cp != U',' && cp != U'-'
            ? 0
            : classes(cp);
    if (!intl && (f & 1) != 0 && stays_inside(i)) f = 0;
    if ((f & 5) != 0) return false;  // a pair character (or a zh Chinese one) inside
    if ((f & 2) != 0) {
      tokens.push_back({i, len});
      open = false;
    } else if (open) {
      tokens.back().size += len;
    } else {
      tokens.push_back({i, len});
      open = true;
    }
    i += len;
  }
  if (body_end < n) tokens.push_back({body_end, n - body_end});
  return true;
}

void TokenizeBleuWord(BleuTokenizer tokenizer, std::u32string_view word, std::uint8_t context,
                      std::u32string& out) {
  const bool before = (context & kBleuWordSpaceBefore) != 0;
  const bool after = (context & kBleuWordSpaceAfter) != 0;
  if ((context & kBleuWordVerbatim) != 0) {
    out.assign(word);
    return;
  }
  switch (tokenizer) {
    case BleuTokenizer::kNone:
      out.assign(word);
      return;
    case BleuTokenizer::k13a:
    case BleuTokenizer::kZh:
      if (TokenizeSimpleWord(tokenizer, word, after, out)) return;
      RunRegexpRules(out, word.size(),
                     [&](auto& stage) { FeedWithContext(stage, word, before, after); });
      return;
    case BleuTokenizer::kIntl:
      if (TokenizeSimpleWord(tokenizer, word, after, out)) return;
      RunIntlRules(word, before, after, out);
      return;
    case BleuTokenizer::kChar:
      TokenizeChar(word, out, false);
      return;
  }
}

void TokenizeForBleu(BleuTokenizer tokenizer, std::u32string_view line, std::u32string& out,
                     std::u32string& scratch) {
  switch (tokenizer) {
    case BleuTokenizer::kNone:
      out.assign(line);
      return;
    case BleuTokenizer::k13a:
      Tokenize13a(line, out, scratch);
      return;
    case BleuTokenizer::kIntl:
      TokenizeIntl(line, out);
      return;
    case BleuTokenizer::kZh:
      TokenizeZh(line, out);
      return;
    case BleuTokenizer::kChar:
      TokenizeChar(line, out, false);
      return;
  }
}

std::u32string TokenizeForBleu(BleuTokenizer tokenizer, std::u32string_view line) {
  std::u32string out;
  std::u32string scratch;
  TokenizeForBleu(tokenizer, line, out, scratch);
  return out;
}

void TokenizeForBleuNormalized(BleuTokenizer tokenizer, std::u32string_view line,
                               std::u32string& out, std::u32string& scratch) {
  switch (tokenizer) {
    case BleuTokenizer::kNone:
      Normalize(line, out);
      return;
    case BleuTokenizer::kChar:
      TokenizeChar(line, out, true);
      return;
    default:
      // 13a, intl and zh end with ' '.join(line.split()) already.
      TokenizeForBleu(tokenizer, line, out, scratch);
      return;
  }
}

}  // namespace yardstick::text
