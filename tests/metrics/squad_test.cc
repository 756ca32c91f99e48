#include "metrics/squad.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/golden.h"

namespace yardstick::metrics {
namespace {

using testing::GoldenDouble;
using testing::SameDouble;

// Every call of squad_v1.jsonl, bit for bit: the maxima over ground truths (through the free
// functions and through both CorpusMetric wrappers), normalize_answer of the prediction and
// each ground truth, and f1_score per ground truth.
TEST(SquadGolden, PerQuestionMatchesOfficialEvaluator) {
  auto em_metric = SquadExactMatch::Create().value();
  auto f1_metric = SquadF1::Create().value();
  int calls = 0, lines = 0;
  for (const auto& line : testing::ReadGoldenJsonl("squad_v1.jsonl")) {
    const std::string id = line["id"];
    const std::string prediction = line["inputs"]["prediction"];
    std::vector<std::string> truths;
    for (const auto& t : line["inputs"]["ground_truths"]) truths.push_back(t.get<std::string>());
    ++lines;
    for (const auto& call : line["calls"]) {
      const std::string fn = call["fn"];
      const auto& expected = call["expected"];
      ++calls;
      if (fn == "metric_max_over_ground_truths(exact_match_score)") {
        const double want = GoldenDouble(expected);
        EXPECT_TRUE(SameDouble(SquadMaxExactMatch(prediction, truths).value(), want)) << id;
        auto s = em_metric->SentenceScore(prediction, truths);
        ASSERT_TRUE(s.has_value()) << id;
        EXPECT_TRUE(SameDouble(s->value, 100.0 * want / 1)) << id;
      } else if (fn == "metric_max_over_ground_truths(f1_score)") {
        const double want = GoldenDouble(expected);
        EXPECT_TRUE(SameDouble(SquadMaxF1(prediction, truths).value(), want))
            << id << " got " << SquadMaxF1(prediction, truths).value() << " want " << want;
        auto s = f1_metric->SentenceScore(prediction, truths);
        ASSERT_TRUE(s.has_value()) << id;
        EXPECT_TRUE(SameDouble(s->value, 100.0 * want / 1)) << id;
      } else if (fn == "normalize_answer") {
        ASSERT_EQ(expected.size(), truths.size() + 1) << id;
        EXPECT_EQ(SquadNormalizeAnswer(prediction).value(), expected[0].get<std::string>()) << id;
        for (std::size_t k = 0; k < truths.size(); ++k) {
          EXPECT_EQ(SquadNormalizeAnswer(truths[k]).value(), expected[k + 1].get<std::string>())
              << id << " truth " << k;
        }
      } else if (fn == "f1_score per ground truth") {
        ASSERT_EQ(expected.size(), truths.size()) << id;
        for (std::size_t k = 0; k < truths.size(); ++k) {
          EXPECT_TRUE(
              SameDouble(SquadF1Score(prediction, truths[k]).value(), GoldenDouble(expected[k])))
              << id << " truth " << k;
        }
      } else {
        ADD_FAILURE() << "unknown fn " << fn << " in " << id;
      }
    }
  }
  EXPECT_EQ(lines, 294);
  EXPECT_EQ(calls, 1176);
}

// Every case of squad_v1_aggregate.jsonl: evaluate() in percent, bit for bit. Questions without
// a prediction are unanswered. When every question is answered, the corpus wrappers must agree.
TEST(SquadGolden, AggregateMatchesEvaluate) {
  int checked = 0;
  for (const auto& line : testing::ReadGoldenJsonl("squad_v1_aggregate.jsonl")) {
    const std::string id = line["id"];
    std::vector<SquadQuestion> questions;
    std::vector<std::string> hyps;
    ReferenceStreams refs;
    bool all_answered = true;
    for (const auto& q : line["inputs"]["questions"]) {
      SquadQuestion question;
      question.id = q["id"];
      for (const auto& t : q["ground_truths"]) question.ground_truths.push_back(t);
      if (!q["prediction"].is_null()) {
        question.prediction = q["prediction"].get<std::string>();
      } else {
        all_answered = false;
      }
      questions.push_back(question);
    }
    for (const auto& call : line["calls"]) {
      ASSERT_EQ(call["fn"], "evaluate");
      auto got = SquadEvaluate(questions);
      ASSERT_TRUE(got.has_value()) << id;
      EXPECT_TRUE(SameDouble(got->exact_match, GoldenDouble(call["expected"]["exact_match"])))
          << id << " " << got->exact_match;
      EXPECT_TRUE(SameDouble(got->f1, GoldenDouble(call["expected"]["f1"])))
          << id << " " << got->f1;
      ++checked;
    }
    if (all_answered) {
      std::size_t max_truths = 0;
      for (const auto& q : questions) max_truths = std::max(max_truths, q.ground_truths.size());
      refs.assign(max_truths, std::vector<std::optional<std::string>>(questions.size()));
      for (std::size_t i = 0; i < questions.size(); ++i) {
        hyps.push_back(*questions[i].prediction);
        for (std::size_t k = 0; k < questions[i].ground_truths.size(); ++k) {
          refs[k][i] = questions[i].ground_truths[k];
        }
      }
      const auto expected = line["calls"][0]["expected"];
      auto em = SquadExactMatch::Create().value()->CorpusScore(hyps, refs);
      auto f1 = SquadF1::Create().value()->CorpusScore(hyps, refs);
      ASSERT_TRUE(em.has_value() && f1.has_value()) << id;
      EXPECT_TRUE(SameDouble(em->value, GoldenDouble(expected["exact_match"]))) << id;
      EXPECT_TRUE(SameDouble(f1->value, GoldenDouble(expected["f1"]))) << id;
    }
  }
  EXPECT_EQ(checked, 6);
}

TEST(Squad, NormalizeAnswer) {
  EXPECT_EQ(SquadNormalizeAnswer("The  Quick, brown fox!").value(), "quick brown fox");
  EXPECT_EQ(SquadNormalizeAnswer("an apple a day").value(), "apple day");
  EXPECT_EQ(SquadNormalizeAnswer("theory and anthem").value(), "theory and anthem");
  // \b is Unicode: "thé" is one word; "the" next to a CJK character is not a separate word.
  EXPECT_EQ(SquadNormalizeAnswer("thé the中").value(), "thé the中");
  // Punctuation is removed before articles: "the-end" -> "theend"; "a.b" -> "ab".
  EXPECT_EQ(SquadNormalizeAnswer("the-end a.b").value(), "theend ab");
  // Only ASCII punctuation is removed; Unicode quotes stay.
  EXPECT_EQ(SquadNormalizeAnswer("“quoted”").value(), "“quoted”");
  EXPECT_EQ(SquadNormalizeAnswer("").value(), "");
  EXPECT_EQ(SquadNormalizeAnswer("...!?").value(), "");
  EXPECT_EQ(SquadNormalizeAnswer("a an the").value(), "");
  // Combining marks are not \w in Python's re, so "a" before one is a word on its own.
  EXPECT_EQ(SquadNormalizeAnswer("a\u0301 x").value(), "\u0301 x");
  // Unicode whitespace is collapsed; İ lowers to i + combining dot.
  EXPECT_EQ(SquadNormalizeAnswer("\u3000İstanbul\u00a0city\n").value(), "i\u0307stanbul city");
  EXPECT_FALSE(SquadNormalizeAnswer("\xff").has_value());
}

TEST(Squad, Scores) {
  EXPECT_EQ(SquadExactMatchScore("The Cat", "cat").value(), 1.0);
  EXPECT_EQ(SquadExactMatchScore("cats", "cat").value(), 0.0);
  EXPECT_EQ(SquadF1Score("w b c d", "c d e").value(), 2 * 0.5 * (2.0 / 3) / (0.5 + 2.0 / 3));
  EXPECT_EQ(SquadF1Score("", "").value(), 0.0);  // no common tokens -> 0
  EXPECT_EQ(SquadF1Score("x x y", "x y y").value(), 2.0 / 3);
  const std::vector<std::string> truths = {"dog", "the cat"};
  EXPECT_EQ(SquadMaxExactMatch("a cat", truths).value(), 1.0);
  EXPECT_FALSE(SquadMaxF1("x", std::vector<std::string>{}).has_value());
}

TEST(Squad, EvaluateAndErrors) {
  std::vector<SquadQuestion> qs = {{"q1", {"Paris"}, std::string("paris")},
                                   {"q2", {"London"}, std::nullopt},
                                   {"q3", {"big red dog"}, std::string("red dog")}};
  auto r = SquadEvaluate(qs).value();
  EXPECT_EQ(r.exact_match, 100.0 * 1 / 3);
  EXPECT_EQ(r.f1, 100.0 * (1.0 + 0.8) / 3);
  EXPECT_FALSE(SquadEvaluate({}).has_value());
  std::vector<SquadQuestion> no_truth = {{"q9", {}, std::string("x")}};
  auto e = SquadEvaluate(no_truth);
  ASSERT_FALSE(e.has_value());
  EXPECT_NE(e.error().message().find("q9"), std::string::npos);

  auto metric = SquadF1::Create().value();
  EXPECT_EQ(metric->name(), "squad_f1");
  EXPECT_EQ(SquadExactMatch::Create().value()->name(), "squad_em");
  const std::vector<std::string> hyps = {"a", "b"};
  ReferenceStreams missing = {{std::string("a"), std::nullopt}};
  auto e2 = metric->ComputeSegmentStats(hyps, missing);
  ASSERT_FALSE(e2.has_value());
  EXPECT_NE(e2.error().message().find("segment 1"), std::string::npos);
  ReferenceStreams bad = {{std::string("a"), std::string("\xc3")}};
  auto e3 = metric->ComputeSegmentStats(hyps, bad);
  ASSERT_FALSE(e3.has_value());
  EXPECT_NE(e3.error().message().find("segment 1"), std::string::npos);
  EXPECT_EQ(metric->signature(1).Format(), "nrefs:1|norm:squad|version:" + SignatureVersion());
}

}  // namespace
}  // namespace yardstick::metrics
