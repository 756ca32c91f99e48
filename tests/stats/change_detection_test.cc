#include "stats/change_detection.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "stats/test_data.h"
#include "support/golden.h"

namespace yardstick::stats {
namespace {

using testing::Doubles;
using testing::ReadStatsData;
using yardstick::testing::GoldenDouble;
using yardstick::testing::NearRelative;

// The reference is the same formulas in Python with the same operation order; 1e-12 leaves room
// for libm differences in pow/sqrt only.
constexpr double kRel = 1e-12;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

#define EXPECT_NEAR_REL(actual, expected)                                           \
  EXPECT_TRUE(NearRelative((actual), (expected), kRel))                             \
      << #actual << " = " << ((actual)) << ", expected " << (expected) << " (diff " \
      << ((actual) - (expected)) << ")"

std::vector<std::size_t> Indices(const nlohmann::json& array) {
  std::vector<std::size_t> out;
  for (const auto& v : array) out.push_back(v.get<std::size_t>());
  return out;
}

PageHinkleyMode ParseMode(const std::string& name) {
  if (name == "down") return PageHinkleyMode::kDown;
  if (name == "both") return PageHinkleyMode::kBoth;
  return PageHinkleyMode::kUp;
}

template <typename Run>
void ExpectAlarms(const Run& run, const nlohmann::json& e) {
  const std::vector<std::size_t> alarms = Indices(e["alarms"]);
  EXPECT_EQ(run.alarms, alarms);
  if (alarms.empty()) {
    EXPECT_FALSE(run.first_alarm.has_value());
  } else {
    EXPECT_EQ(run.first_alarm, alarms.front());
  }
  ASSERT_EQ(run.steps.size(), e["direction"].size());
  for (std::size_t i = 0; i < run.steps.size(); ++i) {
    EXPECT_EQ(ShiftDirectionName(run.steps[i].direction), e["direction"][i].get<std::string>())
        << "step " << i;
    EXPECT_EQ(run.steps[i].alarm, e["direction"][i] != "none") << "step " << i;
  }
}

TEST(ChangeDetectionGolden, FormulasOfStatisticsMd) {
  int cusum = 0, ph = 0, ewma = 0;
  bool river_doctest = false;
  for (const auto& c : ReadStatsData("change_detection.jsonl")) {
    SCOPED_TRACE(c["id"].get<std::string>());
    const std::vector<double> x = Doubles(c["inputs"]["x"]);
    const auto& o = c["options"];
    const auto& e = c["expected"];
    if (c["fn"] == "cusum") {
      CusumParams p{GoldenDouble(o["target"]), GoldenDouble(o["sigma"]), GoldenDouble(o["k"]),
                    GoldenDouble(o["h"])};
      auto run = RunCusum(p, x);
      ASSERT_TRUE(run.has_value()) << run.error().message();
      const auto upper = Doubles(e["upper"]), lower = Doubles(e["lower"]);
      ASSERT_EQ(run->steps.size(), upper.size());
      for (std::size_t i = 0; i < upper.size(); ++i) {
        EXPECT_NEAR_REL(run->steps[i].upper, upper[i]);
        EXPECT_NEAR_REL(run->steps[i].lower, lower[i]);
      }
      ExpectAlarms(*run, e);
      ++cusum;
    } else if (c["fn"] == "page_hinkley") {
      PageHinkleyParams p{GoldenDouble(o["delta"]), GoldenDouble(o["threshold"]),
                          GoldenDouble(o["alpha"]), o["min_instances"].get<std::int64_t>(),
                          ParseMode(o["mode"].get<std::string>())};
      auto run = RunPageHinkley(p, x);
      ASSERT_TRUE(run.has_value()) << run.error().message();
      const auto mean = Doubles(e["mean"]), up = Doubles(e["up"]), down = Doubles(e["down"]);
      ASSERT_EQ(run->steps.size(), mean.size());
      for (std::size_t i = 0; i < mean.size(); ++i) {
        EXPECT_NEAR_REL(run->steps[i].mean, mean[i]);
        EXPECT_NEAR_REL(run->steps[i].up, up[i]);
        EXPECT_NEAR_REL(run->steps[i].down, down[i]);
      }
      ExpectAlarms(*run, e);
      if (c["id"] == "page-hinkley-river-doctest-0") {
        // river's documented result for its default detector on this stream.
        EXPECT_EQ(run->first_alarm, std::size_t{1009});
        river_doctest = true;
      }
      ++ph;
    } else {
      ASSERT_EQ(c["fn"], "ewma");
      EwmaParams p{GoldenDouble(o["target"]), GoldenDouble(o["sigma"]), GoldenDouble(o["lambda"]),
                   GoldenDouble(o["L"])};
      auto run = RunEwma(p, x);
      ASSERT_TRUE(run.has_value()) << run.error().message();
      const auto z = Doubles(e["z"]), lower = Doubles(e["lower"]), upper = Doubles(e["upper"]);
      ASSERT_EQ(run->steps.size(), z.size());
      for (std::size_t i = 0; i < z.size(); ++i) {
        EXPECT_NEAR_REL(run->steps[i].z, z[i]);
        EXPECT_NEAR_REL(run->steps[i].lower, lower[i]);
        EXPECT_NEAR_REL(run->steps[i].upper, upper[i]);
      }
      ExpectAlarms(*run, e);
      ++ewma;
    }
  }
  EXPECT_EQ(cusum, 28);
  EXPECT_EQ(ph, 29);
  EXPECT_EQ(ewma, 28);
  EXPECT_TRUE(river_doctest);
}

// A detector persisted after every observation and re-created from the stored state gives the same
// steps as one that ran without interruption.
TEST(ChangeDetection, StateRoundTripContinuesExactly) {
  std::vector<double> series;
  for (int i = 0; i < 300; ++i) series.push_back(std::sin(i * 0.37) * 2 + (i > 150 ? 3 : 0));
  const CusumParams cp{0, 1.5, 0.5, 4};
  const PageHinkleyParams pp{0.05, 8, 0.999, 20, PageHinkleyMode::kBoth};
  const EwmaParams ep{0, 1.5, 0.2, 3};
  auto cusum_run = RunCusum(cp, series);
  auto ph_run = RunPageHinkley(pp, series);
  auto ewma_run = RunEwma(ep, series);
  ASSERT_TRUE(cusum_run && ph_run && ewma_run);
  ASSERT_FALSE(cusum_run->alarms.empty());
  ASSERT_FALSE(ph_run->alarms.empty());
  ASSERT_FALSE(ewma_run->alarms.empty());
  CusumState cs;
  PageHinkleyState ps;
  std::optional<EwmaState> es;
  for (std::size_t i = 0; i < series.size(); ++i) {
    auto cusum = Cusum::Create(cp, cs);
    auto ph = PageHinkley::Create(pp, ps);
    auto ewma = Ewma::Create(ep, es);
    ASSERT_TRUE(cusum && ph && ewma);
    auto c = cusum->Update(series[i]);
    auto p = ph->Update(series[i]);
    auto e = ewma->Update(series[i]);
    ASSERT_TRUE(c && p && e);
    EXPECT_EQ(c->upper, cusum_run->steps[i].upper);
    EXPECT_EQ(c->lower, cusum_run->steps[i].lower);
    EXPECT_EQ(c->alarm, cusum_run->steps[i].alarm);
    EXPECT_EQ(p->up, ph_run->steps[i].up);
    EXPECT_EQ(p->down, ph_run->steps[i].down);
    EXPECT_EQ(p->alarm, ph_run->steps[i].alarm);
    EXPECT_EQ(e->z, ewma_run->steps[i].z);
    EXPECT_EQ(e->alarm, ewma_run->steps[i].alarm);
    cs = cusum->state();
    ps = ph->state();
    es = ewma->state();
  }
}

TEST(ChangeDetection, CusumRestartsAfterAlarmAndCountsObservations) {
  auto cusum = Cusum::Create({.target = 0, .sigma = 1, .k = 0.5, .h = 2});
  ASSERT_TRUE(cusum);
  EXPECT_EQ(cusum->Update(1.5)->upper, 1.0);
  EXPECT_FALSE(cusum->state().alarm);
  auto step = cusum->Update(2.0);  // 1 + 1.5 = 2.5 > 2
  ASSERT_TRUE(step);
  EXPECT_TRUE(step->alarm);
  EXPECT_EQ(step->direction, ShiftDirection::kUp);
  EXPECT_EQ(cusum->state().count, 2);
  step = cusum->Update(0.5);  // restarted: C+ = 0.5 - 0.5 = 0
  EXPECT_EQ(step->upper, 0.0);
  EXPECT_FALSE(step->alarm);
  EXPECT_EQ(cusum->state().count, 1);
  // Exactly at the threshold is not an alarm (C > H).
  cusum->Reset();
  EXPECT_FALSE(cusum->Update(-2.5)->alarm);  // C- = 2
  EXPECT_TRUE(cusum->Update(-0.6)->alarm);   // C- = 2.1
}

TEST(ChangeDetection, PageHinkleyWaitsForMinInstances) {
  // A jump at the very first observations does not alarm before observations + 1 >= 5.
  auto ph = PageHinkley::Create({.delta = 0, .lambda = 1, .alpha = 1, .min_instances = 5});
  ASSERT_TRUE(ph);
  std::vector<bool> alarms;
  for (double x : {0.0, 10.0, 10.0, 10.0, 10.0}) alarms.push_back(ph->Update(x)->alarm);
  EXPECT_EQ(alarms, (std::vector<bool>{false, false, false, true, false}));
  // Mode kUp ignores a fall; kDown sees it.
  auto up = PageHinkley::Create({.delta = 0, .lambda = 1, .alpha = 1, .min_instances = 1});
  auto down = PageHinkley::Create(
      {.delta = 0, .lambda = 1, .alpha = 1, .min_instances = 1, .mode = PageHinkleyMode::kDown});
  bool up_alarm = false, down_alarm = false;
  for (double x : {5.0, 5.0, 5.0, 0.0, 0.0}) {
    up_alarm = up_alarm || up->Update(x)->alarm;
    auto step = down->Update(x);
    if (step->alarm) {
      EXPECT_EQ(step->direction, ShiftDirection::kDown);
    }
    down_alarm = down_alarm || step->alarm;
  }
  EXPECT_FALSE(up_alarm);
  EXPECT_TRUE(down_alarm);
}

TEST(ChangeDetection, EwmaLimitsWidenTowardsTheAsymptote) {
  const EwmaParams p{10, 2, 0.2, 3};
  auto ewma = Ewma::Create(p);
  ASSERT_TRUE(ewma);
  EXPECT_EQ(ewma->state().z, 10.0);  // z_0 = mu0
  double previous = 0;
  for (int t = 1; t <= 50; ++t) {
    auto step = ewma->Update(10);
    ASSERT_TRUE(step);
    const double half = step->upper - 10;
    EXPECT_GT(half, previous);
    EXPECT_NEAR(10 - step->lower, half, 1e-12);
    previous = half;
  }
  // The asymptotic limit L sigma sqrt(lambda / (2 - lambda)).
  EXPECT_NEAR(previous, 3 * 2 * std::sqrt(0.2 / 1.8), 1e-9);
  // At t = 1 the half-width is L sigma lambda (= 1.2 here).
  ewma->Reset();
  EXPECT_NEAR(ewma->Update(10)->upper, 11.2, 1e-12);
  // lambda = 1 is a Shewhart chart: z = x, limits mu0 +- L sigma.
  auto shewhart = Ewma::Create({0, 1, 1.0, 3});
  auto step = shewhart->Update(-3.5);
  EXPECT_EQ(step->z, -3.5);
  EXPECT_EQ(step->lower, -3.0);
  EXPECT_EQ(step->direction, ShiftDirection::kDown);
}

TEST(ChangeDetection, RejectsNonsenseParameters) {
  auto message = [](const auto& r) { return r.has_value() ? std::string() : r.error().message(); };
  EXPECT_NE(message(Cusum::Create({0, 1, 0.5, 0})).find("cusum h = 0"), std::string::npos);
  EXPECT_FALSE(Cusum::Create({0, 1, 0.5, -4}));
  EXPECT_FALSE(Cusum::Create({0, 0, 0.5, 4}));
  EXPECT_FALSE(Cusum::Create({0, -1, 0.5, 4}));
  EXPECT_FALSE(Cusum::Create({0, 1, -0.5, 4}));
  EXPECT_FALSE(Cusum::Create({kNaN, 1, 0.5, 4}));
  EXPECT_FALSE(Cusum::Create({0, 1, 0.5, std::numeric_limits<double>::infinity()}));
  EXPECT_FALSE(Cusum::Create({0, 1, 0.5, 4}, {.upper = -1}));
  EXPECT_FALSE(Cusum::Create({0, 1, 0.5, 4}, {.lower = kNaN}));
  EXPECT_FALSE(Cusum::Create({0, 1, 0.5, 4}, {.count = -3}));
  EXPECT_TRUE(Cusum::Create({0, 1, 0, 4}));  // k = 0 is allowed

  EXPECT_FALSE(PageHinkley::Create({.lambda = 0}));
  EXPECT_FALSE(PageHinkley::Create({.delta = -0.1}));
  EXPECT_FALSE(PageHinkley::Create({.alpha = 0}));
  EXPECT_FALSE(PageHinkley::Create({.alpha = 1.0001}));
  EXPECT_FALSE(PageHinkley::Create({.alpha = kNaN}));
  EXPECT_FALSE(PageHinkley::Create({.min_instances = 0}));
  EXPECT_FALSE(PageHinkley::Create({}, {.up = -1}));
  EXPECT_FALSE(PageHinkley::Create({}, {.mean = kNaN}));
  EXPECT_TRUE(PageHinkley::Create({.alpha = 1}));

  EXPECT_NE(message(Ewma::Create({0, 1, 0, 3})).find("ewma lambda = 0"), std::string::npos);
  EXPECT_FALSE(Ewma::Create({0, 1, 1.5, 3}));
  EXPECT_FALSE(Ewma::Create({0, 1, -0.2, 3}));
  EXPECT_FALSE(Ewma::Create({0, 1, kNaN, 3}));
  EXPECT_FALSE(Ewma::Create({0, 1, 0.2, 0}));
  EXPECT_FALSE(Ewma::Create({0, 0, 0.2, 3}));
  EXPECT_FALSE(Ewma::Create({0, 1, 0.2, 3}, EwmaState{kNaN, 0, false}));
  EXPECT_FALSE(Ewma::Create({0, 1, 0.2, 3}, EwmaState{0, -1, false}));
}

TEST(ChangeDetection, NonFiniteObservationsAreRejectedAndChangeNothing) {
  auto cusum = Cusum::Create({0, 1, 0.5, 4});
  ASSERT_TRUE(cusum->Update(1.25));
  const CusumState before = cusum->state();
  auto bad = cusum->Update(kNaN);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_FALSE(cusum->Update(std::numeric_limits<double>::infinity()));
  EXPECT_EQ(cusum->state().upper, before.upper);
  EXPECT_EQ(cusum->state().count, before.count);

  auto ph = PageHinkley::Create({});
  EXPECT_FALSE(ph->Update(kNaN));
  EXPECT_EQ(ph->state().count, 0);
  auto ewma = Ewma::Create({});
  EXPECT_FALSE(ewma->Update(-std::numeric_limits<double>::infinity()));
  EXPECT_EQ(ewma->state().count, 0);

  const std::vector<double> series = {1, 2, kNaN, 4};
  auto run = RunEwma({}, series);
  ASSERT_FALSE(run);
  EXPECT_NE(run.error().message().find("series[2]"), std::string::npos) << run.error().message();
  EXPECT_FALSE(RunCusum({0, 1, 0.5, 0}, series));  // bad parameters are reported first
}

TEST(ChangeDetection, EmptySeriesHasNoSteps) {
  auto run = RunPageHinkley({}, std::vector<double>{});
  ASSERT_TRUE(run);
  EXPECT_TRUE(run->steps.empty());
  EXPECT_FALSE(run->first_alarm);
}

}  // namespace
}  // namespace yardstick::stats
