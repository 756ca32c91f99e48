#pragma once
// sacrebleu's TercomTokenizer (version 2.6.0), the tokenizer of the TER metric, reproduced
// character for character. It is a port of Tercom's Normalizer.java:
//
//   default        lowercases (str.lower()) and collapses whitespace (' '.join(s.split())).
//   normalized     also deletes "\n-" (a newline followed by a dash, as sacrebleu's rule is
//                  written), turns the remaining newlines into spaces, unescapes
//                  &quot; &amp; &lt; &gt;, splits ASCII punctuation and symbols off words
//                  (except ' , - .), splits "'s", splits periods and commas unless they touch
//                  an ASCII digit on the relevant side, and splits a dash after a digit.
//   asian_support  with `normalized`: surrounds CJK ideographs, radicals, strokes, CJK
//                  compatibility forms and CJK / full-width punctuation with spaces;
//                  with `no_punct`: also removes CJK and full-width punctuation.
//   no_punct       removes the characters . , ? : ; ! " ( )
//   case_sensitive skips the lowercasing.
//
// Like sacrebleu's tokenizer it does not strip the line; TER applies str.rstrip() first.
//
// Thread safety: a TercomTokenizer is immutable; Tokenize may be called concurrently.

#include <string>
#include <string_view>

namespace yardstick::text {

struct TercomTokenizerOptions {
  bool normalized = false;
  bool no_punct = false;
  bool asian_support = false;
  bool case_sensitive = false;
};

class TercomTokenizer {
 public:
  explicit TercomTokenizer(const TercomTokenizerOptions& options) : options_(options) {}

  // Tokenizes one line exactly as sacrebleu's TercomTokenizer.__call__: the tokens joined by
  // single ASCII spaces, with no leading or trailing space.
  std::u32string Tokenize(std::u32string_view line) const;

  // The same, writing into `out` (previous content discarded) and using `scratch` as working
  // memory, so that loops over many lines can reuse both buffers.
  void Tokenize(std::u32string_view line, std::u32string& out, std::u32string& scratch) const;

  // The tokenizer's name in the TER signature's `tok:` field: "tercom".
  static std::string_view Signature() { return "tercom"; }

  const TercomTokenizerOptions& options() const { return options_; }

 private:
  TercomTokenizerOptions options_;
};

}  // namespace yardstick::text
