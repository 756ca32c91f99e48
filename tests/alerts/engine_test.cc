// The evaluation engine over a real SQLite store and KPI engine, with an injected clock and a
// recording sink: threshold rules, groups, notifications exactly once across restarts,
// silences, and sink failures.
#include <gtest/gtest.h>

#include <filesystem>

#include "alerts/alerts.h"
#include "config/config.h"
#include "kpi/kpi.h"
#include "store/store.h"
#include "support/server_process.h"

namespace yardstick::alerts {
namespace {

constexpr int64_t kSec = 1'000'000'000;
constexpr int64_t kT0 = 1'790'000'000 * kSec;  // a whole minute

// Records what the engine sends; can be told to fail.
class RecordingSink : public AlertSink {
 public:
  Result<void> Send(const Notification& n) override {
    if (fail) return MakeError(ErrorCode::kIo, "receiver down");
    sent.push_back(n);
    return {};
  }
  std::vector<Notification> sent;
  bool fail = false;
};

class AlertEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir("yardstick-alerts-test");
    ASSERT_FALSE(dir_.empty());
    store::SqliteOptions so;
    so.path = dir_ + "/yardstick.db";
    auto st = store::OpenSqliteStore(so);
    ASSERT_TRUE(st) << st.error().message();
    store_ = std::move(*st);
    ASSERT_TRUE(store_->PutProject("shop"));
    auto k = kpi::Engine::Create(store_.get(), {});
    ASSERT_TRUE(k);
    kpis_ = std::make_unique<kpi::Engine>(std::move(*k));
  }
  void TearDown() override {
    engine_.reset();
    store_->Close();
    std::filesystem::remove_all(dir_);
  }

  static config::AlertRuleConfig LatencyRule() {
    config::AlertRuleConfig r;
    r.name = "HighLatency";
    r.condition.type = "threshold";
    r.condition.kpi = "latency_p95";
    r.condition.op = ">";
    r.condition.value = 2.0;
    r.window_ns = 5 * 60 * kSec;
    r.for_ns = 60 * kSec;
    r.group_by = {"model"};
    r.labels = {{"severity", "page"}};
    r.annotations = {{"summary", "p95 {{ $value }}s on {{ $labels.model }} > {{ $threshold }}s"}};
    r.notifiers = {"oncall"};
    return r;
  }

  void Open(std::vector<config::AlertRuleConfig> rules) {
    engine_.reset();
    EngineOptions o;
    o.state_db_path = dir_ + "/state.db";
    o.clock = [this] { return now_; };
    Sources s;
    s.kpis = kpis_.get();
    s.store = store_.get();
    auto e = Engine::Open(std::move(rules), s, &sink_, o);
    ASSERT_TRUE(e) << e.error().message();
    engine_ = std::move(*e);
  }

  // `count` calls of `latency_s` seconds for `model`, starting at `at`.
  void Calls(int64_t at, const std::string& model, double latency_s, int count) {
    model::Batch b;
    for (int i = 0; i < count; ++i) {
      model::Call c;
      c.project = "shop";
      c.id = "c" + std::to_string(next_id_++);
      c.start_ns = at + i * kSec / 10;
      c.end_ns = c.start_ns + static_cast<int64_t>(latency_s * 1e9);
      c.request_model = model;
      b.calls.push_back(std::move(c));
    }
    ASSERT_TRUE(store_->Append(b));
  }

  void Evaluate(int64_t at) {
    now_ = at;
    auto r = engine_->EvaluateOnce();
    ASSERT_TRUE(r || sink_.fail) << r.error().message();
  }

  std::vector<Alert> Active() {
    auto a = engine_->Active({});
    EXPECT_TRUE(a);
    return a ? *a : std::vector<Alert>{};
  }

  std::string dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<kpi::Engine> kpis_;
  RecordingSink sink_;
  std::unique_ptr<Engine> engine_;
  int64_t now_ = kT0;
  int next_id_ = 0;
};

TEST_F(AlertEngineTest, ThresholdGoesPendingFiresAfterForAndResolves) {
  Open({LatencyRule()});
  Calls(kT0, "slow", 3.0, 20);
  Calls(kT0, "fast", 0.2, 20);
  Evaluate(kT0 + 10 * kSec);
  auto active = Active();
  ASSERT_EQ(active.size(), 1u);  // one instance per model; only "slow" breaches
  EXPECT_EQ(active[0].state, State::kPending);
  EXPECT_EQ(active[0].labels.at("model"), "slow");
  EXPECT_EQ(active[0].labels.at("alertname"), "HighLatency");
  EXPECT_EQ(active[0].labels.at("project"), "shop");
  EXPECT_EQ(active[0].labels.at("severity"), "page");
  EXPECT_TRUE(sink_.sent.empty());

  Evaluate(kT0 + 40 * kSec);
  EXPECT_EQ(Active()[0].state, State::kPending);
  Evaluate(kT0 + 70 * kSec);
  active = Active();
  ASSERT_EQ(active.size(), 1u);
  EXPECT_EQ(active[0].state, State::kFiring);
  EXPECT_NEAR(*active[0].value, 3.0, 0.05);
  ASSERT_EQ(sink_.sent.size(), 1u);
  const Notification& firing = sink_.sent[0];
  EXPECT_EQ(firing.status, "firing");
  EXPECT_EQ(firing.starts_at_ns, kT0 + 10 * kSec);
  EXPECT_EQ(firing.ends_at_ns, 0);
  EXPECT_EQ(firing.notifiers, std::vector<std::string>{"oncall"});
  EXPECT_EQ(firing.idempotency_key,
            firing.fingerprint + ":firing:" + std::to_string(kT0 + 10 * kSec));
  EXPECT_TRUE(firing.annotations.at("summary").starts_with("p95 3"));
  EXPECT_TRUE(firing.annotations.at("summary").ends_with("s on slow > 2s"));

  // Still firing: no second notification.
  Evaluate(kT0 + 100 * kSec);
  EXPECT_EQ(sink_.sent.size(), 1u);

  // The slow calls leave the 5-minute window: resolved, notified once.
  Calls(kT0 + 7 * 60 * kSec, "slow", 0.5, 20);
  Evaluate(kT0 + 8 * 60 * kSec);
  EXPECT_TRUE(Active().empty());
  ASSERT_EQ(sink_.sent.size(), 2u);
  EXPECT_EQ(sink_.sent[1].status, "resolved");
  EXPECT_EQ(sink_.sent[1].ends_at_ns, kT0 + 8 * 60 * kSec);
  EXPECT_EQ(sink_.sent[1].starts_at_ns, kT0 + 10 * kSec);
  Evaluate(kT0 + 9 * 60 * kSec);
  EXPECT_EQ(sink_.sent.size(), 2u);

  auto history = engine_->History({});
  ASSERT_TRUE(history);
  ASSERT_EQ(history->size(), 3u);  // newest first
  EXPECT_EQ((*history)[0].to, State::kResolved);
  EXPECT_EQ((*history)[1].to, State::kFiring);
  EXPECT_EQ((*history)[2].from, State::kInactive);
  EXPECT_EQ((*history)[2].to, State::kPending);
  const auto rules = engine_->Rules();
  ASSERT_EQ(rules.size(), 1u);
  EXPECT_EQ(rules[0].health, "ok");
  EXPECT_EQ(rules[0].last_evaluation_ns, kT0 + 9 * 60 * kSec);
}

TEST_F(AlertEngineTest, PendingThatClearsNeverNotifies) {
  Open({LatencyRule()});
  Calls(kT0, "slow", 3.0, 5);
  Evaluate(kT0 + 10 * kSec);
  EXPECT_EQ(Active().size(), 1u);
  Calls(kT0 + 20 * kSec, "slow", 0.1, 200);  // p95 drops under 2 s
  Evaluate(kT0 + 40 * kSec);
  EXPECT_TRUE(Active().empty());
  EXPECT_TRUE(sink_.sent.empty());
  auto history = engine_->History({});
  ASSERT_TRUE(history);
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[0].from, State::kPending);
  EXPECT_EQ((*history)[0].to, State::kInactive);
}

TEST_F(AlertEngineTest, RestartKeepsFiringAlertsAndNotifiesEachTransitionOnce) {
  Open({LatencyRule()});
  Calls(kT0, "slow", 3.0, 20);
  Evaluate(kT0 + 10 * kSec);
  Evaluate(kT0 + 70 * kSec);
  ASSERT_EQ(sink_.sent.size(), 1u);

  // A new engine on the same state.db: the alert is still firing, nothing is re-sent.
  Open({LatencyRule()});
  auto active = Active();
  ASSERT_EQ(active.size(), 1u);
  EXPECT_EQ(active[0].state, State::kFiring);
  EXPECT_EQ(active[0].times.active_since_ns, kT0 + 10 * kSec);
  Evaluate(kT0 + 100 * kSec);
  EXPECT_EQ(sink_.sent.size(), 1u);

  Calls(kT0 + 7 * 60 * kSec, "slow", 0.5, 20);
  Evaluate(kT0 + 8 * 60 * kSec);
  ASSERT_EQ(sink_.sent.size(), 2u);
  EXPECT_EQ(sink_.sent[1].status, "resolved");
  Open({LatencyRule()});
  Evaluate(kT0 + 9 * 60 * kSec);
  EXPECT_EQ(sink_.sent.size(), 2u);
}

TEST_F(AlertEngineTest, InstancesOfARemovedRuleResolveAndTellTheirReceiversOnce) {
  config::AlertRuleConfig pending_rule = LatencyRule();
  pending_rule.name = "SlowPending";
  pending_rule.for_ns = 3600 * kSec;
  pending_rule.notifiers = {"other"};
  Open({LatencyRule(), pending_rule});
  Calls(kT0, "slow", 3.0, 20);
  Evaluate(kT0 + 10 * kSec);
  Evaluate(kT0 + 70 * kSec);
  ASSERT_EQ(Active().size(), 2u);  // HighLatency firing, SlowPending pending
  ASSERT_EQ(sink_.sent.size(), 1u);
  const Notification fired = sink_.sent[0];

  // Both rules leave the configuration (another rule stays): both instances end.
  config::AlertRuleConfig kept = LatencyRule();
  kept.name = "Kept";
  kept.condition.value = 100.0;
  Open({kept});
  Evaluate(kT0 + 80 * kSec);
  EXPECT_TRUE(Active().empty());
  ASSERT_EQ(sink_.sent.size(), 2u);  // the firing one is resolved; the pending one was never told
  const Notification& resolved = sink_.sent[1];
  EXPECT_EQ(resolved.status, "resolved");
  EXPECT_EQ(resolved.rule, "HighLatency");
  EXPECT_EQ(resolved.fingerprint, fired.fingerprint);
  EXPECT_EQ(resolved.notifiers, fired.notifiers);
  EXPECT_EQ(resolved.starts_at_ns, fired.starts_at_ns);
  EXPECT_EQ(resolved.ends_at_ns, kT0 + 80 * kSec);
  EXPECT_EQ(resolved.idempotency_key,
            fired.fingerprint + ":resolved:" + std::to_string(fired.starts_at_ns));
  auto history = engine_->History({});
  ASSERT_TRUE(history);
  ASSERT_GE(history->size(), 2u);
  EXPECT_EQ((*history)[0].to, State::kResolved);
  EXPECT_EQ((*history)[1].to, State::kResolved);

  // Later evaluations and a restart send nothing more.
  Evaluate(kT0 + 90 * kSec);
  Open({kept});
  Evaluate(kT0 + 100 * kSec);
  EXPECT_EQ(sink_.sent.size(), 2u);
}

TEST_F(AlertEngineTest, SinkFailuresAreRetriedWithTheSameKey) {
  Open({LatencyRule()});
  Calls(kT0, "slow", 3.0, 20);
  sink_.fail = true;
  Evaluate(kT0 + 10 * kSec);
  Evaluate(kT0 + 70 * kSec);
  EXPECT_EQ(engine_->EvaluateOnce().error().message(),
            "notifying " + Active()[0].fingerprint + ":firing:" + std::to_string(kT0 + 10 * kSec) +
                ": receiver down");
  // Restart while the receiver is down: the notification is still owed.
  Open({LatencyRule()});
  sink_.fail = false;
  Evaluate(kT0 + 100 * kSec);
  ASSERT_EQ(sink_.sent.size(), 1u);
  EXPECT_EQ(sink_.sent[0].status, "firing");
  Evaluate(kT0 + 130 * kSec);
  EXPECT_EQ(sink_.sent.size(), 1u);
}

TEST_F(AlertEngineTest, SilencedAlertsChangeStateButAreNotNotifiedUntilTheSilenceEnds) {
  Open({LatencyRule()});
  Silence s;
  s.matchers = {{"model", "slow", false, true}};
  s.starts_ns = kT0;
  s.ends_ns = kT0 + 3 * 60 * kSec;
  s.comment = "deploying";
  s.created_by = "ops";
  now_ = kT0;
  auto created = engine_->CreateSilence(s);
  ASSERT_TRUE(created) << created.error().message();
  EXPECT_EQ(created->id.size(), 36u);

  Calls(kT0, "slow", 3.0, 20);
  Evaluate(kT0 + 10 * kSec);
  Evaluate(kT0 + 70 * kSec);
  auto active = Active();
  ASSERT_EQ(active.size(), 1u);
  EXPECT_EQ(active[0].state, State::kFiring);
  EXPECT_TRUE(active[0].silenced);
  EXPECT_EQ(active[0].silenced_by, std::vector<std::string>{created->id});
  EXPECT_TRUE(sink_.sent.empty());
  auto history = engine_->History({});
  ASSERT_TRUE(history);
  EXPECT_TRUE((*history)[0].silenced);

  // The silence expires while the alert still fires: now it is notified, once.
  Calls(kT0 + 3 * 60 * kSec, "slow", 3.0, 20);
  Evaluate(kT0 + 4 * 60 * kSec);
  ASSERT_EQ(sink_.sent.size(), 1u);
  EXPECT_EQ(sink_.sent[0].status, "firing");
  EXPECT_FALSE(Active()[0].silenced);
  Evaluate(kT0 + 5 * 60 * kSec);
  EXPECT_EQ(sink_.sent.size(), 1u);
}

TEST_F(AlertEngineTest, AlertSilencedForItsWholeLifeSendsNothing) {
  Open({LatencyRule()});
  Silence s;
  s.matchers = {{"alertname", "High.*", true, true}};
  now_ = kT0;
  s.ends_ns = kT0 + 3600 * kSec;
  ASSERT_TRUE(engine_->CreateSilence(s));
  Calls(kT0, "slow", 3.0, 20);
  Evaluate(kT0 + 10 * kSec);
  Evaluate(kT0 + 70 * kSec);
  Calls(kT0 + 7 * 60 * kSec, "slow", 0.5, 20);
  Evaluate(kT0 + 8 * 60 * kSec);
  EXPECT_TRUE(Active().empty());
  EXPECT_TRUE(sink_.sent.empty());
}

TEST_F(AlertEngineTest, SilencesExpireOnDeleteAndAreListed) {
  Open({});
  Silence s;
  s.project = "shop";
  s.matchers = {{"severity", "page", false, true}};
  now_ = kT0;
  s.ends_ns = kT0 + 3600 * kSec;
  auto created = engine_->CreateSilence(s);
  ASSERT_TRUE(created);
  now_ = kT0 + 10 * kSec;
  EXPECT_EQ(engine_->DeleteSilence(created->id, "bank").error().code(), ErrorCode::kNotFound);
  ASSERT_TRUE(engine_->DeleteSilence(created->id, "shop"));
  auto list = engine_->ListSilences("shop");
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 1u);
  EXPECT_STREQ(SilenceStatus((*list)[0], now_), "expired");
  EXPECT_EQ(engine_->DeleteSilence(created->id, "").error().code(), ErrorCode::kNotFound);
  EXPECT_TRUE(engine_->ListSilences("bank")->empty());
  s.ends_ns = kT0;  // in the past
  EXPECT_EQ(engine_->CreateSilence(s).error().message(), "ends: must be after starts");
}

TEST_F(AlertEngineTest, CiLowerBoundModeNeedsTheWholeIntervalAboveTheThreshold) {
  auto rule = LatencyRule();
  rule.name = "ErrorRateSurelyHigh";
  rule.condition.kpi = "error_rate";
  rule.condition.value = 0.10;
  rule.condition.bound = "ci_low";
  rule.for_ns = 0;
  rule.group_by = {};
  rule.annotations = {{"summary", "error rate >= {{ $ci_low }} (n={{ $n }})"}};
  Open({rule});
  // 2 errors in 10 calls: the point estimate 0.2 is above 0.1, the Wilson lower bound is not.
  model::Batch b;
  for (int i = 0; i < 10; ++i) {
    model::Call c;
    c.project = "shop";
    c.id = "e" + std::to_string(i);
    c.start_ns = kT0 + i * kSec;
    c.end_ns = c.start_ns + kSec;
    c.request_model = "m";
    c.status = i < 2 ? model::CallStatus::kError : model::CallStatus::kOk;
    b.calls.push_back(c);
  }
  ASSERT_TRUE(store_->Append(b));
  Evaluate(kT0 + 30 * kSec);
  EXPECT_TRUE(Active().empty());
  // 60 errors in 200 calls: the lower bound (about 0.24) is above 0.1.
  b.calls.clear();
  for (int i = 0; i < 190; ++i) {
    model::Call c;
    c.project = "shop";
    c.id = "f" + std::to_string(i);
    c.start_ns = kT0 + 30 * kSec + i * kSec / 10;
    c.end_ns = c.start_ns + kSec;
    c.request_model = "m";
    c.status = i < 58 ? model::CallStatus::kError : model::CallStatus::kOk;
    b.calls.push_back(c);
  }
  ASSERT_TRUE(store_->Append(b));
  Evaluate(kT0 + 60 * kSec);
  auto active = Active();
  ASSERT_EQ(active.size(), 1u);
  EXPECT_EQ(active[0].state, State::kFiring);
  EXPECT_GT(*active[0].value, 0.2);
  EXPECT_LT(*active[0].value, 0.3);
  EXPECT_TRUE(active[0].annotations.at("summary").ends_with("(n=200)"));
}

TEST_F(AlertEngineTest, UnknownKpiAtRuntimeMakesTheRuleUnhealthyWithoutTouchingAlerts) {
  auto rule = LatencyRule();
  rule.condition.kpi = "no_such_kpi";
  Open({rule});
  now_ = kT0;
  auto r = engine_->EvaluateOnce();
  ASSERT_FALSE(r);
  const auto rules = engine_->Rules();
  EXPECT_EQ(rules[0].health, "error");
  EXPECT_NE(rules[0].last_error.find("no_such_kpi"), std::string::npos) << rules[0].last_error;
}

}  // namespace
}  // namespace yardstick::alerts
