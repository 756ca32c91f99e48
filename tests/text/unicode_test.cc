#include "text/unicode.h"

#include <gtest/gtest.h>

#include "support/golden.h"

namespace yardstick::text {
namespace {

std::u32string U(const std::string& s) { return DecodeUtf8(s).value(); }

// The Python string primitives in the tokenizer golden file: lower, split, rstrip.
TEST(UnicodeGolden, PythonPrimitivesMatchCPython) {
  int checked = 0;
  for (const auto& line : testing::ReadGoldenJsonl("sacrebleu_tokenizers.jsonl")) {
    const std::u32string text = U(line["inputs"]["text"].get<std::string>());
    for (const auto& call : line["calls"]) {
      const std::string fn = call["fn"];
      if (fn == "lower") {
        EXPECT_EQ(EncodeUtf8(Lower(text)), call["expected"].get<std::string>()) << line["id"];
      } else if (fn == "rstrip") {
        EXPECT_EQ(EncodeUtf8(RStrip(text)), call["expected"].get<std::string>()) << line["id"];
      } else if (fn == "split") {
        std::vector<std::string> got;
        for (auto piece : SplitWhitespace(text)) got.push_back(EncodeUtf8(piece));
        EXPECT_EQ(got, call["expected"].get<std::vector<std::string>>()) << line["id"];
      } else {
        continue;
      }
      ++checked;
    }
  }
  EXPECT_GT(checked, 900);
}

TEST(Utf8, RejectsIllFormedSequences) {
  EXPECT_EQ(FindInvalidUtf8("abc"), std::nullopt);
  EXPECT_EQ(FindInvalidUtf8("a\xC3"), 1u);             // truncated
  EXPECT_EQ(FindInvalidUtf8("ab\xC0\x80"), 2u);        // overlong NUL
  EXPECT_EQ(FindInvalidUtf8("\xED\xA0\x80"), 0u);      // surrogate
  EXPECT_EQ(FindInvalidUtf8("\xF4\x90\x80\x80"), 0u);  // above U+10FFFF
  EXPECT_EQ(FindInvalidUtf8("\xFF"), 0u);
  auto r = DecodeUtf8("ok\x80");
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message().find("byte 2"), std::string::npos);
}

TEST(Utf8, RoundTripsEveryPlane) {
  const std::u32string s = {U'a', 0x00E9, 0x4E2D, 0x1F600, 0x20000, 0x10FFFF};
  EXPECT_EQ(DecodeUtf8(EncodeUtf8(s)).value(), s);
}

TEST(Lower, SpecialCasingAndFinalSigma) {
  EXPECT_EQ(EncodeUtf8(Lower(U("\u0130"))), "i\u0307");
  EXPECT_EQ(EncodeUtf8(Lower(U("ΟΔΟΣ"))), "οδος");
  EXPECT_EQ(EncodeUtf8(Lower(U("ΟΔΟΣ ΑΣ"))), "οδος ας");
  EXPECT_EQ(EncodeUtf8(Lower(U("Σ"))), "σ");      // no cased letter before: not final
  EXPECT_EQ(EncodeUtf8(Lower(U("ΑΣΑ"))), "ασα");  // followed by a cased letter
  EXPECT_EQ(EncodeUtf8(Lower(U("ẞ"))), "ß");
}

TEST(Classes, PythonDefinitions) {
  EXPECT_TRUE(IsSpace(0x1C));  // file separator counts as space in Python
  EXPECT_TRUE(IsSpace(0x85));
  EXPECT_TRUE(IsSpace(0x3000));
  EXPECT_FALSE(IsSpace(0x200B));  // zero width space is Cf, not whitespace
  EXPECT_FALSE(IsSpace(0xFEFF));
  EXPECT_TRUE(IsWordChar(U'_'));
  EXPECT_TRUE(IsWordChar(0x00B2));   // superscript two: No
  EXPECT_FALSE(IsWordChar(0x0301));  // combining acute: Mn
  EXPECT_TRUE(IsPunctuation(0x3002));
  EXPECT_TRUE(IsSymbol(U'$'));
  EXPECT_TRUE(IsNumber(0x0663));
}

}  // namespace
}  // namespace yardstick::text
