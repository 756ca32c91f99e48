// Expected calibration error against tests/metrics/data/ece_golden.jsonl, produced by
// tests/metrics/data/generate_ece_golden.py from scikit-learn 1.2.1's calibration_curve and
// np.bincount. Floats are compared with a relative tolerance of 1e-12 (bin counts and indices
// exactly); the test also counts how many values were bit-identical, for information.

#include "metrics/calibration.h"

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/golden.h"

namespace yardstick::metrics {
namespace {

using nlohmann::json;
using testing::GoldenDouble;
using testing::NearRelative;

constexpr double kTolerance = 1e-12;

std::vector<json> ReadDataJsonl(const std::string& name) {
  return testing::ReadJsonlFile(std::string(YARDSTICK_METRICS_TEST_DATA) + "/" + name);
}

TEST(CalibrationGolden, EveryCallMatchesSklearnCalibrationCurve) {
  const auto cases = ReadDataJsonl("ece_golden.jsonl");
  int checked = 0, values = 0, bit_identical = 0;
  auto near = [&](double got, double want, const std::string& where) {
    ++values;
    if (got == want) ++bit_identical;
    EXPECT_TRUE(NearRelative(got, want, kTolerance))
        << where << ": got " << got << " expected " << want;
  };
  for (const auto& c : cases) {
    const std::string id = c["id"].get<std::string>();
    const json& in = c["inputs"];
    const bool binary = c["mode"] == "binary";
    std::vector<int> y_binary;
    std::vector<std::size_t> y_index;
    std::vector<double> probs;
    std::size_t num_classes = 0;
    if (binary) {
      for (const auto& v : in["y_true"]) y_binary.push_back(v.get<int>());
      for (const auto& v : in["y_prob"]) probs.push_back(GoldenDouble(v));
    } else {
      for (const auto& v : in["y_true"]) y_index.push_back(v.get<std::size_t>());
      num_classes = in["proba"][0].size();
      for (const auto& row : in["proba"]) {
        for (const auto& v : row) probs.push_back(GoldenDouble(v));
      }
    }
    for (const auto& call : c["calls"]) {
      const json& o = call["options"];
      const std::string where = id + " " + o.dump();
      CalibrationOptions options;
      options.num_bins = o["n_bins"].get<std::size_t>();
      auto strategy = ParseBinStrategy(o["strategy"].get<std::string>());
      auto edges = ParseBinEdges(o["edges"].get<std::string>());
      ASSERT_TRUE(strategy && edges) << where;
      options.strategy = *strategy;
      options.edges = *edges;
      auto got = binary ? BinaryCalibration(y_binary, probs, options)
                        : TopLabelCalibration(y_index, probs, num_classes, options);
      ASSERT_TRUE(got) << where << ": " << got.error().message();
      ++checked;
      const json& want = call["expected"];
      near(got->ece, GoldenDouble(want["ece"]), where + " ece");
      near(got->mce, GoldenDouble(want["mce"]), where + " mce");
      ASSERT_EQ(got->edges.size(), want["edges"].size()) << where;
      for (std::size_t i = 0; i < got->edges.size(); ++i) {
        near(got->edges[i], GoldenDouble(want["edges"][i]), where + " edge " + std::to_string(i));
      }
      ASSERT_EQ(got->bins.size(), want["bins"].size()) << where;
      for (std::size_t b = 0; b < got->bins.size(); ++b) {
        const auto& bin = got->bins[b];
        const json& wb = want["bins"][b];
        const std::string at = where + " bin " + std::to_string(b);
        EXPECT_EQ(bin.index, wb["index"].get<std::size_t>()) << at;
        EXPECT_EQ(bin.count, wb["count"].get<std::int64_t>()) << at;
        near(bin.mean_confidence, GoldenDouble(wb["mean_confidence"]), at + " confidence");
        near(bin.accuracy, GoldenDouble(wb["accuracy"]), at + " accuracy");
        EXPECT_EQ(bin.lower, got->edges[bin.index]) << at;
        EXPECT_EQ(bin.upper, got->edges[bin.index + 1]) << at;
      }
    }
  }
  EXPECT_GE(checked, 200);
  std::cout << "[ ece golden ] " << checked << " calls, " << bit_identical << "/" << values
            << " values bit-identical\n";
}

TEST(Calibration, DefaultsAreFifteenUniformLeftOpenBins) {
  const CalibrationOptions o;
  EXPECT_EQ(o.num_bins, 15u);
  EXPECT_EQ(o.strategy, BinStrategy::kUniform);
  EXPECT_EQ(o.edges, BinEdges::kLeftOpen);
  EXPECT_STREQ(BinEdgesName(o.edges), "(lo,hi]");
  EXPECT_STREQ(BinStrategyName(BinStrategy::kQuantile), "quantile");
}

TEST(Calibration, EdgeValuesGoToTheLowerBinLikeSklearn) {
  // 0.5 is an edge with 2 bins: (lo, hi] puts it in bin 0, [lo, hi) in bin 1.
  const std::vector<int> y = {1, 0};
  const std::vector<double> p = {0.5, 1.0};
  CalibrationOptions o;
  o.num_bins = 2;
  auto left = BinaryCalibration(y, p, o);
  ASSERT_TRUE(left);
  ASSERT_EQ(left->bins.size(), 2u);
  EXPECT_EQ(left->bins[0].count, 1);
  EXPECT_EQ(left->bins[0].accuracy, 1.0);
  EXPECT_EQ(left->ece, 0.5 * 0.5 + 0.5 * 1.0);
  o.edges = BinEdges::kRightOpen;
  auto right = BinaryCalibration(y, p, o);
  ASSERT_TRUE(right);
  ASSERT_EQ(right->bins.size(), 1u);
  EXPECT_EQ(right->bins[0].index, 1u);
  EXPECT_EQ(right->bins[0].count, 2);
  EXPECT_EQ(right->mce, 0.25);
}

TEST(Calibration, TopLabelUsesFirstMaximum) {
  const std::vector<std::size_t> y = {1, 0};
  const std::vector<double> proba = {0.5, 0.5, 0.2, 0.8};
  auto r = TopLabelCalibration(y, proba, 2, CalibrationOptions{1, BinStrategy::kUniform, {}});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->bins.size(), 1u);
  EXPECT_EQ(r->bins[0].accuracy, 0.0);  // argmax of [0.5, 0.5] is 0, true class 1
  EXPECT_EQ(r->bins[0].mean_confidence, 0.65);
}

TEST(Calibration, BadInputsAreErrors) {
  const std::vector<int> y = {0, 1};
  EXPECT_FALSE(BinaryCalibration(y, std::vector<double>{0.1}));
  EXPECT_FALSE(BinaryCalibration(y, std::vector<double>{0.1, 1.5}));
  EXPECT_FALSE(BinaryCalibration(y, std::vector<double>{0.1, std::nan("")}));
  EXPECT_FALSE(BinaryCalibration(std::vector<int>{0, 2}, std::vector<double>{0.1, 0.2}));
  EXPECT_FALSE(BinaryCalibration(std::vector<int>{0, -1}, std::vector<double>{0.1, 0.2}));
  EXPECT_FALSE(BinaryCalibration(std::vector<int>{}, std::vector<double>{}));
  CalibrationOptions zero_bins;
  zero_bins.num_bins = 0;
  EXPECT_FALSE(BinaryCalibration(y, std::vector<double>{0.1, 0.2}, zero_bins));
  EXPECT_TRUE(BinaryCalibration(std::vector<int>{-1, 1}, std::vector<double>{0.1, 0.2}));

  const std::vector<std::size_t> idx = {0, 3};
  EXPECT_FALSE(TopLabelCalibration(idx, std::vector<double>{0.5, 0.5, 0.5, 0.5}, 2));
  EXPECT_FALSE(TopLabelCalibration(std::vector<std::size_t>{0}, std::vector<double>{1.0}, 2));
  EXPECT_FALSE(ParseBinStrategy("equal"));
  EXPECT_FALSE(ParseBinEdges("closed"));
}

}  // namespace
}  // namespace yardstick::metrics
