// Goals, baselines and scheduled reports through the real `yardstick serve` binary: events are
// sent to /v1/events, and the answers of /v1/goals, /v1/baselines and /v1/reports are checked.
// Bad goal and schedule configuration is refused by `yardstick check` with line:column.

#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "support/api_client.h"
#include "support/server_process.h"

namespace yardstick::testing {
namespace {

using nlohmann::json;

constexpr const char* kAdminKey = "test-admin-key-goals-0123456789";

std::string Iso(int64_t unix_seconds) {
  const std::time_t t = unix_seconds;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

constexpr const char* kConfig = R"(goals:
  - name: fast_latency
    kpi: latency_p95
    scope: {project: shop, model: fast}
    target: "<= 2s"
    window: 1h
    min_samples: 20
  - name: slow_latency
    kpi: latency_p95
    scope: {project: shop, model: slow}
    target: {op: "<=", value: 1s}
    window: 1h
  - name: fast_errors
    kpi: error_rate
    scope: {project: shop, model: fast}
    target: "<= 0.1"
    window: 1h
  - name: satisfaction
    kpi: csat
    scope: {project: shop}
    target: ">= 4.2"
schedules:
  - name: minutely
    schedule: "* * * * *"
    project: shop
    kpis:
      - kpi: calls
      - kpi: latency_mean
        scope: {model: fast}
    goals: [fast_latency]
)";

class GoalsServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = MakeTempDir("yardstick-goals-test");
    ASSERT_FALSE(root_.empty());
    {
      std::ofstream f(root_ + "/yardstick.yaml");
      f << kConfig;
    }
    ServerProcess::Options o;
    o.binary = YARDSTICK_BINARY;
    o.data_dir = root_ + "/data";
    o.config_path = root_ + "/yardstick.yaml";
    o.env = {{"YARDSTICK_ADMIN_KEY", kAdminKey}};
    server_ = std::make_unique<ServerProcess>(o);
    const std::string err = server_->Start();
    ASSERT_EQ(err, "") << err;
    auto c = Client();
    auto res = c.Post("/v1/projects", {{"Authorization", std::string("Bearer ") + kAdminKey}},
                      json{{"name", "shop"}}.dump(), "application/json");
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 201) << res->body;
    key_ = json::parse(res->body)["key"];
  }
  void TearDown() override {
    if (server_) server_->Stop();
    std::filesystem::remove_all(root_);
  }

  httplib::Client Client() { return ApiClient(server_->port()); }

  httplib::Result Request(const std::string& method, const std::string& path,
                          const std::string& key, const std::string& body = "") {
    auto c = Client();
    const httplib::Headers h = BearerAuth(key);
    if (method == "POST") return c.Post(path.c_str(), h, body, "application/json");
    if (method == "DELETE") return c.Delete(path.c_str(), h);
    return c.Get(path.c_str(), h);
  }

  json Get(const std::string& path, int expect = 200) {
    auto res = Request("GET", path, key_);
    EXPECT_TRUE(res);
    if (!res) return {};
    EXPECT_EQ(res->status, expect) << path << ": " << res->body;
    return json::parse(res->body, nullptr, false);
  }

  // 100 calls of `model` evenly over [start, start + 50 min), latencies lo..hi seconds.
  void SendCalls(const std::string& model, int64_t start, double lo, double hi, int errors,
                 const std::string& tag) {
    json records = json::array();
    for (int i = 0; i < 100; ++i) {
      const int ms = static_cast<int>((lo + (hi - lo) * (i % 10) / 9.0) * 1000);
      records.push_back({{"type", "call"},
                         {"id", tag + "-" + std::to_string(i)},
                         {"start_time", Iso(start + i * 30)},
                         {"duration_ms", ms},
                         {"model", model},
                         {"status", i < errors ? "error" : "ok"}});
    }
    auto res = Request("POST", "/v1/events", key_, records.dump());
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200) << res->body;
  }

  std::string root_;
  std::unique_ptr<ServerProcess> server_;
  std::string key_;
};

TEST_F(GoalsServerTest, GoalsBaselinesAndReports) {
  const int64_t now = std::time(nullptr);
  const int64_t hour = now - now % 60 - 3600;        // the last full hour of minutes
  SendCalls("fast", hour - 7200, 0.2, 0.5, 0, "a");  // baseline period
  SendCalls("fast", hour - 3600, 0.5, 0.8, 0, "b");  // shifted period
  SendCalls("fast", hour + 60, 0.2, 0.5, 10, "c");   // current: like the baseline, 10% errors
  SendCalls("slow", hour + 60, 3.0, 4.0, 0, "d");

  // Goals: statuses decided with the interval.
  json goals = Get("/v1/goals?sparkline=12");
  ASSERT_EQ(goals["goals"].size(), 4u) << goals.dump();
  std::map<std::string, json> by_name;
  for (const auto& g : goals["goals"]) by_name[g["name"]] = g;
  EXPECT_EQ(by_name["fast_latency"]["status"], "met") << by_name["fast_latency"].dump();
  EXPECT_EQ(by_name["fast_latency"]["unit"], "s");
  EXPECT_EQ(by_name["fast_latency"]["target"]["op"], "<=");
  EXPECT_EQ(by_name["fast_latency"]["target"]["value"], 2.0);
  EXPECT_EQ(by_name["fast_latency"]["window"], "1h");
  EXPECT_EQ(by_name["fast_latency"]["n"], 100);
  EXPECT_EQ(by_name["fast_latency"]["scope"]["model"], "fast");
  EXPECT_EQ(by_name["fast_latency"]["series"].size(), 12u);
  EXPECT_EQ(by_name["slow_latency"]["status"], "missed");
  EXPECT_EQ(by_name["fast_errors"]["status"], "at_risk") << by_name["fast_errors"].dump();
  EXPECT_LT(by_name["fast_errors"]["ci_low"].get<double>(), 0.1);
  EXPECT_GT(by_name["fast_errors"]["ci_high"].get<double>(), 0.1);
  EXPECT_EQ(by_name["satisfaction"]["status"], "insufficient_data");

  // A baseline of the first period, compared with the shifted and the unshifted one.
  const json body = {{"name", "fast_mean"},
                     {"kpi", "latency_mean"},
                     {"filter", {{"model", "fast"}}},
                     {"from", Iso(hour - 7200)},
                     {"to", Iso(hour - 3600)}};
  auto res = Request("POST", "/v1/baselines", key_, body.dump());
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 201) << res->body;
  EXPECT_EQ(json::parse(res->body)["distribution"]["n"], 100);
  res = Request("POST", "/v1/baselines", key_, body.dump());
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 409);
  json eval_body = {{"name", "from_eval"}, {"kpi", "latency_mean"}, {"eval_run", "r1"}};
  res = Request("POST", "/v1/baselines", key_, eval_body.dump());
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_NE(res->body.find("eval runs"), std::string::npos);

  json shifted = Get("/v1/baselines/fast_mean/compare?from=" + std::to_string(hour - 3600) +
                     "&to=" + std::to_string(hour));
  EXPECT_TRUE(shifted["comparison"]["significant"].get<bool>()) << shifted.dump();
  EXPECT_TRUE(shifted["comparison"]["degraded"].get<bool>());
  EXPECT_NEAR(shifted["comparison"]["difference"].get<double>(), 0.3, 0.01);
  EXPECT_EQ(shifted["comparison"]["method"], "welch_t");
  json same = Get("/v1/baselines/fast_mean/compare?from=" + std::to_string(hour) +
                  "&to=" + std::to_string(now + 60));
  EXPECT_FALSE(same["comparison"]["significant"].get<bool>()) << same.dump();
  EXPECT_GT(same["comparison"]["pvalue"].get<double>(), 0.5);

  EXPECT_EQ(Get("/v1/baselines")["baselines"].size(), 1u);
  EXPECT_EQ(Get("/v1/baselines/fast_mean")["kpi"], "latency_mean");
  res = Request("DELETE", "/v1/baselines/fast_mean", key_);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 403);
  res = Request("DELETE", "/v1/baselines/fast_mean?project=shop", kAdminKey);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 204);
  Get("/v1/baselines/fast_mean", 404);

  // The minutely schedule stores a report of the last closed minute.
  json reports;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (std::chrono::steady_clock::now() < deadline) {
    reports = Get("/v1/reports?schedule=minutely");
    if (!reports["reports"].empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  ASSERT_FALSE(reports["reports"].empty());
  const json one = Get("/v1/reports/" + std::to_string(reports["reports"][0]["id"].get<int>()));
  EXPECT_EQ(one["schedule"], "minutely");
  EXPECT_EQ(one["report"]["kpis"][0]["kpi"], "calls");
  EXPECT_EQ(one["report"]["goals"][0]["name"], "fast_latency");
  Get("/v1/reports/999999", 404);
}

std::pair<int, std::string> Check(const std::string& dir, const std::string& yaml) {
  const std::string path = dir + "/bad.yaml";
  {
    std::ofstream f(path);
    f << yaml;
  }
  const std::string cmd = std::string(YARDSTICK_BINARY) + " check " + path + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  char buf[512];
  while (p && fgets(buf, sizeof buf, p)) out += buf;
  const int status = p ? pclose(p) : -1;
  return {WEXITSTATUS(status), out};
}

TEST(GoalsConfigCheck, BadGoalsAndSchedulesNameTheirPlace) {
  const std::string dir = MakeTempDir("yardstick-goals-check");
  auto [code, out] = Check(dir, R"(goals:
  - name: g1
    kpi: latency_p959
    scope: {project: shop}
    target: "<= 2s"
  - name: g2
    kpi: csat
    scope: {project: shop}
    target: ">= 4s"
  - name: g3
    kpi: csat
    scope: {project: shop}
    target: "about 4"
schedules:
  - name: s1
    schedule: "0 25 * * *"
    project: shop
    kpis: [calls]
  - name: s2
    schedule: daily
    project: shop
    goals: [nope]
)");
  EXPECT_EQ(code, 2) << out;
  EXPECT_NE(out.find("bad.yaml:3:10: goals[0].kpi: unknown KPI \"latency_p959\" (did you mean "
                     "\"latency_p95\"?)"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("bad.yaml:9:13: goals[1].target: a duration needs a KPI measured in seconds"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("bad.yaml:13:13: goals[2].target: expected an operator"), std::string::npos)
      << out;
  EXPECT_NE(out.find("bad.yaml:16:15: schedules[0].schedule: hour: 25 is out of range 0-23"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("bad.yaml:22:13: schedules[1].goals[0]: no goal named \"nope\""),
            std::string::npos)
      << out;
  auto [ok_code, ok_out] = Check(dir, kConfig);
  EXPECT_EQ(ok_code, 0) << ok_out;
  EXPECT_NE(ok_out.find("4 goals"), std::string::npos) << ok_out;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace yardstick::testing
