#include "stats/paired_samples.h"

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

constexpr double kRel = 1e-12;

#define EXPECT_NEAR_REL(actual, expected)                                           \
  EXPECT_TRUE(NearRelative((actual), (expected), kRel))                             \
      << #actual << " = " << ((actual)) << ", expected " << (expected) << " (diff " \
      << ((actual) - (expected)) << ")"

WilcoxonOptions ParseWilcoxonOptions(const nlohmann::json& o) {
  WilcoxonOptions options;
  const auto zm = o["zero_method"].get<std::string>();
  options.zero_method = zm == "pratt"    ? ZeroMethod::kPratt
                        : zm == "zsplit" ? ZeroMethod::kZsplit
                                         : ZeroMethod::kWilcox;
  options.correction = o["correction"].get<bool>();
  options.alternative = *ParseAlternative(o["alternative"].get<std::string>());
  const auto m = o["method"].get<std::string>();
  options.method = m == "exact"    ? WilcoxonMethod::kExact
                   : m == "approx" ? WilcoxonMethod::kApprox
                                   : WilcoxonMethod::kAuto;
  return options;
}

TEST(PairedSamplesGolden, ScipyWilcoxon) {
  int checked = 0, errors = 0;
  for (const auto& c : ReadStatsData("scipy_extra.jsonl")) {
    if (c["fn"] != "wilcoxon") continue;
    SCOPED_TRACE(c["id"].get<std::string>() + " " + c["options"].dump());
    const std::vector<double> x = Doubles(c["inputs"]["x"]);
    const std::vector<double> y =
        c["inputs"]["y"].is_null() ? std::vector<double>{} : Doubles(c["inputs"]["y"]);
    auto r = Wilcoxon(x, y, ParseWilcoxonOptions(c["options"]));
    if (c.contains("error")) {
      EXPECT_FALSE(r.has_value()) << "scipy raised " << c["error"];
      ++errors;
      continue;
    }
    ASSERT_TRUE(r.has_value()) << r.error().message();
    const auto& e = c["expected"];
    EXPECT_NEAR_REL(r->statistic, GoldenDouble(e["statistic"]));
    EXPECT_NEAR_REL(r->pvalue, GoldenDouble(e["pvalue"]));
    if (e.contains("zstatistic")) {
      ASSERT_TRUE(r->zstatistic.has_value());
      EXPECT_NEAR_REL(*r->zstatistic, GoldenDouble(e["zstatistic"]));
    }
    ++checked;
  }
  EXPECT_EQ(checked + errors, 435);
  EXPECT_EQ(errors, 36);
}

TEST(PairedSamplesGolden, ScipyPermutationTestExact) {
  int checked = 0;
  for (const auto& c : ReadStatsData("scipy_extra.jsonl")) {
    if (c["fn"] != "permutation_test_paired_mean") continue;
    SCOPED_TRACE(c["id"].get<std::string>() + " " + c["options"].dump());
    PermutationOptions options;
    options.alternative = *ParseAlternative(c["options"]["alternative"].get<std::string>());
    options.resamples = c["options"]["n_resamples"].get<int>();
    auto r = PairedPermutation(Doubles(c["inputs"]["x"]), Doubles(c["inputs"]["y"]), options);
    ASSERT_TRUE(r.has_value()) << r.error().message();
    EXPECT_EQ(r->method, "exact");
    EXPECT_NEAR_REL(r->statistic, GoldenDouble(c["expected"]["statistic"]));
    EXPECT_NEAR_REL(r->pvalue, GoldenDouble(c["expected"]["pvalue"]));
    ++checked;
  }
  EXPECT_EQ(checked, 12);
}

TEST(PairedSamplesGolden, StatsmodelsMcNemar) {
  int checked = 0;
  for (const auto& c : ReadStatsData("statsmodels.jsonl")) {
    if (c["fn"] != "mcnemar") continue;
    SCOPED_TRACE(c["id"].get<std::string>() + " " + c["options"].dump());
    DiscordantPairs pairs{c["inputs"]["b"].get<double>(), c["inputs"]["c"].get<double>()};
    const bool exact = c["options"]["exact"].get<bool>();
    auto r = McNemar(pairs, exact, c["options"]["correction"].get<bool>());
    ASSERT_TRUE(r.has_value()) << r.error().message();
    ++checked;
    if (!exact && pairs.a_only + pairs.b_only == 0) {
      // Documented deviation: statsmodels divides by zero (inf / NaN); no discordant pairs is no
      // evidence of a difference.
      EXPECT_EQ(r->statistic, 0.0);
      EXPECT_EQ(r->pvalue, 1.0);
      continue;
    }
    EXPECT_NEAR_REL(r->statistic, GoldenDouble(c["expected"]["statistic"]));
    EXPECT_NEAR_REL(r->pvalue, GoldenDouble(c["expected"]["pvalue"]));
  }
  EXPECT_EQ(checked, 27);
}

TEST(PairedSamples, McNemarFromOutcomes) {
  const std::vector<bool> a = {true, true, false, true, false, true};
  const std::vector<bool> b = {true, false, false, false, true, false};
  auto pairs = CountDiscordant(a, b);
  ASSERT_TRUE(pairs.has_value());
  EXPECT_EQ(pairs->a_only, 3);
  EXPECT_EQ(pairs->b_only, 1);
  auto r = McNemar(*pairs);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->statistic, 1);
  EXPECT_NEAR(r->pvalue, 0.625, 1e-15);  // 2 * P(X <= 1), X ~ Bin(4, 1/2) = 2 * 5/16
  const std::vector<bool> short_b = {true};
  EXPECT_FALSE(CountDiscordant(a, short_b).has_value());
  EXPECT_FALSE(McNemar({1.5, 2}, /*exact=*/true).has_value());
}

TEST(PairedSamples, WilcoxonErrorsAndEdges) {
  const std::vector<double> x = {1, 2, 3}, y = {1, 2};
  auto r = Wilcoxon(x, y);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message().find("differ in length"), std::string::npos);
  auto empty = Wilcoxon(std::vector<double>{}, std::vector<double>{});
  ASSERT_TRUE(empty.has_value());
  EXPECT_TRUE(std::isnan(empty->pvalue));
  EXPECT_FALSE(Wilcoxon(std::vector<double>{1.0, std::nan("")}, {}).has_value());
}

TEST(PairedSamples, PermutationRandomizedPathIsSeededAndSane) {
  std::vector<double> x(40), y(40);
  for (std::size_t i = 0; i < x.size(); ++i) {
    x[i] = std::sin(static_cast<double>(i)) + 0.4;
    y[i] = std::cos(static_cast<double>(i));
  }
  PermutationOptions options;
  auto a = PairedPermutation(x, y, options);
  auto b = PairedPermutation(x, y, options);
  ASSERT_TRUE(a.has_value());
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(a->method, "randomized");
  EXPECT_EQ(a->pvalue, b->pvalue);
  EXPECT_GT(a->pvalue, 0.0);
  EXPECT_LE(a->pvalue, 1.0);
  // Identical samples: every sign flip gives the observed statistic 0.
  auto same = PairedPermutation(x, x, options);
  ASSERT_TRUE(same.has_value());
  EXPECT_EQ(same->pvalue, 1.0);
  EXPECT_FALSE(PairedPermutation(std::vector<double>{1.0}, std::vector<double>{2.0}).has_value());
}

}  // namespace
}  // namespace yardstick::stats
