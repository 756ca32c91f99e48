#include "metrics/ter.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <iomanip>
#include <numeric>
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

TerOptions OptionsFromJson(const json& o) {
  TerOptions options;
  options.normalized = o.at("normalized").get<bool>();
  options.no_punct = o.at("no_punct").get<bool>();
  options.asian_support = o.at("asian_support").get<bool>();
  options.case_sensitive = o.at("case_sensitive").get<bool>();
  return options;
}

template <typename Run>
void CheckCall(const json& line, const json& call, Run run) {
  const std::string where = line["id"].get<std::string>() + " " + call["options"].dump();
  auto metric = Ter::Create(OptionsFromJson(call["options"]));
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
  EXPECT_TRUE(testing::SameDouble(DetailNumber(*score, "num_edits"),
                                  testing::GoldenDouble(expected["num_edits"])))
      << where << ": num_edits " << DetailNumber(*score, "num_edits");
  EXPECT_TRUE(testing::SameDouble(DetailNumber(*score, "ref_length"),
                                  testing::GoldenDouble(expected["ref_length"])))
      << where << std::setprecision(17) << ": ref_length " << DetailNumber(*score, "ref_length");
  if (expected.contains("formatted")) {
    EXPECT_EQ(score->verbose, expected["formatted"].get<std::string>()) << where;
  }
}

TEST(TerGolden, CorpusScoresMatchSacrebleu) {
  int checked = 0;
  for (const auto& line : testing::ReadGoldenJsonl("sacrebleu_corpus.jsonl")) {
    const std::vector<std::string> hyps = line["inputs"]["hyps"].get<std::vector<std::string>>();
    const ReferenceStreams refs = StreamsFromJson(line["inputs"]["refs"]);
    for (const auto& call : line["calls"]) {
      if (call["metric"] != "TER") continue;
      CheckCall(line, call, [&](const Ter& m) { return m.CorpusScore(hyps, refs); });
      if (call.contains("expected")) {
        auto metric = Ter::Create(OptionsFromJson(call["options"]));
        ASSERT_TRUE(metric.has_value());
        EXPECT_EQ((*metric)->signature(SignatureNumRefs(refs)).Format(),
                  WithOurVersion(call["expected"]["signature"].get<std::string>()))
            << line["id"];
      }
      ++checked;
    }
  }
  EXPECT_GE(checked, 95);
}

TEST(TerGolden, SentenceScoresMatchSacrebleu) {
  int checked = 0;
  for (const auto& line : testing::ReadGoldenJsonl("sacrebleu_sentence.jsonl")) {
    const std::string hyp = line["inputs"]["hyp"].get<std::string>();
    const std::vector<std::string> refs = line["inputs"]["refs"].get<std::vector<std::string>>();
    for (const auto& call : line["calls"]) {
      if (call["metric"] != "TER") continue;
      CheckCall(line, call, [&](const Ter& m) { return m.SentenceScore(hyp, refs); });
      ++checked;
    }
  }
  EXPECT_GE(checked, 413);
}

// Deterministic token sequences: a 64-bit LCG, token = (state >> 33) % vocab. The expected edit
// counts come from sacrebleu 2.6.0's lib_ter.translation_edit_rate on the same sequences (as
// strings); they exercise the beam for extreme length ratios, the shift distance limit and
// the 1000-candidate budget.
std::vector<std::int32_t> LcgTokens(std::size_t n, std::uint64_t vocab, std::uint64_t& state) {
  std::vector<std::int32_t> out;
  for (std::size_t i = 0; i < n; ++i) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    out.push_back(static_cast<std::int32_t>((state >> 33) % vocab));
  }
  return out;
}

TEST(TranslationEditRate, MatchesSacrebleuOnSyntheticSequences) {
  struct Case {
    std::size_t n_hyp, n_ref;
    std::uint64_t vocab, seed;
    std::int64_t edits;
  };
  const Case cases[] = {
      {120, 4, 5, 1, 116},  {4, 150, 5, 2, 146},   {80, 80, 3, 3, 43},    {60, 70, 20, 4, 49},
      {200, 190, 2, 5, 65}, {300, 20, 50, 6, 286}, {20, 300, 50, 7, 291}, {150, 150, 1000, 8, 150},
      {40, 45, 8, 9, 28},   {1, 1, 1, 10, 0},      {0, 5, 3, 11, 5},      {7, 0, 3, 12, 7},
  };
  for (const Case& c : cases) {
    std::uint64_t state = c.seed;
    const auto hyp = LcgTokens(c.n_hyp, c.vocab, state);
    const auto ref = LcgTokens(c.n_ref, c.vocab, state);
    auto edits = TranslationEditRate(hyp, ref);
    ASSERT_TRUE(edits.has_value());
    EXPECT_EQ(*edits, c.edits) << "seed " << c.seed;
  }
}

TEST(TranslationEditRate, BlockRotations) {
  struct Case {
    int n, k;
    std::int64_t edits;
  };
  // hyp = 0..n-1, ref = hyp[k:] + hyp[:k]; sacrebleu: one shift unless the block is too long
  // (10 words at most per shift) or too far (50 positions).
  for (const Case& c : {Case{100, 60, 100}, Case{30, 10, 1}, Case{120, 5, 10}, Case{12, 6, 1}}) {
    std::vector<std::int32_t> hyp(static_cast<std::size_t>(c.n));
    std::iota(hyp.begin(), hyp.end(), 0);
    std::vector<std::int32_t> ref(hyp.begin() + c.k, hyp.end());
    ref.insert(ref.end(), hyp.begin(), hyp.begin() + c.k);
    EXPECT_EQ(TranslationEditRate(hyp, ref).value(), c.edits) << c.n << " " << c.k;
  }
}

struct SentenceCase {
  std::string hyp;
  std::vector<std::string> refs;
  TerOptions options;
  double score;
  double num_edits;
  double ref_length;
};

// Values from sacrebleu 2.6.0's TER.sentence_score.
TEST(Ter, EdgeCasesMatchSacrebleu) {
  const TerOptions asian{.normalized = true, .asian_support = true};
  const std::vector<SentenceCase> cases = {
      {"", {""}, {}, 0.0, 0, 0.0},
      {"", {"abc"}, {}, 100.0, 1, 1.0},
      {"abc", {""}, {}, 100.0, 1, 0.0},
      {"!!! ... ???", {"?!. ,,"}, {}, 150.0, 3, 2.0},
      {"!!! ... ???", {"?!. ,,"}, asian, 140.0, 7, 5.0},
      {"我爱北京天安门", {"我爱北京"}, {}, 100.0, 1, 1.0},
      {"我爱北京天安门", {"我爱北京"}, asian, 75.0, 3, 4.0},
      {"(hi) there, you.", {"hi there you"}, asian, 133.33333333333331, 4, 3.0},
      {"the cat", {"a dog", "the cat", "the cat"}, {}, 0.0, 0, 2.0},
      // sacrebleu tokenizes references twice; with `normalized` that is not idempotent:
      // "x,.5" -> "x , .5" -> "x , . 5", while the hypothesis is tokenized once.
      {"x,.5", {"x,.5"}, {.normalized = true}, 50.0, 2, 4.0},
      {"x , . 5", {"x,.5"}, {.normalized = true}, 0.0, 0, 4.0},
      {"the quick brown fox jumps over the lazy dog",
       {"the lazy dog jumps over the quick brown fox"},
       {},
       22.22222222222222,
       2,
       9.0},
  };
  for (const auto& c : cases) {
    auto ter = Ter::Create(c.options).value();
    auto score = ter->SentenceScore(c.hyp, c.refs);
    ASSERT_TRUE(score.has_value()) << c.hyp;
    EXPECT_TRUE(testing::SameDouble(score->value, c.score))
        << c.hyp << std::setprecision(17) << " got " << score->value;
    EXPECT_EQ(DetailNumber(*score, "num_edits"), c.num_edits) << c.hyp;
    EXPECT_EQ(DetailNumber(*score, "ref_length"), c.ref_length) << c.hyp;
  }
}

TEST(Ter, AverageReferenceLengthAndBestEdits) {
  auto ter = Ter::Create({}).value();
  const Score s =
      ter->SentenceScore("a b c", std::vector<std::string>{"a b c d", "x y", "a b"}).value();
  EXPECT_EQ(DetailNumber(s, "num_edits"), 1.0);
  EXPECT_EQ(DetailNumber(s, "ref_length"), 8.0 / 3.0);
  EXPECT_EQ(s.value, 100 * (1.0 / (8.0 / 3.0)));
}

TEST(Ter, NameSignatureAndDirection) {
  auto ter = Ter::Create({}).value();
  EXPECT_EQ(ter->name(), "TER");
  EXPECT_FALSE(ter->higher_is_better());
  EXPECT_EQ(ter->signature(1).Format(),
            "nrefs:1|case:lc|tok:tercom|norm:no|punct:yes|asian:no|version:" + SignatureVersion());
  EXPECT_EQ(
      Ter::Create({true, true, true, true}).value()->signature(Ter::kVariableNumRefs).Format(true),
      "#:var|c:mixed|t:tercom|nr:yes|pn:no|as:yes|v:" + SignatureVersion());
  const Score s = ter->SentenceScore("a b", std::vector<std::string>{"a c d"}).value();
  EXPECT_EQ(s.verbose, "TER = 66.67");
  ASSERT_EQ(s.details.size(), 2u);
  EXPECT_EQ(s.details[0].first, "num_edits");
  EXPECT_EQ(s.details[1].first, "ref_length");
}

TEST(Ter, ScoreFromStatsConventions) {
  auto ter = Ter::Create({}).value();
  EXPECT_EQ(ter->ValueFromStats(std::vector<double>{0, 0}), 0.0);
  EXPECT_EQ(ter->ValueFromStats(std::vector<double>{3, 0}), 100.0);
  EXPECT_EQ(ter->ValueFromStats(std::vector<double>{1, 4}), 25.0);
}

TEST(Ter, RejectsBadInputWithThePlace) {
  auto ter = Ter::Create({}).value();
  const std::vector<std::string> hyps = {"ok", "bad \xED\xA0\x80"};
  auto r = ter->CorpusScore(hyps, ReferenceStreams{{"ok", "ok"}});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), ErrorCode::kParse);
  EXPECT_NE(r.error().message().find("hypothesis 1"), std::string::npos) << r.error().message();

  r = ter->CorpusScore(std::vector<std::string>{"ok"}, ReferenceStreams{{"\xC0\x80"}});
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message().find("reference 0 of segment 0"), std::string::npos);

  r = ter->CorpusScore(hyps, ReferenceStreams{{"a", "b"}, {"c"}});
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message().find("reference stream 1"), std::string::npos);

  r = ter->CorpusScore(std::vector<std::string>{"a"}, ReferenceStreams{{std::nullopt}});
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message().find("segment 0 has no reference"), std::string::npos);

  EXPECT_FALSE(ter->CorpusScore(std::vector<std::string>{"a"}, ReferenceStreams{}).has_value());
}

}  // namespace
}  // namespace yardstick::metrics
