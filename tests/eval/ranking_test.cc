// ROC AUC and average precision as suite metrics: values equal scikit-learn's (golden data from
// data/generate_ranking.py) and the library's, over all examples and per slice; bootstrap
// intervals over the multiset of rows; the paired comparison of two runs; saved runs.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "eval/eval.h"
#include "metrics/classification.h"

namespace yardstick::eval {
namespace {

using EvalRun = Run;  // gtest's Test::Run hides the type inside TEST bodies

nlohmann::json Golden() {
  std::ifstream in(std::string(YARDSTICK_EVAL_DATA) + "/ranking.json");
  std::stringstream ss;
  ss << in.rdbuf();
  return nlohmann::json::parse(ss.str());
}

// Run A: the score is the output text; run B: the score is a field (as precomputed outputs
// carry it), the output a label.
EvalRun MakeRun(const nlohmann::json& golden, bool second) {
  EvalRun run;
  run.suite_name = second ? "b" : "a";
  for (const auto& row : golden["rows"]) {
    ExampleResult ex;
    ex.id = row["id"];
    ex.references = {row["label"].get<std::string>() == "spam" ? " SPAM" : "ham"};
    ex.fields = {{"group", row["group"]}, {"score_b", row["score_b"]}};
    if (second) {
      ex.output = "whatever";
    } else {
      std::ostringstream text;
      text << " " << row["score_a"].get<double>() << "\n";
      ex.output = text.str();
    }
    run.examples.push_back(std::move(ex));
  }
  return run;
}

MetricSpec Spec(const std::string& name, bool second) {
  nlohmann::json options = {{"positive", "spam"}};
  if (second) options["score_field"] = "score_b";
  return MetricSpec{name, name, options};
}

Suite SliceSuite() {
  Suite suite;
  suite.slices = {"group"};
  suite.bootstrap.resamples = 300;
  return suite;
}

void Score(EvalRun& run, bool second) {
  for (const char* name : {"roc_auc", "average_precision"}) {
    auto col = ScoreLocalMetric(Spec(name, second), run.examples);
    ASSERT_TRUE(col) << col.error().message();
    run.metrics.push_back(std::move(*col));
  }
  ASSERT_FALSE(Analyse(SliceSuite(), run));
}

const Aggregate* SliceOf(const EvalRun& run, const std::string& value, const std::string& metric) {
  for (const auto& s : run.slices) {
    if (s.field != "group" || s.value != value) continue;
    for (const auto& [id, agg] : s.metrics) {
      if (id == metric) return &agg;
    }
  }
  return nullptr;
}

TEST(Ranking, ValuesEqualScikitLearnOverallAndPerSlice) {
  const auto golden = Golden();
  for (const bool second : {false, true}) {
    EvalRun run = MakeRun(golden, second);
    Score(run, second);
    const auto& expected = golden[second ? "b" : "a"];
    for (const auto& col : run.metrics) {
      SCOPED_TRACE(col.spec.id + (second ? " (score_field)" : " (output)"));
      EXPECT_EQ(col.kind, MetricKind::kRanking);
      EXPECT_FALSE(col.binary);
      EXPECT_EQ(col.aggregate.n, 300u);
      EXPECT_EQ(col.aggregate.missing, 0u);
      EXPECT_NEAR(col.aggregate.value, expected["all"][col.spec.id].get<double>(), 1e-12);
      // The interval is a real bootstrap interval around the value.
      EXPECT_LT(col.aggregate.ci_low, col.aggregate.value);
      EXPECT_GT(col.aggregate.ci_high, col.aggregate.value);
      EXPECT_GT(col.aggregate.ci_high - col.aggregate.ci_low, 0.02);
      EXPECT_LT(col.aggregate.ci_high - col.aggregate.ci_low, 0.4);
      for (const char* group : {"en", "de", "fr"}) {
        const Aggregate* agg = SliceOf(run, group, col.spec.id);
        ASSERT_NE(agg, nullptr) << group;
        EXPECT_NEAR(agg->value, expected[group][col.spec.id].get<double>(), 1e-12) << group;
        EXPECT_FALSE(std::isnan(agg->ci_low)) << group;
      }
    }
    // The gap by group is between the best and worst slices of sklearn's values.
    for (const auto& gap : run.gaps) {
      if (gap.metric != "roc_auc") continue;
      double hi = 0, lo = 1;
      for (const char* group : {"en", "de", "fr"}) {
        hi = std::max(hi, expected[group]["roc_auc"].get<double>());
        lo = std::min(lo, expected[group]["roc_auc"].get<double>());
      }
      EXPECT_NEAR(gap.gap, hi - lo, 1e-12);
    }
  }
}

TEST(Ranking, ValuesEqualTheLibraryOnTheSameScores) {
  const auto golden = Golden();
  EvalRun run = MakeRun(golden, false);
  Score(run, false);
  std::vector<metrics::Label> y;
  std::vector<double> s;
  for (const auto& row : golden["rows"]) {
    y.emplace_back(static_cast<std::int64_t>(row["label"] == "spam" ? 1 : 0));
    s.push_back(row["score_a"].get<double>());
  }
  auto auc = metrics::RocAucScore(y, s);
  auto ap = metrics::AveragePrecisionScore(y, s, metrics::Label(std::int64_t{1}));
  ASSERT_TRUE(auc && ap);
  EXPECT_EQ(run.metrics[0].aggregate.value, *auc);
  EXPECT_EQ(run.metrics[1].aggregate.value, ap->value);
  EXPECT_EQ(run.metrics[0].values[0], s[0]);  // the per-example value is the score ranked
}

TEST(Ranking, UnscorableExamplesAreCountedAndOneClassIsUndefined) {
  std::vector<ExampleResult> examples(5);
  const char* outputs[] = {"0.9", "high", "0.2", "0.4", "0.7"};
  const char* labels[] = {"yes", "no", "no", "no", "yes"};
  for (std::size_t i = 0; i < 5; ++i) {
    examples[i].id = std::to_string(i);
    examples[i].output = outputs[i];
    examples[i].references = {labels[i]};
    examples[i].fields = {{"slice", i < 3 ? "x" : "y"}};
  }
  examples[3].output.reset();
  examples[3].error = "timeout";
  EvalRun run;
  run.examples = examples;
  auto col = ScoreLocalMetric({"roc_auc", "roc_auc", {{"positive", "yes"}}}, examples);
  ASSERT_TRUE(col) << col.error().message();
  EXPECT_EQ(col->failures[1], "the output is not a number");
  EXPECT_NE(col->failures[3].find("timeout"), std::string::npos);
  run.metrics.push_back(*col);
  Suite suite;
  suite.slices = {"slice"};
  suite.bootstrap.resamples = 100;
  ASSERT_FALSE(Analyse(suite, run));
  EXPECT_EQ(run.metrics[0].aggregate.n, 3u);
  EXPECT_EQ(run.metrics[0].aggregate.missing, 2u);
  EXPECT_DOUBLE_EQ(run.metrics[0].aggregate.value, 1.0);  // 0.9, 0.7 above 0.2
  // Slice y holds one scored example, a positive: no ROC AUC, never a made-up number.
  const Aggregate* y = SliceOf(run, "y", "roc_auc");
  ASSERT_EQ(y, nullptr);  // the field is "slice", not "group"
  for (const auto& s : run.slices) {
    if (s.value != "y") continue;
    EXPECT_EQ(s.metrics[0].second.n, 1u);
    EXPECT_TRUE(std::isnan(s.metrics[0].second.value));
    EXPECT_TRUE(std::isnan(s.metrics[0].second.ci_low));
  }
}

TEST(Ranking, OptionsAreChecked) {
  EXPECT_TRUE(CheckMetricSpec({"roc_auc", "roc_auc", nlohmann::json::object()}));
  EXPECT_TRUE(CheckMetricSpec({"roc_auc", "roc_auc", {{"positive", "a"}, {"bins", 3}}}));
  EXPECT_TRUE(
      CheckMetricSpec({"ap", "average_precision", {{"positive", "a"}, {"score_field", 3}}}));
  EXPECT_FALSE(CheckMetricSpec(
      {"ap", "average_precision", {{"positive", 1}, {"score_field", "p"}, {"label_field", "l"}}}));
  // Discovery has no per-example metric value to test with a ranking metric: refused when the
  // suite loads (nothing runs), and by the analysis of a suite built in code.
  for (const char* discovery : {"discovery: {metric: roc_auc}\n", "discovery: {}\n"}) {
    auto suite = LoadSuiteString(
        "dataset: {path: d.jsonl}\ntarget: {type: precomputed, path: o.jsonl}\n"
        "references: label\nmetrics: [{name: roc_auc, positive: 'yes'}]\n" +
            std::string(discovery),
        "/tmp/suite.yaml");
    ASSERT_FALSE(suite) << discovery;
    EXPECT_NE(suite.error().message().find("per-example value"), std::string::npos)
        << suite.error().message();
  }
  const auto golden = Golden();
  EvalRun run = MakeRun(golden, false);
  auto col = ScoreLocalMetric(Spec("roc_auc", false), run.examples);
  ASSERT_TRUE(col);
  run.metrics.push_back(*col);
  Suite suite;
  suite.bootstrap.resamples = 10;
  suite.discovery.enabled = true;
  suite.discovery.fields = {"group"};
  auto error = Analyse(suite, run);
  ASSERT_TRUE(error);
  EXPECT_NE(error->message().find("per-example"), std::string::npos) << error->message();
  suite.discovery.metric = "roc_auc";
  error = Analyse(suite, run);
  ASSERT_TRUE(error);
  EXPECT_NE(error->message().find("ranking metric"), std::string::npos) << error->message();
}

TEST(Ranking, PairedComparisonDetectsTheBetterClassifierAndSurvivesSaving) {
  const auto golden = Golden();
  EvalRun a = MakeRun(golden, false);
  EvalRun b = MakeRun(golden, true);
  Score(a, false);
  Score(b, true);
  ComparisonSpec spec;
  spec.resamples = 300;
  // b (worse) against a as the baseline: a significant regression of both metrics.
  auto c = CompareRuns(a, b, spec, "a");
  ASSERT_TRUE(c) << c.error().message();
  ASSERT_EQ(c->metrics.size(), 2u);
  for (std::size_t k = 0; k < 2; ++k) {
    const auto& m = c->metrics[k];
    SCOPED_TRACE(m.metric);
    EXPECT_EQ(m.test, "paired_bootstrap");
    EXPECT_EQ(m.pairs, 300u);
    EXPECT_NEAR(m.baseline, golden["a"]["all"][m.metric].get<double>(), 1e-12);
    EXPECT_NEAR(m.value, golden["b"]["all"][m.metric].get<double>(), 1e-12);
    EXPECT_LT(m.p_value, 0.02);
    EXPECT_TRUE(m.regression);
    EXPECT_LT(m.delta_ci_high, 0);
    EXPECT_GT(m.delta_ci_low, -0.4);
  }
  b.comparison = *c;
  EvaluateGate({*ParseGateCondition("no_significant_regression on roc_auc"),
                *ParseGateCondition("roc_auc >= 0.6"), *ParseGateCondition("roc_auc >= 0.7"),
                *ParseGateCondition("average_precision gap by group <= 0.1")},
               b);
  ASSERT_EQ(b.gate.size(), 4u);
  EXPECT_FALSE(b.gate[0].passed);
  EXPECT_TRUE(b.gate[1].passed);
  EXPECT_FALSE(b.gate[2].passed);
  EXPECT_FALSE(b.gate[3].passed) << b.gate[3].detail;  // 0.525 (en) vs 0.390 (de)
  // Approximate randomization agrees; a run against itself is no difference.
  spec.test = "ar";
  auto ar = CompareRuns(a, b, spec, "a");
  ASSERT_TRUE(ar);
  EXPECT_EQ(ar->metrics[0].test, "approximate_randomization");
  EXPECT_LT(ar->metrics[0].p_value, 0.02);
  auto same = CompareRuns(a, a, spec, "a");
  ASSERT_TRUE(same);
  EXPECT_DOUBLE_EQ(same->metrics[0].p_value, 1.0);
  EXPECT_FALSE(same->metrics[0].significant);
  // Saved and loaded: the same comparison (what `yardstick compare` does).
  a.created = b.created = "2026-11-27T00:00:00.000Z";
  auto a2 = RunFromJson(RunToJson(a), "a");
  auto b2 = RunFromJson(RunToJson(b), "b");
  ASSERT_TRUE(a2 && b2) << (a2 ? b2.error().message() : a2.error().message());
  EXPECT_EQ(a2->metrics[0].kind, MetricKind::kRanking);
  spec.test = "bs";
  auto again = CompareRuns(*a2, *b2, spec, "a");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->metrics[0].p_value, c->metrics[0].p_value);
  EXPECT_EQ(again->metrics[0].delta_ci_low, c->metrics[0].delta_ci_low);
  EXPECT_EQ(again->metrics[1].value, c->metrics[1].value);
  // The reports name the metric with its value.
  EXPECT_NE(RenderJunit(b).find("roc_auc"), std::string::npos);
  EXPECT_NE(RenderHtml(b).find("roc_auc (the scores ranked)"), std::string::npos);
}

}  // namespace
}  // namespace yardstick::eval
