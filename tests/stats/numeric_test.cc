#include "stats/numeric.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "stats/test_data.h"
#include "support/golden.h"

namespace yardstick::stats {
namespace {

using testing::Doubles;
using testing::ReadStatsData;
using yardstick::testing::GoldenDouble;
using yardstick::testing::SameDouble;

// numpy 1.24 / Python 3.11 results, compared bit for bit.
TEST(NumericGolden, MatchesNumpyAndPython) {
  int checked = 0;
  for (const auto& c : ReadStatsData("numeric.jsonl")) {
    SCOPED_TRACE(c["id"].get<std::string>());
    const std::vector<double> x = Doubles(c["inputs"]["x"]);
    const auto& e = c["expected"];
    EXPECT_TRUE(SameDouble(PairwiseSum(x), GoldenDouble(e["np_sum"]))) << PairwiseSum(x);
    EXPECT_TRUE(SameDouble(NumpyMean(x), GoldenDouble(e["np_mean"]))) << NumpyMean(x);
    EXPECT_TRUE(SameDouble(ExactMean(x), GoldenDouble(e["statistics_mean"]))) << ExactMean(x);
    std::vector<double> sorted = x;
    std::sort(sorted.begin(), sorted.end());
    const std::vector<double> qs = Doubles(c["options"]["q"]);
    const std::vector<double> percentiles = Doubles(e["np_percentile"]);
    for (std::size_t i = 0; i < qs.size(); ++i) {
      EXPECT_TRUE(SameDouble(Percentile(sorted, qs[i]), percentiles[i])) << "q=" << qs[i];
    }
    EXPECT_EQ(AverageRanks(x), Doubles(e["rankdata"]));
    const double std_expected = GoldenDouble(e["np_std_ddof1"]);
    if (!std::isinf(PairwiseSum(x))) {
      EXPECT_TRUE(SameDouble(SampleStd(x), std_expected)) << SampleStd(x);
    }
    ++checked;
  }
  EXPECT_EQ(checked, 10);
}

TEST(Numeric, ExactMeanIsCorrectlyRounded) {
  // 0.1 + 0.2 + 0.3 summed in floating point is 0.6000000000000001; the exact mean rounds to 0.2.
  const std::vector<double> a = {0.1, 0.2, 0.3};
  EXPECT_EQ(ExactMean(a), 0.2);
  const std::vector<double> big = {1e308, 1e308, -1e308};
  EXPECT_EQ(ExactMean(big), 1e308 / 3);
  const std::vector<double> negative = {-1.5, -2.5};
  EXPECT_EQ(ExactMean(negative), -2.0);
  EXPECT_TRUE(std::isnan(ExactMean(std::vector<double>{})));
  EXPECT_TRUE(std::isnan(ExactMean(std::vector<double>{1.0, INFINITY})));
}

TEST(Numeric, PercentileEdges) {
  const std::vector<double> one = {4.0};
  EXPECT_EQ(Percentile(one, 50), 4.0);
  EXPECT_TRUE(std::isnan(Percentile(std::vector<double>{}, 50)));
  const std::vector<double> two = {1.0, 3.0};
  EXPECT_EQ(Percentile(two, 50), 2.0);
  EXPECT_EQ(Percentile(two, 0), 1.0);
  EXPECT_EQ(Percentile(two, 100), 3.0);
}

TEST(Numeric, TieTerm) {
  const std::vector<double> v = {1, 2, 2, 3, 3, 3};
  EXPECT_EQ(TieTerm(v), (8 - 2) + (27 - 3));
}

}  // namespace
}  // namespace yardstick::stats
