// Eval runs in the server, end to end: the real `yardstick eval` pushes two runs to the real
// `yardstick serve`, which lists, returns and compares them over HTTP.
#include <gtest/gtest.h>
#include <httplib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "support/api_client.h"
#include "support/server_process.h"

namespace yardstick {
namespace {

using nlohmann::json;
using testing::MakeTempDir;
using testing::ServerProcess;

constexpr const char* kAdminKey = "test-admin-key-0123456789abcdef";

class EvalRunsServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = MakeTempDir("yardstick-eval-runs-test");
    ASSERT_FALSE(root_.empty());
    ServerProcess::Options o;
    o.binary = YARDSTICK_BINARY;
    o.data_dir = root_ + "/data";
    o.env = {{"YARDSTICK_ADMIN_KEY", kAdminKey}};
    server_ = std::make_unique<ServerProcess>(o);
    const std::string err = server_->Start();
    ASSERT_EQ(err, "") << err;
    key_ = CreateProject("shop");
    other_key_ = CreateProject("bank");
    WriteData();
  }
  void TearDown() override {
    if (server_) server_->Stop();
    std::filesystem::remove_all(root_);
  }

  httplib::Client Client() { return testing::ApiClient(server_->port(), 60); }

  std::string CreateProject(const std::string& name) {
    auto c = Client();
    return testing::CreateProjectKey(c, kAdminKey, name);
  }

  httplib::Result Get(const std::string& path, const std::string& key) {
    auto c = Client();
    return c.Get(path.c_str(), {{"Authorization", "Bearer " + key}});
  }

  json GetJson(const std::string& path, const std::string& key, int expect_status = 200) {
    auto res = Get(path, key);
    EXPECT_TRUE(res);
    if (!res) return {};
    EXPECT_EQ(res->status, expect_status) << path << ": " << res->body;
    return json::parse(res->body, nullptr, false);
  }

  httplib::Result Post(const std::string& body, const std::string& key) {
    auto c = Client();
    return c.Post("/v1/eval-runs", {{"Authorization", "Bearer " + key}}, body, "application/json");
  }

  // 120 tickets of three classes; good.jsonl is 90 % right, bad.jsonl 50 %.
  void WriteData() {
    std::ofstream data(root_ + "/tickets.jsonl");
    std::ofstream good(root_ + "/good.jsonl");
    std::ofstream bad(root_ + "/bad.jsonl");
    const char* classes[] = {"billing", "bug", "other"};
    for (int i = 0; i < 120; ++i) {
      const std::string id = "t" + std::to_string(i);
      const std::string truth = classes[i % 3];
      const std::string wrong = classes[(i + 1) % 3];
      data << json{{"id", id}, {"label", truth}, {"region", i % 2 ? "amer" : "emea"}}.dump()
           << "\n";
      good << json{{"id", id}, {"output", i % 10 ? truth : wrong}}.dump() << "\n";
      bad << json{{"id", id}, {"output", i % 2 ? wrong : truth}}.dump() << "\n";
    }
  }

  // Runs `yardstick eval` on a suite named `name` over `outputs`; returns its exit status.
  int Eval(const std::string& name, const std::string& outputs) {
    const std::string suite = root_ + "/" + name + ".yaml";
    std::ofstream(suite) << "name: " << name
                         << "\ndataset:\n  path: tickets.jsonl\n  id_field: id\n"
                            "target:\n  type: precomputed\n  path: "
                         << outputs
                         << "\nreferences: label\nmetrics:\n  - accuracy\n"
                            "  - name: f1\n    average: macro\n"
                            "slices: [region]\ngate:\n  - \"accuracy >= 0.8\"\n"
                            "output: runs/"
                         << name << "\nserver:\n  url: " << server_->base_url()
                         << "\n  api_key_env: YS_EVAL_RUNS_TEST_KEY\n";
    ::setenv("YS_EVAL_RUNS_TEST_KEY", key_.c_str(), 1);
    const std::string command = std::string(YARDSTICK_BINARY) + " eval --no-progress " + suite +
                                " > " + root_ + "/" + name + ".out 2>&1";
    const int status = std::system(command.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  std::string Output(const std::string& name) {
    std::ifstream in(root_ + "/" + name + ".out");
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  json ResultsJson(const std::string& name) {
    std::ifstream in(root_ + "/runs/" + name + "/results.json");
    return json::parse(in, nullptr, false);
  }

  std::string root_;
  std::unique_ptr<ServerProcess> server_;
  std::string key_, other_key_;
};

TEST_F(EvalRunsServerTest, PushListGetAndCompare) {
  ASSERT_EQ(Eval("triage-good", "good.jsonl"), 0) << Output("triage-good");
  ASSERT_EQ(Eval("triage-bad", "bad.jsonl"), 1) << Output("triage-bad");  // the gate fails
  const json good = ResultsJson("triage-good");
  const json bad = ResultsJson("triage-bad");
  ASSERT_TRUE(good.is_object());
  ASSERT_TRUE(bad.is_object());
  const std::string good_id = good["run_id"], bad_id = bad["run_id"];
  EXPECT_NE(Output("triage-good").find("run " + good_id + " stored"), std::string::npos)
      << Output("triage-good");

  // The list: newest first is not guaranteed within one second, so find each by id.
  const json list = GetJson("/v1/eval-runs", key_);
  ASSERT_EQ(list["eval_runs"].size(), 2u) << list.dump();
  for (const json& r : list["eval_runs"]) {
    const bool is_good = r["id"] == good_id;
    const json& doc = is_good ? good : bad;
    EXPECT_EQ(r["suite"], doc["suite"]["name"]);
    EXPECT_EQ(r["created"], doc["created"]);
    EXPECT_EQ(r["target"], doc["target"]);
    EXPECT_EQ(r["examples"], 120);
    EXPECT_EQ(r["gate"], is_good ? "passed" : "failed");
    ASSERT_EQ(r["metrics"].size(), 2u);
    EXPECT_EQ(r["metrics"][0]["id"], "accuracy");
    EXPECT_DOUBLE_EQ(r["metrics"][0]["value"].get<double>(), is_good ? 0.9 : 0.5);
    EXPECT_EQ(r["metrics"][0]["ci_low"], doc["metrics"][0]["aggregate"]["ci_low"]);
    EXPECT_EQ(r["metrics"][1]["value"], doc["metrics"][1]["aggregate"]["value"]);
  }
  EXPECT_EQ(GetJson("/v1/eval-runs?suite=triage-bad", key_)["eval_runs"].size(), 1u);

  // One run: the document as `yardstick eval` saved it.
  EXPECT_EQ(GetJson("/v1/eval-runs/" + good_id, key_), good);
  GetJson("/v1/eval-runs/nope", key_, 404);

  // Comparison: accuracy fell from 0.9 to 0.5 on the same 120 examples.
  const json cmp = GetJson("/v1/eval-runs/compare?a=" + good_id + "&b=" + bad_id, key_);
  ASSERT_EQ(cmp["metrics"].size(), 2u) << cmp.dump();
  EXPECT_EQ(cmp["a"]["id"], good_id);
  EXPECT_EQ(cmp["b"]["id"], bad_id);
  const json& acc = cmp["metrics"][0];
  EXPECT_EQ(acc["metric"], "accuracy");
  EXPECT_EQ(acc["test"], "paired_bootstrap");
  EXPECT_EQ(acc["pairs"], 120);
  EXPECT_NEAR(acc["delta"].get<double>(), -0.4, 1e-12);
  EXPECT_LT(acc["delta_ci_low"].get<double>(), -0.4);
  EXPECT_GT(acc["delta_ci_high"].get<double>(), -0.4);
  EXPECT_LT(acc["delta_ci_high"].get<double>(), 0.0);
  EXPECT_LT(acc["p_adjusted"].get<double>(), 0.05);
  EXPECT_TRUE(acc["significant"].get<bool>());
  EXPECT_TRUE(acc["regression"].get<bool>());
  EXPECT_TRUE(cmp["metrics"][1]["regression"].get<bool>());  // f1
  // A run against itself: no difference.
  const json same = GetJson("/v1/eval-runs/compare?a=" + good_id + "&b=" + good_id, key_);
  EXPECT_FALSE(same["metrics"][0]["significant"].get<bool>());
  GetJson("/v1/eval-runs/compare?a=" + good_id, key_, 400);
  GetJson("/v1/eval-runs/compare?a=" + good_id + "&b=nope", key_, 404);
  GetJson("/v1/eval-runs/compare?a=" + good_id + "&b=" + bad_id + "&alpha=2", key_, 400);

  // The per-example scores were pushed too.
  const json scores = GetJson("/v1/scores?name=eval.accuracy&limit=1000", key_);
  ASSERT_TRUE(scores.contains("scores")) << scores.dump().substr(0, 300);
  EXPECT_EQ(scores["scores"].size(), 240u);
}

TEST_F(EvalRunsServerTest, PostIsIdempotentValidatedAndProjectScoped) {
  ASSERT_EQ(Eval("triage-good", "good.jsonl"), 0) << Output("triage-good");
  json doc = ResultsJson("triage-good");
  const std::string id = doc["run_id"];
  // The same document again: nothing new.
  auto again = Post(doc.dump(), key_);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 200) << again->body;
  EXPECT_EQ(json::parse(again->body)["stored"], false);
  // A different document under the same id.
  json changed = doc;
  changed["target"] = "precomputed:other.jsonl";
  auto conflict = Post(changed.dump(), key_);
  ASSERT_TRUE(conflict);
  EXPECT_EQ(conflict->status, 409) << conflict->body;
  // Not a run.
  for (const std::string& body :
       {std::string("{not json"), std::string(R"({"format": "something"})"),
        std::string(R"({"format": "yardstick-eval-run", "version": 1, "suite": 3})")}) {
    auto res = Post(body, key_);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 400) << body << ": " << res->body;
  }
  // The same run in another project is that project's own.
  auto other = Post(doc.dump(), other_key_);
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 201) << other->body;
  EXPECT_EQ(GetJson("/v1/eval-runs", other_key_)["eval_runs"].size(), 1u);
  // Without a key.
  auto c = Client();
  auto anonymous = c.Get("/v1/eval-runs");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);
  // Stored durably: a restarted server still has it.
  ASSERT_EQ(server_->Stop(), 0);
  ASSERT_EQ(server_->Start(), "");
  EXPECT_EQ(GetJson("/v1/eval-runs/" + id, key_), doc);
}

}  // namespace
}  // namespace yardstick
