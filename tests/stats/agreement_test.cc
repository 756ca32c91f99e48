#include "stats/agreement.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "stats/test_data.h"
#include "support/golden.h"

namespace yardstick::stats {
namespace {

using testing::Doubles;
using testing::Matrix;
using testing::ReadStatsData;
using yardstick::testing::GoldenDouble;
using yardstick::testing::NearRelative;
using yardstick::testing::ReadGoldenJsonl;

constexpr double kRel = 1e-12;

#define EXPECT_NEAR_REL(actual, expected)                                           \
  EXPECT_TRUE(NearRelative((actual), (expected), kRel))                             \
      << #actual << " = " << ((actual)) << ", expected " << (expected) << " (diff " \
      << ((actual) - (expected)) << ")"

TEST(AgreementGolden, KrippendorffAndNltk) {
  int krippendorff = 0, nltk = 0, nltk_errors = 0;
  for (const auto& c : ReadGoldenJsonl("krippendorff_alpha.jsonl")) {
    const auto data = Matrix(c["inputs"]["reliability_data"]);  // null -> NaN = missing
    for (const auto& call : c["calls"]) {
      SCOPED_TRACE(c["id"].get<std::string>() + " " + call["fn"].get<std::string>() + " " +
                   call["options"].dump());
      KrippendorffOptions options;
      const auto& opt = call["options"];
      if (call["fn"] == "krippendorff.alpha") {
        options.level = *ParseMeasurementLevel(opt["level_of_measurement"].get<std::string>());
        if (opt.contains("value_domain")) options.value_domain = Doubles(opt["value_domain"]);
        ++krippendorff;
      } else {
        ASSERT_EQ(call["fn"], "nltk AnnotationTask.alpha");
        options.level = opt["distance"] == "binary_distance" ? MeasurementLevel::kNominal
                                                             : MeasurementLevel::kInterval;
        ++nltk;
      }
      auto r = KrippendorffAlpha(data, options);
      ASSERT_TRUE(r.has_value()) << r.error().message();
      if (call.contains("error")) {
        // nltk divides by a zero expected disagreement; we report NaN and expose the zero.
        EXPECT_EQ(call["error"], "ZeroDivisionError");
        EXPECT_EQ(r->expected_disagreement, 0.0);
        EXPECT_TRUE(std::isnan(r->alpha));
        ++nltk_errors;
        continue;
      }
      EXPECT_NEAR_REL(r->alpha, GoldenDouble(call["expected"]));
    }
  }
  EXPECT_EQ(krippendorff, 40);
  EXPECT_EQ(nltk, 20);
  EXPECT_EQ(nltk_errors, 2);
}

// fast-krippendorff itself on data the shared golden file does not cover (many categories).
TEST(AgreementGolden, KrippendorffExtra) {
  int checked = 0;
  for (const auto& c : ReadStatsData("krippendorff_extra.jsonl")) {
    SCOPED_TRACE(c["id"].get<std::string>() + " " + c["options"].dump());
    KrippendorffOptions options;
    options.level = *ParseMeasurementLevel(c["options"]["level_of_measurement"].get<std::string>());
    auto r = KrippendorffAlpha(Matrix(c["inputs"]["reliability_data"]), options);
    ASSERT_TRUE(r.has_value()) << r.error().message();
    EXPECT_NEAR_REL(r->alpha, GoldenDouble(c["expected"]));
    ++checked;
  }
  EXPECT_EQ(checked, 12);
}

TEST(AgreementGolden, StatsmodelsFleissKappa) {
  int checked = 0;
  for (const auto& c : ReadStatsData("statsmodels.jsonl")) {
    if (c["fn"] != "fleiss_kappa") continue;
    SCOPED_TRACE(c["id"].get<std::string>());
    auto r = FleissKappa(Matrix(c["inputs"]["table"]));
    ASSERT_TRUE(r.has_value()) << r.error().message();
    EXPECT_NEAR_REL(*r, GoldenDouble(c["expected"]));
    ++checked;
  }
  EXPECT_EQ(checked, 4);
}

// STATISTICS.md section 5: Fleiss' kappa of raw ratings is 0.495327.
TEST(Agreement, FleissFromRawRatings) {
  const std::vector<std::vector<double>> ratings = {{1, 1, 1}, {1, 2, 2}, {2, 2, 2},
                                                    {0, 0, 1}, {0, 0, 0}, {2, 1, 2}};
  std::vector<double> categories;
  auto table = AggregateRaters(ratings, &categories);
  ASSERT_TRUE(table.has_value());
  EXPECT_EQ(categories, std::vector<double>({0, 1, 2}));
  auto kappa = FleissKappa(*table);
  ASSERT_TRUE(kappa.has_value());
  EXPECT_NEAR(*kappa, 0.495327, 5e-7);
  const std::vector<std::vector<double>> uneven = {{2, 1}, {1, 1}};
  EXPECT_FALSE(FleissKappa(uneven).has_value());
}

TEST(Agreement, KrippendorffErrors) {
  const std::vector<std::vector<double>> ragged = {{1, 2}, {1}};
  EXPECT_FALSE(KrippendorffAlpha(ragged).has_value());
  const std::vector<std::vector<double>> one_value = {{1, 1}, {1, 1}};
  auto r = KrippendorffAlpha(one_value);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message().find("more than one value"), std::string::npos);
  const std::vector<std::vector<double>> no_pairs = {{1, kMissingRating}, {kMissingRating, 2}};
  EXPECT_FALSE(KrippendorffAlpha(no_pairs).has_value());
  KrippendorffOptions options;
  options.value_domain = {1, 2};
  const std::vector<std::vector<double>> out_of_domain = {{1, 3}, {1, 2}};
  EXPECT_FALSE(KrippendorffAlpha(out_of_domain, options).has_value());
  EXPECT_FALSE(ParseMeasurementLevel("cardinal").has_value());
}

TEST(Agreement, KrippendorffBootstrapOverUnits) {
  std::vector<std::vector<double>> data(3, std::vector<double>(60));
  for (std::size_t u = 0; u < 60; ++u) {
    const double truth = static_cast<double>(u % 5 + 1);
    data[0][u] = truth;
    data[1][u] = u % 7 == 0 ? truth + 1 : truth;
    data[2][u] = u % 11 == 0 ? kMissingRating : (u % 4 == 0 ? truth - 1 : truth);
  }
  KrippendorffOptions options;
  options.level = MeasurementLevel::kOrdinal;
  auto alpha = KrippendorffAlpha(data, options);
  ASSERT_TRUE(alpha.has_value());
  BootstrapOptions bootstrap;
  bootstrap.method = CiMethod::kPercentile;
  auto ci = KrippendorffAlphaBootstrap(data, options, bootstrap);
  ASSERT_TRUE(ci.has_value()) << ci.error().message();
  EXPECT_NEAR(ci->point, alpha->alpha, 1e-12);
  EXPECT_LT(ci->low, ci->point);
  EXPECT_GT(ci->high, ci->point);
  EXPECT_LE(ci->high, 1.0);
}

}  // namespace
}  // namespace yardstick::stats
