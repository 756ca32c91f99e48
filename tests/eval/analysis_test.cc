// Fairness gaps, slice discovery and run comparison against golden values from scipy,
// statsmodels and scikit-learn (tests/eval/data/generate_golden.py).
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "eval/eval.h"

namespace yardstick::eval {
namespace {

using EvalRun = yardstick::eval::Run;

nlohmann::json Golden(const std::string& name) {
  std::ifstream in(std::string(YARDSTICK_EVAL_DATA) + "/" + name);
  return nlohmann::json::parse(in);
}

MetricColumn ValuesColumn(const std::string& id, const std::vector<double>& values) {
  std::vector<std::optional<double>> v(values.begin(), values.end());
  return MeanColumn({id, "judge", nlohmann::json::object()}, id, true, "kind:mean", v, {});
}

EvalRun RunWith(const std::vector<nlohmann::json>& fields) {
  EvalRun run;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    ExampleResult ex;
    ex.id = std::to_string(i);
    ex.fields = fields[i];
    if (fields[i].contains("output")) ex.output = fields[i]["output"].get<std::string>();
    run.examples.push_back(std::move(ex));
  }
  return run;
}

TEST(Fairness, MatchesConfusionMatrices) {
  const auto g = Golden("fairness.json");
  EvalRun run = RunWith(g["rows"].get<std::vector<nlohmann::json>>());
  Suite suite;
  suite.fairness = FairnessSpec{"group", "label", "yes"};
  ASSERT_FALSE(Analyse(suite, run));
  ASSERT_TRUE(run.fairness);
  EXPECT_NEAR(run.fairness->demographic_parity_difference,
              g["demographic_parity_difference"].get<double>(), 1e-12);
  EXPECT_NEAR(run.fairness->equalized_odds_difference, g["equalized_odds_difference"].get<double>(),
              1e-12);
  ASSERT_EQ(run.fairness->groups.size(), 3u);
  for (const auto& group : run.fairness->groups) {
    const auto& want = g["groups"][group.value];
    EXPECT_EQ(group.n, want["n"].get<std::size_t>());
    EXPECT_NEAR(group.selection_rate, want["selection_rate"].get<double>(), 1e-12);
    EXPECT_NEAR(group.true_positive_rate, want["tpr"].get<double>(), 1e-12);
    EXPECT_NEAR(group.false_positive_rate, want["fpr"].get<double>(), 1e-12);
  }
  // The gate reads the same numbers.
  auto ok = ParseGateCondition("demographic_parity_difference <= 0.35");
  auto fail = ParseGateCondition("equalized_odds_difference < 0.3");
  EvaluateGate({*ok, *fail}, run);
  EXPECT_TRUE(run.gate[0].passed);
  EXPECT_FALSE(run.gate[1].passed);
  EXPECT_FALSE(run.gate_passed);
}

TEST(Discovery, WelchTestsAndBenjaminiHochbergMatchStatsmodels) {
  const auto g = Golden("discovery.json");
  std::vector<nlohmann::json> fields;
  std::vector<double> values;
  for (const auto& row : g["rows"]) {
    fields.push_back({{"f1", row["f1"]}, {"f2", row["f2"]}});
    values.push_back(row["value"].get<double>());
  }
  EvalRun run = RunWith(fields);
  run.metrics.push_back(ValuesColumn("score", values));
  Suite suite;
  suite.slices = {"f1", "f2"};
  suite.bootstrap.resamples = 50;
  suite.discovery.enabled = true;
  suite.discovery.min_size = g["min_size"].get<std::size_t>();
  suite.discovery.fdr = g["fdr"].get<double>();
  ASSERT_FALSE(Analyse(suite, run));
  ASSERT_TRUE(run.discovery);
  EXPECT_EQ(run.discovery->candidates, g["tested"].size());
  std::size_t expected = 0;
  for (const auto& t : g["tested"]) {
    if (!t["reject"].get<bool>() || t["effect"].get<double>() < 0.2) continue;
    ++expected;
    std::vector<std::pair<std::string, std::string>> preds;
    for (const auto& p : t["predicates"]) preds.emplace_back(p[0], p[1]);
    const DiscoveredSlice* found = nullptr;
    for (const auto& d : run.discovery->slices) {
      if (d.predicates == preds) found = &d;
    }
    ASSERT_NE(found, nullptr) << t.dump();
    EXPECT_EQ(found->n, t["n"].get<std::size_t>());
    EXPECT_NEAR(found->p_value, t["p"].get<double>(), 1e-9 * t["p"].get<double>() + 1e-15);
    EXPECT_NEAR(found->p_adjusted, t["p_adjusted"].get<double>(),
                1e-9 * t["p_adjusted"].get<double>() + 1e-15);
    EXPECT_NEAR(found->effect, t["effect"].get<double>(), 1e-9);
  }
  EXPECT_EQ(expected, 3u);
  EXPECT_EQ(run.discovery->slices.size(), expected);
  // Sorted by size: the conjunction (smallest) comes last.
  EXPECT_EQ(run.discovery->slices.back().predicates.size(), 2u);
}

TEST(Slices, NumericFieldsWithManyValuesAreBinnedByDeciles) {
  std::vector<nlohmann::json> fields;
  std::vector<double> values;
  for (int i = 0; i < 100; ++i) {
    fields.push_back({{"length", i}, {"kind", i % 2 == 0 ? "a" : "b"}});
    values.push_back(i < 10 ? 0.0 : 1.0);
  }
  EvalRun run = RunWith(fields);
  run.metrics.push_back(ValuesColumn("score", values));
  Suite suite;
  suite.slices = {"length", "kind"};
  suite.bootstrap.resamples = 20;
  ASSERT_FALSE(Analyse(suite, run));
  std::vector<std::string> bins;
  for (const auto& s : run.slices) {
    if (s.field == "length") {
      bins.push_back(s.value);
      EXPECT_EQ(s.n, 10u) << s.value;
    }
  }
  ASSERT_EQ(bins.size(), 10u);
  EXPECT_EQ(bins.front(), "[0, 10)");
  EXPECT_EQ(bins.back(), "[90, 99]");
  EXPECT_EQ(run.gaps[0].field, "length");
  EXPECT_EQ(run.gaps[0].worst, "[0, 10)");
  EXPECT_DOUBLE_EQ(run.gaps[0].gap, 1.0);
}

TEST(Compare, McNemarWilcoxonAndHolmMatchTheReferences) {
  const auto g = Golden("compare.json");
  const auto base_pass = g["base_pass"].get<std::vector<double>>();
  const auto cand_pass = g["cand_pass"].get<std::vector<double>>();
  const auto base_score = g["base_score"].get<std::vector<double>>();
  const auto cand_score = g["cand_score"].get<std::vector<double>>();
  std::vector<nlohmann::json> fields(base_pass.size(), nlohmann::json::object());
  EvalRun base = RunWith(fields);
  EvalRun cand = RunWith(fields);
  MetricColumn pass_base = ValuesColumn("pass", base_pass);
  MetricColumn pass_cand = ValuesColumn("pass", cand_pass);
  ASSERT_TRUE(pass_base.binary);
  base.metrics = {pass_base, ValuesColumn("score", base_score)};
  cand.metrics = {pass_cand, ValuesColumn("score", cand_score)};
  ComparisonSpec spec;  // holm, alpha 0.05
  auto c = CompareRuns(base, cand, spec, "base");
  ASSERT_TRUE(c) << c.error().message();
  ASSERT_EQ(c->metrics.size(), 2u);
  EXPECT_EQ(c->metrics[0].test, "mcnemar");
  EXPECT_NEAR(c->metrics[0].p_value, g["mcnemar_p"].get<double>(), 1e-12);
  EXPECT_EQ(c->metrics[1].test, "wilcoxon");
  EXPECT_NEAR(c->metrics[1].p_value, g["wilcoxon_p"].get<double>(), 1e-9);
  for (std::size_t k = 0; k < 2; ++k) {
    EXPECT_NEAR(c->metrics[k].p_adjusted, g["holm_adjusted"][k].get<double>(), 1e-9);
    EXPECT_EQ(c->metrics[k].significant, g["holm_reject"][k].get<bool>());
  }
  EXPECT_TRUE(c->metrics[1].regression);  // the candidate's scores are lower
  EXPECT_EQ(c->metrics[1].pairs, base_pass.size());
  cand.comparison = *c;
  EvaluateGate({*ParseGateCondition("no_significant_regression"),
                *ParseGateCondition("no_significant_regression on pass")},
               cand);
  EXPECT_FALSE(cand.gate[0].passed);
  EXPECT_TRUE(cand.gate[1].passed);
}

TEST(Compare, CorpusMetricsUsePairedResamplingAndDetectAKnownDifference) {
  // 200 examples: the candidate gets exact matches on all, the baseline on half.
  std::vector<nlohmann::json> fields(200, nlohmann::json::object());
  EvalRun base = RunWith(fields), cand = RunWith(fields);
  for (std::size_t i = 0; i < 200; ++i) {
    const std::string good = "the cat sat on the mat all day long";
    base.examples[i].output = i % 2 == 0 ? good : "a dog ran off into the night again";
    cand.examples[i].output = good;
    base.examples[i].references = cand.examples[i].references = {good};
  }
  MetricSpec bleu{"bleu", "bleu", nlohmann::json::object()};
  auto b = ScoreLocalMetric(bleu, base.examples);
  auto c = ScoreLocalMetric(bleu, cand.examples);
  ASSERT_TRUE(b && c);
  base.metrics = {*b};
  cand.metrics = {*c};
  ComparisonSpec spec;
  spec.resamples = 200;
  auto result = CompareRuns(base, cand, spec, "base");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->metrics[0].test, "paired_bootstrap");
  EXPECT_LT(result->metrics[0].p_value, 0.01);
  EXPECT_TRUE(result->metrics[0].improvement);
  // Identical systems: nothing significant (equal scores give p = 1, not sacrebleu's
  // 1 / (trials + 1)).
  spec.test = "ar";
  auto same = CompareRuns(cand, cand, spec, "self");
  ASSERT_TRUE(same);
  EXPECT_EQ(same->metrics[0].test, "approximate_randomization");
  EXPECT_FALSE(same->metrics[0].significant);
  EXPECT_DOUBLE_EQ(same->metrics[0].p_value, 1.0);
}

TEST(Compare, DifferentSignaturesAreNotCompared) {
  std::vector<nlohmann::json> fields(3, nlohmann::json::object());
  EvalRun a = RunWith(fields), b = RunWith(fields);
  for (EvalRun* r : {&a, &b}) {
    for (auto& ex : r->examples) {
      ex.output = "x";
      ex.references = {"x"};
    }
  }
  auto m1 = ScoreLocalMetric({"bleu", "bleu", nlohmann::json::object()}, a.examples);
  auto m2 = ScoreLocalMetric({"bleu", "bleu", {{"lowercase", true}}}, b.examples);
  a.metrics = {*m1};
  b.metrics = {*m2};
  auto c = CompareRuns(a, b, {}, "a");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->metrics[0].test, "none");
  EXPECT_NE(c->metrics[0].note.find("signatures differ"), std::string::npos);
}

}  // namespace
}  // namespace yardstick::eval
