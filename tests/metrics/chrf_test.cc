#include "metrics/chrf.h"

#include <gtest/gtest.h>

#include <cmath>
#include <iomanip>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "metrics/sacrebleu_golden.h"
#include "support/golden.h"

namespace yardstick::metrics {
namespace {

using golden::DetailNumber;
using golden::StreamsFromJson;
using golden::WithOurVersion;

using nlohmann::json;

ChrfOptions OptionsFromJson(const json& o) {
  ChrfOptions options;
  options.char_order = o.at("char_order").get<int>();
  options.word_order = o.at("word_order").get<int>();
  options.beta = o.at("beta").get<double>();
  options.lowercase = o.at("lowercase").get<bool>();
  options.whitespace = o.at("whitespace").get<bool>();
  options.eps_smoothing = o.at("eps_smoothing").get<bool>();
  return options;
}

const DetailValue* FindDetail(const Score& score, const std::string& name) {
  for (const auto& [key, value] : score.details) {
    if (key == name) return &value;
  }
  return nullptr;
}

std::vector<double> StatsOf(const Score& score) {
  const DetailValue* d = FindDetail(score, "stats");
  if (d == nullptr || !std::holds_alternative<std::vector<double>>(*d)) return {};
  return std::get<std::vector<double>>(*d);
}

std::vector<double> ExpectedStats(const json& expected) {
  std::vector<double> out;
  for (const auto& v : expected.at("stats")) out.push_back(testing::GoldenDouble(v));
  return out;
}

// Checks one golden CHRF call; `run` computes the score with the metric it is given.
template <typename Run>
void CheckCall(const json& line, const json& call, Run run) {
  const std::string where = line["id"].get<std::string>() + " " + call["options"].dump();
  auto metric = Chrf::Create(OptionsFromJson(call["options"]));
  if (call.contains("error")) {
    const bool failed = !metric.has_value() || !run(**metric).has_value();
    EXPECT_TRUE(failed) << where << ": sacrebleu raised " << call["error"];
    return;
  }
  ASSERT_TRUE(metric.has_value()) << where << ": " << metric.error().message();
  auto score = run(**metric);
  ASSERT_TRUE(score.has_value()) << where << ": " << score.error().message();
  const json& expected = call["expected"];
  const double want = testing::GoldenDouble(expected["score"]);
  EXPECT_TRUE(testing::SameDouble(score->value, want))
      << where << std::setprecision(17) << ": got " << score->value << ", want " << want;
  EXPECT_EQ(StatsOf(*score), ExpectedStats(expected)) << where;
  if (expected.contains("formatted")) {
    EXPECT_EQ(score->verbose, expected["formatted"].get<std::string>()) << where;
  }
}

TEST(ChrfGolden, CorpusScoresMatchSacrebleu) {
  int checked = 0;
  for (const auto& line : testing::ReadGoldenJsonl("sacrebleu_corpus.jsonl")) {
    const std::vector<std::string> hyps = line["inputs"]["hyps"].get<std::vector<std::string>>();
    const ReferenceStreams refs = StreamsFromJson(line["inputs"]["refs"]);
    for (const auto& call : line["calls"]) {
      if (call["metric"] != "CHRF") continue;
      CheckCall(line, call, [&](const Chrf& m) { return m.CorpusScore(hyps, refs); });
      if (call.contains("expected")) {
        auto metric = Chrf::Create(OptionsFromJson(call["options"]));
        ASSERT_TRUE(metric.has_value());
        EXPECT_EQ((*metric)->signature(SignatureNumRefs(refs)).Format(),
                  WithOurVersion(call["expected"]["signature"].get<std::string>()))
            << line["id"];
        EXPECT_EQ((*metric)->name() + " = ",
                  call["expected"]["formatted"].get<std::string>().substr(
                      0, (*metric)->name().size() + 3));
      }
      ++checked;
    }
  }
  EXPECT_GE(checked, 129);
}

TEST(ChrfGolden, SentenceScoresMatchSacrebleu) {
  int checked = 0;
  for (const auto& line : testing::ReadGoldenJsonl("sacrebleu_sentence.jsonl")) {
    const std::string hyp = line["inputs"]["hyp"].get<std::string>();
    const std::vector<std::string> refs = line["inputs"]["refs"].get<std::vector<std::string>>();
    for (const auto& call : line["calls"]) {
      if (call["metric"] != "CHRF") continue;
      CheckCall(line, call, [&](const Chrf& m) { return m.SentenceScore(hyp, refs); });
      ++checked;
    }
  }
  EXPECT_GE(checked, 705);
}

// The corpus score is the score of the summed segment statistics, whichever way it is reached.
TEST(Chrf, SegmentStatsSumToCorpusScore) {
  auto chrf = Chrf::Create({.word_order = 2}).value();
  const std::vector<std::string> hyps = {"The cat sat.", "", "Ein Haus (groß)."};
  const ReferenceStreams refs = {{"The cat sat on the mat.", "x", "Ein großes Haus."}};
  auto stats = chrf->ComputeSegmentStats(hyps, refs);
  ASSERT_TRUE(stats.has_value());
  EXPECT_EQ(stats->rows(), 3u);
  EXPECT_EQ(stats->width(), 24u);
  const Score corpus = chrf->CorpusScore(hyps, refs).value();
  EXPECT_EQ(corpus.value, chrf->ValueFromStats(stats->Sum()));
  EXPECT_EQ(StatsOf(corpus), stats->Sum());
}

struct SentenceCase {
  std::string hyp;
  std::vector<std::string> refs;
  ChrfOptions options;
  double score;
  std::vector<double> stats;
};

// Values from sacrebleu 2.6.0's CHRF.sentence_score.
TEST(Chrf, EdgeCasesMatchSacrebleu) {
  const ChrfOptions plus{.word_order = 2};
  const ChrfOptions eps{.eps_smoothing = true};
  const std::vector<SentenceCase> cases = {
      {"", {""}, {}, 0.0, std::vector<double>(18, 0)},
      {"", {""}, eps, 1.0000000000000002e-14, std::vector<double>(18, 0)},
      {"", {"abc"}, {}, 0.0, {0, 3, 0, 0, 2, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}},
      {"", {"abc"}, eps, 5e-15, {0, 3, 0, 0, 2, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}},
      {"", {"abc"}, plus, 0.0, {0, 3, 0, 0, 2, 0, 0, 1, 0, 0, 0, 0,
                                0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0}},
      {"abc", {""}, eps, 1.0000000000000002e-14, std::vector<double>(18, 0)},
      {"!!! ... ???",
       {"?!. ,,"},
       {},
       14.518633540372672,
       {9, 5, 3, 8, 4, 1, 7, 3, 0, 6, 2, 0, 5, 1, 0, 0, 0, 0}},
      {"!!! ... ???", {"?!. ,,"}, plus, 13.640873015873014, {9, 5, 3, 8, 4, 1, 7, 3, 0, 6, 2, 0,
                                                             5, 1, 0, 0, 0, 0, 6, 4, 1, 5, 3, 0}},
      {"我爱北京天安门",
       {"我爱北京"},
       {},
       79.06824146981627,
       {7, 4, 4, 6, 3, 3, 5, 2, 2, 4, 1, 1, 0, 0, 0, 0, 0, 0}},
      {"我爱北京天安门",
       {"我爱北京"},
       eps,
       51.618821999256774,
       {7, 4, 4, 6, 3, 3, 5, 2, 2, 4, 1, 1, 0, 0, 0, 0, 0, 0}},
      // "e" + U+0301 (combining acute) against precomposed U+00E9: different code points.
      {"cafe\u0301 naïve",
       {"café naive"},
       {},
       23.12637961605963,
       {10, 9, 7, 9, 8, 4, 8, 7, 1, 7, 6, 0, 6, 5, 0, 5, 4, 0}},
      {"cafe\u0301 naïve", {"café naive"}, plus, 17.34478471204472, {10, 9, 7, 9, 8, 4, 8, 7,
                                                                     1,  7, 6, 0, 6, 5, 0, 5,
                                                                     4,  0, 2, 2, 0, 1, 1, 0}},
      {"(hi) there, you.", {"hi there you"}, plus, 38.29982777095642, {14, 10, 10, 13, 9, 7,
                                                                       12, 8,  4,  11, 7, 2,
                                                                       10, 6,  1,  9,  5, 0,
                                                                       6,  3,  2,  5,  2, 0}},
      {"the cat", {"a dog", "the cat", "the cat"}, plus, 100.0, {6, 6, 6, 5, 5, 5, 4, 4,
                                                                 4, 3, 3, 3, 2, 2, 2, 1,
                                                                 1, 1, 2, 2, 2, 1, 1, 1}},
  };
  for (const auto& c : cases) {
    auto chrf = Chrf::Create(c.options).value();
    auto score = chrf->SentenceScore(c.hyp, c.refs);
    ASSERT_TRUE(score.has_value()) << c.hyp;
    EXPECT_TRUE(testing::SameDouble(score->value, c.score))
        << c.hyp << std::setprecision(17) << " got " << score->value;
    EXPECT_EQ(StatsOf(*score), c.stats) << c.hyp;
  }
}

TEST(Chrf, WhitespaceOptionKeepsEveryWhitespaceCharacter) {
  auto chrf = Chrf::Create({.char_order = 1, .whitespace = true}).value();
  const Score s = chrf->SentenceScore("a\tb\u3000", std::vector<std::string>{"a b"}).value();
  EXPECT_EQ(StatsOf(s), (std::vector<double>{4, 3, 2}));
  auto plain = Chrf::Create({.char_order = 1}).value();
  EXPECT_EQ(StatsOf(plain->SentenceScore("a\tb\u3000", std::vector<std::string>{"a b"}).value()),
            (std::vector<double>{2, 2, 2}));
}

TEST(Chrf, LowercaseUsesPythonLower) {
  auto chrf = Chrf::Create({.char_order = 1, .lowercase = true}).value();
  // str.lower() maps U+0130 to "i" + U+0307, two code points.
  const Score s = chrf->SentenceScore("\u0130", std::vector<std::string>{"i\u0307"}).value();
  EXPECT_EQ(StatsOf(s), (std::vector<double>{2, 2, 2}));
  EXPECT_EQ(s.value, 100.0);
}

TEST(Chrf, NamesDetailsAndSignature) {
  auto chrf = Chrf::Create({}).value();
  EXPECT_EQ(chrf->name(), "chrF2");
  EXPECT_EQ(Chrf::Create({.word_order = 2}).value()->name(), "chrF2++");
  EXPECT_EQ(Chrf::Create({.word_order = 1, .beta = 3}).value()->name(), "chrF3+");
  EXPECT_EQ(Chrf::Create({.beta = 0.5}).value()->name(), "chrF0.5");
  EXPECT_TRUE(chrf->higher_is_better());
  EXPECT_EQ(chrf->signature(1).Format(),
            "nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no|version:" + SignatureVersion());
  EXPECT_EQ(Chrf::Create({.char_order = 4,
                          .word_order = 2,
                          .lowercase = true,
                          .whitespace = true,
                          .eps_smoothing = true})
                .value()
                ->signature(Chrf::kVariableNumRefs)
                .Format(true),
            "#:var|c:lc|e:no|nc:4|nw:2|s:yes|v:" + SignatureVersion());
  const Score s = chrf->SentenceScore("abc", std::vector<std::string>{"abd"}).value();
  ASSERT_EQ(s.details.size(), 4u);
  EXPECT_EQ(s.details[0].first, "stats");
  EXPECT_EQ(std::get<double>(s.details[1].second), 6.0);
  EXPECT_EQ(std::get<double>(s.details[2].second), 0.0);
  EXPECT_EQ(std::get<double>(s.details[3].second), 2.0);
  EXPECT_EQ(s.verbose.substr(0, 8), "chrF2 = ");
}

TEST(Chrf, RejectsInvalidOptions) {
  EXPECT_FALSE(Chrf::Create({.char_order = -1}).has_value());
  EXPECT_FALSE(Chrf::Create({.char_order = Chrf::kMaxOrder + 1}).has_value());
  EXPECT_FALSE(Chrf::Create({.word_order = -2}).has_value());
  EXPECT_FALSE(Chrf::Create({.char_order = 0, .word_order = 0}).has_value());
  EXPECT_FALSE(Chrf::Create({.beta = -1}).has_value());
  EXPECT_FALSE(Chrf::Create({.beta = std::nan("")}).has_value());
  auto err = Chrf::Create({.char_order = 99});
  ASSERT_FALSE(err.has_value());
  EXPECT_EQ(err.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(err.error().message().find("char_order"), std::string::npos);
  // Word n-grams only is a valid configuration.
  auto words_only = Chrf::Create({.char_order = 0, .word_order = 2});
  ASSERT_TRUE(words_only.has_value());
  EXPECT_EQ((*words_only)->SentenceScore("a b", std::vector<std::string>{"a b"})->value, 100.0);
}

TEST(Chrf, RejectsBadInputWithThePlace) {
  auto chrf = Chrf::Create({}).value();
  const std::vector<std::string> hyps = {"ok", "bad \xFF"};
  auto r = chrf->CorpusScore(hyps, ReferenceStreams{{"ok", "ok"}});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), ErrorCode::kParse);
  EXPECT_NE(r.error().message().find("hypothesis 1"), std::string::npos) << r.error().message();

  r = chrf->CorpusScore(std::vector<std::string>{"ok", "ok"},
                        ReferenceStreams{{"ok", "ok"}, {"ok", "\xC3"}});
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message().find("reference 1 of segment 1"), std::string::npos)
      << r.error().message();

  r = chrf->CorpusScore(hyps, ReferenceStreams{{"only one"}});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(r.error().message().find("reference stream 0"), std::string::npos);

  r = chrf->CorpusScore(std::vector<std::string>{"a", "b"},
                        ReferenceStreams{{"a", std::nullopt}, {"a", std::nullopt}});
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message().find("segment 1 has no reference"), std::string::npos);

  EXPECT_FALSE(chrf->CorpusScore(std::vector<std::string>{"a"}, ReferenceStreams{}).has_value());
}

TEST(Chrf, EmptyCorpusScoresZero) {
  auto chrf = Chrf::Create({}).value();
  auto r = chrf->CorpusScore(std::vector<std::string>{}, ReferenceStreams{{}});
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->value, 0.0);
}

}  // namespace
}  // namespace yardstick::metrics
