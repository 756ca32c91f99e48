// The real server escalating conversations to a real local receiver: each (conversation, rule)
// is escalated once even when matching events keep arriving and across a restart; the payload
// comes through the notifier's template with headers from the environment; the `escalated`
// outcome shows in the deflection KPI.
#include <gtest/gtest.h>
#include <httplib.h>

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
constexpr const char* kShopKey = "shop-key-0123456789";

template <typename F>
bool Eventually(F done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return done();
}

std::string Ago(int seconds) {
  const std::time_t t = std::time(nullptr) - seconds;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

class EscalationServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = MakeTempDir("yardstick-escalation-server-test");
    ASSERT_FALSE(root_.empty());
    ASSERT_EQ(receiver_.Start(), "");
    const std::string config = root_ + "/yardstick.yaml";
    std::ofstream(config)
        << "auth:\n  projects: [{name: shop, key_env: SHOP_KEY}]\n"
           "notifiers:\n"
           "  - name: crm\n"
           "    type: webhook\n"
           "    url: "
        << receiver_.Url("/api/tickets")
        << "\n"
           "    headers: [{name: Authorization, value_env: CRM_TOKEN}]\n"
           "    backoff_base: 50ms\n"
           "    backoff_max: 200ms\n"
           "    template: |\n"
           "      {\"subject\": \"{{summary}}\", \"external_id\": {{idempotency_key}},\n"
           "       \"customer\": {{document.user_id}}, \"conversation\": "
           "{{document.conversation_id}},\n"
           "       \"rule\": {{document.rule.name}}, \"transcript\": {{document.messages}},\n"
           "       \"scores\": {{document.scores}}, \"link\": {{document.link}}}\n"
           "escalations:\n"
           "  - name: wants_human\n"
           "    notifier: crm\n"
           "    human_request: {phrases: [talk to a human]}\n"
           "  - {name: failing, notifier: crm, failed_calls: 2}\n"
           "  - name: thumbs_down\n"
           "    notifier: crm\n"
           "    score: {name: thumbs, equals: 0}\n";
    ServerProcess::Options o;
    o.binary = YARDSTICK_BINARY;
    o.data_dir = root_ + "/data";
    o.config_path = config;
    o.env = {{"YARDSTICK_ADMIN_KEY", kAdminKey},
             {"SHOP_KEY", kShopKey},
             {"CRM_TOKEN", "Bearer crm-token"}};
    server_ = std::make_unique<ServerProcess>(o);
    ASSERT_EQ(server_->Start(), "");
  }
  void TearDown() override {
    if (server_) server_->Stop();
    receiver_.Stop();
    std::filesystem::remove_all(root_);
  }

  void Send(const json& records) {
    httplib::Client c("127.0.0.1", server_->port());
    auto res = c.Post("/v1/events", {{"Authorization", std::string("Bearer ") + kShopKey}},
                      records.dump(), "application/json");
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200) << res->body;
    ASSERT_EQ(json::parse(res->body)["rejected"], 0) << res->body;
  }

  json Get(const std::string& path) {
    httplib::Client c("127.0.0.1", server_->port());
    auto res = c.Get(path.c_str(), {{"Authorization", std::string("Bearer ") + kShopKey}});
    if (!res || res->status != 200) return json();
    return json::parse(res->body, nullptr, false);
  }

  json Call(const std::string& conv, int turn, const std::string& input, bool error = false) {
    return {{"type", "call"},
            {"id", conv + "-" + std::to_string(turn)},
            {"conversation_id", conv},
            {"user_id", "customer-" + conv},
            {"start_time", Ago(300 - turn)},
            {"duration_ms", 400},
            {"model", "gpt-4o-mini"},
            {"status", error ? "error" : "ok"},
            {"input", input}};
  }

  // (conversation, rule) of every request the receiver answered 2xx, with their counts.
  std::map<std::pair<std::string, std::string>, int> Escalated() {
    std::map<std::pair<std::string, std::string>, int> out;
    for (const auto& r : receiver_.requests()) {
      const json body = json::parse(r.body);
      ++out[{body["conversation"].get<std::string>(), body["rule"].get<std::string>()}];
    }
    return out;
  }

  std::string root_;
  WebhookReceiver receiver_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(EscalationServerTest, OncePerConversationAndRuleAcrossRestartsAndInTheDeflectionKpi) {
  // conv-a asks for a human (again and again); conv-b fails twice in a row (and keeps failing);
  // conv-c and conv-d go well.
  Send({Call("conv-a", 1, "hi, where is my parcel?"),
        Call("conv-a", 2, "I want to talk to a human, mail me at jane@example.com")});
  Send({Call("conv-a", 3, "Talk to a human please!")});
  Send(
      {Call("conv-b", 1, "refund", true), Call("conv-c", 1, "thanks"), Call("conv-d", 1, "great")});
  Send({Call("conv-b", 2, "refund?", true)});
  Send({Call("conv-b", 3, "hello??", true)});
  ASSERT_TRUE(Eventually([&] { return receiver_.count() >= 2; }));

  EXPECT_EQ(server_->Stop(), 0);
  ASSERT_EQ(server_->Start(), "");
  Send({Call("conv-a", 4, "talk to a human, now"), Call("conv-b", 4, "anyone?", true)});
  // A new rule matching an escalated conversation is a new escalation.
  Send({{{"type", "score"},
         {"id", "thumbs-a"},
         {"name", "thumbs"},
         {"value", false},
         {"source", "user"},
         {"call_id", "conv-a-4"},
         {"conversation_id", "conv-a"}}});
  ASSERT_TRUE(Eventually([&] {
    const json list = Get("/v1/notifications?status=delivered&kind=escalation");
    return list.contains("notifications") && list["notifications"].size() == 3;
  })) << Get("/v1/notifications").dump();

  using Key = std::pair<std::string, std::string>;
  EXPECT_EQ(Escalated(), (std::map<Key, int>{{{"conv-a", "wants_human"}, 1},
                                             {{"conv-a", "thumbs_down"}, 1},
                                             {{"conv-b", "failing"}, 1}}));
  std::set<std::string> keys;
  for (const auto& r : receiver_.requests()) {
    EXPECT_EQ(r.Header("Authorization"), "Bearer crm-token");
    const json body = json::parse(r.body);
    EXPECT_EQ(body["external_id"], r.Header("Idempotency-Key"));
    keys.insert(body["external_id"].get<std::string>());
    if (body["rule"] == "wants_human") {
      EXPECT_EQ(body["customer"], "customer-conv-a");
      EXPECT_EQ(body["link"], "/v1/conversations/conv-a?project=shop");
      EXPECT_EQ(body["subject"].get<std::string>().rfind("Escalation wants_human for "
                                                         "conversation conv-a: the user asked "
                                                         "for a human",
                                                         0),
                0u);
      ASSERT_EQ(body["transcript"].size(), 2u);  // as stored when it fired: redacted
      EXPECT_EQ(body["transcript"][1]["input"],
                "I want to talk to a human, mail me at [REDACTED:email]");
    }
    if (body["rule"] == "thumbs_down") {
      ASSERT_EQ(body["scores"].size(), 1u);
      EXPECT_EQ(body["scores"][0]["name"], "thumbs");
    }
  }
  EXPECT_EQ(keys.size(), 3u);

  // The escalations are outcomes: 2 of 4 conversations escalated.
  const json outcomes = Get("/v1/outcomes?name=escalated");
  ASSERT_EQ(outcomes["outcomes"].size(), 3u) << outcomes.dump();
  const json deflection = Get("/v1/kpis/deflection_rate?from=now-2h");
  ASSERT_EQ(deflection["series"].size(), 1u) << deflection.dump();
  const json& point = deflection["series"][0]["points"][0];
  EXPECT_EQ(point["n"], 4);
  EXPECT_DOUBLE_EQ(point["value"].get<double>(), 0.5);
  const json escalation_rate = Get("/v1/kpis/escalation_rate?from=now-2h");
  EXPECT_DOUBLE_EQ(escalation_rate["series"][0]["points"][0]["value"].get<double>(), 0.5);

  httplib::Client c("127.0.0.1", server_->port());
  auto metrics = c.Get("/metrics");
  ASSERT_TRUE(metrics);
  // Counters restart with the process: after the restart only thumbs_down fired.
  EXPECT_NE(metrics->body.find("yardstick_escalations_total{rule=\"thumbs_down\"} 1"),
            std::string::npos)
      << metrics->body;
}

}  // namespace
}  // namespace yardstick::testing
