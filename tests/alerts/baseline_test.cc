// Conditions that read goals and baselines, over a real store: a goal's burn rate, a
// significant change from a frozen baseline, and distribution drift (numeric and categorical).
#include <gtest/gtest.h>

#include <filesystem>

#include "alerts/alerts.h"
#include "baselines/baselines.h"
#include "goals/goals.h"
#include "kpi/kpi.h"
#include "store/store.h"
#include "support/server_process.h"

namespace yardstick::alerts {
namespace {

constexpr int64_t kSec = 1'000'000'000;
constexpr int64_t kMin = 60 * kSec;
constexpr int64_t kT0 = 1'790'000'040 * kSec / kMin * kMin;

class CollectingSink : public AlertSink {
 public:
  Result<void> Send(const Notification& n) override {
    sent.push_back(n);
    return {};
  }
  std::vector<Notification> sent;
};

class BaselineRuleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir("yardstick-alerts-baseline-test");
    store::SqliteOptions so;
    so.path = dir_ + "/yardstick.db";
    auto st = store::OpenSqliteStore(so);
    ASSERT_TRUE(st);
    store_ = std::move(*st);
    ASSERT_TRUE(store_->PutProject("shop"));
    auto k = kpi::Engine::Create(store_.get(), {});
    ASSERT_TRUE(k);
    kpis_ = std::make_unique<kpi::Engine>(std::move(*k));
    auto b = baselines::BaselineStore::Open(dir_ + "/state.db");
    ASSERT_TRUE(b) << b.error().message();
    baselines_ = std::move(*b);
  }
  void TearDown() override {
    engine_.reset();
    store_->Close();
    std::filesystem::remove_all(dir_);
  }

  void Open(const config::AlertRuleConfig& rule, std::vector<goals::Goal> goal_list = {}) {
    engine_.reset();
    auto g = goals::Engine::Create(kpis_.get(), std::move(goal_list));
    ASSERT_TRUE(g) << g.error().message();
    goals_ = std::make_unique<goals::Engine>(std::move(*g));
    EngineOptions o;
    o.state_db_path = dir_ + "/state.db";
    o.clock = [this] { return now_; };
    Sources s;
    s.kpis = kpis_.get();
    s.store = store_.get();
    s.goals = goals_.get();
    s.baselines = baselines_.get();
    rule_ = rule.name;
    auto e = Engine::Open({rule}, s, &sink_, o);
    ASSERT_TRUE(e) << e.error().message();
    engine_ = std::move(*e);
  }

  // `n` calls from `at`, one per second, with the given latency, output tokens and finish reason.
  void Calls(int64_t at, int n, double latency_s, int64_t output_tokens,
             const std::string& finish_reason = "stop", int seed = 0) {
    model::Batch b;
    for (int i = 0; i < n; ++i) {
      model::Call c;
      c.project = "shop";
      c.id = "c" + std::to_string(at) + "-" + std::to_string(i);
      c.start_ns = at + i * kSec;
      // A little spread, so that means have a variance.
      const double jitter = 0.01 * ((i * 7 + seed) % 11);
      c.end_ns = c.start_ns + static_cast<int64_t>((latency_s + jitter) * 1e9);
      c.request_model = "m";
      c.output_tokens = output_tokens + (i * 13 + seed) % 40;
      c.finish_reason = finish_reason;
      b.calls.push_back(c);
    }
    ASSERT_TRUE(store_->Append(b));
  }

  void Freeze(const std::string& name, baselines::Spec spec, int64_t from, int64_t to) {
    spec.project = "shop";
    auto d = baselines::Measure(*kpis_, *store_, spec, from, to);
    ASSERT_TRUE(d) << d.error().message();
    baselines::Baseline b;
    b.project = "shop";
    b.name = name;
    b.spec = spec;
    b.selector.from_ns = from;
    b.selector.to_ns = to;
    b.created_ns = to;
    b.distribution = *d;
    auto put = baselines_->Put(b);
    ASSERT_TRUE(put && *put);
  }

  std::vector<Alert> EvaluateAt(int64_t at) {
    now_ = at;
    auto r = engine_->EvaluateOnce();
    EXPECT_TRUE(r) << r.error().message();
    AlertQuery q;
    q.rule = rule_;  // instances of rules evaluated earlier stay in state.db
    auto a = engine_->Active(q);
    return a ? *a : std::vector<Alert>{};
  }

  std::string dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<kpi::Engine> kpis_;
  std::unique_ptr<baselines::BaselineStore> baselines_;
  std::unique_ptr<goals::Engine> goals_;
  CollectingSink sink_;
  std::unique_ptr<Engine> engine_;
  int64_t now_ = kT0;
  std::string rule_;
};

TEST_F(BaselineRuleTest, BurnRateOfALatencyGoal) {
  goals::Goal goal;
  goal.name = "p95_under_2s";
  goal.kpi = "latency_p95";
  goal.project = "shop";
  goal.target = {goals::Op::kLe, 2.0};
  goal.min_samples = 1;
  config::AlertRuleConfig rule;
  rule.name = "FastBurn";
  rule.condition.type = "burn_rate";
  rule.condition.goal = "p95_under_2s";
  rule.condition.op = ">";
  rule.condition.value = 10;
  rule.window_ns = 10 * kMin;
  rule.annotations = {{"summary", "burn {{ $value }} on {{ $goal }}"}};
  Open(rule, {goal});
  // 2 slow calls of 100: 2% bad where 5% is allowed: burn rate 0.4.
  Calls(kT0, 98, 0.5, 100);
  Calls(kT0 + 100 * kSec, 2, 3.0, 100);
  EXPECT_TRUE(EvaluateAt(kT0 + 3 * kMin).empty());
  // 60 more slow calls: 62 of 160 bad, 38.75% / 5% = 7.75, still under 10.
  Calls(kT0 + 3 * kMin, 60, 3.0, 100);
  EXPECT_TRUE(EvaluateAt(kT0 + 5 * kMin).empty());
  // 200 more: 262 of 360 bad: 14.6 > 10.
  Calls(kT0 + 5 * kMin, 200, 3.0, 100);
  const auto active = EvaluateAt(kT0 + 9 * kMin);
  ASSERT_EQ(active.size(), 1u);
  EXPECT_EQ(active[0].state, State::kFiring);
  EXPECT_NEAR(*active[0].value, 262.0 / 360 / 0.05, 0.2);
  EXPECT_TRUE(active[0].annotations.at("summary").ends_with(" on p95_under_2s"));
}

TEST_F(BaselineRuleTest, SignificantChangeFromABaseline) {
  Calls(kT0, 200, 1.0, 100);  // the baseline hour: mean latency ~1.05 s
  baselines::Spec spec;
  spec.kpi = "latency_mean";
  Freeze("launch", spec, kT0, kT0 + 10 * kMin);
  config::AlertRuleConfig rule;
  rule.name = "SlowerThanLaunch";
  rule.condition.type = "baseline";
  rule.condition.kpi = "latency_mean";
  rule.condition.baseline = "launch";
  rule.condition.change = 0.2;
  rule.condition.significance = 0.01;
  rule.window_ns = 10 * kMin;
  rule.annotations = {{"summary", "{{ $change | humanizePercentage }} (p={{ $p_value }})"}};
  Open(rule);
  // 10% slower: significant, but less than +20%.
  Calls(kT0 + 60 * kMin, 200, 1.1, 100, "stop", 3);
  EXPECT_TRUE(EvaluateAt(kT0 + 65 * kMin).empty());
  // 50% slower: fires.
  Calls(kT0 + 120 * kMin, 200, 1.55, 100, "stop", 5);
  const auto active = EvaluateAt(kT0 + 125 * kMin);
  ASSERT_EQ(active.size(), 1u);
  EXPECT_NEAR(*active[0].value, 1.6, 0.01);
  EXPECT_TRUE(active[0].annotations.at("summary").starts_with("52."))
      << active[0].annotations.at("summary");
  const auto rules = engine_->Rules();
  EXPECT_EQ(rules[0].health, "ok");
}

TEST_F(BaselineRuleTest, MissingBaselineIsARuleError) {
  config::AlertRuleConfig rule;
  rule.name = "NoBaseline";
  rule.condition.type = "baseline";
  rule.condition.kpi = "latency_mean";
  rule.condition.baseline = "nope";
  rule.condition.change = 0.2;
  Open(rule);
  now_ = kT0;
  EXPECT_FALSE(engine_->EvaluateOnce());
  const auto rules = engine_->Rules();
  EXPECT_EQ(rules[0].health, "error");
  EXPECT_EQ(rules[0].last_error,
            "project shop has no baseline nope (create it with POST /v1/baselines)");
}

TEST_F(BaselineRuleTest, NumericAndCategoricalDrift) {
  Calls(kT0, 300, 1.0, 100, "stop");
  baselines::Spec tokens;
  tokens.field = "calls.output_tokens";
  Freeze("tokens", tokens, kT0, kT0 + 10 * kMin);
  baselines::Spec reasons;
  reasons.field = "calls.finish_reason";
  Freeze("reasons", reasons, kT0, kT0 + 10 * kMin);

  config::AlertRuleConfig psi;
  psi.name = "OutputLengthDrift";
  psi.condition.type = "drift";
  psi.condition.field = "output_tokens";
  psi.condition.baseline = "tokens";
  psi.condition.test = "psi";
  psi.condition.drift_threshold = 0.2;
  psi.window_ns = 10 * kMin;
  Open(psi);
  Calls(kT0 + 60 * kMin, 300, 1.0, 100, "stop", 1);  // same distribution
  EXPECT_TRUE(EvaluateAt(kT0 + 66 * kMin).empty());
  Calls(kT0 + 120 * kMin, 300, 1.0, 400, "stop", 1);  // four times longer answers
  auto active = EvaluateAt(kT0 + 126 * kMin);
  ASSERT_EQ(active.size(), 1u);
  EXPECT_GT(*active[0].value, 1.0);

  auto ks = psi;
  ks.name = "OutputLengthKs";
  ks.condition.test = "ks";
  ks.condition.drift_threshold = 0.01;
  Open(ks);
  active = EvaluateAt(kT0 + 126 * kMin);
  ASSERT_EQ(active.size(), 1u);
  EXPECT_LT(*active[0].value, 1e-6);  // the p-value

  config::AlertRuleConfig chi2;
  chi2.name = "FinishReasons";
  chi2.condition.type = "drift";
  chi2.condition.field = "finish_reason";
  chi2.condition.baseline = "reasons";
  chi2.condition.test = "chi2";
  chi2.condition.drift_threshold = 0.01;
  chi2.window_ns = 10 * kMin;
  Open(chi2);
  EXPECT_TRUE(EvaluateAt(kT0 + 126 * kMin).empty());  // all "stop", as the baseline
  Calls(kT0 + 180 * kMin, 100, 1.0, 100, "stop", 2);
  Calls(kT0 + 182 * kMin, 100, 1.0, 100, "length", 2);
  active = EvaluateAt(kT0 + 186 * kMin);
  ASSERT_EQ(active.size(), 1u);
  EXPECT_LT(*active[0].value, 0.01);
}

}  // namespace
}  // namespace yardstick::alerts
