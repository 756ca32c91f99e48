// A degraded scheduled report reaches a real local webhook receiver through the notification
// outbox, once, with its idempotency key.

#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "support/server_process.h"
#include "support/webhook_receiver.h"

namespace yardstick::testing {
namespace {

using nlohmann::json;

constexpr const char* kAdminKey = "test-admin-key-reports-0123456789";

std::string Iso(int64_t unix_seconds) {
  const std::time_t t = unix_seconds;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

TEST(ReportNotifications, DegradedReportIsDeliveredOnce) {
  WebhookReceiver receiver;
  ASSERT_EQ(receiver.Start(), "");
  const std::string root = MakeTempDir("yardstick-report-notify");
  ASSERT_FALSE(root.empty());
  auto options = [&](const std::string& config_path) {
    ServerProcess::Options o;
    o.binary = YARDSTICK_BINARY;
    o.data_dir = root + "/data";
    o.config_path = config_path;
    o.env = {{"YARDSTICK_ADMIN_KEY", kAdminKey}};
    return o;
  };
  // First without schedules: create the project and send slow calls in the previous and the
  // current minute (whichever is the last closed minute when the schedule starts has them).
  {
    ServerProcess server(options(""));
    ASSERT_EQ(server.Start(), "");
    httplib::Client c("127.0.0.1", server.port());
    auto res = c.Post("/v1/projects", {{"Authorization", std::string("Bearer ") + kAdminKey}},
                      json{{"name", "shop"}}.dump(), "application/json");
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 201);
    const std::string key = json::parse(res->body)["key"];
    const int64_t now = std::time(nullptr);
    json records = json::array();
    for (int i = 0; i < 40; ++i) {
      const int64_t t = i < 20 ? now - now % 60 - 60 + i : now;
      records.push_back({{"type", "call"},
                         {"id", "slow-" + std::to_string(i)},
                         {"start_time", Iso(t)},
                         {"duration_ms", 3000 + 10 * i},
                         {"model", "slow"}});
    }
    res = c.Post("/v1/events", {{"Authorization", "Bearer " + key}}, records.dump(),
                 "application/json");
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200) << res->body;
    ASSERT_EQ(server.Stop(), 0);
  }
  const std::string config = root + "/yardstick.yaml";
  {
    std::ofstream f(config);
    f << "notifiers:\n"
         "  - name: reports-hook\n"
         "    type: webhook\n"
         "    url: "
      << receiver.Url("/reports")
      << "\n"
         "goals:\n"
         "  - name: slow_latency\n"
         "    kpi: latency_p95\n"
         "    scope: {project: shop, model: slow}\n"
         "    target: \"<= 1s\"\n"
         "    min_samples: 5\n"
         "schedules:\n"
         "  - name: minutely\n"
         "    schedule: \"* * * * *\"\n"
         "    project: shop\n"
         "    kpis: [calls]\n"
         "    goals: [slow_latency]\n"
         "    notify: [reports-hook]\n";
  }
  ServerProcess server(options(config));
  ASSERT_EQ(server.Start(), "");
  ASSERT_TRUE(receiver.WaitFor([](const auto& r) { return !r.empty(); }, std::chrono::seconds(60)));
  const auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].path, "/reports");
  EXPECT_TRUE(requests[0].Header("Idempotency-Key").starts_with("report:minutely:"))
      << requests[0].Header("Idempotency-Key");
  const json doc = json::parse(requests[0].body);
  EXPECT_EQ(doc["schedule"], "minutely");
  EXPECT_TRUE(doc["degraded"].get<bool>());
  EXPECT_EQ(doc["goals"][0]["status"], "missed");
  EXPECT_EQ(server.Stop(), 0);
  std::filesystem::remove_all(root);
}

}  // namespace
}  // namespace yardstick::testing
