#include "stats/multiple_testing.h"

#include <gtest/gtest.h>

#include <string>

#include "stats/test_data.h"
#include "support/golden.h"

namespace yardstick::stats {
namespace {

using testing::Doubles;
using testing::ReadStatsData;
using yardstick::testing::NearRelative;

TEST(MultipleTestingGolden, StatsmodelsMultipletests) {
  int checked = 0;
  for (const auto& c : ReadStatsData("statsmodels.jsonl")) {
    if (c["fn"] != "multipletests") continue;
    SCOPED_TRACE(c["id"].get<std::string>() + " " + c["options"].dump());
    auto correction = ParseCorrection(c["options"]["method"].get<std::string>());
    ASSERT_TRUE(correction.has_value());
    auto r = AdjustPValues(Doubles(c["inputs"]["pvalues"]), *correction,
                           c["options"]["alpha"].get<double>());
    ASSERT_TRUE(r.has_value()) << r.error().message();
    const auto adjusted = Doubles(c["expected"]["adjusted"]);
    const auto reject = c["expected"]["reject"].get<std::vector<bool>>();
    ASSERT_EQ(r->adjusted.size(), adjusted.size());
    for (std::size_t i = 0; i < adjusted.size(); ++i) {
      // Same operations in the same order as statsmodels: bit-identical.
      EXPECT_EQ(r->adjusted[i], adjusted[i]) << i;
    }
    EXPECT_EQ(r->reject, reject);
    ++checked;
  }
  EXPECT_EQ(checked, 40);
}

// STATISTICS.md section 8.
TEST(MultipleTesting, BenjaminiHochbergSpecGolden) {
  const std::vector<double> p = {.001, .008, .039, .041, .042, .06, .074, .205, .212, .216};
  auto r = AdjustPValues(p, Correction::kBenjaminiHochberg, 0.05);
  ASSERT_TRUE(r.has_value());
  const std::vector<double> expected = {.01, .04, .084, .084, .084, .1, .1057, .216, .216, .216};
  for (std::size_t i = 0; i < p.size(); ++i) {
    EXPECT_NEAR(r->adjusted[i], expected[i], 5e-5) << i;
    EXPECT_EQ(r->reject[i], i < 2) << i;
  }
}

TEST(MultipleTesting, Errors) {
  EXPECT_FALSE(AdjustPValues({}, Correction::kHolm).has_value());
  const std::vector<double> bad = {0.1, 1.5};
  auto r = AdjustPValues(bad, Correction::kHolm);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message().find("p-value 1"), std::string::npos);
  const std::vector<double> ok = {0.1};
  EXPECT_FALSE(AdjustPValues(ok, Correction::kHolm, 0.0).has_value());
  EXPECT_FALSE(ParseCorrection("sidak").has_value());
}

}  // namespace
}  // namespace yardstick::stats
