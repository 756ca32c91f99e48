#include "stats/bootstrap.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "stats/numeric.h"
#include "stats/score_functions.h"
#include "stats/test_data.h"
#include "support/golden.h"

namespace yardstick::stats {
namespace {

using testing::Doubles;
using testing::Matrix;
using testing::RatioScore;
using testing::ReadStatsData;
using yardstick::testing::GoldenDouble;
using yardstick::testing::NearRelative;
using yardstick::testing::SameDouble;

#define EXPECT_NEAR_REL(actual, expected, rel)                                      \
  EXPECT_TRUE(NearRelative((actual), (expected), (rel)))                            \
      << #actual << " = " << ((actual)) << ", expected " << (expected) << " (diff " \
      << ((actual) - (expected)) << ")"

SegmentStats ToStats(const std::vector<std::vector<double>>& rows) {
  SegmentStats stats(rows.at(0).size());
  for (const auto& row : rows) stats.AddRow(row);
  return stats;
}

// scipy.stats.bootstrap(..., random_state=np.random.default_rng(seed)): same resamples, so the
// bootstrap distribution is bit-identical; BCa's jackknife differs from scipy's in the last bits
// only (total minus one value instead of a fresh sum), hence 1e-12.
TEST(BootstrapGolden, ScipyBootstrap) {
  int checked = 0;
  for (const auto& c : ReadStatsData("scipy_extra.jsonl")) {
    const std::string fn = c["fn"];
    if (fn != "bootstrap_mean" && fn != "bootstrap_corpus_ratio") continue;
    SCOPED_TRACE(c["id"].get<std::string>() + " " + c["options"].dump());
    BootstrapOptions options;
    options.resamples = c["options"]["n_resamples"].get<int>();
    options.seed = c["options"]["seed"].get<std::uint64_t>();
    options.method = c["options"]["method"] == "BCa" ? CiMethod::kBca : CiMethod::kPercentile;
    options.keep_distribution = true;
    Result<BootstrapCi> r =
        fn == "bootstrap_mean"
            ? BootstrapMean(Doubles(c["inputs"]["x"]), options)
            : BootstrapCorpus(ToStats(Matrix(c["inputs"]["stats"])), RatioScore, options);
    ASSERT_TRUE(r.has_value()) << r.error().message();
    const auto& e = c["expected"];
    const auto head = Doubles(e["distribution_head"]);
    for (std::size_t i = 0; i < head.size(); ++i) {
      EXPECT_TRUE(SameDouble(r->distribution[i], head[i])) << i;
    }
    EXPECT_NEAR_REL(r->low, GoldenDouble(e["low"]), 1e-12);
    EXPECT_NEAR_REL(r->high, GoldenDouble(e["high"]), 1e-12);
    EXPECT_NEAR_REL(r->standard_error, GoldenDouble(e["standard_error"]), 1e-12);
    ++checked;
  }
  EXPECT_EQ(checked, 16);
}

// sacrebleu's corpus_score(..., n_bootstrap=N): Score.estimate_ci over _bootstrap_resample.
TEST(BootstrapGolden, SacrebleuCorpusBootstrap) {
  int checked = 0;
  for (const auto& c : ReadStatsData("sacrebleu_significance.jsonl")) {
    if (c["fn"] != "corpus_bootstrap") continue;
    SCOPED_TRACE(c["id"].get<std::string>() + " " + c["options"].dump());
    BootstrapOptions options;
    options.resamples = c["options"]["n_bootstrap"].get<int>();
    options.seed = c["options"]["seed"].get<std::uint64_t>();
    const SegmentStats stats = ToStats(Matrix(c["inputs"]["systems"][0]));
    auto r = BootstrapCorpus(stats, testing::ScoreByName(c["inputs"]["score"]), options);
    ASSERT_TRUE(r.has_value()) << r.error().message();
    const auto& e = c["expected"];
    EXPECT_TRUE(SameDouble(r->point, GoldenDouble(e["score"]))) << r->point;
    EXPECT_TRUE(SameDouble(r->estimate, GoldenDouble(e["mean"]))) << r->estimate;
    EXPECT_TRUE(SameDouble(r->half_width, GoldenDouble(e["ci"]))) << r->half_width;
    EXPECT_EQ(r->low, r->estimate - r->half_width);
    ++checked;
  }
  EXPECT_EQ(checked, 6);
}

// A statistic of resampled indices sees the same resamples as BootstrapMean.
TEST(Bootstrap, IndicesMatchMeanAndPropagateErrors) {
  const std::vector<double> x = {3.0, 1.5, 4.25, 7.0, 2.0, 9.5, 0.5, 6.0};
  BootstrapOptions options;
  options.method = CiMethod::kBca;
  options.keep_distribution = true;
  auto mean = BootstrapMean(x, options);
  auto by_index = BootstrapIndices(
      x.size(),
      [&](std::span<const std::size_t> idx) -> Result<double> {
        std::vector<double> v;
        for (std::size_t i : idx) v.push_back(x[i]);
        return PairwiseSum(v) / static_cast<double>(v.size());
      },
      options);
  ASSERT_TRUE(mean.has_value());
  ASSERT_TRUE(by_index.has_value());
  EXPECT_EQ(mean->distribution, by_index->distribution);
  EXPECT_NEAR(mean->low, by_index->low, 1e-12);
  EXPECT_NEAR(mean->high, by_index->high, 1e-12);
  int calls = 0;
  auto failing = BootstrapIndices(
      x.size(),
      [&](std::span<const std::size_t>) -> Result<double> {
        if (++calls == 3) return MakeError(ErrorCode::kInvalidArgument, "only one class");
        return 1.0;
      },
      options);
  ASSERT_FALSE(failing.has_value());
  EXPECT_EQ(failing.error().message(), "bootstrap: resample 1: only one class");
}

TEST(Bootstrap, OptionErrors) {
  SegmentStats stats(2);
  stats.AddRow(std::vector<double>{1, 2});
  BootstrapOptions options;
  options.resamples = 0;
  EXPECT_FALSE(BootstrapCorpus(stats, RatioScore, options).has_value());
  options = {};
  options.confidence_level = 0.9;
  auto r = BootstrapCorpus(stats, RatioScore, options);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message().find("0.95"), std::string::npos);
  options.method = CiMethod::kPercentile;
  EXPECT_TRUE(BootstrapCorpus(stats, RatioScore, options).has_value());
  EXPECT_FALSE(BootstrapCorpus(SegmentStats(2), RatioScore, {}).has_value());
  EXPECT_FALSE(BootstrapMean(std::vector<double>{}, {}).has_value());
  EXPECT_FALSE(ParseCiMethod("jackknife").has_value());
  EXPECT_EQ(*ParseCiMethod("bca"), CiMethod::kBca);
}

TEST(Bootstrap, ConstantDataGivesDegenerateIntervals) {
  const std::vector<double> values(20, 3.5);
  for (CiMethod method : {CiMethod::kSacrebleu, CiMethod::kPercentile}) {
    BootstrapOptions options;
    options.method = method;
    auto r = BootstrapMean(values, options);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->low, 3.5);
    EXPECT_EQ(r->high, 3.5);
    EXPECT_EQ(r->standard_error, 0.0);
  }
  BootstrapOptions bca;
  bca.method = CiMethod::kBca;
  auto r = BootstrapMean(values, bca);
  ASSERT_TRUE(r.has_value());  // scipy warns and returns NaN bounds; the honest interval is 3.5
  EXPECT_EQ(r->low, 3.5);
  EXPECT_EQ(r->high, 3.5);
}

TEST(Bootstrap, SingleSegmentCorpus) {
  SegmentStats stats(2);
  stats.AddRow(std::vector<double>{3, 4});
  auto r = BootstrapCorpus(stats, RatioScore, {});
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->point, 75.0);
  EXPECT_EQ(r->estimate, 75.0);
  EXPECT_EQ(r->half_width, 0.0);
}

}  // namespace
}  // namespace yardstick::stats
