// Goal status decisions (the four states, with intervals computed by scipy/statsmodels in
// data/generate_golden.py) and burn rates.

#include "goals/goals.h"

#include <gtest/gtest.h>

#include <cmath>

#include "stats/intervals.h"
#include "support/golden.h"

namespace yardstick::goals {
namespace {

using testing::ReadJsonlFile;

std::vector<nlohmann::json> Rows(const std::string& kind) {
  std::vector<nlohmann::json> out;
  for (auto& r : ReadJsonlFile(std::string(YARDSTICK_GOALS_DATA) + "/compare_golden.jsonl")) {
    if (r["kind"] == kind) out.push_back(r);
  }
  return out;
}

kpi::Ci CiOf(const nlohmann::json& row) { return kpi::Ci{row["low"], row["high"], 0.95, ""}; }

TEST(GoalStatus, KpiIntervalsMatchTheIndependentOnes) {
  for (const auto& r : Rows("wilson")) {
    auto ci = stats::WilsonInterval(r["successes"], r["trials"], 0.95);
    ASSERT_TRUE(ci);
    EXPECT_NEAR(ci->low, r["low"].get<double>(), 1e-12);
    EXPECT_NEAR(ci->high, r["high"].get<double>(), 1e-12);
  }
  for (const auto& r : Rows("t")) {
    auto ci = stats::MeanInterval(r["n"], r["sum"], r["sumsq"], 0.95);
    ASSERT_TRUE(ci);
    EXPECT_NEAR(ci->low, r["low"].get<double>(), 1e-9);
    EXPECT_NEAR(ci->high, r["high"].get<double>(), 1e-9);
  }
}

TEST(GoalStatus, FourStatesFromTheInterval) {
  const auto t = Rows("t");  // means 4.5 (4.34, 4.66), 4.0 (3.77, 4.23), 4.3 (4.07, 4.53)
  ASSERT_EQ(t.size(), 3u);
  const Target csat{Op::kGe, 4.2};
  EXPECT_EQ(Decide(csat, 4.5, CiOf(t[0]), true, 40, 30), Status::kMet);
  EXPECT_EQ(Decide(csat, 4.0, CiOf(t[1]), true, 40, 30), Status::kAtRisk);
  // The point value 4.3 meets 4.2, but the interval straddles it: at risk, not met.
  EXPECT_EQ(Decide(csat, 4.3, CiOf(t[2]), true, 40, 30), Status::kAtRisk);
  EXPECT_EQ(Decide(Target{Op::kGe, 4.6}, 4.3, CiOf(t[2]), true, 40, 30), Status::kMissed);
  EXPECT_EQ(Decide(csat, 4.5, CiOf(t[0]), true, 20, 30), Status::kInsufficientData);
  EXPECT_EQ(Decide(csat, std::nullopt, std::nullopt, true, 0, 1), Status::kInsufficientData);
  EXPECT_EQ(Decide(csat, 4.5, std::nullopt, true, 40, 1), Status::kInsufficientData);

  const auto w = Rows("wilson");  // 0.9 (0.826, 0.945), 0.5 (0.404, 0.596), 0.7 (0.604, 0.781)
  ASSERT_EQ(w.size(), 3u);
  const Target deflection{Op::kGe, 0.6};
  EXPECT_EQ(Decide(deflection, 0.9, CiOf(w[0]), true, 100, 30), Status::kMet);
  EXPECT_EQ(Decide(deflection, 0.5, CiOf(w[1]), true, 100, 30), Status::kMissed);
  EXPECT_EQ(Decide(deflection, 0.7, CiOf(w[2]), true, 100, 30), Status::kMet);
  EXPECT_EQ(Decide(Target{Op::kGe, 0.65}, 0.7, CiOf(w[2]), true, 100, 30), Status::kAtRisk);
  // Upper bounds (error rate <= T): the high end decides "met", the low end "missed".
  EXPECT_EQ(Decide(Target{Op::kLe, 0.6}, 0.5, CiOf(w[1]), true, 100, 30), Status::kMet);
  EXPECT_EQ(Decide(Target{Op::kLe, 0.3}, 0.5, CiOf(w[1]), true, 100, 30), Status::kMissed);
  EXPECT_EQ(Decide(Target{Op::kLt, 0.5}, 0.5, CiOf(w[1]), true, 100, 30), Status::kAtRisk);
  // Strict operators at the interval's end.
  EXPECT_EQ(Decide(Target{Op::kGt, 0.6041514536665332}, 0.7, CiOf(w[2]), true, 100, 30),
            Status::kAtRisk);
  EXPECT_EQ(Decide(Target{Op::kGe, 0.6041514536665332}, 0.7, CiOf(w[2]), true, 100, 30),
            Status::kMet);
}

TEST(GoalStatus, ExactKpisAreDecidedOnTheirValue) {
  EXPECT_EQ(Decide(Target{Op::kLe, 100}, 99.0, std::nullopt, false, 50, 30), Status::kMet);
  EXPECT_EQ(Decide(Target{Op::kLe, 100}, 101.0, std::nullopt, false, 50, 30), Status::kMissed);
  EXPECT_EQ(Decide(Target{Op::kLe, 100}, 99.0, std::nullopt, false, 5, 30),
            Status::kInsufficientData);
}

TEST(BurnRate, RatioKpis) {
  kpi::Distribution d;
  d.kind = kpi::Distribution::Kind::kProportion;
  d.successes = 30;  // errors
  d.trials = 1000;
  // error_rate <= 1%: 3% bad against 1% allowed burns 3x.
  auto b = BurnRateOf(Target{Op::kLe, 0.01}, d);
  ASSERT_TRUE(b);
  EXPECT_DOUBLE_EQ(b->rate, 3.0);
  EXPECT_DOUBLE_EQ(b->bad, 30);
  EXPECT_DOUBLE_EQ(b->allowed, 0.01);
  // deflection_rate >= 0.6 with 540 of 600 deflected: 10% bad against 40% allowed.
  d.successes = 540;
  d.trials = 600;
  b = BurnRateOf(Target{Op::kGe, 0.6}, d);
  ASSERT_TRUE(b);
  EXPECT_NEAR(b->rate, 0.25, 1e-12);
  // A target of 100% allows nothing.
  b = BurnRateOf(Target{Op::kGe, 1.0}, d);
  ASSERT_TRUE(b);
  EXPECT_TRUE(std::isinf(b->rate));
  d.trials = 0;
  d.successes = 0;
  b = BurnRateOf(Target{Op::kGe, 0.6}, d);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->rate, 0);
}

TEST(BurnRate, QuantileKpisCountObservationsBeyondTheTarget) {
  auto sketch = std::make_shared<stats::DDSketch>();
  for (int i = 1; i <= 1000; ++i) sketch->Add(i * 0.01);  // 0.01 .. 10 s
  kpi::Distribution d;
  d.kind = kpi::Distribution::Kind::kQuantile;
  d.quantile = 0.95;
  d.sketch = sketch;
  // latency_p95 <= 9s: 100 of 1000 calls above 9 s (to the sketch's 1%), 5% allowed: ~2x.
  auto b = BurnRateOf(Target{Op::kLe, 9.0}, d);
  ASSERT_TRUE(b);
  EXPECT_NEAR(b->bad, 100, 10);
  EXPECT_NEAR(b->rate, 2.0, 0.2);
  EXPECT_DOUBLE_EQ(b->total, 1000);
}

TEST(BurnRate, MeansHaveNoBudget) {
  kpi::Distribution d;
  d.kind = kpi::Distribution::Kind::kMean;
  auto b = BurnRateOf(Target{Op::kGe, 4.2}, d);
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().code(), ErrorCode::kUnsupported);
}

}  // namespace
}  // namespace yardstick::goals
