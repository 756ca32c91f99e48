// RunSuite against the fake OpenAI-compatible server: outputs, failures counted not dropped,
// cache resume, LLM-as-judge, perplexity and semantic similarity.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "eval/eval.h"
#include "eval/remote_metrics.h"
#include "support/fake_openai.h"

namespace yardstick::eval {
namespace {

namespace fs = std::filesystem;

class RunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("ys-runner-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    std::ofstream(dir_ / "data.jsonl")
        << R"({"id": "q1", "question": "hello", "answer": "A:Q: hello", "group": "g1"})"
           "\n"
        << R"({"id": "q2", "question": "world", "answer": "something else", "group": "g1"})"
           "\n"
        << R"({"id": "q3", "question": "again", "answer": "A:Q: again", "group": "g2"})"
           "\n"
        << R"({"id": "q4", "question": "more", "answer": ["x", "A:Q: more"], "group": "g2"})"
           "\n";
  }
  void TearDown() override { fs::remove_all(dir_); }

  Suite Load(const std::string& metrics, const std::string& extra = "") {
    const std::string yaml =
        "name: t\ndataset:\n  path: data.jsonl\n  id_field: id\n"
        "target:\n  type: openai-chat\n  base_url: " +
        fake_.base_url() +
        "\n  model: fake\n  concurrency: 1\n  max_retries: 2\n"
        "  backoff_initial_seconds: 0\n" +
        extra +
        "prompt:\n  template: \"Q: {{question}}\"\nreferences: answer\n"
        "slices: [group]\nbootstrap: {resamples: 50}\nmetrics:\n" +
        metrics;
    auto suite = LoadSuiteString(yaml, (dir_ / "suite.yaml").string());
    EXPECT_TRUE(suite) << suite.error().message();
    return *suite;
  }

  testing::FakeOpenAi fake_;
  fs::path dir_;
};

TEST_F(RunnerTest, FailedExamplesAreCountedNeverDropped) {
  Suite suite = Load("  - exact_match\n  - latency\n  - tokens\n  - cost\n",
                     "  input_price_per_million: 1000000\n");
  fake_.QueueFault({400, "", 0, ""});  // the first example fails for good
  auto run = RunSuite(suite, {});
  ASSERT_TRUE(run) << run.error().message();
  EXPECT_EQ(run->failed, 1u);
  EXPECT_FALSE(run->examples[0].output);
  EXPECT_NE(run->examples[0].error.find("HTTP 400"), std::string::npos);
  EXPECT_EQ(*run->examples[2].output, "A:Q: again");
  const Aggregate& em = run->metrics[0].aggregate;
  EXPECT_EQ(em.n, 3u);
  EXPECT_EQ(em.missing, 1u);
  EXPECT_DOUBLE_EQ(em.value, 2.0 / 3.0);             // q3 and q4 (second reference) match
  EXPECT_EQ(run->metrics[2].values[2], 4.0);         // "Q: again" 2 tokens + "A:Q: again" 2 tokens
  EXPECT_DOUBLE_EQ(run->metrics[3].values[2], 2.0);  // 2 input tokens at $1 each
  EXPECT_EQ(run->metrics[0].failures[0].rfind("target failed", 0), 0u);
  // Slices count their examples, failures included as missing.
  ASSERT_EQ(run->slices.size(), 2u);
  EXPECT_EQ(run->slices[0].metrics[0].second.missing, 1u);
  auto gate = ParseGateCondition("failures == 0");
  EvaluateGate({*gate}, *run);
  EXPECT_FALSE(run->gate_passed);
}

TEST_F(RunnerTest, ARerunIsAnsweredFromTheCache) {
  Suite suite = Load("  - exact_match\n");
  auto first = RunSuite(suite, {});
  ASSERT_TRUE(first);
  EXPECT_EQ(first->requests_sent, 4);
  EXPECT_EQ(fake_.requests(), 4);
  auto second = RunSuite(suite, {});
  ASSERT_TRUE(second);
  EXPECT_EQ(second->requests_sent, 0);
  EXPECT_EQ(second->cache_hits, 4);
  EXPECT_EQ(fake_.requests(), 4);
  EXPECT_EQ(*second->examples[3].output, *first->examples[3].output);
  EXPECT_TRUE(second->examples[3].cached);
  RunOptions no_cache;
  no_cache.use_cache = false;
  ASSERT_TRUE(RunSuite(suite, no_cache));
  EXPECT_EQ(fake_.requests(), 8);
}

TEST_F(RunnerTest, JudgeScoresAreExtractedAndFailuresCounted) {
  fake_.SetChatReply([](const std::string& content) -> std::string {
    if (content.find("You are grading") == std::string::npos) return "A:" + content;
    if (content.find("A:Q: hello") != std::string::npos) return "Correct.\n**Score:** 4";
    if (content.find("A:Q: world") != std::string::npos) return R"({"score": 2, "why": "meh"})";
    if (content.find("A:Q: again") != std::string::npos) return "I'd rate it 5/5.";
    return "I cannot grade this.";
  });
  Suite suite = Load("  - name: judge\n    rubric: \"Is it right?\"\n    n: 2\n");
  auto run = RunSuite(suite, {});
  ASSERT_TRUE(run) << run.error().message();
  const MetricColumn& judge = run->metrics[0];
  EXPECT_EQ(judge.judge_calls, 8u);
  EXPECT_EQ(judge.judge_failures, 2u);
  EXPECT_EQ(judge.values[0], 4.0);
  EXPECT_EQ(judge.values[1], 2.0);
  EXPECT_EQ(judge.values[2], 5.0);
  EXPECT_TRUE(std::isnan(judge.values[3]));
  EXPECT_NE(judge.failures[3].find("no score in the judge's reply"), std::string::npos);
  EXPECT_EQ(judge.aggregate.n, 3u);
  EXPECT_EQ(judge.aggregate.missing, 1u);
  EXPECT_DOUBLE_EQ(judge.aggregate.value, 11.0 / 3.0);
}

TEST_F(RunnerTest, PerplexityAndSemanticSimilarityCallTheirEndpoints) {
  Suite suite = Load("  - perplexity\n  - semantic_similarity\n");
  auto run = RunSuite(suite, {});
  ASSERT_TRUE(run) << run.error().message();
  // The fake gives every token after the first a log-probability of -1: perplexity e.
  EXPECT_NEAR(run->metrics[0].values[0], std::exp(1.0), 1e-12);  // "A:Q: hello": 2 tokens
  EXPECT_NEAR(run->metrics[0].aggregate.value, std::exp(1.0), 1e-12);
  EXPECT_EQ(run->metrics[0].kind, MetricKind::kPerplexity);
  // Output "A:Q: hello" and reference "A:Q: hello" embed identically.
  EXPECT_NEAR(run->metrics[1].values[0], 1.0, 1e-12);
  EXPECT_LT(run->metrics[1].values[1], 1.0);
  EXPECT_EQ(fake_.requests_to("/v1/completions"), 4);
  EXPECT_EQ(fake_.requests_to("/v1/embeddings"), 4);
}

TEST_F(RunnerTest, PrecomputedOutputsAreMatchedByIdAndMissingOnesCounted) {
  std::ofstream(dir_ / "out.csv")
      << "id,output,latency_ms\nq1,A:Q: hello,120\nq3,\"A:Q: again\",80\n"
         "q4,nope,x\n";
  const std::string yaml =
      "dataset: {path: data.jsonl, id_field: id}\n"
      "target: {type: precomputed, path: out.csv}\nreferences: answer\n"
      "bootstrap: {resamples: 20}\nmetrics: [exact_match, latency]\n";
  auto suite = LoadSuiteString(yaml, (dir_ / "suite.yaml").string());
  ASSERT_TRUE(suite) << suite.error().message();
  auto run = RunSuite(*suite, {});
  ASSERT_TRUE(run) << run.error().message();
  EXPECT_EQ(run->failed, 1u);
  EXPECT_NE(run->examples[1].error.find("no output for id 'q2'"), std::string::npos);
  EXPECT_EQ(run->metrics[0].aggregate.n, 3u);
  EXPECT_DOUBLE_EQ(run->metrics[0].aggregate.value, 2.0 / 3.0);
  // Latency: 120 and 80 given, "x" is not a number (q4 not scored for latency).
  EXPECT_EQ(run->metrics[1].aggregate.n, 2u);
  EXPECT_EQ(run->metrics[1].aggregate.missing, 2u);
  EXPECT_DOUBLE_EQ(run->metrics[1].aggregate.value, 100.0);
  EXPECT_EQ(fake_.requests(), 0);
}

TEST_F(RunnerTest, RunIdsAreUniqueSortableAndOldRunsKeepTheirs) {
  std::ofstream(dir_ / "out.jsonl") << R"({"id": "q1", "output": "A:Q: hello"})"
                                    << "\n";
  auto suite = LoadSuiteString(
      "name: ids\ndataset: {path: data.jsonl, id_field: id}\n"
      "target: {type: precomputed, path: out.jsonl}\nreferences: answer\n"
      "bootstrap: {resamples: 10}\nmetrics: [exact_match]\n",
      (dir_ / "suite.yaml").string());
  ASSERT_TRUE(suite) << suite.error().message();
  auto a = RunSuite(*suite, {});
  auto b = RunSuite(*suite, {});
  ASSERT_TRUE(a && b);
  // Started back to back (usually within one millisecond): still two ids.
  EXPECT_NE(RunId(*a), RunId(*b));
  // "ids-" + YYYYMMDDTHHMMSSZ + "-" + milliseconds + "-" + 6 hex digits, from the creation time.
  const std::string id = RunId(*a);
  ASSERT_EQ(a->created.size(), 24u) << a->created;  // 2026-11-27T02:13:50.123Z
  std::string stamp;
  for (char c : a->created.substr(0, 19)) {
    if (c != '-' && c != ':') stamp += c;
  }
  EXPECT_EQ(id.substr(0, id.size() - 7), "ids-" + stamp + "Z-" + a->created.substr(20, 3)) << id;
  EXPECT_EQ(id[id.size() - 7], '-');
  EXPECT_EQ(id.find_first_not_of("0123456789abcdef", id.size() - 6), std::string::npos) << id;
  EXPECT_EQ(id.find('.'), std::string::npos) << id;
  // The id travels with the document.
  auto again = RunFromJson(RunToJson(*a), "a");
  ASSERT_TRUE(again) << again.error().message();
  EXPECT_EQ(RunId(*again), id);
  EXPECT_EQ(RunToJson(*again)["run_id"], id);
  // A run saved by an older version: second-resolution time, the derived id or none at all.
  nlohmann::json old = RunToJson(*a);
  old["created"] = "2026-11-20T10:00:00Z";
  old["run_id"] = "ids-20261120T100000Z";
  auto legacy = RunFromJson(old, "old");
  ASSERT_TRUE(legacy) << legacy.error().message();
  EXPECT_EQ(RunId(*legacy), "ids-20261120T100000Z");
  EXPECT_EQ(RunToJson(*legacy)["run_id"], "ids-20261120T100000Z");
  old.erase("run_id");
  auto older = RunFromJson(old, "old");
  ASSERT_TRUE(older) << older.error().message();
  EXPECT_EQ(RunId(*older), "ids-20261120T100000Z");
  // and it compares with a new run.
  auto cmp = CompareRuns(*older, *b, {}, "old");
  ASSERT_TRUE(cmp) << cmp.error().message();
  EXPECT_EQ(cmp->metrics.size(), 1u);
  // An id that is not the suite's is refused.
  for (const char* bad : {"other-20261120T100000Z", "ids-a\nb", ""}) {
    old["run_id"] = bad;
    EXPECT_FALSE(RunFromJson(old, "old")) << bad;
  }
}

TEST(JudgeScore, ToleratesRealModelOutput) {
  EXPECT_EQ(ExtractJudgeScore("Score: 4", 1, 5), 4.0);
  EXPECT_EQ(ExtractJudgeScore("The answer is good.\n\n**Score**: 5", 1, 5), 5.0);
  EXPECT_EQ(ExtractJudgeScore("Rating = 3.5", 1, 5), 3.5);
  EXPECT_EQ(ExtractJudgeScore("```json\n{\"score\": 2, \"reason\": \"x\"}\n```", 1, 5), 2.0);
  EXPECT_EQ(ExtractJudgeScore("{\"rating\": \"4\"}", 1, 5), 4.0);
  EXPECT_EQ(ExtractJudgeScore("I give it 4 out of 5", 1, 5), 4.0);
  EXPECT_EQ(ExtractJudgeScore("4/5", 1, 5), 4.0);
  EXPECT_EQ(ExtractJudgeScore(" 3. ", 1, 5), 3.0);
  EXPECT_EQ(ExtractJudgeScore("Score 1 at first, but final score: 4", 1, 5), 4.0);
  EXPECT_FALSE(ExtractJudgeScore("Score: 9", 1, 5));
  EXPECT_FALSE(ExtractJudgeScore("no idea", 1, 5));
  EXPECT_FALSE(ExtractJudgeScore("", 1, 5));
}

}  // namespace
}  // namespace yardstick::eval
