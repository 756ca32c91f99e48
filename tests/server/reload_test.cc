// Reloading the configuration of the real `yardstick serve` (SIGHUP and POST /v1/admin/reload)
// with a real local webhook receiver: new rules, KPIs and notifiers take effect without a
// restart, a firing alert keeps its state (no second notification), an invalid file changes
// nothing, restart-only keys are reported, and a removed rule's firing alert resolves once.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <thread>

#include "support/api_client.h"
#include "support/polling.h"
#include "support/server_process.h"
#include "support/webhook_receiver.h"

namespace yardstick::testing {
namespace {

using nlohmann::json;

constexpr const char* kAdminKey = "test-admin-key-0123456789abcdef";

// The alerts of the Alertmanager payloads a receiver got, with the Idempotency-Key of each.
std::vector<std::pair<std::string, json>> Delivered(const WebhookReceiver& receiver) {
  std::vector<std::pair<std::string, json>> out;
  for (const auto& r : receiver.requests()) {
    const json body = json::parse(r.body, nullptr, false);
    if (!body.is_object() || !body.contains("alerts")) continue;
    for (const auto& a : body["alerts"]) out.emplace_back(r.Header("Idempotency-Key"), a);
  }
  return out;
}

std::string Notifier(const std::string& name, const std::string& url) {
  return "  - {name: " + name + ", type: alertmanager, url: " + url +
         ", backoff_base: 50ms, backoff_max: 200ms}\n";
}

constexpr const char* kLatencyRule = R"yaml(  - name: HighLatencyP95
    condition: {type: threshold, kpi: latency_p95, op: ">", value: 2s}
    window: 10m
    group_by: [model]
    notifiers: [oncall]
)yaml";

class ReloadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = MakeTempDir("yardstick-reload-test");
    ASSERT_FALSE(root_.empty());
    config_ = root_ + "/yardstick.yaml";
  }
  void TearDown() override {
    // A clean exit (under ASan/UBSan also: no report).
    if (server_) {
      EXPECT_EQ(server_->Stop(), 0) << server_->stderr_text();
    }
    std::filesystem::remove_all(root_);
  }

  void WriteConfig(const std::string& yaml) { std::ofstream(config_) << yaml; }

  std::string StartServer(bool with_config = true) {
    ServerProcess::Options o;
    o.binary = YARDSTICK_BINARY;
    o.data_dir = root_ + "/data";
    if (with_config) o.config_path = config_;
    o.env = {{"YARDSTICK_ADMIN_KEY", kAdminKey}};
    server_ = std::make_unique<ServerProcess>(o);
    return server_->Start();
  }

  httplib::Client Client() { return ApiClient(server_->port()); }

  httplib::Headers Auth(const std::string& key) { return BearerAuth(key); }

  std::string CreateProject(const std::string& name) {
    auto c = Client();
    return CreateProjectKey(c, kAdminKey, name);
  }

  void SendCalls(const std::string& key, const std::string& prefix, int n, int ms,
                 const std::string& model, bool error = false) {
    json batch = json::array();
    for (int i = 0; i < n; ++i) {
      json call = {{"type", "call"},
                   {"id", prefix + std::to_string(i)},
                   {"start_time", IsoNow(-ms)},
                   {"duration_ms", ms},
                   {"model", model}};
      if (error) call["error_type"] = "timeout";
      batch.push_back(std::move(call));
    }
    auto res = Client().Post("/v1/events", Auth(key), batch.dump(), "application/json");
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200) << res->body;
  }

  json Get(const std::string& path, const std::string& key, int status = 200) {
    auto res = Client().Get(path.c_str(), Auth(key));
    EXPECT_TRUE(res);
    if (!res) return {};
    EXPECT_EQ(res->status, status) << path << ": " << res->body;
    return json::parse(res->body, nullptr, false);
  }

  // POST /v1/admin/reload; returns {status, body}.
  std::pair<int, json> Reload(const std::string& key) {
    auto res = Client().Post("/v1/admin/reload", Auth(key), "", "application/json");
    if (!res) return {0, json()};
    return {res->status, json::parse(res->body, nullptr, false)};
  }

  std::vector<std::string> RuleNames(const std::string& key) {
    std::vector<std::string> names;
    const json rules = Get("/v1/alerts/rules", key)["rules"];
    for (const auto& r : rules) names.push_back(r["name"]);
    return names;
  }

  bool HasKpi(const std::string& key, const std::string& name) {
    const json kpis = Get("/v1/kpis", key)["kpis"];
    for (const auto& k : kpis) {
      if (k["name"] == name) return true;
    }
    return false;
  }

  std::string Metrics() {
    auto res = Client().Get("/metrics");
    return res ? res->body : "";
  }

  std::string root_, config_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(ReloadTest, AppliesNewRulesAndNotifiersKeepsAlertStateAndRefusesBadFiles) {
  WebhookReceiver oncall, second;
  ASSERT_EQ(oncall.Start(), "");
  ASSERT_EQ(second.Start(), "");
  const std::string head = "alerting: {evaluation_interval: 200ms}\n";
  WriteConfig(head + "notifiers:\n" + Notifier("oncall", oncall.Url("/a")) + "alerts:\n" +
              kLatencyRule);
  ASSERT_EQ(StartServer(), "");
  const std::string key = CreateProject("shop");
  SendCalls(key, "slow-", 50, 3500, "gpt-4o");
  json firing;
  ASSERT_TRUE(WaitFor([&] {
    const json a = Get("/v1/alerts", key)["alerts"];
    if (a.size() == 1 && a[0]["state"] == "firing") firing = a[0];
    return !firing.is_null();
  }));
  ASSERT_TRUE(oncall.WaitFor([](const auto& r) { return !r.empty(); }));
  EXPECT_FALSE(HasKpi(key, "timeouts"));

  // SIGHUP with a new KPI, a new notifier and a rule that uses both.
  const std::string grown = head + "notifiers:\n" + Notifier("oncall", oncall.Url("/a")) +
                            Notifier("second", second.Url("/b")) + R"yaml(kpis:
  - {name: timeouts, type: count, source: calls, filter: {error_type: timeout}}
alerts:
)yaml" + kLatencyRule +
                            R"yaml(  - name: Timeouts
    condition: {type: threshold, kpi: timeouts, op: ">", value: 3}
    window: 10m
    notifiers: [second]
)yaml";
  WriteConfig(grown);
  ASSERT_EQ(kill(server_->pid(), SIGHUP), 0);
  ASSERT_TRUE(WaitFor([&] { return RuleNames(key).size() == 2; }))
      << Get("/v1/alerts/rules", key).dump() << server_->stderr_text();
  EXPECT_TRUE(HasKpi(key, "timeouts"));
  EXPECT_NE(Metrics().find("yardstick_config_reloads_total{result=\"success\"} 1"),
            std::string::npos);

  // The new rule fires to the new notifier; the old alert keeps firing, not notified again.
  SendCalls(key, "timeout-", 5, 100, "gpt-4o", true);
  ASSERT_TRUE(second.WaitFor([](const auto& r) { return !r.empty(); }))
      << Get("/v1/alerts", key).dump();
  const auto to_second = Delivered(second);
  ASSERT_EQ(to_second.size(), 1u);
  EXPECT_EQ(to_second[0].second["labels"]["alertname"], "Timeouts");
  bool latency_still_firing = false;
  const json alerts = Get("/v1/alerts", key)["alerts"];
  for (const auto& a : alerts) {
    if (a["rule"] == "HighLatencyP95") {
      latency_still_firing = a["state"] == "firing" && a["active_since"] == firing["active_since"];
    }
  }
  EXPECT_TRUE(latency_still_firing);
  EXPECT_EQ(Delivered(oncall).size(), 1u);

  // An invalid file: refused over HTTP with its line and column, nothing changes.
  WriteConfig(grown + R"yaml(  - name: Broken
    condition: {type: threshold, kpi: latency_p96, op: ">", value: 1}
    for: 5 minutes
)yaml");
  auto [status, body] = Reload(kAdminKey);
  EXPECT_EQ(status, 400) << body.dump();
  const std::string message = body["error"]["message"];
  EXPECT_NE(message.find("yardstick.yaml:"), std::string::npos) << message;
  EXPECT_NE(message.find("latency_p96"), std::string::npos) << message;
  EXPECT_NE(message.find("for"), std::string::npos) << message;
  EXPECT_EQ(RuleNames(key), (std::vector<std::string>{"HighLatencyP95", "Timeouts"}));
  EXPECT_NE(Metrics().find("yardstick_config_last_reload_successful 0"), std::string::npos);
  // The same file by SIGHUP: the server logs it and keeps serving the last good configuration.
  ASSERT_EQ(kill(server_->pid(), SIGHUP), 0);
  ASSERT_TRUE(WaitFor([&] {
    return server_->stderr_text().find("configuration reload failed") != std::string::npos &&
           Metrics().find("yardstick_config_reloads_total{result=\"failure\"} 2") !=
               std::string::npos;
  }));
  EXPECT_EQ(Get("/readyz", key)["status"], "ready");
  EXPECT_EQ(RuleNames(key).size(), 2u);

  // Only the admin key may reload.
  EXPECT_EQ(Reload(key).first, 403);

  // Restart-only keys are reported and keep their running value (server.listen_port is not one
  // of them here: --listen overrides it on every load); the removed rule's firing alert
  // resolves, and its receiver hears it once.
  WriteConfig("server: {listen_port: 1, threads: 3}\nstorage: {sqlite: {synchronous: normal}}\n" +
              head + "notifiers:\n" + Notifier("oncall", oncall.Url("/a")) +
              Notifier("second", second.Url("/b")) + "alerts: []\n");
  std::tie(status, body) = Reload(kAdminKey);
  ASSERT_EQ(status, 200) << body.dump();
  EXPECT_EQ(body["status"], "reloaded");
  EXPECT_EQ(body["restart_required"], json({"server.threads", "storage.sqlite"}));
  EXPECT_TRUE(RuleNames(key).empty());
  ASSERT_TRUE(oncall.WaitFor([](const auto& r) { return r.size() >= 2; }));
  ASSERT_TRUE(second.WaitFor([](const auto& r) { return r.size() >= 2; }));
  std::this_thread::sleep_for(std::chrono::seconds(1));  // more evaluations: nothing more
  const auto to_oncall = Delivered(oncall);
  ASSERT_EQ(to_oncall.size(), 2u);
  EXPECT_EQ(to_oncall[1].second["status"], "resolved");
  EXPECT_EQ(to_oncall[1].second["startsAt"], firing["active_since"]);
  EXPECT_EQ(Delivered(second).size(), 2u);
  int resolved = 0;
  const json transitions = Get("/v1/alerts/history", key)["transitions"];
  for (const auto& t : transitions) resolved += t["to"] == "resolved";
  EXPECT_EQ(resolved, 2);
}

TEST_F(ReloadTest, IngestDuringReloadsLosesNothing) {
  const std::string base = R"yaml(alerting: {evaluation_interval: 100ms}
alerts:
  - name: Slow
    condition: {type: threshold, kpi: latency_p95, op: ">", value: 2s}
kpis:
)yaml";
  WriteConfig(base + "  - {name: k0, type: count, source: calls}\n");
  ASSERT_EQ(StartServer(), "");
  const std::string key = CreateProject("shop");
  std::atomic<bool> stop{false};
  std::atomic<int> sent{0};
  std::thread writer([&] {
    for (int batch = 0; !stop && batch < 2000; ++batch) {
      SendCalls(key, "b" + std::to_string(batch) + "-", 25, 100, "gpt-4o");
      sent += 25;
    }
  });
  for (int i = 1; i <= 10; ++i) {
    const int before = sent;  // every reload overlaps with ingest
    ASSERT_TRUE(WaitFor([&] { return sent > before; }));
    WriteConfig(base + "  - {name: k" + std::to_string(i) + ", type: count, source: calls}\n");
    auto [status, body] = Reload(kAdminKey);
    EXPECT_EQ(status, 200) << body.dump();
  }
  stop = true;
  writer.join();
  EXPECT_TRUE(HasKpi(key, "k10"));
  EXPECT_FALSE(HasKpi(key, "k9"));
  const json calls = Get("/v1/kpis/k10", key);
  EXPECT_EQ(calls["series"][0]["points"][0]["value"], sent.load()) << calls.dump();
}

TEST_F(ReloadTest, WithoutAConfigurationFileThereIsNothingToReload) {
  ASSERT_EQ(StartServer(false), "");
  auto [status, body] = Reload(kAdminKey);
  EXPECT_EQ(status, 409) << body.dump();
  EXPECT_NE(body["error"]["message"].get<std::string>().find("--config"), std::string::npos);
  // SIGHUP is not fatal either.
  ASSERT_EQ(kill(server_->pid(), SIGHUP), 0);
  ASSERT_TRUE(WaitFor([&] {
    return server_->stderr_text().find("configuration reload failed") != std::string::npos;
  }));
  EXPECT_EQ(Get("/readyz", kAdminKey)["status"], "ready");
}

}  // namespace
}  // namespace yardstick::testing
