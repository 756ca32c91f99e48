// Classification metrics of a suite: values equal the metric library's on the same labels,
// bootstrap intervals, slices of a real run, the gate, and the paired comparison of two runs.
#include "metrics/classification.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>

#include "eval/eval.h"
#include "metrics/calibration.h"

namespace yardstick::eval {
namespace {

namespace fs = std::filesystem;

ExampleResult Example(const std::string& id, const std::string& truth, const std::string& output) {
  ExampleResult ex;
  ex.id = id;
  ex.references = {truth};
  ex.output = output;
  return ex;
}

// A fixed three-class data set with some errors: 60 examples.
std::vector<ExampleResult> ThreeClass() {
  const char* labels[] = {"cat", "dog", "bird"};
  std::vector<ExampleResult> out;
  std::mt19937 rng(7);
  for (int i = 0; i < 60; ++i) {
    const std::string truth = labels[i % 3];
    std::string output = truth;
    if (rng() % 4 == 0) output = labels[(static_cast<unsigned>(i) + 1 + rng() % 2) % 3];
    out.push_back(
        Example("e" + std::to_string(i), i % 5 == 0 ? " " + truth + "\n" : truth,
                i % 7 == 0 ? "  " + std::string(output == "cat" ? "CAT" : output) : output));
  }
  return out;
}

std::vector<metrics::Label> Truth(const std::vector<ExampleResult>& ex) {
  std::vector<metrics::Label> out;
  for (const auto& e : ex) {
    std::string s = e.references[0];
    s.erase(0, s.find_first_not_of(" \n"));
    s.erase(s.find_last_not_of(" \n") + 1);
    out.emplace_back(s);
  }
  return out;
}

std::vector<metrics::Label> Predicted(const std::vector<ExampleResult>& ex) {
  std::vector<metrics::Label> out;
  for (const auto& e : ex) {
    std::string s = *e.output;
    s.erase(0, s.find_first_not_of(' '));
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.emplace_back(s);
  }
  return out;
}

MetricSpec Spec(const std::string& name, nlohmann::json options = nlohmann::json::object()) {
  return MetricSpec{name, name, std::move(options)};
}

Aggregate Score(const MetricSpec& spec, const std::vector<ExampleResult>& ex,
                MetricColumn* out = nullptr) {
  auto col = ScoreLocalMetric(spec, ex);
  EXPECT_TRUE(col.has_value()) << (col ? "" : col.error().message());
  if (!col) return {};
  auto fn = MakeValueFn(col->spec, col->kind);
  EXPECT_TRUE(fn.has_value());
  auto agg = AggregateColumn(*col, *fn, BootstrapSpec{});
  EXPECT_TRUE(agg.has_value());
  if (out != nullptr) *out = *col;
  return agg ? *agg : Aggregate{};
}

TEST(ClassificationMetrics, ValuesEqualTheLibrary) {
  const auto ex = ThreeClass();
  const auto y_true = Truth(ex);
  const auto y_pred = Predicted(ex);
  const double accuracy = *metrics::AccuracyScore(y_true, y_pred);
  EXPECT_DOUBLE_EQ(Score(Spec("accuracy"), ex).value, accuracy);
  EXPECT_DOUBLE_EQ(Score(Spec("mcc"), ex).value, *metrics::MatthewsCorrcoef(y_true, y_pred));
  EXPECT_DOUBLE_EQ(Score(Spec("cohen_kappa"), ex).value, *metrics::CohenKappaScore(y_true, y_pred));
  for (const char* average : {"macro", "micro", "weighted"}) {
    metrics::PrfOptions o;
    o.average = *metrics::ParseAverage(average);
    const nlohmann::json opt = {{"average", average}};
    EXPECT_DOUBLE_EQ(Score(Spec("precision", opt), ex).value,
                     metrics::PrecisionScore(y_true, y_pred, o)->value)
        << average;
    EXPECT_DOUBLE_EQ(Score(Spec("recall", opt), ex).value,
                     metrics::RecallScore(y_true, y_pred, o)->value)
        << average;
    EXPECT_DOUBLE_EQ(Score(Spec("f1", opt), ex).value, metrics::F1Score(y_true, y_pred, o)->value)
        << average;
  }
  // The default average is macro.
  metrics::PrfOptions macro;
  macro.average = metrics::Average::kMacro;
  EXPECT_DOUBLE_EQ(Score(Spec("f1"), ex).value, metrics::F1Score(y_true, y_pred, macro)->value);
}

TEST(ClassificationMetrics, BinaryAverageUsesThePositiveLabel) {
  // Hand-checked: tp = 3, fp = 1, fn = 2 -> precision 0.75, recall 0.6, F1 2/3.
  std::vector<ExampleResult> ex;
  const char* pairs[][2] = {{"yes", "yes"}, {"yes", "yes"}, {"yes", "yes"}, {"yes", "no"},
                            {"yes", "no"},  {"no", "yes"},  {"no", "no"},   {"no", "no"}};
  for (int i = 0; i < 8; ++i) ex.push_back(Example(std::to_string(i), pairs[i][0], pairs[i][1]));
  const nlohmann::json opt = {{"average", "binary"}, {"positive", "Yes"}};
  EXPECT_DOUBLE_EQ(Score(Spec("precision", opt), ex).value, 0.75);
  EXPECT_DOUBLE_EQ(Score(Spec("recall", opt), ex).value, 0.6);
  EXPECT_NEAR(Score(Spec("f1", opt), ex).value, 2.0 / 3.0, 1e-15);
  EXPECT_DOUBLE_EQ(Score(Spec("accuracy"), ex).value, 5.0 / 8.0);
  // kappa: p_o = 5/8, p_e = (5*4 + 3*4) / 64 = 0.5 -> 0.25.
  EXPECT_NEAR(Score(Spec("cohen_kappa"), ex).value, 0.25, 1e-15);
  // Binary on three labels is the library's error, reported when scoring.
  ex.push_back(Example("x", "maybe", "no"));
  auto col = ScoreLocalMetric(Spec("f1", opt), ex);
  ASSERT_FALSE(col.has_value());
  EXPECT_NE(col.error().message().find("f1"), std::string::npos) << col.error().message();
}

TEST(ClassificationMetrics, BootstrapIntervalAndMissingExamples) {
  auto ex = ThreeClass();
  ex[3].output.reset();
  ex[3].error = "timeout";
  ex[4].references.clear();
  MetricColumn col;
  const Aggregate agg = Score(Spec("f1", {{"average", "weighted"}}), ex, &col);
  EXPECT_EQ(agg.n, 58u);
  EXPECT_EQ(agg.missing, 2u);
  EXPECT_EQ(col.failures[3], "target failed: timeout");
  EXPECT_EQ(col.failures[4], "no reference label");
  EXPECT_LT(agg.ci_low, agg.value);
  EXPECT_GT(agg.ci_high, agg.value);
  EXPECT_GT(agg.ci_low, 0.3);
  EXPECT_LT(agg.ci_high, 1.0);
  EXPECT_EQ(col.width, 9u);  // 3 labels
  EXPECT_EQ(col.spec.options["labels"], nlohmann::json({"bird", "cat", "dog"}));
  EXPECT_NE(col.signature.find("labels:bird,cat,dog"), std::string::npos) << col.signature;
}

TEST(ClassificationMetrics, GivenLabelsLeaveOtherLabelsUnscored) {
  auto ex = ThreeClass();
  ex[0].output = "fish";
  MetricColumn col;
  const Aggregate agg = Score(Spec("accuracy", {{"labels", {"cat", "dog", "bird"}}}), ex, &col);
  EXPECT_EQ(agg.n, 59u);
  EXPECT_EQ(col.failures[0], "label 'fish' is not one of the metric's labels");
}

TEST(ClassificationMetrics, EceEqualsTheLibrary) {
  std::vector<ExampleResult> ex;
  std::vector<int> y;
  std::vector<double> p;
  std::mt19937 rng(3);
  std::uniform_real_distribution<double> u(0, 1);
  for (int i = 0; i < 200; ++i) {
    const double prob = i == 0 ? 0.0 : i == 1 ? 1.0 : i == 2 ? 0.2 : u(rng);  // edges included
    const bool positive = u(rng) < prob * 0.8 + 0.1;
    ExampleResult e = Example(std::to_string(i), positive ? "spam" : "ham", "x");
    e.fields["p_spam"] = prob;
    ex.push_back(e);
    y.push_back(positive ? 1 : 0);
    p.push_back(prob);
  }
  for (std::size_t bins : {std::size_t{5}, std::size_t{15}}) {
    metrics::CalibrationOptions o;
    o.num_bins = bins;
    const double expected = metrics::BinaryCalibration(y, p, o)->ece;
    MetricColumn col;
    const Aggregate agg = Score(
        Spec("ece", {{"score_field", "p_spam"}, {"positive", "spam"}, {"bins", bins}}), ex, &col);
    EXPECT_NEAR(agg.value, expected, 1e-12) << bins;
    EXPECT_FALSE(col.higher_is_better);
    EXPECT_LE(agg.ci_low, agg.value);
    EXPECT_GE(agg.ci_high, agg.value);
  }
  ex[5].fields["p_spam"] = 1.5;
  MetricColumn col;
  Score(Spec("ece", {{"score_field", "p_spam"}, {"positive", "spam"}}), ex, &col);
  EXPECT_EQ(col.failures[5], "no score in [0, 1] in field 'p_spam'");
}

TEST(ClassificationMetrics, BadOptionsAreErrors) {
  EXPECT_TRUE(CheckMetricSpec(Spec("f1", {{"average", "binary"}})).has_value());
  EXPECT_TRUE(CheckMetricSpec(Spec("f1", {{"average", "sideways"}})).has_value());
  EXPECT_TRUE(CheckMetricSpec(Spec("accuracy", {{"average", "macro"}})).has_value());
  EXPECT_TRUE(CheckMetricSpec(Spec("ece", {{"positive", "x"}})).has_value());
  EXPECT_TRUE(CheckMetricSpec(Spec("ece", {{"score_field", "p"}, {"positive", "x"}, {"bins", 0}}))
                  .has_value());
  EXPECT_FALSE(CheckMetricSpec(Spec("mcc")).has_value());
  EXPECT_FALSE(CheckMetricSpec(Spec("recall", {{"average", "binary"}, {"positive", "y"}})));
}

class ClassificationSuiteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("ys-cls-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    std::ofstream data(dir_ / "data.jsonl");
    std::ofstream good(dir_ / "good.jsonl");
    std::ofstream bad(dir_ / "bad.jsonl");
    const char* classes[] = {"billing", "bug", "other"};
    for (int i = 0; i < 120; ++i) {
      const std::string truth = classes[i % 3];
      data << nlohmann::json{{"id", "t" + std::to_string(i)},
                             {"label", truth},
                             {"region", i % 2 == 0 ? "emea" : "amer"}}
                  .dump()
           << "\n";
      const bool good_right = i % 10 != 0;  // 90 % right
      const bool bad_right = i % 2 == 0;    // 50 % right
      good << nlohmann::json{{"id", "t" + std::to_string(i)},
                             {"output", good_right ? truth : classes[(i + 1) % 3]},
                             {"p", good_right ? 0.9 : 0.2}}
                  .dump()
           << "\n";
      bad << nlohmann::json{{"id", "t" + std::to_string(i)},
                            {"output", bad_right ? truth : classes[(i + 1) % 3]},
                            {"p", 0.9}}
                 .dump()
          << "\n";
    }
  }
  void TearDown() override { fs::remove_all(dir_); }

  Result<eval::Run> RunWith(const std::string& outputs, const std::string& extra = "") {
    const std::string yaml =
        "name: cls\ndataset:\n  path: data.jsonl\n  id_field: id\ntarget:\n  type: "
        "precomputed\n  path: " +
        outputs +
        "\nreferences: label\nmetrics:\n  - accuracy\n  - name: f1\n    average: macro\n"
        "  - mcc\n  - name: ece\n    score_field: p\n    positive: billing\n"
        "slices: [region]\n" +
        extra;
    auto suite = LoadSuiteString(yaml, (dir_ / "suite.yaml").string());
    if (!suite) return std::unexpected(suite.error());
    auto run = RunSuite(*suite, {});
    if (run) EvaluateGate(suite->gate, *run);
    return run;
  }

  fs::path dir_;
};

TEST_F(ClassificationSuiteTest, RunSlicesGateSaveAndCompare) {
  auto good = RunWith("good.jsonl", "gate:\n  - \"f1 >= 0.85\"\n  - \"accuracy.ci_low >= 0.99\"\n");
  ASSERT_TRUE(good.has_value()) << good.error().message();
  ASSERT_EQ(good->metrics.size(), 4u);
  EXPECT_DOUBLE_EQ(good->metrics[0].aggregate.value, 0.9);
  EXPECT_EQ(good->metrics[3].aggregate.n, 120u);  // the score came with the outputs
  ASSERT_EQ(good->gate.size(), 2u);
  EXPECT_TRUE(good->gate[0].passed) << good->gate[0].detail;
  EXPECT_FALSE(good->gate[1].passed) << good->gate[1].detail;
  bool sliced = false;
  for (const auto& s : good->slices) {
    if (s.field == "region" && s.value == "emea") {
      sliced = true;
      EXPECT_EQ(s.n, 60u);
      EXPECT_EQ(s.metrics[1].first, "f1");
      EXPECT_GT(s.metrics[1].second.value, 0.8);
    }
  }
  EXPECT_TRUE(sliced);

  // Saved and reloaded, the value function is rebuilt from the stored labels.
  ASSERT_FALSE(SaveRun(*good, (dir_ / "run-good").string()).has_value());
  auto loaded = LoadRun((dir_ / "run-good").string());
  ASSERT_TRUE(loaded.has_value()) << loaded.error().message();

  auto bad = RunWith("bad.jsonl");
  ASSERT_TRUE(bad.has_value()) << bad.error().message();
  auto cmp = CompareRuns(*loaded, *bad, ComparisonSpec{}, "good");
  ASSERT_TRUE(cmp.has_value()) << cmp.error().message();
  ASSERT_EQ(cmp->metrics.size(), 4u);
  for (const auto& m : cmp->metrics) {
    EXPECT_EQ(m.test, "paired_bootstrap") << m.metric << " " << m.note;
    EXPECT_EQ(m.pairs, 120u);
  }
  EXPECT_NEAR(cmp->metrics[0].delta, -0.4, 1e-12);
  EXPECT_TRUE(cmp->metrics[0].significant);
  EXPECT_TRUE(cmp->metrics[0].regression);
  EXPECT_TRUE(cmp->metrics[1].regression);  // f1
  EXPECT_TRUE(cmp->metrics[2].regression);  // mcc
  // Comparing a run with itself finds nothing.
  auto same = CompareRuns(*good, *good, ComparisonSpec{}, "good");
  ASSERT_TRUE(same.has_value());
  for (const auto& m : same->metrics) EXPECT_FALSE(m.significant) << m.metric;
}

}  // namespace
}  // namespace yardstick::eval
