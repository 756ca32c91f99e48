// Change-detection rules over a real store: the KPI's per-step series fed to the stats
// detectors, alarms against the batch run of the same detector, detector state that survives a
// restart without feeding a bucket twice, warm-up estimation and the direction filter.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "alerts/alerts.h"
#include "kpi/kpi.h"
#include "stats/change_detection.h"
#include "store/store.h"
#include "support/server_process.h"

namespace yardstick::alerts {
namespace {

constexpr int64_t kSec = 1'000'000'000;
constexpr int64_t kMin = 60 * kSec;
constexpr int64_t kT0 = 1'790'000'040 * kSec / kMin * kMin;  // a whole minute

class NullSink : public AlertSink {
 public:
  Result<void> Send(const Notification& n) override {
    sent.push_back(n);
    return {};
  }
  std::vector<Notification> sent;
};

class ChangeRuleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir("yardstick-alerts-change-test");
    store::SqliteOptions so;
    so.path = dir_ + "/yardstick.db";
    auto st = store::OpenSqliteStore(so);
    ASSERT_TRUE(st);
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

  void Open(const config::AlertRuleConfig& rule) {
    engine_.reset();
    EngineOptions o;
    o.state_db_path = dir_ + "/state.db";
    o.clock = [this] { return now_; };
    auto e = Engine::Open({rule}, Sources{kpis_.get(), store_.get()}, &sink_, o);
    ASSERT_TRUE(e) << e.error().message();
    engine_ = std::move(*e);
  }

  // Five calls of `latency_s` in minute `minute`.
  void Minute(int minute, double latency_s) {
    model::Batch b;
    for (int i = 0; i < 5; ++i) {
      model::Call c;
      c.project = "shop";
      c.id = "m" + std::to_string(minute) + "-" + std::to_string(i);
      c.start_ns = kT0 + minute * kMin + i * kSec;
      c.end_ns = c.start_ns + static_cast<int64_t>(std::llround(latency_s * 1e9));
      c.request_model = "m";
      b.calls.push_back(c);
    }
    ASSERT_TRUE(store_->Append(b));
  }

  // Evaluates just after minute `minute` is complete; returns the active alerts.
  std::vector<Alert> EvaluateAfter(int minute) {
    now_ = kT0 + (minute + 1) * kMin + 5 * kSec;
    auto r = engine_->EvaluateOnce();
    EXPECT_TRUE(r) << r.error().message();
    auto a = engine_->Active({});
    return a ? *a : std::vector<Alert>{};
  }

  std::string dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<kpi::Engine> kpis_;
  NullSink sink_;
  std::unique_ptr<Engine> engine_;
  int64_t now_ = kT0;
};

config::AlertRuleConfig CusumRule() {
  config::AlertRuleConfig r;
  r.name = "LatencyShift";
  r.condition.type = "change";
  r.condition.kpi = "latency_mean";
  r.condition.detector = "cusum";
  r.condition.step_ns = kMin;
  r.condition.mean = 1.0;
  r.condition.sigma = 0.1;
  r.condition.k = 0.5;
  r.condition.h = 4;
  r.window_ns = 3 * kMin;
  r.annotations = {
      {"summary", "{{ $detector }} {{ $change }}: {{ $statistic }} > {{ $threshold }}"}};
  return r;
}

TEST_F(ChangeRuleTest, CusumAlarmsWhereTheBatchRunDoesAndSurvivesARestart) {
  std::vector<double> values;
  for (int i = 0; i < 20; ++i) {
    values.push_back(i < 12 ? 1.0 + 0.05 * std::sin(i) : 1.25 + 0.01 * (i % 3));
  }
  const auto batch = stats::RunCusum(stats::CusumParams{1.0, 0.1, 0.5, 4}, values);
  ASSERT_TRUE(batch);
  ASSERT_TRUE(batch->first_alarm.has_value());
  const size_t first = *batch->first_alarm;
  ASSERT_GE(first, 12u);

  Open(CusumRule());
  for (int i = 0; i < 20; ++i) {
    Minute(i, values[static_cast<size_t>(i)]);
    if (i == 8) Open(CusumRule());  // a restart: the detector continues from its saved state
    const auto active = EvaluateAfter(i);
    const bool alarmed_recently =
        std::any_of(batch->alarms.begin(), batch->alarms.end(), [&](size_t a) {
          return static_cast<int>(a) <= i && (i + 1 - static_cast<int>(a)) * kMin < 3 * kMin;
        });
    ASSERT_EQ(active.size(), alarmed_recently ? 1u : 0u) << "minute " << i;
    if (static_cast<size_t>(i) == first) {
      EXPECT_EQ(active[0].state, State::kFiring);
      EXPECT_NEAR(*active[0].value, values[first], 1e-9);
      EXPECT_TRUE(active[0].annotations.at("summary").starts_with("cusum up: "))
          << active[0].annotations.at("summary");
    }
  }
  ASSERT_EQ(sink_.sent.size(), 1u);
  EXPECT_EQ(sink_.sent[0].status, "firing");
  EXPECT_EQ(sink_.sent[0].starts_at_ns, kT0 + (static_cast<int64_t>(first) + 1) * kMin + 5 * kSec);
  // Back to normal: no alarm within the window, so the alert resolves.
  for (int i = 20; i < 26; ++i) {
    Minute(i, 1.0);
    EvaluateAfter(i);
  }
  EXPECT_TRUE(engine_->Active({})->empty());
  ASSERT_EQ(sink_.sent.size(), 2u);
  EXPECT_EQ(sink_.sent[1].status, "resolved");
}

TEST_F(ChangeRuleTest, EwmaEstimatesItsReferenceAndWatchesOneDirection) {
  auto rule = CusumRule();
  rule.name = "LatencyDrop";
  rule.condition.detector = "ewma";
  rule.condition.mean.reset();
  rule.condition.sigma.reset();
  rule.condition.warmup = 8;
  rule.condition.lambda = 0.3;
  rule.condition.l = 3;
  rule.condition.direction = "up";
  Open(rule);
  std::vector<double> values;
  for (int i = 0; i < 8; ++i) values.push_back(2.0 + 0.1 * ((i % 4) - 1.5));
  for (int i = 0; i < 8; ++i) values.push_back(1.0);  // a drop: not what this rule watches
  bool any = false;
  for (int i = 0; i < 16; ++i) {
    Minute(i, values[static_cast<size_t>(i)]);
    any = any || !EvaluateAfter(i).empty();
  }
  EXPECT_FALSE(any);

  // The same series watched for drops alarms as the batch run of the detector does.
  rule.name = "LatencyDrop2";
  rule.condition.direction = "down";
  Open(rule);
  now_ = kT0 + 16 * kMin + 5 * kSec;
  ASSERT_TRUE(engine_->EvaluateOnce());
  double mean = 0, ss = 0;
  for (int i = 0; i < 8; ++i) mean += values[static_cast<size_t>(i)] / 8;
  for (int i = 0; i < 8; ++i) ss += std::pow(values[static_cast<size_t>(i)] - mean, 2);
  const auto batch = stats::RunEwma(stats::EwmaParams{mean, std::sqrt(ss / 7), 0.3, 3},
                                    std::span<const double>(values).subspan(8));
  ASSERT_TRUE(batch);
  ASSERT_TRUE(batch->first_alarm.has_value());
  // The whole history was read at once: the rule is active when an alarm (the detector restarts
  // after each) ended less than the window (3 minutes) before now.
  const bool expected = std::any_of(batch->alarms.begin(), batch->alarms.end(), [](size_t a) {
    return (16 - (8 + static_cast<int64_t>(a) + 1)) * kMin + 5 * kSec < 3 * kMin;
  });
  ASSERT_TRUE(expected);  // the drop keeps alarming
  auto active = engine_->Active({});
  ASSERT_TRUE(active);
  ASSERT_EQ(active->size(), 1u);
  EXPECT_EQ((*active)[0].rule, "LatencyDrop2");
}

}  // namespace
}  // namespace yardstick::alerts
