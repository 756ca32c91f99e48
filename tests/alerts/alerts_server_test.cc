// The real `yardstick serve` with alert rules and a real local webhook receiver: a latency
// regression injected through /v1/events fires, survives a crash and restart without a second
// notification, and resolves once; the silences API; bad alert configuration refused at start
// with its line and column.
#include <gtest/gtest.h>
#include <httplib.h>

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

class AlertsServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = MakeTempDir("yardstick-alerts-server-test");
    ASSERT_FALSE(root_.empty());
  }
  void TearDown() override {
    if (server_) server_->Stop();
    std::filesystem::remove_all(root_);
  }

  void WriteConfig(const std::string& yaml) {
    config_ = root_ + "/yardstick.yaml";
    std::ofstream(config_) << yaml;
  }

  std::string StartServer() {
    ServerProcess::Options o;
    o.binary = YARDSTICK_BINARY;
    o.data_dir = root_ + "/data";
    o.config_path = config_;
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

  // `n` calls of `ms` milliseconds for `model`, starting now.
  void SendCalls(const std::string& key, const std::string& prefix, int n, int ms,
                 const std::string& model) {
    json batch = json::array();
    for (int i = 0; i < n; ++i) {
      batch.push_back({{"type", "call"},
                       {"id", prefix + std::to_string(i)},
                       {"start_time", IsoNow(-ms)},
                       {"duration_ms", ms},
                       {"model", model}});
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

  std::string root_, config_;
  std::unique_ptr<ServerProcess> server_;
};

std::string LatencyRule(const std::string& receiver_url) {
  return R"yaml(notifiers:
  - name: oncall
    type: alertmanager
    url: )yaml" +
         receiver_url + R"yaml(
    backoff_base: 50ms
    backoff_max: 200ms
alerting:
  evaluation_interval: 200ms
alerts:
  - name: HighLatencyP95
    condition: {type: threshold, kpi: latency_p95, op: ">", value: 2s}
    window: 10m
    for: 1s
    group_by: [model]
    labels: {severity: page}
    annotations:
      summary: "p95 {{ $value | humanizeDuration }} on {{ $labels.model }} (> {{ $threshold }}s)"
    notifiers: [oncall]
)yaml";
}

// The alerts of the Alertmanager payloads the receiver got, with the Idempotency-Key of each.
std::vector<std::pair<std::string, json>> Delivered(const WebhookReceiver& receiver) {
  std::vector<std::pair<std::string, json>> out;
  for (const auto& r : receiver.requests()) {
    const json body = json::parse(r.body, nullptr, false);
    if (!body.is_object() || !body.contains("alerts")) continue;
    for (const auto& a : body["alerts"]) out.emplace_back(r.Header("Idempotency-Key"), a);
  }
  return out;
}

TEST_F(AlertsServerTest, LatencyRegressionFiresSurvivesACrashAndResolvesOnce) {
  WebhookReceiver receiver;
  ASSERT_EQ(receiver.Start(), "");
  WriteConfig(LatencyRule(receiver.Url("/alerts")));
  ASSERT_EQ(StartServer(), "");
  const std::string key = CreateProject("shop");
  SendCalls(key, "fast-", 50, 300, "gpt-4o");
  SendCalls(key, "slow-", 50, 3500, "gpt-4o");

  json firing;
  ASSERT_TRUE(WaitFor([&] {
    const json a = Get("/v1/alerts", key)["alerts"];
    if (a.size() == 1 && a[0]["state"] == "firing") firing = a[0];
    return !firing.is_null();
  })) << Get("/v1/alerts", key).dump();
  EXPECT_EQ(firing["rule"], "HighLatencyP95");
  EXPECT_EQ(firing["labels"]["alertname"], "HighLatencyP95");
  EXPECT_EQ(firing["labels"]["model"], "gpt-4o");
  EXPECT_EQ(firing["labels"]["project"], "shop");
  EXPECT_EQ(firing["silenced"], false);
  EXPECT_GT(firing["value"].get<double>(), 3.0);
  EXPECT_EQ(firing["annotations"]["summary"].get<std::string>().substr(0, 6), "p95 3.");
  ASSERT_EQ(firing["timeline"].size(), 2u);
  EXPECT_EQ(firing["timeline"][0]["to"], "pending");
  EXPECT_EQ(firing["timeline"][1]["to"], "firing");

  // The receiver gets the firing alert in Alertmanager's shape.
  ASSERT_TRUE(receiver.WaitFor([](const auto& r) { return !r.empty(); }));
  auto delivered = Delivered(receiver);
  ASSERT_EQ(delivered.size(), 1u);
  const std::string fingerprint = firing["fingerprint"];
  EXPECT_TRUE(delivered[0].first.starts_with(fingerprint + ":firing:")) << delivered[0].first;
  const json& item = delivered[0].second;
  EXPECT_EQ(item["status"], "firing");
  EXPECT_EQ(item["fingerprint"], fingerprint);
  EXPECT_EQ(item["labels"]["alertname"], "HighLatencyP95");
  EXPECT_EQ(item["labels"]["severity"], "page");
  EXPECT_EQ(item["annotations"]["summary"], firing["annotations"]["summary"]);
  EXPECT_EQ(item["startsAt"], firing["active_since"]);

  // A crash (SIGKILL) mid-incident, then a restart: still firing with the same start, and the
  // receiver hears nothing new.
  server_->Kill();
  ASSERT_EQ(StartServer(), "");
  const std::string restarted_at = IsoNow();
  ASSERT_TRUE(WaitFor([&] {
    const json rules = Get("/v1/alerts/rules", key)["rules"];
    return rules.size() == 1 && rules[0]["last_evaluation"].is_string() &&
           rules[0]["last_evaluation"].get<std::string>() > restarted_at;
  }));
  json after = Get("/v1/alerts", key)["alerts"];
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0]["state"], "firing");
  EXPECT_EQ(after[0]["active_since"], firing["active_since"]);

  // The regression ends (fast traffic brings p95 under 2 s): resolved, delivered once.
  SendCalls(key, "recovery-", 1000, 200, "gpt-4o");
  ASSERT_TRUE(WaitFor([&] { return Get("/v1/alerts", key)["alerts"].empty(); }));
  ASSERT_TRUE(receiver.WaitFor([](const auto& r) { return r.size() >= 2; }));
  const json resolved = Get("/v1/alerts?state=resolved", key)["alerts"];
  ASSERT_EQ(resolved.size(), 1u);
  EXPECT_EQ(resolved[0]["state"], "resolved");
  EXPECT_EQ(resolved[0]["active_since"], firing["active_since"]);
  ASSERT_EQ(resolved[0]["timeline"].size(), 3u);
  EXPECT_EQ(resolved[0]["timeline"][2]["to"], "resolved");
  const json rules = Get("/v1/alerts/rules", key)["rules"];
  EXPECT_EQ(rules[0]["health"], "ok");
  EXPECT_EQ(rules[0]["firing"], 0);
  std::this_thread::sleep_for(std::chrono::seconds(1));  // more evaluations: nothing more
  delivered = Delivered(receiver);
  ASSERT_EQ(delivered.size(), 2u);
  EXPECT_TRUE(delivered[1].first.starts_with(fingerprint + ":resolved:")) << delivered[1].first;
  EXPECT_EQ(delivered[1].second["status"], "resolved");
  EXPECT_EQ(delivered[1].second["startsAt"], firing["active_since"]);
  EXPECT_EQ(delivered[1].second["endsAt"], resolved[0]["resolved_at"]);
}

TEST_F(AlertsServerTest, WithoutRulesThereIsNoAlertsEndpointButSilencesWork) {
  WriteConfig("server: {threads: 2}\n");
  ASSERT_EQ(StartServer(), "");
  const std::string key = CreateProject("shop");
  Get("/v1/alerts", key, 404);
  EXPECT_EQ(Get("/v1/alerts/rules", key)["rules"].size(), 0u);
  EXPECT_EQ(Get("/v1/silences", key)["silences"].size(), 0u);
}

TEST_F(AlertsServerTest, SilencesApi) {
  WriteConfig(LatencyRule("http://127.0.0.1:9/unused"));
  ASSERT_EQ(StartServer(), "");
  const std::string shop = CreateProject("shop");
  CreateProject("bank");
  auto c = Client();
  auto res = c.Post("/v1/silences", Auth(shop),
                    json{{"matchers", {"model=~gpt-4o.*", "severity=page"}},
                         {"duration", "2h"},
                         {"comment", "deploying"},
                         {"created_by", "ops"}}
                        .dump(),
                    "application/json");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 201) << res->body;
  const json created = json::parse(res->body);
  EXPECT_EQ(created["project"], "shop");
  EXPECT_EQ(created["status"], "active");
  EXPECT_EQ(created["matchers"][0]["isRegex"], true);
  EXPECT_EQ(created["matchers"][1]["name"], "severity");
  const std::string id = created["id"];

  EXPECT_EQ(Get("/v1/silences", shop)["silences"].size(), 1u);
  const std::string bank_key = CreateProject("bank2");
  EXPECT_EQ(Get("/v1/silences", bank_key)["silences"].size(), 0u);  // another project's
  EXPECT_EQ(Get("/v1/silences", kAdminKey)["silences"].size(), 1u);

  // Mistakes are 4xx with the place named.
  res = c.Post("/v1/silences", Auth(shop), R"({"matchers":["model"],"duration":"1h"})",
               "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_NE(res->body.find("matchers[0]"), std::string::npos) << res->body;
  res = c.Post("/v1/silences", Auth(shop), R"({"matchers":["model=~("],"duration":"1h"})",
               "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_NE(res->body.find("invalid regular expression"), std::string::npos) << res->body;
  res = c.Post("/v1/silences", Auth(shop), R"({"matchers":["a=b"]})", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  res = c.Post("/v1/silences", Auth(shop),
               R"({"matchers":["a=b"],"duration":"1h","project":"bank"})", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 403);
  res = c.Post("/v1/silences", {}, R"({"matchers":["a=b"],"duration":"1h"})", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);

  res = c.Delete(("/v1/silences/" + id).c_str(), Auth(bank_key));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  res = c.Delete(("/v1/silences/" + id).c_str(), Auth(shop));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  const json after = Get("/v1/silences", shop)["silences"];
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0]["status"], "expired");
  EXPECT_EQ(Get("/v1/silences?status=active", shop)["silences"].size(), 0u);
}

TEST_F(AlertsServerTest, BadAlertConfigurationIsRefusedWithLineAndColumn) {
  WriteConfig(R"(alerts:
  - name: A
    condition: {type: threshold, kpi: latency_p59, value: 2s}
    for: 5 minutes
    annotations: {summary: "{{ $valeu }}"}
)");
  const std::string err = StartServer();
  EXPECT_NE(err.find("yardstick.yaml:3:39: alerts[0].condition.kpi: unknown KPI \"latency_p59\""),
            std::string::npos)
      << err;
  EXPECT_NE(err.find("yardstick.yaml:4:10: alerts[0].for: expected a duration"), std::string::npos)
      << err;
  EXPECT_NE(err.find("yardstick.yaml:5:28: alerts[0].annotations.summary: invalid template: "
                     "unknown variable $valeu"),
            std::string::npos)
      << err;
  server_.reset();
}

}  // namespace
}  // namespace yardstick::testing
