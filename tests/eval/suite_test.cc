// Suite loading (errors at file:line:col), gate conditions and prompt templates.
#include "eval/suite.h"

#include <gtest/gtest.h>

namespace yardstick::eval {
namespace {

constexpr const char* kMinimal = R"(name: demo
dataset:
  path: data/qa.csv
  id_field: id
  required: {question: string, answer: string_or_list}
target:
  type: openai-chat
  base_url: http://127.0.0.1:9/v1
  model: m
  requests_per_minute: 120
prompt:
  template: "Q: {{question}}"
references: answer
metrics:
  - bleu
  - name: exact_match
    ignore_case: true
  - name: regex
    as: starts_upper
    pattern: "^[A-Z]"
  - name: judge
    rubric: "Correct and concise."
    n: 3
slices: [language]
gate:
  - "bleu >= 30"
  - "exact_match gap by language <= 0.05"
  - no_significant_regression
)";

TEST(Suite, LoadsEverySection) {
  auto suite = LoadSuiteString(kMinimal, "/x/suite.yaml");
  ASSERT_TRUE(suite) << suite.error().message();
  EXPECT_EQ(suite->name, "demo");
  EXPECT_EQ(suite->dataset_path, "/x/data/qa.csv");
  EXPECT_EQ(suite->dataset_format, DatasetFormat::kCsv);
  EXPECT_EQ(suite->schema.fields.size(), 2u);
  EXPECT_EQ(suite->target.endpoint.api, "chat");
  EXPECT_EQ(suite->target.endpoint.requests_per_minute, 120);
  ASSERT_EQ(suite->metrics.size(), 4u);
  EXPECT_EQ(suite->metrics[1].options["ignore_case"], true);
  EXPECT_EQ(suite->metrics[2].id, "starts_upper");
  EXPECT_EQ(suite->metrics[3].options["n"], 3);
  ASSERT_EQ(suite->gate.size(), 3u);
  EXPECT_EQ(suite->gate[1].kind, GateCondition::Kind::kGap);
  EXPECT_EQ(suite->gate[1].line, 27);
  EXPECT_EQ(suite->output_dir, "/x/runs/demo");
  EXPECT_EQ(suite->cache_dir, "/x/.yardstick-cache");
}

TEST(Suite, ReportsEveryProblemAtItsPlace) {
  const std::string yaml = R"(name: bad
dataset:
  path: data/qa.txt
  requird: {q: string}
target:
  type: openai-chat
  model: m
  concurrency: 0
metrics:
  - bleuu
  - name: bleu
    tokenize: klingon
  - name: regex
  - name: judge
  - squad_f1
gate:
  - "bleu >>= 3"
  - "chrf >= 3"
)";
  auto suite = LoadSuiteString(yaml, "s.yaml");
  ASSERT_FALSE(suite);
  const std::string& m = suite.error().message();
  EXPECT_NE(m.find("s.yaml:3:9: dataset.path: "), std::string::npos) << m;
  EXPECT_NE(m.find("s.yaml:4:3: unknown key \"requird\" in dataset (did you mean \"required\"?)"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("missing"), std::string::npos) << m;  // base_url
  EXPECT_NE(m.find("s.yaml:8:16: target.concurrency"), std::string::npos) << m;
  EXPECT_NE(m.find("s.yaml:10:5: metrics[0]: unknown metric 'bleuu'"), std::string::npos) << m;
  EXPECT_NE(m.find("s.yaml:11:5: metrics[1]:"), std::string::npos) << m;
  EXPECT_NE(m.find("metric 'regex' needs 'pattern"), std::string::npos) << m;
  EXPECT_NE(m.find("metric 'judge': needs 'rubric"), std::string::npos) << m;
  EXPECT_NE(m.find("s.yaml:17:5: gate[0]: gate condition 'bleu >>= 3'"), std::string::npos) << m;
  EXPECT_NE(m.find("an endpoint target needs prompt.template"), std::string::npos) << m;
  EXPECT_NE(m.find("s.yaml:18:5: gate condition 'chrf >= 3' names 'chrf', which is not a metric "
                   "of the suite (metrics: squad_f1)"),
            std::string::npos)
      << m;
}

TEST(Suite, SyntaxErrorsHaveAPlaceToo) {
  auto suite = LoadSuiteString("name: [unclosed\n", "s.yaml");
  ASSERT_FALSE(suite);
  EXPECT_TRUE(suite.error().message().starts_with("s.yaml:")) << suite.error().message();
}

TEST(Gate, ParsesEveryForm) {
  auto a = ParseGateCondition("bleu>=30");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->kind, GateCondition::Kind::kThreshold);
  EXPECT_EQ(a->metric, "bleu");
  EXPECT_EQ(a->op, ">=");
  EXPECT_EQ(a->threshold, 30);
  auto b = ParseGateCondition("chrf++.ci_low > 0.5");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->metric, "chrf++");
  EXPECT_EQ(b->statistic, "ci_low");
  auto c = ParseGateCondition("accuracy gap by group <= 0.05");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->kind, GateCondition::Kind::kGap);
  EXPECT_EQ(c->field, "group");
  EXPECT_EQ(c->threshold, 0.05);
  auto d = ParseGateCondition("no_significant_regression on bleu, chrf");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->metrics, (std::vector<std::string>{"bleu", "chrf"}));
  auto e = ParseGateCondition("equalized_odds_difference <= 0.1");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind, GateCondition::Kind::kEqualizedOdds);
  for (const char* bad : {"", "bleu", "bleu >= x", "bleu >= 3 and more", "x gap by <= 1",
                          "no_significant_regression at bleu", "bleu.ci_low gap by g <= 1"}) {
    EXPECT_FALSE(ParseGateCondition(bad)) << bad;
  }
  EXPECT_TRUE(CompareWith(30, ">=", 30));
  EXPECT_FALSE(CompareWith(std::nan(""), "<=", 1));
}

TEST(Template, ReplacesFieldsAndNamesMissingOnes) {
  Example ex{12, {{"q", "Why?"}, {"n", 3}, {"refs", {"a", "b"}}}};
  auto out = RenderTemplate("Q: {{q}} ({{ n }}) {{refs}}", ex, "d.jsonl");
  ASSERT_TRUE(out);
  EXPECT_EQ(*out, "Q: Why? (3) a\nb");
  auto missing = RenderTemplate("{{nope}}", ex, "d.jsonl");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message().find("d.jsonl:12: the prompt uses field 'nope'"),
            std::string::npos);
}

}  // namespace
}  // namespace yardstick::eval
