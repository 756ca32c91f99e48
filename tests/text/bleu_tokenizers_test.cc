#include "text/bleu_tokenizers.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "support/golden.h"
#include "text/unicode.h"

namespace yardstick::text {
namespace {

std::u32string U(const std::string& s) { return DecodeUtf8(s).value(); }

std::string Tok(BleuTokenizer t, const std::string& s) {
  return EncodeUtf8(TokenizeForBleu(t, U(s)));
}

// Every 13a / intl / zh / char call of the tokenizer golden file. The golden outputs are
// sacrebleu's tokenizer applied to text.rstrip(), as BLEU applies it.
TEST(BleuTokenizersGolden, MatchSacrebleu) {
  const std::map<std::string, BleuTokenizer> fns = {{"13a", BleuTokenizer::k13a},
                                                    {"intl", BleuTokenizer::kIntl},
                                                    {"zh", BleuTokenizer::kZh},
                                                    {"char", BleuTokenizer::kChar}};
  std::map<std::string, int> checked;
  int failed = 0;
  for (const auto& line : testing::ReadGoldenJsonl("sacrebleu_tokenizers.jsonl")) {
    const std::u32string text = U(line["inputs"]["text"].get<std::string>());
    for (const auto& call : line["calls"]) {
      const std::string fn = call["fn"];
      auto it = fns.find(fn);
      if (it == fns.end()) continue;
      const std::string got = EncodeUtf8(TokenizeForBleu(it->second, RStrip(text)));
      const std::string expected = call["expected"].get<std::string>();
      EXPECT_EQ(got, expected) << line["id"] << " fn=" << fn;
      if (got != expected) ++failed;
      ++checked[fn];
    }
  }
  EXPECT_EQ(failed, 0);
  for (const auto& [fn, tok] : fns) EXPECT_GE(checked[fn], 352) << fn;
}

TEST(BleuTokenizers, ParseAndSignature) {
  for (const char* name : {"none", "13a", "intl", "zh", "char"}) {
    auto t = ParseBleuTokenizer(name);
    ASSERT_TRUE(t.has_value()) << name;
    EXPECT_EQ(BleuTokenizerSignature(*t), name);
  }
  auto bad = ParseBleuTokenizer("ja-mecab");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(bad.error().message().find("ja-mecab"), std::string::npos);
  EXPECT_NE(bad.error().message().find("13a, intl, zh, char, none"), std::string::npos);
  EXPECT_FALSE(ParseBleuTokenizer("").has_value());
  EXPECT_FALSE(ParseBleuTokenizer("13A").has_value());
}

// Expected values below were produced by sacrebleu 2.6.0's tokenizer objects.
TEST(BleuTokenizers, Rules13a) {
  const auto t = BleuTokenizer::k13a;
  EXPECT_EQ(Tok(t, ""), "");
  EXPECT_EQ(Tok(t, "   "), "");
  EXPECT_EQ(Tok(t, "Hello, world!"), "Hello , world !");
  EXPECT_EQ(Tok(t, "It costs $3.50, or 1,000.5 yen."), "It costs $ 3.50 , or 1,000.5 yen .");
  EXPECT_EQ(Tok(t, "a.b,c"), "a . b , c");
  EXPECT_EQ(Tok(t, "3.b"), "3 . b");
  EXPECT_EQ(Tok(t, "a.3"), "a . 3");
  EXPECT_EQ(Tok(t, "...,,,"), ". . . , , ,");
  EXPECT_EQ(Tok(t, "1-2 a-b 3--"), "1 - 2 a-b 3 - -");
  EXPECT_EQ(Tok(t, "don't"), "don't");
  EXPECT_EQ(Tok(t, "x<skipped>y"), "xy");
  EXPECT_EQ(Tok(t, "hyphen-\nated line\nbreak"), "hyphenated line break");
  EXPECT_EQ(Tok(t, "&quot;a&quot; &amp;lt; &lt;b&gt;"), "\" a \" < < b >");
  EXPECT_EQ(Tok(t, "&amp;quot;"), "& quot ;");  // replacements run once, in order
  // Unicode digits are not [0-9]: the period is split after them.
  EXPECT_EQ(Tok(t, "\u0663.\u0664"), "\u0663 . \u0664");
  // Python whitespace (U+3000, U+0085) separates tokens; U+200B does not.
  EXPECT_EQ(Tok(t, "a\u3000b\u0085c\u200Bd"), "a b c\u200Bd");
}

TEST(BleuTokenizers, RulesIntl) {
  const auto t = BleuTokenizer::kIntl;
  EXPECT_EQ(Tok(t, "Hello, world!"), "Hello , world !");
  EXPECT_EQ(Tok(t, "1,000.5 and 3.14"), "1,000.5 and 3.14");
  // A number followed by a final period keeps it (as mteval-v14).
  EXPECT_EQ(Tok(t, "in 2017."), "in 2017.");
  EXPECT_EQ(Tok(t, "\u00AB\u041F\u0440\u0438\u0432\u0435\u0442\u00BB \u20AC5"),
            "\u00AB \u041F\u0440\u0438\u0432\u0435\u0442 \u00BB \u20AC 5");
  EXPECT_EQ(Tok(t, "\u4F60\u597D\u3002\u4E16\u754C\uFF01"),
            "\u4F60\u597D \u3002 \u4E16\u754C \uFF01");
  EXPECT_EQ(Tok(t, "a+b=c"), "a + b = c");
  EXPECT_EQ(Tok(t, "...!!"), ". . . ! !");
  EXPECT_EQ(Tok(t, "\u0663.\u0664"), "\u0663.\u0664");
}

TEST(BleuTokenizers, RulesZh) {
  const auto t = BleuTokenizer::kZh;
  EXPECT_EQ(Tok(t, "  \u6211\u7231\u5317\u4EAC\u3002 "), "\u6211 \u7231 \u5317 \u4EAC \u3002");
  EXPECT_EQ(Tok(t, "GPU\u6027\u80FD3.5\u500D"), "GPU \u6027 \u80FD 3.5 \u500D");
  // U+2014 (em dash) lies in sacrebleu's U+2001..U+2A6D range; U+2000 does not.
  EXPECT_TRUE(IsSacrebleuChineseChar(0x2014));
  EXPECT_TRUE(IsSacrebleuChineseChar(0x2001));
  EXPECT_TRUE(IsSacrebleuChineseChar(0x2A6D));
  EXPECT_FALSE(IsSacrebleuChineseChar(0x2000));
  EXPECT_FALSE(IsSacrebleuChineseChar(0x2A6E));
  // Extension B is not covered by sacrebleu's ranges.
  EXPECT_FALSE(IsSacrebleuChineseChar(0x20000));
  EXPECT_TRUE(IsSacrebleuChineseChar(0x2F81));
  EXPECT_FALSE(IsSacrebleuChineseChar(0x2F800));
  EXPECT_TRUE(IsSacrebleuChineseChar(0x4E00));
  EXPECT_TRUE(IsSacrebleuChineseChar(0xFF01));
  EXPECT_FALSE(IsSacrebleuChineseChar(0xAC00));  // Hangul syllables
  EXPECT_EQ(Tok(t, "a\u2014b"), "a \u2014 b");
  // zh has no 13a entity or newline handling.
  EXPECT_EQ(Tok(t, "&amp;"), "& amp ;");
}

TEST(BleuTokenizers, CharAndNone) {
  EXPECT_EQ(Tok(BleuTokenizer::kChar, "ab c"), "a b   c");
  EXPECT_EQ(Tok(BleuTokenizer::kChar, ""), "");
  EXPECT_EQ(Tok(BleuTokenizer::kChar, "e\u0301\U0001F600"), "e \u0301 \U0001F600");
  EXPECT_EQ(Tok(BleuTokenizer::kNone, " a,b \n"), " a,b \n");
}

TEST(BleuTokenizers, BufferReuseGivesSameResult) {
  std::u32string out = U"stale content that must disappear";
  std::u32string scratch = U"more stale content";
  for (auto t : {BleuTokenizer::k13a, BleuTokenizer::kIntl, BleuTokenizer::kZh,
                 BleuTokenizer::kChar, BleuTokenizer::kNone}) {
    TokenizeForBleu(t, U"Hi, there.", out, scratch);
    EXPECT_EQ(out, TokenizeForBleu(t, U"Hi, there.")) << BleuTokenizerSignature(t);
  }
}

// Joins the word-level tokenizations of a line, as BLEU's word cache does.
std::u32string ByWords(BleuTokenizer t, std::u32string_view line) {
  std::u32string scratch, piece, joined;
  std::vector<BleuWord> words;
  const std::u32string_view prepared = SplitBleuWords(t, line, scratch, words);
  for (const BleuWord& w : words) {
    TokenizeBleuWord(t, prepared.substr(w.begin, w.size), w.context, piece);
    if (!joined.empty()) joined.push_back(U' ');
    joined += piece;
  }
  return joined;
}

constexpr BleuTokenizer kAllTokenizers[] = {BleuTokenizer::kNone, BleuTokenizer::k13a,
                                            BleuTokenizer::kIntl, BleuTokenizer::kZh,
                                            BleuTokenizer::kChar};

TEST(BleuWords, WordByWordEqualsWholeLineOnGoldenTexts) {
  int checked = 0;
  std::u32string out, scratch;
  for (const auto& line : testing::ReadGoldenJsonl("sacrebleu_tokenizers.jsonl")) {
    const std::u32string text = U(line["inputs"]["text"].get<std::string>());
    for (std::u32string_view input : {std::u32string_view(text), RStrip(text)}) {
      for (auto t : kAllTokenizers) {
        TokenizeForBleuNormalized(t, input, out, scratch);
        EXPECT_EQ(EncodeUtf8(ByWords(t, input)), EncodeUtf8(out))
            << line["id"] << " tok=" << BleuTokenizerSignature(t);
        ++checked;
      }
    }
  }
  EXPECT_GE(checked, 3000);
}

TEST(BleuWords, WordByWordEqualsWholeLineOnRandomText) {
  // Characters that trigger every rule: digits (ASCII and Arabic-Indic), period, comma, dash,
  // 13a split characters, Unicode punctuation and symbols, whitespace of several kinds, CJK
  // and sacrebleu-"Chinese" punctuation, combining marks, and the 13a entities' pieces.
  const std::u32string alphabet =
      U"ab5 0.,-/&;<>\"'$()[]{}|~:@\u0663\u00BB\u20AC\u2014\u3002\u4E2D\uFF01\u00A0\u3000"
      U"\t\n\u0301qlgtskipedmou";
  std::uint64_t state = 12345;
  auto next = [&] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<std::size_t>(state >> 33);
  };
  std::u32string out, scratch;
  int failures = 0;
  for (int iter = 0; iter < 20000 && failures < 10; ++iter) {
    std::u32string line;
    const std::size_t len = next() % 16;
    for (std::size_t i = 0; i < len; ++i) {
      if (next() % 23 == 0) {
        line += U"&amp;";
      } else {
        line.push_back(alphabet[next() % alphabet.size()]);
      }
    }
    for (auto t : kAllTokenizers) {
      TokenizeForBleuNormalized(t, line, out, scratch);
      const std::u32string by_words = ByWords(t, line);
      if (by_words != out) {
        ++failures;
        ADD_FAILURE() << "tok=" << BleuTokenizerSignature(t) << " line='" << EncodeUtf8(line)
                      << "' whole='" << EncodeUtf8(out) << "' words='" << EncodeUtf8(by_words)
                      << "'";
      }
    }
  }
  EXPECT_EQ(failures, 0);
}

// The UTF-8 splitter agrees with the code-point splitter on the right-stripped line.
void ExpectSameWords(BleuTokenizer t, const std::u32string& line, int& compared) {
  const std::string bytes = EncodeUtf8(line);
  std::vector<BleuWord> fast;
  if (!SplitBleuWordsUtf8(t, bytes, fast)) {
    // Only 13a lines with '<', '&' or a newline take the other path.
    EXPECT_EQ(t, BleuTokenizer::k13a);
    EXPECT_TRUE(line.find_first_of(U"<&\n") != std::u32string::npos) << bytes;
    return;
  }
  std::u32string scratch;
  std::vector<BleuWord> slow;
  const std::u32string_view prepared = SplitBleuWords(t, RStrip(line), scratch, slow);
  ASSERT_EQ(fast.size(), slow.size()) << bytes;
  for (std::size_t k = 0; k < fast.size(); ++k) {
    EXPECT_EQ(bytes.substr(fast[k].begin, fast[k].size),
              EncodeUtf8(prepared.substr(slow[k].begin, slow[k].size)))
        << bytes;
    EXPECT_EQ(fast[k].context, slow[k].context) << bytes << " word " << k;
  }
  ++compared;
}

TEST(BleuWords, Utf8SplitterMatchesCodePointSplitter) {
  int compared = 0;
  for (const auto& line : testing::ReadGoldenJsonl("sacrebleu_tokenizers.jsonl")) {
    const std::u32string text = U(line["inputs"]["text"].get<std::string>());
    for (auto t : kAllTokenizers) ExpectSameWords(t, text, compared);
  }
  const std::u32string alphabet = U"ab5 .,-\u00A0\u3000\t\u0085\u4E2D\u2014\u00E9\U00020000";
  std::uint64_t state = 99;
  for (int iter = 0; iter < 5000; ++iter) {
    std::u32string line;
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    const std::size_t len = (state >> 33) % 12;
    for (std::size_t i = 0; i < len; ++i) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      line.push_back(alphabet[(state >> 33) % alphabet.size()]);
    }
    for (auto t : kAllTokenizers) ExpectSameWords(t, line, compared);
  }
  EXPECT_GE(compared, 25000);
  std::vector<BleuWord> words;
  EXPECT_FALSE(SplitBleuWordsUtf8(BleuTokenizer::kIntl, "ok \xC3(", words));
  EXPECT_FALSE(SplitBleuWordsUtf8(BleuTokenizer::k13a, "a &amp; b", words));
}

// Byte-range tokens of simple words equal TokenizeBleuWord's tokens.
TEST(BleuWords, SimpleWordRangesMatchTokenizeBleuWord) {
  const std::u32string alphabet =
      U"abZ5.,-/&;<\"'$()|~:@\u0663\u00BB\u20AC\u2014\u3002\u4E2D\u00E9\u00B2\u2019";
  std::uint64_t state = 4242;
  auto next = [&] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<std::size_t>(state >> 33);
  };
  int simple = 0, total = 0;
  std::vector<BleuTokenRange> ranges;
  std::u32string out;
  for (int iter = 0; iter < 20000; ++iter) {
    std::u32string word;
    const std::size_t len = 1 + next() % 8;
    for (std::size_t i = 0; i < len; ++i) {
      // Mostly letters, so that simple shapes are frequent.
      word.push_back(next() % 3 == 0 ? alphabet[next() % alphabet.size()] : U"abcdé"[next() % 5]);
    }
    const std::string bytes = EncodeUtf8(word);
    for (auto t : kAllTokenizers) {
      for (std::uint8_t context = 0; context < 4; ++context) {
        ++total;
        if (!SplitSimpleBleuWordUtf8(t, bytes, context, ranges)) continue;
        ++simple;
        std::string joined;
        for (const BleuTokenRange& r : ranges) {
          if (!joined.empty()) joined += ' ';
          joined += bytes.substr(r.begin, r.size);
        }
        TokenizeBleuWord(t, word, context, out);
        EXPECT_EQ(joined, EncodeUtf8(out))
            << "tok=" << BleuTokenizerSignature(t) << " context=" << int{context} << " word='"
            << bytes << "'";
      }
    }
  }
  EXPECT_GT(simple, total / 3);
}

TEST(BleuTokenizers, NormalizedVariantSplitsLikePython) {
  std::u32string out, scratch;
  TokenizeForBleuNormalized(BleuTokenizer::kNone, U"  a \t b\u3000c  ", out, scratch);
  EXPECT_EQ(out, U"a b c");
  TokenizeForBleuNormalized(BleuTokenizer::kChar, U" a b\u00A0", out, scratch);
  EXPECT_EQ(out, U"a b");
  TokenizeForBleuNormalized(BleuTokenizer::kChar, U"", out, scratch);
  EXPECT_EQ(out, U"");
}

TEST(BleuTokenizers, CharClassesAgreeWithUnicodeModule) {
  for (char32_t c = 0; c < 0x3000; ++c) {
    const std::uint8_t f = BleuCharClasses(c);
    ASSERT_EQ((f & kBleuSpace) != 0, IsSpace(c)) << std::hex << static_cast<unsigned>(c);
    ASSERT_EQ((f & kBleuPunct) != 0, IsPunctuation(c)) << std::hex << static_cast<unsigned>(c);
    ASSERT_EQ((f & kBleuSymbol) != 0, IsSymbol(c)) << std::hex << static_cast<unsigned>(c);
    ASSERT_EQ((f & kBleuNumber) != 0, IsNumber(c)) << std::hex << static_cast<unsigned>(c);
  }
  for (char32_t c : {char32_t{0xFF01}, char32_t{0x1F600}, char32_t{0x1D7CE}, char32_t{0x10FFFF}}) {
    EXPECT_EQ((BleuCharClasses(c) & kBleuPunct) != 0, IsPunctuation(c));
    EXPECT_EQ((BleuCharClasses(c) & kBleuSymbol) != 0, IsSymbol(c));
    EXPECT_EQ((BleuCharClasses(c) & kBleuNumber) != 0, IsNumber(c));
  }
}

}  // namespace
}  // namespace yardstick::text
