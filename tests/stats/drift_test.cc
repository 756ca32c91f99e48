#include "stats/drift.h"

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
using testing::Matrix;
using testing::ReadStatsData;
using yardstick::testing::GoldenDouble;
using yardstick::testing::NearRelative;

// scipy's special functions (Cephes) vs Boost.Math and glibc vs numpy's SIMD logarithms.
constexpr double kRel = 1e-12;
// One-sided exact KS p-values go through binomial coefficients with cancellation.
constexpr double kRelOneSidedExact = 1e-11;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

#define EXPECT_NEAR_REL_TOL(actual, expected, tol)                                  \
  EXPECT_TRUE(NearRelative((actual), (expected), (tol)))                            \
      << #actual << " = " << ((actual)) << ", expected " << (expected) << " (diff " \
      << ((actual) - (expected)) << ")"
#define EXPECT_NEAR_REL(actual, expected) EXPECT_NEAR_REL_TOL(actual, expected, kRel)

Alternative ParseAlt(const std::string& name) {
  if (name == "less") return Alternative::kLess;
  if (name == "greater") return Alternative::kGreater;
  return Alternative::kTwoSided;
}

KsMethod ParseKsMethod(const std::string& name) {
  if (name == "exact") return KsMethod::kExact;
  if (name == "asymp") return KsMethod::kAsymptotic;
  return KsMethod::kAuto;
}

Binning ParseBinning(const nlohmann::json& o) {
  const std::string kind = o["binning"].get<std::string>();
  if (kind == "quantiles") return Binning::ReferenceQuantiles(o["bins"].get<int>());
  if (kind == "sturges") return Binning::Sturges();
  return Binning::Edges(Doubles(o["edges"]));
}

std::optional<double> ParseBase(const nlohmann::json& o) {
  if (o["base"].is_null()) return std::nullopt;
  return GoldenDouble(o["base"]);
}

TEST(DriftGolden, KolmogorovSmirnovScipy) {
  int exact = 0, asymptotic = 0;
  for (const auto& c : ReadStatsData("drift.jsonl")) {
    if (c["fn"] != "ks_2samp") continue;
    SCOPED_TRACE(c["id"].get<std::string>());
    const auto& o = c["options"];
    const auto& e = c["expected"];
    const Alternative alternative = ParseAlt(o["alternative"].get<std::string>());
    auto r = KolmogorovSmirnov2Samp(Doubles(c["inputs"]["x"]), Doubles(c["inputs"]["y"]),
                                    alternative, ParseKsMethod(o["method"].get<std::string>()));
    ASSERT_TRUE(r.has_value()) << r.error().message();
    EXPECT_EQ(r->result.method, e["method"].get<std::string>());
    EXPECT_EQ(r->result.statistic, GoldenDouble(e["statistic"]));
    EXPECT_EQ(r->location, GoldenDouble(e["location"]));
    EXPECT_EQ(r->sign, e["sign"].get<int>());
    if (e["method"] == "exact") {
      EXPECT_NEAR_REL_TOL(r->result.pvalue, GoldenDouble(e["pvalue"]),
                          alternative == Alternative::kTwoSided ? kRel : kRelOneSidedExact);
      ++exact;
    } else if (alternative == Alternative::kTwoSided) {
      // Stephens' approximation, computed with scipy.special.kolmogorov. scipy's own asymptotic
      // p-value (kstwo) differs; both stay near the exact one.
      EXPECT_NEAR_REL(r->result.pvalue, GoldenDouble(e["stephens_pvalue"]));
      const double exact_p = GoldenDouble(e["exact_pvalue"]);
      EXPECT_NEAR(r->result.pvalue, exact_p, 0.015);
      EXPECT_NEAR(GoldenDouble(e["pvalue"]), exact_p, 0.015);
      ++asymptotic;
    } else {
      EXPECT_NEAR_REL(r->result.pvalue, GoldenDouble(e["pvalue"]));
      ++asymptotic;
    }
  }
  EXPECT_EQ(exact, 94);
  EXPECT_EQ(asymptotic, 9);
}

TEST(DriftGolden, CountsPsiJensenShannonChiSquare) {
  int psi = 0, js = 0, chi2 = 0;
  for (const auto& c : ReadStatsData("drift.jsonl")) {
    const std::string fn = c["fn"].get<std::string>();
    SCOPED_TRACE(c["id"].get<std::string>());
    const auto& e = c["expected"];
    if (fn == "psi_counts") {
      auto r = PsiFromCounts(Doubles(c["inputs"]["reference"]), Doubles(c["inputs"]["current"]));
      ASSERT_TRUE(r.has_value()) << r.error().message();
      EXPECT_NEAR_REL(*r, GoldenDouble(e["psi"]));
      ++psi;
    } else if (fn == "js_counts") {
      auto r = JensenShannonFromCounts(Doubles(c["inputs"]["reference"]),
                                       Doubles(c["inputs"]["current"]), ParseBase(c["options"]));
      ASSERT_TRUE(r.has_value()) << r.error().message();
      EXPECT_NEAR_REL(r->distance, GoldenDouble(e["distance"]));
      EXPECT_NEAR_REL(r->divergence, GoldenDouble(e["divergence"]));
      ++js;
    } else if (fn == "chi2_homogeneity" || fn == "chi2_table") {
      Result<TestResult> r = fn == "chi2_table"
                                 ? ChiSquareContingency(Matrix(c["inputs"]["table"]),
                                                        c["options"]["correction"].get<bool>())
                                 : ChiSquareHomogeneity(Doubles(c["inputs"]["reference"]),
                                                        Doubles(c["inputs"]["current"]),
                                                        c["options"]["correction"].get<bool>());
      ASSERT_TRUE(r.has_value()) << r.error().message();
      EXPECT_NEAR_REL(r->statistic, GoldenDouble(e["statistic"]));
      // Below 1e-300 scipy's chi2.sf underflows to 0 where Boost.Math returns a subnormal.
      const double p = GoldenDouble(e["pvalue"]);
      if (p < 1e-300) {
        EXPECT_LT(r->pvalue, 1e-300);
      } else {
        EXPECT_NEAR_REL(r->pvalue, p);
      }
      EXPECT_EQ(*r->df, GoldenDouble(e["df"]));
      ++chi2;
    }
  }
  EXPECT_EQ(psi, 10);
  EXPECT_EQ(js, 20);
  EXPECT_EQ(chi2, 21);
}

TEST(DriftGolden, SamplesBinnedPsiAndJensenShannon) {
  int psi = 0, js = 0;
  for (const auto& c : ReadStatsData("drift.jsonl")) {
    const std::string fn = c["fn"].get<std::string>();
    if (fn != "psi" && fn != "js") continue;
    SCOPED_TRACE(c["id"].get<std::string>());
    const std::vector<double> ref = Doubles(c["inputs"]["reference"]);
    const std::vector<double> cur = Doubles(c["inputs"]["current"]);
    const Binning binning = ParseBinning(c["options"]);
    const auto& e = c["expected"];
    if (fn == "psi") {
      auto binned = BinSamples(ref, cur, binning);
      ASSERT_TRUE(binned.has_value()) << binned.error().message();
      EXPECT_EQ(binned->edges, Doubles(e["edges"]));
      EXPECT_EQ(binned->reference_counts, Doubles(e["reference_counts"]));
      EXPECT_EQ(binned->current_counts, Doubles(e["current_counts"]));
      auto r = Psi(ref, cur, binning);
      ASSERT_TRUE(r.has_value()) << r.error().message();
      EXPECT_NEAR_REL(*r, GoldenDouble(e["psi"]));
      ++psi;
    } else {
      auto r = JensenShannonSamples(ref, cur, binning);
      ASSERT_TRUE(r.has_value()) << r.error().message();
      EXPECT_NEAR_REL(r->distance, GoldenDouble(e["distance"]));
      EXPECT_NEAR_REL(r->divergence, GoldenDouble(e["divergence"]));
      ++js;
    }
  }
  EXPECT_EQ(psi, 24);
  EXPECT_EQ(js, 24);
}

TEST(DriftGolden, Categorical) {
  int checked = 0;
  for (const auto& c : ReadStatsData("drift.jsonl")) {
    if (c["fn"] != "categorical") continue;
    const auto ref = c["inputs"]["reference"].get<std::vector<std::string>>();
    const auto cur = c["inputs"]["current"].get<std::vector<std::string>>();
    const auto& e = c["expected"];
    const CategoryCounts rc = CountCategories(ref), cc = CountCategories(cur);
    const AlignedCounts aligned = AlignCategories(rc, cc);
    EXPECT_EQ(aligned.categories, e["categories"].get<std::vector<std::string>>());
    EXPECT_EQ(aligned.reference, Doubles(e["reference_counts"]));
    EXPECT_EQ(aligned.current, Doubles(e["current_counts"]));
    EXPECT_NEAR_REL(*PsiCategorical(rc, cc), GoldenDouble(e["psi"]));
    EXPECT_NEAR_REL(JensenShannonCategorical(rc, cc)->distance, GoldenDouble(e["js_distance"]));
    auto chi2 = ChiSquareCategorical(rc, cc);
    ASSERT_TRUE(chi2);
    EXPECT_NEAR_REL(chi2->statistic, GoldenDouble(e["chi2_statistic"]));
    EXPECT_NEAR_REL(chi2->pvalue, GoldenDouble(e["chi2_pvalue"]));
    EXPECT_EQ(*chi2->df, GoldenDouble(e["chi2_df"]));
    ++checked;
  }
  EXPECT_EQ(checked, 1);
}

TEST(DriftGolden, WassersteinScipy) {
  int plain = 0, weighted = 0;
  for (const auto& c : ReadStatsData("drift.jsonl")) {
    SCOPED_TRACE(c["id"].get<std::string>());
    const auto& in = c["inputs"];
    if (c["fn"] != "wasserstein" && c["fn"] != "wasserstein_weighted") continue;
    const double expected = GoldenDouble(c["expected"]["distance"]);
    if (c["fn"] == "wasserstein") {
      auto r = WassersteinDistance(Doubles(in["u"]), Doubles(in["v"]));
      ASSERT_TRUE(r.has_value()) << r.error().message();
      EXPECT_NEAR_REL(*r, expected);
      ++plain;
    } else {
      auto r = WassersteinDistanceWeighted(Doubles(in["u"]), Doubles(in["u_weights"]),
                                           Doubles(in["v"]), Doubles(in["v_weights"]));
      ASSERT_TRUE(r.has_value()) << r.error().message();
      EXPECT_NEAR_REL(*r, expected);
      ++weighted;
    }
  }
  EXPECT_EQ(plain, 5);
  EXPECT_EQ(weighted, 3);
}

TEST(Drift, IdenticalDistributionsShowNoDrift) {
  const std::vector<double> x = {3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9};
  EXPECT_EQ(*Psi(x, x), 0.0);
  EXPECT_EQ(JensenShannonSamples(x, x)->distance, 0.0);
  EXPECT_EQ(*WassersteinDistance(x, x), 0.0);
  auto ks = KolmogorovSmirnov2Samp(x, x);
  EXPECT_EQ(ks->result.statistic, 0.0);
  EXPECT_EQ(ks->result.pvalue, 1.0);
  const std::vector<double> counts = {4, 0, 7, 1};
  auto chi2 = ChiSquareHomogeneity(counts, counts);
  EXPECT_EQ(chi2->statistic, 0.0);
  EXPECT_EQ(chi2->pvalue, 1.0);
  EXPECT_EQ(*chi2->df, 2.0);  // the empty bin is dropped
}

TEST(Drift, JensenShannonBounds) {
  const std::vector<double> a = {10, 0}, b = {0, 10};
  EXPECT_NEAR(JensenShannonFromCounts(a, b)->distance, std::sqrt(std::log(2.0)), 1e-15);
  EXPECT_NEAR(JensenShannonFromCounts(a, b, 2.0)->distance, 1.0, 1e-15);
  EXPECT_FALSE(JensenShannonFromCounts(a, b, 1.0));
  EXPECT_FALSE(JensenShannonFromCounts(a, b, -2.0));
  EXPECT_FALSE(JensenShannonFromCounts(a, b, kNaN));
}

TEST(Drift, PsiZeroShareConvention) {
  // Reference shares (0.5, 0.5, 0) -> third becomes 1e-4; current (0.25, 0.25, 0.5).
  const double psi = *PsiFromCounts(std::vector<double>{2, 2, 0}, std::vector<double>{1, 1, 2});
  const double expected =
      2 * (0.25 - 0.5) * std::log(0.25 / 0.5) + (0.5 - 1e-4) * std::log(0.5 / 1e-4);
  EXPECT_NEAR(psi, expected, 1e-12);
}

TEST(Drift, BinningDetails) {
  // Edges: right-open bins, the last closed; values outside are an error naming the value.
  const std::vector<double> ref = {0, 1, 2, 3, 4}, cur = {4, 4, 0.5};
  auto binned = BinSamples(ref, cur, Binning::Edges({0, 2, 4}));
  ASSERT_TRUE(binned);
  EXPECT_EQ(binned->reference_counts, (std::vector<double>{2, 3}));
  EXPECT_EQ(binned->current_counts, (std::vector<double>{1, 2}));
  auto outside = BinSamples(ref, std::vector<double>{5}, Binning::Edges({0, 2, 4}));
  ASSERT_FALSE(outside);
  EXPECT_NE(outside.error().message().find("current[0] = 5 is outside"), std::string::npos)
      << outside.error().message();
  EXPECT_TRUE(BinSamples(ref, std::vector<double>{5}, Binning::Edges({-kInf, 2, kInf})));
  EXPECT_FALSE(BinSamples(ref, cur, Binning::Edges({0})));
  EXPECT_FALSE(BinSamples(ref, cur, Binning::Edges({0, 2, 2})));
  EXPECT_FALSE(BinSamples(ref, cur, Binning::Edges({0, kNaN, 4})));
  // Quantile bins of a constant reference collapse to two bins around the constant.
  const std::vector<double> constant(20, 7.0);
  auto q = BinSamples(constant, std::vector<double>{6, 7, 8}, Binning::ReferenceQuantiles(10));
  ASSERT_TRUE(q);
  EXPECT_EQ(q->edges, (std::vector<double>{-kInf, 7, kInf}));
  EXPECT_EQ(q->current_counts, (std::vector<double>{1, 2}));
  EXPECT_FALSE(BinSamples(ref, cur, Binning::ReferenceQuantiles(0)));
  EXPECT_TRUE(BinSamples(ref, cur, Binning::ReferenceQuantiles(1)));
  // Sturges over a single repeated value: one bin [v - 0.5, v + 0.5].
  auto s = BinSamples(std::vector<double>{3, 3}, std::vector<double>{3}, Binning::Sturges());
  ASSERT_TRUE(s);
  EXPECT_EQ(s->edges, (std::vector<double>{2.5, 3.5}));
}

TEST(Drift, RejectsBadInput) {
  const std::vector<double> ok = {1, 2, 3};
  const std::vector<double> empty;
  const std::vector<double> with_nan = {1, kNaN};
  const std::vector<double> with_inf = {1, kInf};
  EXPECT_FALSE(KolmogorovSmirnov2Samp(empty, ok));
  EXPECT_FALSE(KolmogorovSmirnov2Samp(ok, with_nan));
  auto inf = KolmogorovSmirnov2Samp(with_inf, ok);
  ASSERT_FALSE(inf);
  EXPECT_NE(inf.error().message().find("x[1]"), std::string::npos) << inf.error().message();
  EXPECT_FALSE(Psi(ok, empty));
  EXPECT_FALSE(WassersteinDistance(ok, with_nan));
  // Weights: lengths, negatives, zero sums.
  EXPECT_FALSE(WassersteinDistanceWeighted(ok, std::vector<double>{1, 1}, ok, ok));
  EXPECT_FALSE(WassersteinDistanceWeighted(ok, std::vector<double>{1, -1, 1}, ok, ok));
  EXPECT_FALSE(WassersteinDistanceWeighted(ok, std::vector<double>{0, 0, 0}, ok, ok));
  // Counts: lengths, negatives, NaN, empty totals.
  const std::vector<double> counts = {1, 2};
  EXPECT_FALSE(PsiFromCounts(counts, ok));
  auto negative = PsiFromCounts(counts, std::vector<double>{1, -2});
  ASSERT_FALSE(negative);
  EXPECT_NE(negative.error().message().find("current counts[1] = -2"), std::string::npos)
      << negative.error().message();
  EXPECT_FALSE(JensenShannonFromCounts(counts, std::vector<double>{0, 0}));
  EXPECT_FALSE(JensenShannonFromCounts(counts, std::vector<double>{kNaN, 1}));
  EXPECT_FALSE(ChiSquareHomogeneity(counts, std::vector<double>{0, 0}));
  EXPECT_FALSE(ChiSquareHomogeneity(empty, empty));
  const std::vector<std::vector<double>> ragged = {{1, 2}, {1, 2, 3}};
  EXPECT_FALSE(ChiSquareContingency(ragged));
  EXPECT_FALSE(ChiSquareContingency(std::vector<std::vector<double>>{}));
  EXPECT_FALSE(PsiCategorical({}, {{"a", 1}}));
}

TEST(Drift, KolmogorovSmirnovMethods) {
  // Samples larger than 10000 take the asymptotic path under kAuto, as in scipy.
  std::vector<double> big, small;
  for (int i = 0; i < 10001; ++i) big.push_back(i * 0.001);
  for (int i = 0; i < 50; ++i) small.push_back(i * 0.2 + 0.05);
  auto r = KolmogorovSmirnov2Samp(big, small);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result.method, "asymptotic");
  auto exact = KolmogorovSmirnov2Samp(big, small, Alternative::kTwoSided, KsMethod::kExact);
  ASSERT_TRUE(exact);
  EXPECT_EQ(exact->result.method, "exact");
  EXPECT_NEAR(exact->result.pvalue, r->result.pvalue, 0.02);
  auto asymptotic = KolmogorovSmirnov2Samp(small, small, Alternative::kLess, KsMethod::kAsymptotic);
  ASSERT_TRUE(asymptotic);
  EXPECT_EQ(asymptotic->result.method, "asymptotic");
  EXPECT_EQ(asymptotic->result.pvalue, 1.0);
}

TEST(Drift, KolmogorovSfValues) {
  EXPECT_EQ(KolmogorovSf(0), 1.0);
  EXPECT_EQ(KolmogorovSf(-1), 1.0);
  EXPECT_TRUE(std::isnan(KolmogorovSf(kNaN)));
  int checked = 0;
  for (const auto& c : ReadStatsData("drift.jsonl")) {
    if (c["fn"] != "kolmogorov_sf") continue;
    const auto z = Doubles(c["inputs"]["z"]), sf = Doubles(c["expected"]["sf"]);
    ASSERT_EQ(z.size(), sf.size());
    for (std::size_t i = 0; i < z.size(); ++i) {
      SCOPED_TRACE(z[i]);
      EXPECT_NEAR_REL(KolmogorovSf(z[i]), sf[i]);
      ++checked;
    }
  }
  EXPECT_EQ(checked, 16);
}

}  // namespace
}  // namespace yardstick::stats
