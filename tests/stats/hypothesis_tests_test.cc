#include "stats/hypothesis_tests.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "stats/test_data.h"
#include "support/golden.h"

namespace yardstick::stats {
namespace {

using testing::Doubles;
using testing::ReadStatsData;
using yardstick::testing::GoldenDouble;
using yardstick::testing::NearRelative;
using yardstick::testing::ReadGoldenJsonl;

// The golden README allows a relative 1e-12 for scipy p-values (Cephes vs Boost.Math).
constexpr double kRel = 1e-12;

#define EXPECT_NEAR_REL(actual, expected)                                           \
  EXPECT_TRUE(NearRelative((actual), (expected), kRel))                             \
      << #actual << " = " << ((actual)) << ", expected " << (expected) << " (diff " \
      << ((actual) - (expected)) << ")"

MannWhitneyMethod ParseMethod(const std::string& name) {
  if (name == "exact") return MannWhitneyMethod::kExact;
  if (name == "asymptotic") return MannWhitneyMethod::kAsymptotic;
  return MannWhitneyMethod::kAuto;
}

TEST(HypothesisTestsGolden, ScipyStats) {
  int cases = 0, ttests = 0, mwu = 0;
  for (const auto& c : ReadGoldenJsonl("scipy_stats.jsonl")) {
    const std::vector<double> x = Doubles(c["inputs"]["x"]);
    const std::vector<double> y = Doubles(c["inputs"]["y"]);
    ++cases;
    for (const auto& call : c["calls"]) {
      const auto& opt = call["options"];
      SCOPED_TRACE(c["id"].get<std::string>() + " " + call["fn"].get<std::string>() + " " +
                   opt.dump());
      ASSERT_TRUE(call.contains("expected"));
      const auto& e = call["expected"];
      auto alternative = ParseAlternative(opt["alternative"].get<std::string>());
      ASSERT_TRUE(alternative.has_value());
      if (call["fn"] == "ttest_ind") {
        const bool equal_var = opt["equal_var"].get<bool>();
        auto r = TTestInd(x, y, equal_var, *alternative);
        ASSERT_TRUE(r.has_value()) << r.error().message();
        EXPECT_NEAR_REL(r->statistic, GoldenDouble(e["statistic"]));
        EXPECT_NEAR_REL(r->pvalue, GoldenDouble(e["pvalue"]));
        if (e.contains("df")) {
          EXPECT_NEAR_REL(*r->df, GoldenDouble(e["df"]));
        }
        EXPECT_EQ(r->test, equal_var ? "student_t" : "welch_t");
        ++ttests;
      } else {
        ASSERT_EQ(call["fn"], "mannwhitneyu");
        auto r = MannWhitneyU(x, y, opt["use_continuity"].get<bool>(), *alternative,
                              ParseMethod(opt["method"].get<std::string>()));
        ASSERT_TRUE(r.has_value()) << r.error().message();
        EXPECT_NEAR_REL(r->statistic, GoldenDouble(e["statistic"]));
        EXPECT_NEAR_REL(r->pvalue, GoldenDouble(e["pvalue"]));
        if (e.contains("method_used")) {
          EXPECT_EQ(r->method, e["method_used"].get<std::string>());
        }
        ++mwu;
      }
    }
  }
  EXPECT_EQ(cases, 16);
  EXPECT_EQ(ttests, 96);
  EXPECT_EQ(mwu, 228);
}

TEST(HypothesisTestsGolden, StatsmodelsProportionsZTest) {
  int checked = 0;
  for (const auto& c : ReadStatsData("statsmodels.jsonl")) {
    if (c["fn"] != "proportions_ztest") continue;
    SCOPED_TRACE(c["id"].get<std::string>() + " " + c["options"].dump());
    const auto count = Doubles(c["inputs"]["count"]);
    const auto nobs = Doubles(c["inputs"]["nobs"]);
    auto alternative = ParseAlternative(c["options"]["alternative"].get<std::string>());
    ASSERT_TRUE(alternative.has_value());
    auto r = TwoProportionZTest(count[0], nobs[0], count[1], nobs[1], *alternative,
                                c["options"]["value"].get<double>());
    ASSERT_TRUE(r.has_value()) << r.error().message();
    ASSERT_TRUE(c.contains("expected"));
    EXPECT_NEAR_REL(r->statistic, GoldenDouble(c["expected"]["statistic"]));
    EXPECT_NEAR_REL(r->pvalue, GoldenDouble(c["expected"]["pvalue"]));
    ++checked;
  }
  EXPECT_EQ(checked, 36);
}

TEST(HypothesisTests, WelchFromSumsMatchesGrowthBookGolden) {
  // STATISTICS.md section 1: absolute effect, p = 0.02016 (ttest_ind_from_stats, Welch).
  const SampleSummary control = SummaryFromSums(3407, 1396.87, 52377.9767);
  const SampleSummary treatment = SummaryFromSums(3461, 2422.7, 134698.29);
  auto r = TTestIndFromSummaries(treatment, control, /*equal_var=*/false);
  ASSERT_TRUE(r.has_value());
  EXPECT_NEAR(r->pvalue, 0.02016, 5e-6);
  EXPECT_NEAR(treatment.mean - control.mean, 0.29, 5e-3);
}

TEST(HypothesisTests, ErrorsNameTheSample) {
  const std::vector<double> ok = {1, 2, 3};
  const std::vector<double> empty;
  const std::vector<double> with_nan = {1, std::nan(""), 3};
  auto r = TTestInd(ok, empty, true);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message().find("sample y"), std::string::npos);
  r = MannWhitneyU(with_nan, ok);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message().find("x[1] is NaN"), std::string::npos);
  EXPECT_FALSE(TwoProportionZTest(5, 3, 1, 10).has_value());
  EXPECT_FALSE(ParseAlternative("bigger").has_value());
  EXPECT_EQ(*ParseAlternative("larger"), Alternative::kGreater);
}

TEST(HypothesisTests, SingleValueSamplesGiveNaNLikeScipy) {
  const std::vector<double> one = {1.0};
  const std::vector<double> two = {1.0, 2.0};
  auto r = TTestInd(one, two, true);
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(std::isnan(r->statistic));
  EXPECT_TRUE(std::isnan(r->pvalue));
}

TEST(HypothesisTests, ExactMannWhitneyRefusesHugeProblems) {
  std::vector<double> x(3000), y(3000);
  for (std::size_t i = 0; i < x.size(); ++i) {
    x[i] = static_cast<double>(2 * i);
    y[i] = static_cast<double>(2 * i + 1);
  }
  auto r = MannWhitneyU(x, y, true, Alternative::kTwoSided, MannWhitneyMethod::kExact);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
  auto a = MannWhitneyU(x, y);  // auto: asymptotic
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->method, "asymptotic");
}

}  // namespace
}  // namespace yardstick::stats
