#include "text/tercom_tokenizer.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "support/golden.h"
#include "text/unicode.h"

namespace yardstick::text {
namespace {

std::u32string U(const std::string& s) { return DecodeUtf8(s).value(); }

std::string Tok(const TercomTokenizerOptions& options, const std::string& s) {
  return EncodeUtf8(TercomTokenizer(options).Tokenize(U(s)));
}

// The golden `fn` names and the TercomTokenizer options they stand for.
const std::map<std::string, TercomTokenizerOptions>& GoldenVariants() {
  static const std::map<std::string, TercomTokenizerOptions> variants = {
      {"ter", {false, false, false, false}},
      {"ter-normalized", {true, false, false, false}},
      {"ter-normalized-asian", {true, false, true, false}},
      {"ter-nopunct", {false, true, false, false}},
      {"ter-nopunct-asian", {false, true, true, false}},
      {"ter-normalized-nopunct-asian-cased", {true, true, true, true}},
  };
  return variants;
}

// Every tercom call of the tokenizer golden file, applied to text.rstrip() as TER does.
TEST(TercomTokenizerGolden, MatchesSacrebleu) {
  int checked = 0;
  std::map<std::string, int> per_variant;
  for (const auto& line : testing::ReadGoldenJsonl("sacrebleu_tokenizers.jsonl")) {
    const std::u32string text = U(line["inputs"]["text"].get<std::string>());
    for (const auto& call : line["calls"]) {
      const std::string fn = call["fn"];
      if (fn.rfind("ter", 0) != 0) continue;
      auto it = GoldenVariants().find(fn);
      ASSERT_NE(it, GoldenVariants().end()) << "unknown tercom variant " << fn;
      ASSERT_TRUE(call.contains("expected")) << line["id"] << " " << fn;
      const std::string got = EncodeUtf8(TercomTokenizer(it->second).Tokenize(RStrip(text)));
      EXPECT_EQ(got, call["expected"].get<std::string>()) << line["id"] << " " << fn;
      ++checked;
      ++per_variant[fn];
    }
  }
  EXPECT_GE(checked, 2112);
  for (const auto& [fn, options] : GoldenVariants()) EXPECT_GE(per_variant[fn], 300) << fn;
}

TEST(TercomTokenizer, DefaultLowercasesAndCollapsesWhitespace) {
  EXPECT_EQ(Tok({}, ""), "");
  EXPECT_EQ(Tok({}, "  \t "), "");
  EXPECT_EQ(Tok({}, "  The  CAT,\tsat.\n"), "the cat, sat.");
  EXPECT_EQ(Tok({.case_sensitive = true}, " The  CAT "), "The CAT");
  EXPECT_EQ(Tok({}, "İ ΟΔΟΣ"), "i\u0307 οδος");
}

TEST(TercomTokenizer, NormalizedSplitsPunctuation) {
  const TercomTokenizerOptions norm{.normalized = true};
  EXPECT_EQ(Tok(norm, "Hello, world."), "hello , world .");
  EXPECT_EQ(Tok(norm, "3.14 1,000 2017."), "3.14 1,000 2017 .");
  EXPECT_EQ(Tok(norm, "&quot;Hi&quot; &amp;lt;"), "\" hi \" <");
  EXPECT_EQ(Tok(norm, "&amp;quot;"), "& quot ;");
  EXPECT_EQ(Tok(norm, "John's car"), "john 's car");
  // sacrebleu's rule removes "\n-" (newline then dash), not "-\n".
  EXPECT_EQ(Tok(norm, "hyphen-\nated\nline"), "hyphen- ated line");
  EXPECT_EQ(Tok(norm, "hyphen\n-ated"), "hyphenated");
  EXPECT_EQ(Tok(norm, "1990-2000"), "1990 - 2000");
  EXPECT_EQ(Tok(norm, "C++ (x)"), "c + + ( x )");
}

TEST(TercomTokenizer, AsianSupport) {
  const TercomTokenizerOptions norm_asian{.normalized = true, .asian_support = true};
  EXPECT_EQ(Tok(norm_asian, "我爱北京。"), "我 爱 北 京 。");
  EXPECT_EQ(Tok(norm_asian, "ひらがな"), "ひらがな");  // the kana rules never fire
  const TercomTokenizerOptions nopunct_asian{.no_punct = true, .asian_support = true};
  EXPECT_EQ(Tok(nopunct_asian, "他说：“你好！”。"), "他说“你好”");
  EXPECT_EQ(Tok({.no_punct = true}, "a.b, (c)! \"d\"?"), "ab c d");
}

}  // namespace
}  // namespace yardstick::text
