// Suites with several datasets and several targets: loading and its errors, the examples of
// every dataset evaluated together (qualified ids, the `dataset` field in slices), one run per
// target with precomputed outputs, and the comparison of the second target with the first.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "eval/eval.h"

namespace yardstick::eval {
namespace {

namespace fs = std::filesystem;
using EvalRun = Run;  // gtest's Test::Run hides the type inside TEST bodies

class MultiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("ys-multi-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    // Two datasets with overlapping ids: "1" and "2" exist in both.
    Write("qa.jsonl", R"({"id": "1", "q": "capital of France", "answer": "Paris"})"
                      "\n"
                      R"({"id": "2", "q": "capital of Italy", "answer": "Rome"})"
                      "\n"
                      R"({"id": "3", "q": "capital of Spain", "answer": "Madrid"})"
                      "\n");
    Write("math.csv", "key,q,answer\n1,2+2,4\n2,3+3,6\n3,1+1,2\n4,5+5,10\n");
    // Two systems' outputs, by qualified id: b gets the math wrong.
    Write("a.jsonl", R"({"id": "qa/1", "output": "Paris"})"
                     "\n"
                     R"({"id": "qa/2", "output": "Rome"})"
                     "\n"
                     R"({"id": "qa/3", "output": "Madrid"})"
                     "\n"
                     R"({"id": "math/1", "output": "4"})"
                     "\n"
                     R"({"id": "math/2", "output": "6"})"
                     "\n"
                     R"({"id": "math/3", "output": "2"})"
                     "\n"
                     R"({"id": "math/4", "output": "10"})"
                     "\n");
    Write("b.jsonl", R"({"id": "qa/1", "output": "Paris"})"
                     "\n"
                     R"({"id": "qa/2", "output": "Rome"})"
                     "\n"
                     R"({"id": "qa/3", "output": "Madrid"})"
                     "\n"
                     R"({"id": "math/1", "output": "5"})"
                     "\n"
                     R"({"id": "math/2", "output": "7"})"
                     "\n"
                     R"({"id": "math/3", "output": "2"})"
                     "\n");
  }
  void TearDown() override { fs::remove_all(dir_); }

  void Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name, std::ios::binary) << text;
  }

  Result<Suite> Load(const std::string& yaml) {
    return LoadSuiteString(yaml, (dir_ / "suite.yaml").string());
  }

  static constexpr const char* kSuite =
      "name: multi\n"
      "datasets:\n"
      "  - {name: qa, path: qa.jsonl, id_field: id, required: {q: string}}\n"
      "  - {name: math, path: math.csv, id_field: key}\n"
      "targets:\n"
      "  - {name: a, type: precomputed, path: a.jsonl}\n"
      "  - {name: b, type: precomputed, path: b.jsonl}\n"
      "references: answer\n"
      "metrics: [exact_match]\n"
      "slices: [dataset]\n"
      "bootstrap: {resamples: 50}\n";

  fs::path dir_;
};

TEST_F(MultiTest, SeveralDatasetsAreEvaluatedTogetherAndEachTargetIsARun) {
  auto suite = Load(kSuite);
  ASSERT_TRUE(suite) << suite.error().message();
  ASSERT_EQ(suite->datasets.size(), 2u);
  EXPECT_EQ(suite->datasets[1].name, "math");
  EXPECT_EQ(suite->datasets[1].schema.id_field, "key");
  const auto suites = TargetSuites(*suite);
  ASSERT_EQ(suites.size(), 2u);
  EXPECT_EQ(suites[0].name, "multi-a");
  EXPECT_EQ(suites[1].name, "multi-b");
  EXPECT_EQ(suites[1].output_dir, (dir_ / "runs" / "multi" / "b").string());
  EXPECT_EQ(suites[1].target.path, (dir_ / "b.jsonl").string());
  auto a = RunSuite(suites[0], {});
  auto b = RunSuite(suites[1], {});
  ASSERT_TRUE(a) << a.error().message();
  ASSERT_TRUE(b) << b.error().message();
  // Seven examples, ids qualified by the dataset's name, the name in the `dataset` field.
  ASSERT_EQ(a->examples.size(), 7u);
  EXPECT_EQ(a->examples[0].id, "qa/1");
  EXPECT_EQ(a->examples[3].id, "math/1");
  EXPECT_EQ(a->examples[3].fields["dataset"], "math");
  EXPECT_EQ(a->examples[3].line, 2u);  // the line in math.csv
  EXPECT_EQ(a->failed, 0u);
  EXPECT_DOUBLE_EQ(a->metrics[0].aggregate.value, 1.0);
  // b has no output for math/4: a failed example, counted, not dropped.
  EXPECT_EQ(b->failed, 1u);
  EXPECT_NE(b->examples[6].error.find("no output for id 'math/4'"), std::string::npos);
  EXPECT_EQ(b->metrics[0].aggregate.n, 6u);
  EXPECT_DOUBLE_EQ(b->metrics[0].aggregate.value, 4.0 / 6.0);
  // Slices by dataset.
  ASSERT_EQ(b->slices.size(), 2u);
  EXPECT_EQ(b->slices[0].value, "math");
  EXPECT_DOUBLE_EQ(b->slices[0].metrics[0].second.value, 1.0 / 3.0);
  EXPECT_EQ(b->slices[1].value, "qa");
  EXPECT_DOUBLE_EQ(b->slices[1].metrics[0].second.value, 1.0);
  ASSERT_EQ(b->gaps.size(), 1u);
  EXPECT_NEAR(b->gaps[0].gap, 2.0 / 3.0, 1e-12);
  // b compared with a: paired by qualified id (qa/1 and math/1 are different examples).
  auto cmp = CompareRuns(*a, *b, suite->comparison, suites[0].name);
  ASSERT_TRUE(cmp) << cmp.error().message();
  EXPECT_EQ(cmp->metrics[0].pairs, 6u);
  EXPECT_EQ(cmp->metrics[0].excluded, 2u);  // math/4, counted in each run
  EXPECT_NEAR(cmp->metrics[0].delta, 4.0 / 6.0 - 1.0, 1e-12);
  // The run is saved and reloads with its qualified ids.
  auto again = RunFromJson(RunToJson(*b), "b");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->examples[4].id, "math/2");
  EXPECT_EQ(RunId(*again).rfind("multi-b-", 0), 0u);
  // The merged validation report names both files.
  auto report = ValidateSuiteDataset(*suite);
  ASSERT_TRUE(report);
  EXPECT_EQ(report->rows, 7u);
  EXPECT_EQ(report->errors(), 0u);
  EXPECT_NE(report->path.find("math.csv"), std::string::npos);
}

TEST_F(MultiTest, TheSingularKeysStillWorkAndMistakesAreReported) {
  auto single = Load(
      "dataset: {path: qa.jsonl, id_field: id}\n"
      "target: {type: precomputed, path: a.jsonl, id_field: id}\nreferences: answer\n"
      "metrics: [exact_match]\n");
  ASSERT_TRUE(single) << single.error().message();
  EXPECT_EQ(single->datasets.size(), 1u);
  EXPECT_TRUE(single->datasets[0].name.empty());
  EXPECT_EQ(TargetSuites(*single).size(), 1u);
  auto run = RunSuite(*single, {});
  ASSERT_TRUE(run);
  EXPECT_EQ(run->examples[0].id, "1");  // not qualified
  EXPECT_FALSE(run->examples[0].fields.contains("dataset"));

  auto both = Load(
      "dataset: {path: qa.jsonl}\ndatasets:\n  - {name: qa, path: qa.jsonl}\n"
      "target: {type: precomputed, path: a.jsonl}\nreferences: answer\nmetrics: [exact_match]\n");
  ASSERT_FALSE(both);
  EXPECT_NE(both.error().message().find("give either dataset or datasets"), std::string::npos);
  auto bad = Load(
      "datasets:\n  - {name: qa, path: qa.jsonl}\n  - {name: qa, path: math.csv}\n"
      "  - {path: math.csv}\n  - {name: 'a b', path: math.csv}\n"
      "targets:\n  - {name: x, type: precomputed, path: a.jsonl}\n"
      "  - {name: y, type: openai-chat, base_url: 'http://127.0.0.1:1/v1', model: m}\n"
      "  - {name: x, type: precomputed, path: b.jsonl, color: red}\n"
      "references: answer\nmetrics: [exact_match]\n");
  ASSERT_FALSE(bad);
  const std::string m = bad.error().message();
  EXPECT_NE(m.find("duplicate dataset name 'qa'"), std::string::npos) << m;
  EXPECT_NE(m.find("datasets[2]"), std::string::npos) << m;  // no name
  EXPECT_NE(m.find("'a b': a dataset name is"), std::string::npos) << m;
  EXPECT_NE(m.find("duplicate target name 'x'"), std::string::npos) << m;
  EXPECT_NE(m.find("an endpoint target needs prompt.template"), std::string::npos) << m;
  EXPECT_NE(m.find("color"), std::string::npos) << m;
  EXPECT_NE(m.find("suite.yaml:3:"), std::string::npos) << m;  // file:line of each problem
  EXPECT_EQ(m.find("give either"), std::string::npos) << m;
  EXPECT_FALSE(Load("datasets: []\ntargets: []\nreferences: answer\nmetrics: [exact_match]\n"));
}

TEST_F(MultiTest, ARowMayNotCarryTheDatasetField) {
  Write("clash.jsonl", R"({"id": "1", "q": "x", "answer": "y", "dataset": "mine"})"
                       "\n");
  auto suite = Load(
      "datasets:\n  - {name: qa, path: qa.jsonl, id_field: id}\n"
      "  - {name: clash, path: clash.jsonl, id_field: id}\n"
      "target: {type: precomputed, path: a.jsonl}\nreferences: answer\n"
      "metrics: [exact_match]\n");
  ASSERT_TRUE(suite) << suite.error().message();
  auto run = RunSuite(*suite, {});
  ASSERT_FALSE(run);
  EXPECT_NE(run.error().message().find("clash.jsonl:1: error: field 'dataset' is reserved"),
            std::string::npos)
      << run.error().message();
}

}  // namespace
}  // namespace yardstick::eval
