// Baseline comparisons against scipy/statsmodels golden values (data/compare_golden.jsonl) and
// the persistence of baselines in state.db.

#include "baselines/baselines.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "stats/multiple_testing.h"
#include "support/golden.h"

namespace yardstick::baselines {
namespace {

using nlohmann::json;

std::vector<json> Rows(const std::string& kind) {
  std::vector<json> out;
  for (auto& r :
       testing::ReadJsonlFile(std::string(YARDSTICK_GOALS_DATA) + "/compare_golden.jsonl")) {
    if (r["kind"] == kind) out.push_back(r);
  }
  return out;
}

void ExpectNear(std::optional<double> actual, const json& expected, double rel,
                const std::string& what) {
  ASSERT_TRUE(actual.has_value()) << what;
  EXPECT_TRUE(testing::NearRelative(*actual, expected.get<double>(), rel))
      << what << ": " << *actual << " vs " << expected.get<double>();
}

Distribution MeanDist(const json& s, kpi::Direction dir = kpi::Direction::kLower) {
  Distribution d;
  d.kind = "mean";
  d.stats.kind = kpi::Distribution::Kind::kMean;
  d.stats.n = s[0];
  d.stats.sum = s[1];
  d.stats.sumsq = s[2];
  d.n = d.stats.n;
  d.direction = dir;
  return d;
}

Distribution PropDist(const json& s) {
  Distribution d;
  d.kind = "proportion";
  d.stats.kind = kpi::Distribution::Kind::kProportion;
  d.stats.successes = s[0];
  d.stats.trials = s[1];
  d.n = d.stats.trials;
  d.direction = kpi::Direction::kLower;
  return d;
}

TEST(Compare, MeansWelchT) {
  const auto rows = Rows("mean");
  ASSERT_EQ(rows.size(), 6u);
  for (const auto& r : rows) {
    auto c = Compare(MeanDist(r["baseline"]), MeanDist(r["current"]), r["confidence"]);
    ASSERT_TRUE(c);
    EXPECT_EQ(c->method, "welch_t");
    ExpectNear(c->difference, r["difference"], 1e-12, "difference");
    ExpectNear(c->relative_change, r["relative_change"], 1e-12, "relative");
    ExpectNear(c->statistic, r["statistic"], 1e-10, "t");
    ExpectNear(c->pvalue, r["pvalue"], 1e-9, "p");
    ExpectNear(c->df, r["df"], 1e-10, "df");
    ExpectNear(c->ci_low, r["ci_low"], 1e-8, "ci_low");
    ExpectNear(c->ci_high, r["ci_high"], 1e-8, "ci_high");
    EXPECT_EQ(c->significant, r["pvalue"].get<double>() < 1 - r["confidence"].get<double>());
  }
}

TEST(Compare, ProportionsTwoProportionZ) {
  const auto rows = Rows("proportion");
  ASSERT_EQ(rows.size(), 6u);
  for (const auto& r : rows) {
    auto c = Compare(PropDist(r["baseline"]), PropDist(r["current"]), r["confidence"]);
    ASSERT_TRUE(c);
    EXPECT_EQ(c->method, "two_proportion_z");
    ExpectNear(c->difference, r["difference"], 1e-12, "difference");
    ExpectNear(c->statistic, r["statistic"], 1e-10, "z");
    ExpectNear(c->pvalue, r["pvalue"], 1e-9, "p");
    ExpectNear(c->ci_low, r["ci_low"], 1e-8, "ci_low");
    ExpectNear(c->ci_high, r["ci_high"], 1e-8, "ci_high");
    // Lower is better here: a significant increase is a degradation.
    EXPECT_EQ(c->degraded, c->significant && *c->difference > 0);
  }
}

TEST(Compare, Nps) {
  for (const auto& r : Rows("nps")) {
    auto side = [](const json& s) {
      Distribution d;
      d.kind = "nps";
      d.stats.kind = kpi::Distribution::Kind::kNps;
      d.stats.promoters = s[0];
      d.stats.detractors = s[1];
      d.stats.n = s[2];
      d.n = d.stats.n;
      return d;
    };
    auto c = Compare(side(r["baseline"]), side(r["current"]), 0.95);
    ASSERT_TRUE(c);
    ExpectNear(c->difference, r["difference"], 1e-12, "difference");
    ExpectNear(c->pvalue, r["pvalue"], 1e-9, "p");
    ExpectNear(c->ci_low, r["ci_low"], 1e-8, "ci_low");
    ExpectNear(c->ci_high, r["ci_high"], 1e-8, "ci_high");
  }
}

TEST(Compare, QuantilesFromOrderStatisticIntervals) {
  const auto rows = Rows("quantile");
  ASSERT_EQ(rows.size(), 4u);
  for (const auto& r : rows) {
    const auto& b = r["baseline"];
    const auto& k = r["current"];
    const Comparison c =
        CompareQuantileEstimates(b[0], b[1], b[2], k[0], k[1], k[2], r["confidence"]);
    ExpectNear(c.difference, r["difference"], 1e-12, "difference");
    ExpectNear(c.statistic, r["statistic"], 1e-10, "z");
    ExpectNear(c.pvalue, r["pvalue"], 1e-9, "p");
    ExpectNear(c.ci_low, r["ci_low"], 1e-9, "ci_low");
    ExpectNear(c.ci_high, r["ci_high"], 1e-9, "ci_high");
  }
}

TEST(Compare, QuantileSketchesShiftedAndNot) {
  auto sketch = [](double scale) {
    auto s = std::make_shared<stats::DDSketch>();
    for (int i = 1; i <= 2000; ++i) s->Add(scale * (0.2 + (i % 100) * 0.02));
    return s;
  };
  auto dist = [](std::shared_ptr<stats::DDSketch> s) {
    Distribution d;
    d.kind = "quantile";
    d.stats.kind = kpi::Distribution::Kind::kQuantile;
    d.stats.quantile = 0.95;
    d.stats.sketch = s;
    d.n = s->count();
    d.direction = kpi::Direction::kLower;
    return d;
  };
  auto same = Compare(dist(sketch(1.0)), dist(sketch(1.0)), 0.95);
  ASSERT_TRUE(same);
  EXPECT_FALSE(same->significant);
  auto slower = Compare(dist(sketch(1.0)), dist(sketch(1.5)), 0.95);
  ASSERT_TRUE(slower);
  EXPECT_TRUE(slower->significant);
  EXPECT_TRUE(slower->degraded);
  EXPECT_NEAR(*slower->relative_change, 0.5, 0.03);
}

TEST(Compare, CategoricalChiSquare) {
  for (const auto& r : Rows("categorical")) {
    Distribution b, c;
    b.kind = c.kind = "categorical";
    b.categories = r["baseline"].get<std::map<std::string, uint64_t>>();
    c.categories = r["current"].get<std::map<std::string, uint64_t>>();
    auto cmp = Compare(b, c, 0.95);
    ASSERT_TRUE(cmp);
    ExpectNear(cmp->statistic, r["statistic"], 1e-10, "chi2");
    ExpectNear(cmp->pvalue, r["pvalue"], 1e-9, "p");
    ExpectNear(cmp->df, r["df"], 0, "df");
  }
}

TEST(Compare, KindsMustMatch) {
  Distribution a, b;
  a.kind = "mean";
  b.kind = "proportion";
  EXPECT_FALSE(Compare(a, b, 0.95));
}

TEST(Compare, HolmMatchesStatsmodels) {
  for (const auto& r : Rows("holm")) {
    const auto p = r["pvalues"].get<std::vector<double>>();
    auto adj = stats::AdjustPValues(p, stats::Correction::kHolm, 0.05);
    ASSERT_TRUE(adj);
    for (size_t i = 0; i < p.size(); ++i) {
      EXPECT_NEAR(adj->adjusted[i], r["adjusted"][i].get<double>(), 1e-12);
      EXPECT_EQ(adj->reject[i], r["reject"][i].get<bool>());
    }
  }
}

TEST(DriftInputs, DecilesBinsAndCategories) {
  auto s = std::make_shared<stats::DDSketch>();
  for (int i = 1; i <= 1000; ++i) s->Add(i);
  Distribution d;
  d.kind = "mean";
  d.stats.sketch = s;
  const auto edges = DecileEdges(d);
  ASSERT_EQ(edges.size(), 9u);
  const auto counts = CountsInBins(d, edges);
  ASSERT_EQ(counts.size(), 10u);
  uint64_t total = 0;
  for (auto c : counts) {
    total += c;
    EXPECT_NEAR(static_cast<double>(c), 100, 25);  // bucket representatives near the edges
  }
  EXPECT_EQ(total, 1000u);
  Distribution p;
  p.kind = "proportion";
  p.stats.successes = 3;
  p.stats.trials = 10;
  EXPECT_EQ(CategoryCounts(p), (std::map<std::string, uint64_t>{{"failure", 7}, {"success", 3}}));
}

TEST(BaselineStore, PersistsImmutableBaselinesAcrossReopen) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("yardstick-baselines-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "state.db").string();
  Baseline b;
  b.project = "shop";
  b.name = "latency_march";
  b.spec.kpi = "latency_p95";
  b.spec.filter = {{"model", "gpt-4o"}};
  b.selector.from_ns = 1;
  b.selector.to_ns = 2;
  b.created_ns = 3;
  b.distribution.kind = "quantile";
  b.distribution.stats.kind = kpi::Distribution::Kind::kQuantile;
  b.distribution.stats.quantile = 0.95;
  auto sketch = std::make_shared<stats::DDSketch>();
  for (int i = 1; i <= 100; ++i) sketch->Add(i * 0.1);
  b.distribution.stats.sketch = sketch;
  b.distribution.n = 100;
  b.distribution.value = 9.5;
  {
    auto store = BaselineStore::Open(path);
    ASSERT_TRUE(store) << store.error().message();
    auto put = (*store)->Put(b);
    ASSERT_TRUE(put);
    EXPECT_TRUE(*put);
    b.distribution.n = 1;
    put = (*store)->Put(b);  // immutable: the second write is refused
    ASSERT_TRUE(put);
    EXPECT_FALSE(*put);
  }
  auto store = BaselineStore::Open(path);
  ASSERT_TRUE(store);
  auto got = (*store)->Get("shop", "latency_march");
  ASSERT_TRUE(got && *got);
  EXPECT_EQ((*got)->distribution.n, 100u);
  EXPECT_EQ((*got)->spec.filter, b.spec.filter);
  ASSERT_TRUE((*got)->distribution.stats.sketch);
  EXPECT_TRUE(*(*got)->distribution.stats.sketch == *sketch);
  EXPECT_EQ((*store)->List("")->size(), 1u);
  EXPECT_EQ((*store)->List("bank")->size(), 0u);
  EXPECT_TRUE(*(*store)->Delete("shop", "latency_march"));
  EXPECT_FALSE(*(*store)->Delete("shop", "latency_march"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace yardstick::baselines
