// The outbox against a real local receiver, with an injected clock and jitter source: durable
// and deduplicated enqueue, the backoff schedule, Retry-After, permanent failures, attempts and
// expiry, headers from the environment, and resuming after a reopen.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "notify/notify.h"
#include "support/server_process.h"
#include "support/webhook_receiver.h"

namespace yardstick::notify {
namespace {

using testing::WebhookReceiver;

constexpr int64_t kSecond = 1'000'000'000;
constexpr int64_t kT0 = 1'764'151'200LL * kSecond;

class OutboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir("yardstick-outbox-test");
    ASSERT_FALSE(dir_.empty());
    ASSERT_EQ(receiver_.Start(), "");
  }
  void TearDown() override {
    outbox_.reset();
    receiver_.Stop();
    std::filesystem::remove_all(dir_);
  }

  config::NotifierConfig Hook() {
    config::NotifierConfig n;
    n.name = "hook";
    n.type = "webhook";
    n.url = receiver_.Url("/hook");
    n.timeout_ns = 5 * kSecond;
    n.backoff_base_ns = kSecond;
    n.backoff_max_ns = 4 * kSecond;
    n.expiry_ns = 3600 * kSecond;
    return n;
  }

  void Open(std::vector<config::NotifierConfig> notifiers) {
    outbox_.reset();
    OutboxOptions o;
    o.path = dir_ + "/state.db";
    o.notifiers = std::move(notifiers);
    o.clock = [this] { return now_; };
    o.random = [] { return 0.5; };
    o.getenv = [](const char* name) -> const char* {
      return std::strcmp(name, "HOOK_TOKEN") == 0 ? "Bearer s3cret" : nullptr;
    };
    o.on_attempt = [this](const AttemptResult& a) { outcomes_.push_back(a.outcome); };
    auto outbox = Outbox::Open(std::move(o));
    ASSERT_TRUE(outbox) << outbox.error().message();
    outbox_ = std::move(*outbox);
  }

  static Message Escalation(const std::string& key) {
    Message m;
    m.kind = "escalation";
    m.notifier = "hook";
    m.idempotency_key = key;
    m.document = R"({"conversation_id": "c-1"})";
    m.summary = "escalated";
    m.project = "shop";
    return m;
  }

  Delivery Only() {
    auto list = outbox_->List({});
    EXPECT_TRUE(list);
    EXPECT_EQ(list->size(), 1u);
    return list && !list->empty() ? list->front() : Delivery{};
  }

  std::string dir_;
  WebhookReceiver receiver_;
  std::unique_ptr<Outbox> outbox_;
  int64_t now_ = kT0;
  std::vector<std::string> outcomes_;
};

TEST_F(OutboxTest, EnqueueIsDurableAndDeduplicatedByKey) {
  Open({Hook()});
  ASSERT_TRUE(outbox_->Enqueue(Escalation("k1")));
  ASSERT_TRUE(outbox_->Enqueue(Escalation("k1")));
  EXPECT_EQ(Only().status, "pending");
  EXPECT_TRUE(*outbox_->Contains("hook", "k1"));
  EXPECT_FALSE(*outbox_->Contains("hook", "k2"));
  Message unknown = Escalation("k2");
  unknown.notifier = "nobody";
  auto r = outbox_->Enqueue(unknown);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "unknown notifier 'nobody' (not in the notifiers section)");
  EXPECT_FALSE(outbox_->Enqueue(Escalation("")));

  // A new outbox on the same file (a restart) resumes the pending delivery and still refuses
  // the duplicate.
  Open({Hook()});
  ASSERT_TRUE(outbox_->Enqueue(Escalation("k1")));
  const Delivery d = Only();
  EXPECT_EQ(d.status, "pending");
  EXPECT_EQ(d.idempotency_key, "k1");
  EXPECT_EQ(outbox_->DeliverDue(), 1u);
  EXPECT_EQ(Only().status, "delivered");
  ASSERT_EQ(receiver_.count(), 1u);
  const auto req = receiver_.requests()[0];
  EXPECT_EQ(req.path, "/hook");
  EXPECT_EQ(req.Header("Idempotency-Key"), "k1");
  EXPECT_EQ(req.Header("Content-Type"), "application/json");
  EXPECT_EQ(nlohmann::json::parse(req.body), nlohmann::json({{"conversation_id", "c-1"}}));
  EXPECT_EQ(outbox_->DeliverDue(), 0u);
}

TEST_F(OutboxTest, ReconfigureReplacesNotifiersOrKeepsThemOnAnError) {
  Open({Hook()});
  ASSERT_TRUE(outbox_->Enqueue(Escalation("k1")));  // pending, addressed to "hook"

  // A notifier whose header variable is unset is refused; "hook" stays.
  config::NotifierConfig bad = Hook();
  bad.name = "other";
  bad.headers = {{"Authorization", "MISSING_TOKEN"}};
  auto r = outbox_->Reconfigure({bad});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("MISSING_TOKEN"), std::string::npos);
  ASSERT_EQ(outbox_->Notifiers().size(), 1u);
  EXPECT_TRUE(outbox_->HasNotifier("hook"));

  // Replaced by "other": new messages may go to it, not to "hook"; the delivery stored for
  // "hook" fails at its next attempt instead of being lost silently.
  config::NotifierConfig other = Hook();
  other.name = "other";
  other.url = receiver_.Url("/other");
  ASSERT_TRUE(outbox_->Reconfigure({other}));
  EXPECT_FALSE(outbox_->HasNotifier("hook"));
  EXPECT_TRUE(outbox_->HasNotifier("other"));
  EXPECT_FALSE(outbox_->Enqueue(Escalation("k2")));
  Message to_other = Escalation("k3");
  to_other.notifier = "other";
  ASSERT_TRUE(outbox_->Enqueue(to_other));
  EXPECT_EQ(outbox_->DeliverDue(), 2u);
  auto list = outbox_->List({});
  ASSERT_TRUE(list);
  std::map<std::string, std::string> status;
  for (const auto& d : *list) status[d.idempotency_key] = d.status + " " + d.last_error;
  EXPECT_EQ(status["k1"], "failed notifier 'hook' is no longer configured");
  EXPECT_EQ(status["k3"], "delivered ");
  ASSERT_EQ(receiver_.count(), 1u);
  EXPECT_EQ(receiver_.requests()[0].path, "/other");
}

TEST_F(OutboxTest, BackoffScheduleAndRetryAfterWithAnInjectedClock) {
  Open({Hook()});
  receiver_.SetStatus(503);
  ASSERT_TRUE(outbox_->Enqueue(Escalation("k1")));
  // base 1s, max 4s, jitter u = 0.5: delays 0.75s, 1.5s, 3s, 3s (capped).
  const std::vector<int64_t> delays = {750'000'000, 1'500'000'000, 3'000'000'000, 3'000'000'000};
  for (size_t i = 0; i < delays.size(); ++i) {
    EXPECT_EQ(outbox_->DeliverDue(), 1u) << i;
    const Delivery d = Only();
    EXPECT_EQ(d.status, "pending");
    EXPECT_EQ(d.attempts, static_cast<int>(i + 1));
    EXPECT_EQ(d.last_status, 503);
    EXPECT_EQ(d.next_attempt_ns - now_, delays[i]) << i;
    now_ = d.next_attempt_ns - 1;
    EXPECT_EQ(outbox_->DeliverDue(), 0u) << "not due yet";
    now_ += 1;
  }
  receiver_.SetStatus(429, "60");
  EXPECT_EQ(outbox_->DeliverDue(), 1u);
  EXPECT_EQ(Only().next_attempt_ns - now_, 60 * kSecond);  // Retry-After beats the backoff
  now_ += 60 * kSecond;
  receiver_.SetStatus(200);
  EXPECT_EQ(outbox_->DeliverDue(), 1u);
  const Delivery d = Only();
  EXPECT_EQ(d.status, "delivered");
  EXPECT_EQ(d.attempts, 6);
  EXPECT_EQ(d.delivered_ns, now_);
  EXPECT_EQ(receiver_.count(), 6u);
  for (const auto& r : receiver_.requests()) EXPECT_EQ(r.Header("Idempotency-Key"), "k1");
  EXPECT_EQ(outcomes_,
            (std::vector<std::string>{"retry", "retry", "retry", "retry", "retry", "delivered"}));
  const auto counts = outbox_->Counts();
  EXPECT_EQ(counts->delivered, 1u);
  EXPECT_EQ(counts->pending, 0u);
}

TEST_F(OutboxTest, PermanentFailuresAttemptsAndExpiry) {
  auto limited = Hook();
  limited.name = "limited";
  limited.max_attempts = 2;
  auto short_lived = Hook();
  short_lived.name = "short";
  short_lived.expiry_ns = 2 * kSecond;
  Open({Hook(), limited, short_lived});

  receiver_.SetStatus(400);
  ASSERT_TRUE(outbox_->Enqueue(Escalation("bad-request")));
  EXPECT_EQ(outbox_->DeliverDue(), 1u);
  auto d = Only();
  EXPECT_EQ(d.status, "failed");
  EXPECT_EQ(d.last_status, 400);
  EXPECT_EQ(d.last_error, "HTTP 400: {\"ok\":false}");

  receiver_.SetStatus(500);
  Message m = Escalation("limited");
  m.notifier = "limited";
  ASSERT_TRUE(outbox_->Enqueue(m));
  m.notifier = "short";
  m.idempotency_key = "short";
  ASSERT_TRUE(outbox_->Enqueue(m));
  EXPECT_EQ(outbox_->DeliverDue(), 2u);
  now_ += 10 * kSecond;
  // "limited" gives up on its second attempt; "short" has expired and is not sent again.
  EXPECT_EQ(outbox_->DeliverDue(), 2u);
  EXPECT_EQ(receiver_.count(), 4u);
  auto by_key = [&](const std::string& key) {
    DeliveryQuery q;
    q.notifier = key;
    return outbox_->List(q)->front();
  };
  EXPECT_EQ(by_key("limited").status, "failed");
  EXPECT_EQ(by_key("limited").attempts, 2);
  EXPECT_EQ(by_key("limited").last_error, "gave up after 2 attempts: HTTP 500: {\"ok\":false}");
  EXPECT_EQ(by_key("short").status, "expired");
  EXPECT_EQ(by_key("short").attempts, 1);
  const auto counts = outbox_->Counts();
  EXPECT_EQ(counts->failed, 2u);
  EXPECT_EQ(counts->expired, 1u);
  DeliveryQuery failed;
  failed.status = "failed";
  EXPECT_EQ(outbox_->List(failed)->size(), 2u);
}

TEST_F(OutboxTest, ReceiverDownIsRetriedAndHeadersComeFromTheEnvironment) {
  auto n = Hook();
  n.headers = {{"Authorization", "HOOK_TOKEN"}};
  Open({n});
  receiver_.Stop();
  ASSERT_TRUE(outbox_->Enqueue(Escalation("k1")));
  EXPECT_EQ(outbox_->DeliverDue(), 1u);
  auto d = Only();
  EXPECT_EQ(d.status, "pending");
  EXPECT_EQ(d.last_status, 0);
  EXPECT_NE(d.last_error.find("cannot reach"), std::string::npos) << d.last_error;
  ASSERT_EQ(receiver_.Start(receiver_.port()), "");
  now_ = d.next_attempt_ns;
  EXPECT_EQ(outbox_->DeliverDue(), 1u);
  EXPECT_EQ(Only().status, "delivered");
  ASSERT_EQ(receiver_.count(), 1u);
  EXPECT_EQ(receiver_.requests()[0].Header("Authorization"), "Bearer s3cret");

  // A header whose variable is not set stops the outbox from opening.
  n.headers = {{"Authorization", "MISSING_TOKEN"}};
  OutboxOptions o;
  o.path = dir_ + "/state.db";
  o.notifiers = {n};
  o.getenv = [](const char*) -> const char* { return nullptr; };
  auto bad = Outbox::Open(std::move(o));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message(),
            "notifier 'hook': environment variable MISSING_TOKEN (header Authorization) is not "
            "set");
}

}  // namespace
}  // namespace yardstick::notify
