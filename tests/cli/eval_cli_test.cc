// The real `yardstick eval`, `validate` and `compare` binaries: exit codes, run folders, the
// example suites, resuming from the cache after a kill, and the HTML report in Chromium.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>

#include "support/fake_openai.h"
#include "support/server_process.h"

namespace {

namespace fs = std::filesystem;

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string Slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class EvalCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("yardstick-eval-cli-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& content) {
    const fs::path path = dir_ / name;
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << content;
    return path.string();
  }

  RunResult Run(const std::string& args, const std::string& env = "") {
    const std::string err_path = (dir_ / "stderr.txt").string();
    const std::string cmd = (env.empty() ? "" : env + " ") + std::string(YARDSTICK_BINARY) + " " +
                            args + " 2>" + err_path;
    RunResult result;
    FILE* pipe = ::popen(cmd.c_str(), "r");
    if (pipe == nullptr) return result;
    std::array<char, 4096> buf{};
    std::size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) result.out.append(buf.data(), n);
    const int status = ::pclose(pipe);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    result.err = Slurp(err_path);
    return result;
  }

  std::string Example(const std::string& name) {
    return std::string(YARDSTICK_EXAMPLES_DIR) + "/eval/qa/" + name;
  }

  fs::path dir_;
};

TEST_F(EvalCli, TheExampleSuitesRunAndPassTheirGate) {
  const std::string base = (dir_ / "base").string();
  const std::string cand = (dir_ / "cand").string();
  auto first = Run("eval " + Example("baseline.yaml") + " --output " + base);
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  auto second = Run("eval " + Example("suite.yaml") + " --output " + cand + " --baseline " + base);
  ASSERT_EQ(second.exit_code, 0) << second.out << second.err;
  EXPECT_NE(second.out.find("gate: PASS"), std::string::npos) << second.out;
  EXPECT_NE(second.out.find("comparison with"), std::string::npos);
  EXPECT_NE(second.out.find("language=de"), std::string::npos);  // discovered slice
  const auto results = nlohmann::json::parse(Slurp(fs::path(cand) / "results.json"));
  EXPECT_EQ(results["examples"].size(), 120u);
  EXPECT_EQ(results["failed"], 0);
  EXPECT_EQ(results["metrics"][0]["id"], "squad_f1");
  EXPECT_EQ(results["metrics"][0]["aggregate"]["n"], 120);
  EXPECT_TRUE(results["examples"][0]["metrics"]["bleu"]["stats"].is_array());
  EXPECT_TRUE(results["comparison"]["metrics"].is_array());
  EXPECT_EQ(results["gate"]["passed"], true);
  const std::string junit = Slurp(fs::path(cand) / "junit.xml");
  EXPECT_NE(junit.find("<testsuites name=\"yardstick eval\""), std::string::npos);
  EXPECT_EQ(junit.find("<failure"), std::string::npos);
  const std::string html = Slurp(fs::path(cand) / "report.html");
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("src=\"http"), std::string::npos);
  // compare of the two saved runs agrees, and JSON output parses.
  auto cmp = Run("compare " + base + " " + cand + " --format json");
  ASSERT_EQ(cmp.exit_code, 0) << cmp.err;
  const auto summary = nlohmann::json::parse(cmp.out);
  EXPECT_EQ(summary["comparison"].size(), results["comparison"]["metrics"].size());
}

TEST_F(EvalCli, TheFairnessExampleReportsGapsFromACsvDataset) {
  auto r = Run("eval " + std::string(YARDSTICK_EXAMPLES_DIR) + "/eval/triage/suite.yaml --output " +
               (dir_ / "triage").string());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("fairness by region (positive 'escalate'): demographic parity difference "
                       "0.2200, equalized odds difference 0.1825"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("apac (n=50): accuracy=0.7400 ["), std::string::npos) << r.out;
  const auto results = nlohmann::json::parse(Slurp(dir_ / "triage" / "results.json"));
  EXPECT_EQ(results["fairness"]["groups"].size(), 3u);
  EXPECT_EQ(results["gaps"][0]["worst"], "apac");
  // ROC AUC and average precision of p_escalate: scikit-learn's values on the example files
  // (tests/eval/data/generate_ranking.py, "triage_example" in ranking.json).
  ASSERT_EQ(results["metrics"].size(), 3u);
  EXPECT_EQ(results["metrics"][1]["id"], "roc_auc");
  EXPECT_EQ(results["metrics"][1]["kind"], "ranking");
  EXPECT_NEAR(results["metrics"][1]["aggregate"]["value"].get<double>(), 0.8425, 1e-12);
  EXPECT_NEAR(results["metrics"][2]["aggregate"]["value"].get<double>(), 0.6541603290217134, 1e-12);
  // t002: p_escalate 0.74, but the ticket's action is resolve.
  EXPECT_EQ(results["examples"][2]["metrics"]["roc_auc"]["stats"],
            nlohmann::json::parse("[0.74, 0]"));
  EXPECT_NE(r.out.find("roc_auc=0.7529 ["), std::string::npos) << r.out;  // apac
  EXPECT_NE(r.out.find("[pass] roc_auc >= 0.8"), std::string::npos) << r.out;
}

// ROC AUC of a classifier's scores in two saved runs: `yardstick compare` finds the regression
// with the paired bootstrap over the examples' (score, label) rows.
TEST_F(EvalCli, CompareFindsARankingRegression) {
  std::string data, good, bad;
  for (int i = 0; i < 120; ++i) {
    const std::string id = "q" + std::to_string(i);
    const bool positive = i % 3 == 0;
    data += "{\"id\": \"" + id + "\", \"label\": \"" + (positive ? "yes" : "no") + "\"}\n";
    // good ranks every positive above every negative but a few; bad mixes them.
    const double g = (positive ? 0.6 : 0.1) + 0.003 * (i % 97) + (i % 11 == 0 ? 0.3 : 0.0);
    const double b = 0.1 + 0.007 * ((i * 37) % 101);
    good += "{\"id\": \"" + id + "\", \"output\": \"" + std::to_string(g) + "\"}\n";
    bad += "{\"id\": \"" + id + "\", \"output\": \"" + std::to_string(b) + "\"}\n";
  }
  Write("d.jsonl", data);
  Write("good.jsonl", good);
  Write("bad.jsonl", bad);
  for (const char* which : {"good", "bad"}) {
    Write(std::string(which) + ".yaml", "name: " + std::string(which) +
                                            "\ndataset: {path: d.jsonl, id_field: id}\n"
                                            "target: {type: precomputed, path: " +
                                            which +
                                            ".jsonl}\nreferences: label\n"
                                            "metrics: [{name: roc_auc, positive: 'yes'}, "
                                            "{name: average_precision, positive: 'yes'}]\n"
                                            "bootstrap: {resamples: 200}\noutput: runs/" +
                                            which + "\n");
    auto r = Run("eval " + (dir_ / (std::string(which) + ".yaml")).string());
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  const std::string a = (dir_ / "runs/good").string(), b = (dir_ / "runs/bad").string();
  auto worse = Run("compare " + a + " " + b + " --resamples 300 --format json");
  EXPECT_EQ(worse.exit_code, 1) << worse.out << worse.err;
  const auto summary = nlohmann::json::parse(worse.out);
  ASSERT_EQ(summary["comparison"].size(), 2u) << worse.out;
  for (const auto& m : summary["comparison"]) {
    EXPECT_EQ(m["test"], "paired_bootstrap") << m;
    EXPECT_EQ(m["regression"], true) << m;
    EXPECT_LT(m["delta"].get<double>(), -0.2) << m;
  }
  auto same = Run("compare " + a + " " + a + " --resamples 50");
  EXPECT_EQ(same.exit_code, 0) << same.out << same.err;
}

TEST_F(EvalCli, AFailedGateExits1AndShowsInJunit) {
  const std::string out = (dir_ / "run").string();
  auto r = Run("eval " + Example("baseline.yaml") + " --output " + out +
               " --gate 'squad_f1 >= 99' --format json");
  ASSERT_EQ(r.exit_code, 1) << r.out << r.err;
  const auto summary = nlohmann::json::parse(r.out);
  EXPECT_EQ(summary["gate"]["passed"], false);
  const std::string junit = Slurp(fs::path(out) / "junit.xml");
  EXPECT_NE(junit.find("<failure message=\"squad_f1 = "), std::string::npos) << junit;
}

TEST_F(EvalCli, ErrorsExit2WithTheirPlace) {
  const std::string suite = Write("suite.yaml",
                                  "name: x\ndataset:\n  path: d.jsonl\n  bogus: 1\n"
                                  "target: {type: precomputed, path: o.jsonl}\nmetrics: [bleu]\n");
  auto bad = Run("eval " + suite);
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("suite.yaml:4:3: unknown key \"bogus\" in dataset"), std::string::npos)
      << bad.err;
  auto missing = Run("eval " + (dir_ / "nope.yaml").string());
  EXPECT_EQ(missing.exit_code, 2);
  auto no_baseline = Run("eval " + Example("suite.yaml") + " --output " + (dir_ / "r").string() +
                         " --baseline " + (dir_ / "none").string());
  EXPECT_EQ(no_baseline.exit_code, 2);
  EXPECT_NE(no_baseline.err.find("baseline"), std::string::npos);
}

TEST_F(EvalCli, InvalidDatasetsStopBeforeAnyCall) {
  yardstick::testing::FakeOpenAi fake;
  Write("d.jsonl",
        "{\"id\": \"1\", \"q\": \"a\"}\n{\"id\": \"2\"}\n{\"id\": \"1\", \"q\": \"b\"}\n");
  const std::string suite = Write(
      "suite.yaml",
      "dataset: {path: d.jsonl, id_field: id, required: {q: string}}\n"
      "target: {type: openai-chat, base_url: " +
          fake.base_url() + ", model: m}\nprompt: {template: '{{q}}'}\nmetrics: [json_valid]\n");
  auto r = Run("eval " + suite);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("d.jsonl:2: error: missing required field 'q'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("d.jsonl:3: error: duplicate id '1'"), std::string::npos) << r.err;
  EXPECT_EQ(fake.requests(), 0);
}

TEST_F(EvalCli, ValidateReportsProblemsWithFileAndLine) {
  const std::string good =
      Write("good.csv", "id,text,label\n1,\"a, b\",pos\n2,\"multi\nline\",neg\n");
  auto ok = Run("validate " + good + " --require text:string --id-field id --label-field label");
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  EXPECT_NE(ok.out.find("2 rows, 0 error(s)"), std::string::npos) << ok.out;
  EXPECT_NE(ok.out.find("labels: neg=1 pos=1"), std::string::npos) << ok.out;
  const std::string bad = Write("bad.csv", "id,text\n1,x\n1,y\n2\n3,\"\xff\"\n");
  auto r = Run("validate " + bad + " --id-field id --format json");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["ok"], false);
  EXPECT_EQ(doc["errors"], 3);
  EXPECT_EQ(doc["problems"][0]["line"], 3);
  EXPECT_EQ(doc["problems"][1]["line"], 4);
  EXPECT_EQ(doc["problems"][2]["line"], 5);
  const std::string schema = Write("schema.yaml", "required:\n  text: number\n");
  auto typed = Run("validate " + good + " --schema " + schema);
  EXPECT_EQ(typed.exit_code, 1);
  EXPECT_NE(typed.out.find("good.csv:2: error: field 'text': expected number"), std::string::npos)
      << typed.out;
  const std::string bad_schema = Write("bad-schema.yaml", "required:\n  text: numbr\n");
  auto unusable = Run("validate " + good + " --schema " + bad_schema);
  EXPECT_EQ(unusable.exit_code, 2);
  EXPECT_NE(unusable.err.find("bad-schema.yaml:2:9:"), std::string::npos) << unusable.err;
  EXPECT_EQ(Run("validate " + (dir_ / "missing.jsonl").string()).exit_code, 2);
  auto suite = Run("validate " + Example("suite.yaml"));
  EXPECT_EQ(suite.exit_code, 0) << suite.out << suite.err;
}

TEST_F(EvalCli, CompareExits1OnASignificantRegression) {
  // The same questions answered well and then badly.
  std::string data, good, bad;
  for (int i = 0; i < 60; ++i) {
    const std::string id = "q" + std::to_string(i);
    data += "{\"id\": \"" + id + "\", \"answer\": \"answer number " + std::to_string(i) + "\"}\n";
    good += "{\"id\": \"" + id + "\", \"output\": \"answer number " + std::to_string(i) + "\"}\n";
    bad += "{\"id\": \"" + id + "\", \"output\": \"" +
           (i % 4 == 0 ? "answer number " + std::to_string(i) : "no idea") + "\"}\n";
  }
  Write("d.jsonl", data);
  Write("good.jsonl", good);
  Write("bad.jsonl", bad);
  for (const char* which : {"good", "bad"}) {
    Write(std::string(which) + ".yaml", "name: " + std::string(which) +
                                            "\ndataset: {path: d.jsonl, id_field: id}\n"
                                            "target: {type: precomputed, path: " +
                                            which +
                                            ".jsonl}\nreferences: answer\n"
                                            "metrics: [exact_match, chrf]\noutput: runs/" +
                                            which + "\n");
    auto r = Run("eval " + (dir_ / (std::string(which) + ".yaml")).string());
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  const std::string a = (dir_ / "runs/good").string(), b = (dir_ / "runs/bad").string();
  auto worse = Run("compare " + a + " " + b);
  EXPECT_EQ(worse.exit_code, 1) << worse.out << worse.err;
  EXPECT_NE(worse.out.find("exact_match: 1.0000 -> 0.2500"), std::string::npos) << worse.out;
  EXPECT_NE(worse.out.find("mcnemar"), std::string::npos);
  EXPECT_NE(worse.out.find("REGRESSION"), std::string::npos);
  auto better = Run("compare " + b + " " + a + " --test ar --correction fdr_bh");
  EXPECT_EQ(better.exit_code, 0) << better.out << better.err;
  EXPECT_NE(better.out.find("improvement"), std::string::npos);
  EXPECT_EQ(Run("compare " + a + " " + (dir_ / "none").string()).exit_code, 2);
}

// Two datasets and two targets (two models on fake servers, the second worse at arithmetic):
// one run per target, the second compared with the first, the gate applied to both.
TEST_F(EvalCli, SeveralDatasetsAndTargetsRunTogetherAndTheSecondIsComparedWithTheFirst) {
  yardstick::testing::FakeOpenAi good_model, weak_model;
  std::string qa, math;
  for (int i = 0; i < 30; ++i) {
    qa += "{\"id\": \"" + std::to_string(i) + "\", \"question\": \"say word" + std::to_string(i) +
          "\", \"answer\": \"word" + std::to_string(i) + "\"}\n";
    math +=
        std::to_string(i) + ",add " + std::to_string(i) + " and 1," + std::to_string(i + 1) + "\n";
  }
  Write("qa.jsonl", qa);
  Write("math.csv", "id,question,answer\n" + math);
  auto answer = [](const std::string& prompt, bool weak) -> std::string {
    if (prompt.starts_with("say ")) return prompt.substr(4);
    const int n = std::stoi(prompt.substr(4));
    return std::to_string(weak && n % 5 != 0 ? n + 2 : n + 1);
  };
  good_model.SetChatReply([answer](const std::string& p) { return answer(p, false); });
  weak_model.SetChatReply([answer](const std::string& p) { return answer(p, true); });
  auto target = [](const std::string& name, const std::string& url) {
    return "  - {name: " + name + ", type: openai-chat, base_url: " + url + ", model: " + name +
           ", max_retries: 0}\n";
  };
  const std::string suite =
      Write("suite.yaml",
            "name: pair\ndatasets:\n"
            "  - {name: qa, path: qa.jsonl, id_field: id}\n"
            "  - {name: math, path: math.csv, id_field: id}\n"
            "targets:\n" +
                target("large", good_model.base_url()) + target("small", weak_model.base_url()) +
                "prompt: {template: '{{question}}'}\nreferences: answer\n"
                "metrics: [exact_match]\nslices: [dataset]\n"
                "bootstrap: {resamples: 100}\ncomparison: {resamples: 100}\n"
                "gate: [no_significant_regression, 'exact_match >= 0.5']\n");
  auto r = Run("eval " + suite + " --no-progress");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;  // the small model regresses
  EXPECT_NE(r.out.find("=== target large (1 of 2), the reference ==="), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("=== target small (2 of 2) ==="), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("large: gate PASS"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("small: gate FAIL"), std::string::npos) << r.out;
  EXPECT_EQ(good_model.requests(), 60);
  EXPECT_EQ(weak_model.requests(), 60);
  const auto large = nlohmann::json::parse(Slurp(dir_ / "runs/pair/large/results.json"));
  const auto small = nlohmann::json::parse(Slurp(dir_ / "runs/pair/small/results.json"));
  EXPECT_EQ(large["suite"]["name"], "pair-large");
  EXPECT_EQ(small["run_id"].get<std::string>().rfind("pair-small-", 0), 0u);
  ASSERT_EQ(small["examples"].size(), 60u);
  EXPECT_EQ(small["examples"][0]["id"], "qa/0");
  EXPECT_EQ(small["examples"][30]["id"], "math/0");
  EXPECT_EQ(small["examples"][31]["fields"]["dataset"], "math");
  EXPECT_EQ(large["metrics"][0]["aggregate"]["value"], 1.0);
  EXPECT_DOUBLE_EQ(small["metrics"][0]["aggregate"]["value"].get<double>(), 36.0 / 60.0);
  // Slices by dataset: the small model fails on math only.
  for (const auto& slice : small["slices"]) {
    EXPECT_EQ(slice["field"], "dataset");
    EXPECT_DOUBLE_EQ(slice["metrics"]["exact_match"]["value"].get<double>(),
                     slice["value"] == "qa" ? 1.0 : 0.2);
  }
  // The comparison with the first target and the gate of each.
  EXPECT_EQ(small["comparison"]["baseline"], "pair-large");
  EXPECT_EQ(small["comparison"]["metrics"][0]["test"], "mcnemar");
  EXPECT_EQ(small["comparison"]["metrics"][0]["regression"], true);
  EXPECT_EQ(small["gate"]["passed"], false);
  EXPECT_FALSE(large.contains("comparison"));
  EXPECT_EQ(large["gate"]["passed"], true);
  EXPECT_NE(large["gate"]["conditions"][0]["detail"].get<std::string>().find("reference"),
            std::string::npos);
  // Again from the cache, with --output; then as JSON with a gate both pass: exit 0, one
  // summary per target.
  auto again = Run("eval " + suite + " --no-progress --format json --output " +
                   (dir_ / "again").string() + " --gate 'exact_match >= 0.5'");
  const std::string suite_passing =
      Write("passing.yaml", Slurp(suite).substr(0, Slurp(suite).find("gate:")) +
                                "gate: ['exact_match >= 0.5']\ncache_dir: .yardstick-cache\n");
  auto passing = Run("eval " + suite_passing + " --no-progress --format json");
  EXPECT_EQ(passing.exit_code, 0) << passing.out << passing.err;
  const auto summary = nlohmann::json::parse(passing.out);
  ASSERT_EQ(summary["targets"].size(), 2u) << passing.out;
  EXPECT_EQ(summary["targets"][0]["target"], "large");
  EXPECT_EQ(summary["targets"][1]["suite"], "pair-small");
  EXPECT_EQ(summary["targets"][1]["cache_hits"], 60);
  EXPECT_EQ(summary["gate"]["passed"], true);
  EXPECT_EQ(good_model.requests(), 60);  // everything came from the cache
  // --output names the folder holding one run folder per target.
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_TRUE(fs::exists(dir_ / "again" / "small" / "results.json"));
}

// Kills an eval run against the fake server part-way, then reruns it: every answer cached
// before the kill is reused, and only the rest is requested.
TEST_F(EvalCli, AnInterruptedRunResumesFromTheCache) {
  yardstick::testing::FakeOpenAi fake;
  fake.SetDelay(0.05);
  std::string data;
  for (int i = 0; i < 40; ++i)
    data +=
        "{\"id\": \"" + std::to_string(i) + "\", \"q\": \"question " + std::to_string(i) + "\"}\n";
  Write("d.jsonl", data);
  const std::string suite = Write("suite.yaml",
                                  "dataset: {path: d.jsonl, id_field: id}\n"
                                  "target: {type: openai-chat, base_url: " +
                                      fake.base_url() +
                                      ", model: m, concurrency: 2}\nprompt: {template: '{{q}}'}\n"
                                      "metrics: [json_valid]\noutput: run\n");
  // posix_spawn, not fork: this process runs the fake server's threads.
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  std::string binary = YARDSTICK_BINARY, command = "eval", flag = "--no-progress";
  std::string suite_arg = suite;
  char* argv[] = {binary.data(), command.data(), suite_arg.data(), flag.data(), nullptr};
  pid_t pid = 0;
  const int spawned = ::posix_spawn(&pid, binary.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  ASSERT_EQ(spawned, 0);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (fake.requests() < 10 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_GE(fake.requests(), 10);
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status));
  std::size_t cached = 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir_ / ".yardstick-cache")) {
    if (entry.path().extension() == ".json") ++cached;
  }
  ASSERT_GT(cached, 0u);
  ASSERT_LT(cached, 40u);
  fake.SetDelay(0);
  auto r = Run("eval " + suite + " --format json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto summary = nlohmann::json::parse(r.out);
  EXPECT_EQ(summary["cache_hits"].get<std::size_t>(), cached);
  EXPECT_EQ(summary["requests_sent"].get<std::size_t>(), 40 - cached);
  EXPECT_EQ(summary["failed"], 0);
}

// With a `server` section the per-example scores reach `yardstick serve` (the real binary).
TEST_F(EvalCli, ARunIsPushedToTheServerAsScores) {
  yardstick::testing::ServerProcess server({YARDSTICK_BINARY,
                                            (dir_ / "data").string(),
                                            "",
                                            {{"YARDSTICK_ADMIN_KEY", "admin-key-for-tests"}},
                                            {}});
  const std::string started = server.Start();
  ASSERT_TRUE(started.empty()) << started;
  httplib::Client http("127.0.0.1", server.port());
  auto project = http.Post("/v1/projects", {{"Authorization", "Bearer admin-key-for-tests"}},
                           R"({"name": "evals"})", "application/json");
  ASSERT_TRUE(project);
  ASSERT_EQ(project->status, 201) << project->body;
  const std::string key = nlohmann::json::parse(project->body)["key"];
  Write("d.jsonl", "{\"id\": \"a\", \"ref\": \"x\"}\n{\"id\": \"b\", \"ref\": \"y\"}\n");
  Write("o.jsonl", "{\"id\": \"a\", \"output\": \"x\"}\n{\"id\": \"b\", \"output\": \"z\"}\n");
  const std::string suite = Write("suite.yaml",
                                  "name: pushed\ndataset: {path: d.jsonl, id_field: id}\n"
                                  "target: {type: precomputed, path: o.jsonl}\nreferences: ref\n"
                                  "metrics: [exact_match, chrf]\nserver: {url: " +
                                      server.base_url() + ", api_key_env: YS_TEST_KEY}\n");
  auto r = Run("eval " + suite + " --output " + (dir_ / "run").string());
  EXPECT_EQ(r.exit_code, 2) << r.err;  // the key variable is not set
  EXPECT_NE(r.err.find("YS_TEST_KEY is not set"), std::string::npos) << r.err;
  auto pushed = Run("eval " + suite + " --output " + (dir_ / "run").string(), "YS_TEST_KEY=" + key);
  ASSERT_EQ(pushed.exit_code, 0) << pushed.err;
  EXPECT_NE(pushed.err.find("4 scores stored, 0 already there, 0 rejected"), std::string::npos)
      << pushed.err;
  auto scores = http.Get("/v1/scores?from=now-1d&name=eval.exact_match",
                         {{"Authorization", "Bearer " + key}});
  ASSERT_TRUE(scores);
  ASSERT_EQ(scores->status, 200) << scores->body;
  const auto list = nlohmann::json::parse(scores->body)["scores"];
  ASSERT_EQ(list.size(), 2u) << scores->body;
  double total = 0;
  for (const auto& s : list) {
    total += s["value"].get<double>();
    EXPECT_EQ(s["conversation_id"].get<std::string>().rfind("eval-run:pushed-", 0), 0u);
  }
  EXPECT_EQ(total, 1.0);
  // The run id is saved with the run.
  const auto results = nlohmann::json::parse(Slurp(dir_ / "run" / "results.json"));
  EXPECT_EQ(results["run_id"].get<std::string>().rfind("pushed-", 0), 0u);
  // Two more runs of the same suite started back to back (within a second, often within a
  // millisecond) get ids of their own, and the server stores both.
  auto third = Run("eval " + suite + " --output " + (dir_ / "run3").string(), "YS_TEST_KEY=" + key);
  auto fourth =
      Run("eval " + suite + " --output " + (dir_ / "run4").string(), "YS_TEST_KEY=" + key);
  ASSERT_EQ(third.exit_code, 0) << third.err;
  ASSERT_EQ(fourth.exit_code, 0) << fourth.err;
  EXPECT_NE(fourth.err.find("4 scores stored, 0 already there, 0 rejected"), std::string::npos)
      << fourth.err;
  const std::string id3 = nlohmann::json::parse(Slurp(dir_ / "run3" / "results.json"))["run_id"];
  const std::string id4 = nlohmann::json::parse(Slurp(dir_ / "run4" / "results.json"))["run_id"];
  EXPECT_NE(id3, id4);
  auto runs = http.Get("/v1/eval-runs?suite=pushed", {{"Authorization", "Bearer " + key}});
  ASSERT_TRUE(runs);
  ASSERT_EQ(runs->status, 200) << runs->body;
  const auto listed = nlohmann::json::parse(runs->body)["eval_runs"];
  ASSERT_EQ(listed.size(), 3u) << runs->body;
  // Newest first: the ids sort by creation time.
  EXPECT_EQ(listed[0]["id"], id4);
  EXPECT_EQ(listed[1]["id"], id3);
  EXPECT_EQ(listed[2]["id"], results["run_id"]);

  // A suite with two targets pushes one run per target, each under its own name.
  Write("o2.jsonl", "{\"id\": \"a\", \"output\": \"x\"}\n{\"id\": \"b\", \"output\": \"y\"}\n");
  const std::string multi = Write("multi.yaml",
                                  "name: multi\ndataset: {path: d.jsonl, id_field: id}\n"
                                  "targets:\n  - {name: first, type: precomputed, path: o.jsonl}\n"
                                  "  - {name: second, type: precomputed, path: o2.jsonl}\n"
                                  "references: ref\nmetrics: [exact_match]\nserver: {url: " +
                                      server.base_url() + ", api_key_env: YS_TEST_KEY}\n");
  auto both = Run("eval " + multi + " --output " + (dir_ / "multi").string(), "YS_TEST_KEY=" + key);
  ASSERT_EQ(both.exit_code, 0) << both.err;
  for (const char* target : {"first", "second"}) {
    const std::string name = std::string("multi-") + target;
    const std::string id =
        nlohmann::json::parse(Slurp(dir_ / "multi" / target / "results.json"))["run_id"];
    EXPECT_EQ(id.rfind(name + "-", 0), 0u) << id;
    auto stored = http.Get("/v1/eval-runs/" + id, {{"Authorization", "Bearer " + key}});
    ASSERT_TRUE(stored);
    EXPECT_EQ(stored->status, 200) << name << ": " << stored->body;
  }
  auto second_scores = http.Get("/v1/scores?from=now-1d&name=eval.exact_match&limit=1000",
                                {{"Authorization", "Bearer " + key}});
  ASSERT_TRUE(second_scores);
  int from_multi = 0;
  const auto all_scores = nlohmann::json::parse(second_scores->body)["scores"];
  for (const auto& s : all_scores) {
    from_multi += s["conversation_id"].get<std::string>().rfind("eval-run:multi-", 0) == 0;
  }
  EXPECT_EQ(from_multi, 4) << second_scores->body << both.err;  // two examples per target
}

// The report opens in headless Chromium with no network access and no console errors.
TEST_F(EvalCli, TheHtmlReportRendersInChromiumOffline) {
  const char* candidates[] = {"/usr/bin/chromium", "/usr/bin/chromium-browser"};
  std::string chromium;
  for (const char* c : candidates) {
    if (fs::exists(c)) chromium = c;
  }
  // scripts/install-deps installs Chromium; a missing browser is a failure, not a skip.
  ASSERT_FALSE(chromium.empty()) << "Chromium is not installed (scripts/install-deps installs it)";
  const std::string out = (dir_ / "run").string();
  ASSERT_EQ(Run("eval " + Example("baseline.yaml") + " --output " + out).exit_code, 0);
  const std::string log = (dir_ / "chromium.log").string();
  const std::string cmd = chromium +
                          " --headless --no-sandbox --disable-gpu --no-first-run"
                          " --proxy-server=127.0.0.1:9 --enable-logging=stderr --v=0"
                          " --user-data-dir=" +
                          (dir_ / "profile").string() + " --dump-dom file://" + out +
                          "/report.html 2>" + log;
  std::string dom;
  FILE* pipe = ::popen(cmd.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::array<char, 4096> buf{};
  std::size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) dom.append(buf.data(), n);
  const int status = ::pclose(pipe);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << Slurp(log);
  EXPECT_NE(dom.find("<h1>qa-baseline</h1>"), std::string::npos) << dom.substr(0, 500);
  EXPECT_NE(dom.find("id=\"metrics\""), std::string::npos);
  const std::string console = Slurp(log);
  EXPECT_EQ(console.find("Uncaught"), std::string::npos) << console;
  EXPECT_EQ(console.find("Refused to"), std::string::npos) << console;
  EXPECT_EQ(console.find("net::ERR"), std::string::npos) << console;
}

}  // namespace
