// The real server delivering notifications to a real local receiver: a receiver that is down
// and then up gets every notification exactly once (by idempotency key), across a server
// crash (SIGKILL) and restart in the middle; bad notifier configuration stops `yardstick serve` and
// `yardstick check` with file:line:col.
#include <gtest/gtest.h>
#include <httplib.h>

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "support/server_process.h"
#include "support/webhook_receiver.h"

namespace yardstick::testing {
namespace {

using nlohmann::json;

constexpr const char* kAdminKey = "test-admin-key-0123456789abcdef";

// Polls `done` every 50 ms for up to 60 s.
template <typename F>
bool Eventually(F done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return done();
}

std::string Now() {
  const std::time_t t = std::time(nullptr) - 60;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

class NotifyServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = MakeTempDir("yardstick-notify-server-test");
    ASSERT_FALSE(root_.empty());
  }
  void TearDown() override {
    if (server_) server_->Stop();
    receiver_.Stop();
    std::filesystem::remove_all(root_);
  }

  std::string WriteConfig(const std::string& text) {
    const std::string path = root_ + "/yardstick.yaml";
    std::ofstream(path) << text;
    return path;
  }

  ServerProcess::Options Options(const std::string& config) {
    ServerProcess::Options o;
    o.binary = YARDSTICK_BINARY;
    o.data_dir = root_ + "/data";
    o.config_path = config;
    o.env = {{"YARDSTICK_ADMIN_KEY", kAdminKey}, {"SHOP_KEY", "shop-key-0123456789"}};
    return o;
  }

  httplib::Result Post(const std::string& path, const json& body) {
    httplib::Client c("127.0.0.1", server_->port());
    return c.Post(path.c_str(), {{"Authorization", "Bearer shop-key-0123456789"}}, body.dump(),
                  "application/json");
  }

  json Get(const std::string& path, const std::string& key = kAdminKey) {
    httplib::Client c("127.0.0.1", server_->port());
    auto res = c.Get(path.c_str(), {{"Authorization", "Bearer " + key}});
    if (!res || res->status != 200) return json();
    return json::parse(res->body, nullptr, false);
  }

  std::string Metrics() {
    httplib::Client c("127.0.0.1", server_->port());
    auto res = c.Get("/metrics");
    return res ? res->body : "";
  }

  // A call and a thumbs-down for conversation `conv` (record ids made unique by `tag`).
  json ThumbsDown(const std::string& conv, const std::string& tag) {
    return json::array({{{"type", "call"},
                         {"id", conv + "-call-" + tag},
                         {"conversation_id", conv},
                         {"user_id", "user-" + conv},
                         {"start_time", Now()},
                         {"duration_ms", 500},
                         {"model", "gpt-4o-mini"},
                         {"input", "my order never arrived"}},
                        {{"type", "score"},
                         {"id", conv + "-thumbs-" + tag},
                         {"name", "thumbs"},
                         {"value", false},
                         {"source", "user"},
                         {"call_id", conv + "-call-" + tag},
                         {"conversation_id", conv}}});
  }

  std::string root_;
  WebhookReceiver receiver_;
  std::unique_ptr<ServerProcess> server_;
};

std::string Config(int receiver_port) {
  return "auth:\n  projects: [{name: shop, key_env: SHOP_KEY}]\n"
         "notifiers:\n"
         "  - name: helpdesk\n"
         "    type: webhook\n"
         "    url: http://127.0.0.1:" +
         std::to_string(receiver_port) +
         "/tickets\n"
         "    backoff_base: 50ms\n"
         "    backoff_max: 200ms\n"
         "escalations:\n"
         "  - name: thumbs_down\n"
         "    notifier: helpdesk\n"
         "    score: {name: thumbs, equals: 0}\n";
}

TEST_F(NotifyServerTest, ReceiverDownThenUpGetsEveryNotificationOnceAcrossACrash) {
  ASSERT_EQ(receiver_.Start(), "");
  const int port = receiver_.port();
  receiver_.Stop();  // down: connections are refused
  const std::string config = WriteConfig(Config(port));
  server_ = std::make_unique<ServerProcess>(Options(config));
  ASSERT_EQ(server_->Start(), "");
  for (int i = 0; i < 4; ++i) {
    auto r = Post("/v1/events", ThumbsDown("conv-" + std::to_string(i), "a"));
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
  }
  // Every notification is pending and has been retried while the receiver is down.
  ASSERT_TRUE(Eventually([&] {
    const json list = Get("/v1/notifications?status=pending&kind=escalation");
    if (!list.contains("notifications") || list["notifications"].size() != 4) return false;
    for (const auto& n : list["notifications"]) {
      if (n["attempts"].get<int>() < 2) return false;
    }
    return true;
  })) << Get("/v1/notifications").dump();
  const json pending = Get("/v1/notifications");
  EXPECT_EQ(pending["notifications"][0]["last_status"], 0);
  EXPECT_NE(pending["notifications"][0]["last_error"].get<std::string>().find("cannot reach"),
            std::string::npos);

  // A crash (SIGKILL) in the middle: nothing is lost, nothing fires twice.
  server_->Kill();
  ASSERT_EQ(server_->Start(), "");
  for (int i = 0; i < 4; ++i) {
    ASSERT_EQ(Post("/v1/events", ThumbsDown("conv-" + std::to_string(i), "b"))->status, 200);
  }
  for (int i = 4; i < 6; ++i) {
    ASSERT_EQ(Post("/v1/events", ThumbsDown("conv-" + std::to_string(i), "a"))->status, 200);
  }

  ASSERT_EQ(receiver_.Start(port), "");  // up again, on the same port
  ASSERT_TRUE(Eventually([&] {
    const json list = Get("/v1/notifications?status=delivered");
    return list.contains("notifications") && list["notifications"].size() == 6;
  })) << Get("/v1/notifications").dump();

  std::map<std::string, int> delivered_by_key;
  std::map<std::string, int> conversations;
  for (const auto& r : receiver_.requests()) {
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.path, "/tickets");
    const std::string key = r.Header("Idempotency-Key");
    ++delivered_by_key[key];
    const json body = json::parse(r.body);
    EXPECT_EQ(body["idempotency_key"], key);
    EXPECT_EQ(body["rule"]["name"], "thumbs_down");
    ++conversations[body["conversation_id"].get<std::string>()];
  }
  EXPECT_EQ(delivered_by_key.size(), 6u);
  for (const auto& [key, n] : delivered_by_key) EXPECT_EQ(n, 1) << key;
  for (int i = 0; i < 6; ++i) EXPECT_EQ(conversations["conv-" + std::to_string(i)], 1) << i;
  EXPECT_EQ(Get("/v1/notifications")["notifications"].size(), 6u);

  const std::string metrics = Metrics();
  EXPECT_NE(metrics.find(
                "yardstick_notifications_sent_total{notifier=\"helpdesk\",kind=\"escalation\"} 6"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("yardstick_notifications_pending 0"), std::string::npos);
  EXPECT_NE(metrics.find("yardstick_notification_retries_total{notifier=\"helpdesk\",kind="
                         "\"escalation\"}"),
            std::string::npos);

  // The project's key sees its project's notifications; filters are checked.
  EXPECT_EQ(Get("/v1/notifications?kind=alert")["notifications"].size(), 0u);
  EXPECT_EQ(Get("/v1/notifications", "shop-key-0123456789")["notifications"].size(), 6u);
  EXPECT_EQ(Get("/v1/notifications?limit=4")["next_cursor"].is_string(), true);
  httplib::Client c("127.0.0.1", server_->port());
  auto bad = c.Get("/v1/notifications?status=lost",
                   {{"Authorization", std::string("Bearer ") + kAdminKey}});
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
}

// Runs `yardstick check <path>`; returns the exit status and the combined output.
std::pair<int, std::string> RunCheck(const std::string& path) {
  const std::string cmd = std::string(YARDSTICK_BINARY) + " check " + path + " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  std::string out;
  char buf[512];
  while (p && std::fgets(buf, sizeof buf, p)) out += buf;
  const int status = p ? ::pclose(p) : -1;
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

TEST_F(NotifyServerTest, BadConfigurationIsALoadErrorWithLineAndColumn) {
  const std::string head =
      "notifiers:\n"
      "  - name: helpdesk\n"
      "    type: webhook\n";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {head + "    url: ftp://crm.local/in\n",
       ":4:10: notifiers[0].url: URL scheme \"ftp\" is not supported; expected http:// or "
       "https://, got \"ftp://crm.local/in\""},
      {head + "    url: http://crm.local/in\n    expiry: 1 day\n",
       ":5:13: notifiers[0].expiry: expected a duration like 30s, 5m, 1h or 7d (greater than "
       "0), got \"1 day\""},
      {head + "    url: http://crm.local/in\n    template: '{\"id\": {{document.id}'\n",
       ":5:15: notifiers[0].template: line 1, column 8 of the template: unclosed {{"},
      {head + "    url: http://crm.local/in\nescalations:\n"
              "  - {name: r, notifier: crm, max_turns: 3}\n",
       ":6:25: escalations[0].notifier: \"crm\" is not a notifier defined in the notifiers "
       "section"},
  };
  for (const auto& [yaml, message] : cases) {
    const std::string path = WriteConfig(yaml);
    ServerProcess server(Options(path));
    const std::string err = server.Start();
    EXPECT_NE(err.find(path + message), std::string::npos) << err;
    const auto [code, out] = RunCheck(path);
    EXPECT_EQ(code, 2) << out;
    EXPECT_NE(out.find(path + message), std::string::npos) << out;
  }
}

}  // namespace
}  // namespace yardstick::testing
