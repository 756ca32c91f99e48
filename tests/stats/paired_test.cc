#include "stats/paired.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "stats/score_functions.h"
#include "stats/test_data.h"
#include "support/golden.h"

namespace yardstick::stats {
namespace {

using testing::Matrix;
using testing::RatioScore;
using testing::ReadStatsData;
using yardstick::testing::GoldenDouble;
using yardstick::testing::SameDouble;

SegmentStats ToStats(const std::vector<std::vector<double>>& rows) {
  SegmentStats stats(rows.at(0).size());
  for (const auto& row : rows) stats.AddRow(row);
  return stats;
}

void ExpectSame(double actual, const nlohmann::json& expected, const char* what) {
  const double e = expected.is_null() ? std::nan("") : GoldenDouble(expected);
  EXPECT_TRUE(SameDouble(actual, e)) << what << " = " << actual << ", expected " << e;
}

// sacrebleu 2.6.0's PairedTest (bs and ar), run on integer statistics: bit-identical results.
TEST(PairedGolden, SacrebleuPairedTests) {
  int checked = 0, rows = 0;
  for (const auto& c : ReadStatsData("sacrebleu_significance.jsonl")) {
    if (c["fn"] != "paired_test") continue;
    const auto& opt = c["options"];
    SCOPED_TRACE(c["id"].get<std::string>() + " " + opt.dump());
    std::vector<SegmentStats> all;
    for (const auto& system : c["inputs"]["systems"]) all.push_back(ToStats(Matrix(system)));
    const SegmentStats baseline = all[0];
    const std::span<const SegmentStats> systems(all.data() + 1, all.size() - 1);
    const ScoreFn score = testing::ScoreByName(c["inputs"]["score"]);
    Result<PairedTestResult> r = MakeError(ErrorCode::kInternal, "unset");
    if (opt["test"] == "bs") {
      PairedBootstrapOptions options;
      options.resamples = opt["n_samples"].get<int>();
      options.seed = opt["seed"].get<std::uint64_t>();
      r = PairedBootstrap(baseline, systems, score, options);
    } else {
      ApproximateRandomizationOptions options;
      options.trials = opt["n_samples"].get<int>();
      options.confidence_resamples = std::max(opt["n_ar_confidence"].get<int>(), 0);
      options.seed = opt["seed"].get<std::uint64_t>();
      r = ApproximateRandomization(baseline, systems, score, options);
    }
    ASSERT_TRUE(r.has_value()) << r.error().message();
    EXPECT_EQ(r->test, opt["test"].get<std::string>());
    const auto& expected = c["expected"];
    ASSERT_EQ(r->systems.size() + 1, expected.size());
    for (std::size_t k = 0; k < expected.size(); ++k) {
      SCOPED_TRACE("row " + std::to_string(k));
      const SystemResult& got = k == 0 ? r->baseline : r->systems[k - 1];
      ExpectSame(got.score, expected[k]["score"], "score");
      ExpectSame(got.p_value, expected[k]["p_value"], "p_value");
      ExpectSame(got.mean, expected[k]["mean"], "mean");
      ExpectSame(got.half_width, expected[k]["ci"], "ci");
      ++rows;
    }
    ++checked;
  }
  EXPECT_EQ(checked, 10);
  EXPECT_EQ(rows, 27);
}

TEST(Paired, ShapeErrors) {
  SegmentStats base(2), other(2), wide(3);
  base.AddRow(std::vector<double>{1, 2});
  other.AddRow(std::vector<double>{1, 2});
  other.AddRow(std::vector<double>{1, 2});
  wide.AddRow(std::vector<double>{1, 2, 3});
  const SegmentStats none[] = {other};
  auto r = PairedBootstrap(base, none, RatioScore);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message().find("system 0 has 2 segments"), std::string::npos);
  const SegmentStats wrong_width[] = {wide};
  EXPECT_FALSE(ApproximateRandomization(base, wrong_width, RatioScore).has_value());
  EXPECT_FALSE(PairedBootstrap(base, {}, RatioScore).has_value());
  const SegmentStats same[] = {base};
  PairedBootstrapOptions bad;
  bad.resamples = 0;
  EXPECT_FALSE(PairedBootstrap(base, same, RatioScore, bad).has_value());
}

TEST(Paired, SystemAgainstItselfIsNotSignificant) {
  SegmentStats stats(2);
  for (int i = 0; i < 50; ++i) {
    stats.AddRow(std::vector<double>{static_cast<double>(i % 7), static_cast<double>(i % 7 + 3)});
  }
  const SegmentStats systems[] = {stats};
  auto bs = PairedBootstrap(stats, systems, RatioScore);
  ASSERT_TRUE(bs.has_value());
  EXPECT_EQ(bs->systems[0].p_value, 1.0 / 1001.0);  // centred |d| = 0 is never > 0
  auto ar = ApproximateRandomization(stats, systems, RatioScore);
  ASSERT_TRUE(ar.has_value());
  EXPECT_EQ(ar->systems[0].p_value, 1.0 / 10001.0);
  EXPECT_TRUE(std::isnan(ar->systems[0].mean));  // no confidence resamples requested
}

}  // namespace
}  // namespace yardstick::stats
