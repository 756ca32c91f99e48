#include "metrics/rouge.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "support/golden.h"

namespace yardstick::metrics {
namespace {

using testing::GoldenDouble;
using testing::SameDouble;

std::unique_ptr<Rouge> Make(const std::string& type, bool stem) {
  RougeOptions o;
  o.rouge_type = type;
  o.use_stemmer = stem;
  auto m = Rouge::Create(o);
  EXPECT_TRUE(m.has_value()) << type;
  return std::move(*m);
}

void ExpectScore(const RougeScore& got, const nlohmann::json& expected, const std::string& what) {
  EXPECT_TRUE(SameDouble(got.precision, GoldenDouble(expected["precision"])))
      << what << " precision " << got.precision << " vs " << expected["precision"];
  EXPECT_TRUE(SameDouble(got.recall, GoldenDouble(expected["recall"])))
      << what << " recall " << got.recall << " vs " << expected["recall"];
  EXPECT_TRUE(SameDouble(got.fmeasure, GoldenDouble(expected["fmeasure"])))
      << what << " fmeasure " << got.fmeasure << " vs " << expected["fmeasure"];
}

// Every call of rouge_score.jsonl: RougeScorer.score, RougeScorer.score_multi (all four types,
// with and without the stemmer) and tokenize.tokenize, compared bit for bit. Each score is
// checked three ways: ScorePair/ScoreMulti, and SentenceScore through the CorpusMetric path.
TEST(RougeGolden, MatchesRougeScore) {
  std::map<std::pair<std::string, bool>, std::unique_ptr<Rouge>> metrics;
  auto get = [&](const std::string& type, bool stem) -> const Rouge& {
    auto& slot = metrics[{type, stem}];
    if (!slot) slot = Make(type, stem);
    return *slot;
  };
  int score_calls = 0, multi_calls = 0, tokenize_calls = 0, type_checks = 0;
  for (const auto& line : testing::ReadGoldenJsonl("rouge_score.jsonl")) {
    const std::string id = line["id"];
    const auto& in = line["inputs"];
    std::vector<std::string> targets;
    if (in.contains("targets")) {
      for (const auto& t : in["targets"]) targets.push_back(t.get<std::string>());
    } else {
      targets.push_back(in["target"].get<std::string>());
    }
    const std::string prediction = in["prediction"];
    for (const auto& call : line["calls"]) {
      const std::string fn = call["fn"];
      const auto& opt = call["options"];
      const bool stem = opt["use_stemmer"];
      if (fn == "tokenize.tokenize") {
        std::vector<std::vector<std::string>> got;
        for (const auto& t : targets) got.push_back(RougeTokenize(t, stem).value());
        got.push_back(RougeTokenize(prediction, stem).value());
        EXPECT_EQ(nlohmann::json(got), call["expected"]) << id << " stem=" << stem;
        ++tokenize_calls;
        continue;
      }
      ASSERT_TRUE(fn == "RougeScorer.score" || fn == "RougeScorer.score_multi") << id << fn;
      ASSERT_FALSE(opt["split_summaries"].get<bool>()) << id;
      ASSERT_EQ(opt["tokenizer"], "default") << id;
      (fn == "RougeScorer.score" ? score_calls : multi_calls)++;
      for (const auto& type_json : opt["rouge_types"]) {
        const std::string type = type_json;
        const Rouge& metric = get(type, stem);
        const std::string what = id + " " + fn + " " + type + " stem=" + std::to_string(stem);
        const auto& expected = call["expected"][type];
        auto got = fn == "RougeScorer.score" ? metric.ScorePair(targets[0], prediction)
                                             : metric.ScoreMulti(targets, prediction);
        ASSERT_TRUE(got.has_value()) << what;
        ExpectScore(*got, expected, what);
        // The CorpusMetric path: one segment with the targets as references.
        auto sentence = metric.SentenceScore(prediction, targets);
        ASSERT_TRUE(sentence.has_value()) << what;
        EXPECT_EQ(sentence->name, type);
        EXPECT_TRUE(SameDouble(sentence->value, GoldenDouble(expected["fmeasure"]))) << what;
        ++type_checks;
      }
    }
  }
  EXPECT_EQ(score_calls, 474);
  EXPECT_EQ(multi_calls, 30);
  EXPECT_EQ(tokenize_calls, 400);
  EXPECT_GE(type_checks, 4 * (474 + 30));
}

TEST(Rouge, CreateValidatesOptions) {
  for (const char* ok : {"rouge1", "rouge2", "rouge9", "rougeL", "rougeLsum"}) {
    RougeOptions o;
    o.rouge_type = ok;
    EXPECT_TRUE(Rouge::Create(o).has_value()) << ok;
  }
  for (const char* bad : {"rouge0", "rouge10", "rougel", "ROUGE1", "rougeLSum", "", "bleu"}) {
    RougeOptions o;
    o.rouge_type = bad;
    auto m = Rouge::Create(o);
    ASSERT_FALSE(m.has_value()) << bad;
    EXPECT_EQ(m.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(m.error().message().find("rougeLsum"), std::string::npos);
  }
  RougeOptions split;
  split.rouge_type = "rougeLsum";
  split.split_summaries = true;
  auto m = Rouge::Create(split);
  ASSERT_FALSE(m.has_value());
  EXPECT_EQ(m.error().code(), ErrorCode::kUnsupported);
}

TEST(Rouge, Tokenizer) {
  EXPECT_EQ(RougeTokenize("The quick-brown FOX's 3.14!", false).value(),
            (std::vector<std::string>{"the", "quick", "brown", "fox", "s", "3", "14"}));
  EXPECT_EQ(RougeTokenize("running dogs ran", true).value(),
            (std::vector<std::string>{"run", "dog", "ran"}));
  // Non-Latin scripts and accented letters are separators; str.lower() maps U+0130 to
  // "i\u0307" and the Kelvin sign to k.
  EXPECT_EQ(RougeTokenize("中文 café İstanbul \u212Aelvin", false).value(),
            (std::vector<std::string>{"caf", "i", "stanbul", "kelvin"}));
  EXPECT_TRUE(RougeTokenize("", true).value().empty());
  EXPECT_TRUE(RougeTokenize("?! -- ...", false).value().empty());
  auto bad = RougeTokenize("ab\xff", false);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code(), ErrorCode::kParse);
}

TEST(Rouge, EdgeCases) {
  auto r1 = Make("rouge1", false);
  auto r2 = Make("rouge2", false);
  auto rl = Make("rougeL", false);
  auto rls = Make("rougeLsum", false);
  for (const Rouge* m : {r1.get(), r2.get(), rl.get(), rls.get()}) {
    for (auto [t, p] : std::vector<std::pair<std::string, std::string>>{
             {"", ""}, {"a b c", ""}, {"", "a b c"}, {"!!!", "???"}, {"中文", "中文"}}) {
      auto s = m->ScorePair(t, p);
      ASSERT_TRUE(s.has_value());
      EXPECT_EQ(s->precision, 0.0) << m->name() << " '" << t << "' '" << p << "'";
      EXPECT_EQ(s->recall, 0.0);
      EXPECT_EQ(s->fmeasure, 0.0);
    }
  }
  // Identical texts.
  for (const Rouge* m : {r1.get(), r2.get(), rl.get(), rls.get()}) {
    auto s = m->ScorePair("the cat sat\non the mat", "the cat sat\non the mat");
    ASSERT_TRUE(s.has_value());
    EXPECT_EQ(s->fmeasure, 1.0) << m->name();
  }
  // rouge2 of a one-token text: no bigrams, so precision = 0 / max(0, 1).
  EXPECT_EQ(r2->ScorePair("a", "a")->fmeasure, 0.0);
  // Repeated tokens are clipped: target "a a b", prediction "a a a a".
  auto s = r1->ScorePair("a a b", "a a a a").value();
  EXPECT_EQ(s.precision, 0.5);
  EXPECT_EQ(s.recall, 2.0 / 3.0);
  // LCS vs union-LCS: the summary-level score counts each target sentence's union LCS.
  auto lsum = rls->ScorePair("a b c\nd e", "a b\nc d e").value();
  EXPECT_EQ(lsum.recall, 1.0);
  auto l = rl->ScorePair("a b c\nd e", "a b\nc d e").value();
  EXPECT_EQ(l.recall, 1.0);
}

TEST(Rouge, ScoreMultiTakesBestFmeasure) {
  auto m = Make("rouge1", false);
  const std::vector<std::string> targets = {"x y z", "a b c", "a b c"};
  auto s = m->ScoreMulti(targets, "a b d").value();
  EXPECT_EQ(s.precision, 2.0 / 3.0);
  EXPECT_FALSE(m->ScoreMulti({}, "a").has_value());
}

TEST(Rouge, CorpusIsMeanOfSegments) {
  auto m = Make("rougeL", true);
  const std::vector<std::string> hyps = {"the cats are running", "a dog", "nothing here"};
  ReferenceStreams refs = {{std::string("the cat runs"), std::string("the dog"), std::nullopt},
                           {std::nullopt, std::nullopt, std::string("something here")}};
  auto stats = m->ComputeSegmentStats(hyps, refs);
  ASSERT_TRUE(stats.has_value());
  ASSERT_EQ(stats->rows(), 3u);
  ASSERT_EQ(stats->width(), Rouge::kStatsWidth);
  double sum = 0;
  for (std::size_t i = 0; i < 3; ++i) sum += stats->row(i)[2];
  auto score = m->CorpusScore(hyps, refs).value();
  EXPECT_EQ(score.name, "rougeL");
  EXPECT_EQ(score.value, sum / 3);
  EXPECT_EQ(m->ValueFromStats(stats->Sum()), score.value);
  // "the cats are running" -> the cat are run; "the cat runs" -> the cat run: LCS 3.
  EXPECT_EQ(stats->row(0)[1], 1.0);
  EXPECT_EQ(stats->row(0)[0], 0.75);
}

TEST(Rouge, Errors) {
  auto m = Make("rouge1", false);
  const std::vector<std::string> hyps = {"a", "b"};
  ReferenceStreams short_stream = {{std::string("a")}};
  auto e1 = m->ComputeSegmentStats(hyps, short_stream);
  ASSERT_FALSE(e1.has_value());
  EXPECT_NE(e1.error().message().find("reference stream 0"), std::string::npos);
  ReferenceStreams missing = {{std::string("a"), std::nullopt}};
  auto e2 = m->ComputeSegmentStats(hyps, missing);
  ASSERT_FALSE(e2.has_value());
  EXPECT_NE(e2.error().message().find("segment 1"), std::string::npos);
  const std::vector<std::string> bad_hyps = {"a", "b\xc3"};
  ReferenceStreams ok = {{std::string("a"), std::string("b")}};
  auto e3 = m->ComputeSegmentStats(bad_hyps, ok);
  ASSERT_FALSE(e3.has_value());
  EXPECT_EQ(e3.error().code(), ErrorCode::kParse);
  EXPECT_NE(e3.error().message().find("segment 1: hypothesis"), std::string::npos);
  EXPECT_FALSE(m->ComputeSegmentStats({}, ReferenceStreams{{}}).has_value());
  EXPECT_FALSE(m->ComputeSegmentStats(hyps, ReferenceStreams{}).has_value());
  EXPECT_FALSE(m->ScorePair("\xff", "a").has_value());
}

// Computing several types together (one tokenization) gives exactly the rows of each metric
// computed alone, including multi-reference segments, missing references and stemming.
TEST(Rouge, ComputeSegmentStatsManyMatchesSingle) {
  std::vector<std::string> hyps;
  ReferenceStreams refs(2);
  for (const auto& line : testing::ReadGoldenJsonl("rouge_score.jsonl")) {
    const auto& in = line["inputs"];
    hyps.push_back(in["prediction"].get<std::string>());
    if (in.contains("targets")) {
      refs[0].push_back(in["targets"][0].get<std::string>());
      refs[1].push_back(in["targets"].size() > 1
                            ? std::optional<std::string>(in["targets"][1].get<std::string>())
                            : std::nullopt);
    } else {
      refs[0].push_back(in["target"].get<std::string>());
      refs[1].push_back(std::nullopt);
    }
  }
  ASSERT_GT(hyps.size(), 200u);
  for (bool stem : {false, true}) {
    std::vector<std::unique_ptr<Rouge>> owned;
    std::vector<const Rouge*> metrics;
    for (const char* t : {"rouge1", "rouge2", "rouge4", "rougeL", "rougeLsum"}) {
      owned.push_back(Make(t, stem));
      metrics.push_back(owned.back().get());
    }
    auto many = Rouge::ComputeSegmentStatsMany(metrics, hyps, refs);
    ASSERT_TRUE(many.has_value());
    ASSERT_EQ(many->size(), metrics.size());
    for (std::size_t m = 0; m < metrics.size(); ++m) {
      auto single = metrics[m]->ComputeSegmentStats(hyps, refs);
      ASSERT_TRUE(single.has_value());
      EXPECT_EQ((*many)[m].data(), single->data()) << metrics[m]->name() << " stem=" << stem;
    }
  }
  auto r1 = Make("rouge1", false);
  auto r2 = Make("rouge2", true);
  const std::vector<const Rouge*> mixed = {r1.get(), r2.get()};
  EXPECT_FALSE(Rouge::ComputeSegmentStatsMany(mixed, hyps, refs).has_value());
  EXPECT_FALSE(Rouge::ComputeSegmentStatsMany({}, hyps, refs).has_value());
}

TEST(Rouge, Signature) {
  RougeOptions o;
  o.rouge_type = "rougeLsum";
  o.use_stemmer = true;
  auto m = Rouge::Create(o).value();
  EXPECT_EQ(m->signature(1).Format(),
            "nrefs:1|type:rougeLsum|stem:yes|split:no|version:" + SignatureVersion());
  EXPECT_EQ(m->signature(2).Format(true), "#:2|t:rougeLsum|s:yes|sp:no|v:" + SignatureVersion());
}

}  // namespace
}  // namespace yardstick::metrics
