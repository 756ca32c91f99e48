#include "text/porter_stemmer.h"

#include <gtest/gtest.h>

#include <string>

#include "support/golden.h"

namespace yardstick::text {
namespace {

// Every case of porter_stemmer.jsonl: nltk 3.8 PorterStemmer().stem(word), NLTK_EXTENSIONS.
TEST(PorterStemmerGolden, MatchesNltk) {
  int checked = 0;
  for (const auto& line : testing::ReadGoldenJsonl("porter_stemmer.jsonl")) {
    const std::string word = line["inputs"]["word"];
    for (const auto& call : line["calls"]) {
      ASSERT_EQ(call["fn"], "stem") << line["id"];
      EXPECT_EQ(PorterStem(word), call["expected"].get<std::string>()) << line["id"];
      ++checked;
    }
  }
  EXPECT_GE(checked, 2059);
}

TEST(PorterStemmer, ClassicExamples) {
  EXPECT_EQ(PorterStem("caresses"), "caress");
  EXPECT_EQ(PorterStem("ponies"), "poni");
  EXPECT_EQ(PorterStem("ties"), "tie");  // NLTK: four-letter "ies" -> "ie"
  EXPECT_EQ(PorterStem("cats"), "cat");
  EXPECT_EQ(PorterStem("feed"), "feed");
  EXPECT_EQ(PorterStem("agreed"), "agre");
  EXPECT_EQ(PorterStem("plastered"), "plaster");
  EXPECT_EQ(PorterStem("motoring"), "motor");
  EXPECT_EQ(PorterStem("hopping"), "hop");
  EXPECT_EQ(PorterStem("falling"), "fall");
  EXPECT_EQ(PorterStem("filing"), "file");
  EXPECT_EQ(PorterStem("happy"), "happi");
  EXPECT_EQ(PorterStem("enjoy"), "enjoy");
  EXPECT_EQ(PorterStem("relational"), "relat");
  EXPECT_EQ(PorterStem("generalization"), "gener");
  EXPECT_EQ(PorterStem("controlling"), "control");
  EXPECT_EQ(PorterStem("spied"), "spi");
  EXPECT_EQ(PorterStem("died"), "die");
}

TEST(PorterStemmer, IrregularFormsAndShortWords) {
  EXPECT_EQ(PorterStem("skies"), "sky");
  EXPECT_EQ(PorterStem("dying"), "die");
  EXPECT_EQ(PorterStem("innings"), "inning");
  EXPECT_EQ(PorterStem("succeed"), "succeed");
  EXPECT_EQ(PorterStem("news"), "news");
  EXPECT_EQ(PorterStem("as"), "as");
  EXPECT_EQ(PorterStem("is"), "is");
  EXPECT_EQ(PorterStem(""), "");
  EXPECT_EQ(PorterStem("a*ded"), "ad");  // nltk matches its "*d" marker literally
}

TEST(PorterStemmer, LowercasesAndHandlesNonAscii) {
  EXPECT_EQ(PorterStem("Running"), "run");
  EXPECT_EQ(PorterStem("CATS"), "cat");
  // Non-ASCII letters are consonants, as on Python code points.
  EXPECT_EQ(PorterStem("cafés"), "café");
  EXPECT_EQ(PorterStem(std::u32string_view(U"NAÏVELY")), U"naïv");
  // Invalid UTF-8 is returned unchanged.
  EXPECT_EQ(PorterStem(std::string("ab\xff"
                                   "cd")),
            std::string("ab\xff"
                        "cd"));
}

}  // namespace
}  // namespace yardstick::text
