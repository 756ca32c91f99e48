#pragma once
// The word tokenizers of sacrebleu's BLEU (version 2.6.0), reproduced character for character.
//
//   none  the line unchanged ("Not recommended!").
//   13a   mteval-v13a: drops "<skipped>", joins "-\n" hyphenations, turns newlines into spaces,
//         unescapes &quot; &amp; &lt; &gt;, then splits ASCII punctuation and symbols off words
//         (periods and commas stay inside numbers such as 3.14 or 1,000; a dash after a digit
//         is split). Digits are ASCII [0-9] only, as in sacrebleu's `re` patterns.
//   intl  mteval-v14 international: splits Unicode punctuation (\p{P}) off a neighbour that is
//         not a number (\p{N}), so 1,000.5 stays whole, and splits every symbol (\p{S}).
//   zh    strips the line, surrounds every character in sacrebleu's "Chinese" ranges with
//         spaces (note: these include U+2001..U+2A6D, general punctuation, arrows and math
//         symbols, because sacrebleu's bounds '\u20000' and '\u2a6d6' are two-character
//         strings), then applies the 13a rules (without 13a's entity and newline handling).
//   char  every code point separated by one space (whitespace characters included).
//
// Regular-expression substitutions are applied as Python's re.sub / regex.sub do: leftmost
// match first, non-overlapping, scanning left to right. Every tokenizer but `none` ends with
// ' '.join(line.split()) (Python whitespace) where sacrebleu does.
//
// The tokenizers do not strip or lowercase; BLEU applies str.lower() (optional) and
// str.rstrip() before tokenizing (see metrics/bleu.h).
//
// Thread safety: every function is pure and may be called concurrently.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace yardstick::text {

enum class BleuTokenizer { kNone, k13a, kIntl, kZh, kChar };

// Parses sacrebleu's tokenizer name: "none", "13a", "intl", "zh" or "char". Other names
// (including sacrebleu's ja-mecab, ko-mecab, spm, flores*, which need external models) give a
// kInvalidArgument error that lists the valid names.
Result<BleuTokenizer> ParseBleuTokenizer(std::string_view name);

// The tokenizer's name as it appears in the BLEU signature's `tok:` field ("13a", ...).
std::string_view BleuTokenizerSignature(BleuTokenizer tokenizer);

// Tokenizes one line exactly as sacrebleu's tokenizer object's __call__ does.
std::u32string TokenizeForBleu(BleuTokenizer tokenizer, std::u32string_view line);

// The same, writing the result into `out` (its previous content is discarded) and using
// `scratch` as working memory, so that loops over many lines can reuse both buffers.
void TokenizeForBleu(BleuTokenizer tokenizer, std::u32string_view line, std::u32string& out,
                     std::u32string& scratch);

// Like TokenizeForBleu, but the result always has its tokens separated by exactly one U+0020
// and no leading or trailing space (`none` and `char` are whitespace-normalized too), so that
// splitting it on U+0020 gives Python's str.split() of TokenizeForBleu's result. This is what
// BLEU counts n-grams of.
void TokenizeForBleuNormalized(BleuTokenizer tokenizer, std::u32string_view line,
                               std::u32string& out, std::u32string& scratch);

// ---- Word-level tokenization (for caching) ---------------------------------------------------
//
// Every rule looks at most one character to each side, and whitespace never takes part in a
// match in a way that depends on what lies beyond it. So a line's tokenization is the
// concatenation of the tokenizations of its whitespace-separated words, each tokenized alone
// with a space before / after it when the line has one there (13a always has: it pads the
// line; zh also splits at its Chinese characters, which become tokens by themselves). BLEU
// uses this to tokenize each distinct word of a corpus once.

// Context bits of a word.
enum BleuWordContext : std::uint8_t {
  kBleuWordSpaceBefore = 1,  // the line has whitespace (or padding) before the word
  kBleuWordSpaceAfter = 2,   // ... after it
  kBleuWordVerbatim = 4,     // the word is one token as it is (a zh Chinese character)
};

struct BleuWord {
  std::uint32_t begin = 0;  // offset in the prepared line returned by SplitBleuWords
  std::uint32_t size = 0;
  std::uint8_t context = 0;  // BleuWordContext bits
};

// Splits `line` (as passed to TokenizeForBleu) into words. Returns the prepared line the word
// offsets refer to: `line` itself, or (13a entity/newline handling, zh strip) a view of
// `scratch` or of `line`.
std::u32string_view SplitBleuWords(BleuTokenizer tokenizer, std::u32string_view line,
                                   std::u32string& scratch, std::vector<BleuWord>& words);

// SplitBleuWords of the decoded, right-stripped `line`, read directly from UTF-8 (word offsets
// and sizes in bytes). Returns false, leaving the work to SplitBleuWords, when `line` is not
// valid UTF-8 or, for 13a, contains '<', '&' or a newline (which 13a rewrites first).
bool SplitBleuWordsUtf8(BleuTokenizer tokenizer, std::string_view line,
                        std::vector<BleuWord>& words);

// Tokenizes one word of SplitBleuWords with its context; the result is normalized (tokens
// separated by one U+0020). Joining the results of all words of a line with U+0020 gives
// TokenizeForBleuNormalized of the line.
void TokenizeBleuWord(BleuTokenizer tokenizer, std::u32string_view word, std::uint8_t context,
                      std::u32string& out);

// A token of a word, as a byte range of the word.
struct BleuTokenRange {
  std::uint32_t begin = 0;
  std::uint32_t size = 0;
};

// True when `word`, a word of SplitBleuWordsUtf8 (valid UTF-8, no whitespace) with its context,
// is certainly one token by itself: no rule of the tokenizer acts on any of its characters (the
// common case, and cheap to check). False for the empty word and when in doubt.
bool IsSingleTokenBleuWordUtf8(BleuTokenizer tokenizer, std::string_view word,
                               std::uint8_t context);

// The tokens TokenizeBleuWord gives for a word of SplitBleuWordsUtf8 (valid UTF-8, no
// whitespace), as byte ranges, for the common shapes: no rule applies (one token), or only
// single characters split off (13a/zh: the rule-1 class; intl: \p{S}) and a final period /
// comma (intl: punctuation) split off before a space; for 13a/zh also hyphenated words
// (a '-' after a non-digit stays, after a digit it is split off) and numbers with separators
// (a '.' or ',' between two digits stays). Returns false for other words, which need
// TokenizeBleuWord.
bool SplitSimpleBleuWordUtf8(BleuTokenizer tokenizer, std::string_view word, std::uint8_t context,
                             std::vector<BleuTokenRange>& tokens);

// True for the characters sacrebleu's `zh` tokenizer treats as Chinese (see above).
bool IsSacrebleuChineseChar(char32_t c);

// The character classes the tokenizers test, as bits: Python whitespace (str.isspace), and the
// regex module's \p{P}, \p{S}, \p{N}. Equal to unicode.h's IsSpace / IsPunctuation /
// IsSymbol / IsNumber; cached (ASCII fixed, the rest of the BMP filled lazily).
enum BleuCharClass : std::uint8_t {
  kBleuSpace = 1,
  kBleuPunct = 2,
  kBleuSymbol = 4,
  kBleuNumber = 8,
};
std::uint8_t BleuCharClasses(char32_t c);

}  // namespace yardstick::text
