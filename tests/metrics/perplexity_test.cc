#include "metrics/perplexity.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

namespace yardstick::metrics {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

TEST(Perplexity, SingleText) {
  // Uniform over 4 outcomes: perplexity 4.
  const double lp = std::log(0.25);
  EXPECT_NEAR(SequencePerplexity(std::vector<double>{lp, lp, lp}).value(), 4.0, 1e-12);
  EXPECT_EQ(SequencePerplexity(std::vector<double>{0.0, -0.0}).value(), 1.0);
  EXPECT_EQ(SequencePerplexity(std::vector<double>{-1.0, -3.0}).value(), std::exp(2.0));
}

TEST(Perplexity, CorpusIsTokenWeighted) {
  Perplexity ppl;
  const std::vector<std::vector<double>> texts = {{-1.0}, {-2.0, -2.0, -2.0}};
  auto score = ppl.CorpusScore(texts).value();
  EXPECT_EQ(score.name, "perplexity");
  // exp(-(-1 - 6) / 4), not the mean of exp(1) and exp(2).
  EXPECT_EQ(score.value, std::exp(7.0 / 4.0));
  EXPECT_FALSE(ppl.higher_is_better());
  auto stats = ppl.ComputeSegmentStats(texts).value();
  ASSERT_EQ(stats.rows(), 2u);
  EXPECT_EQ(stats.row(1)[0], -6.0);
  EXPECT_EQ(stats.row(1)[1], 3.0);
  const std::vector<std::size_t> resample = {1, 1};
  EXPECT_EQ(ppl.ValueFromStats(stats.Sum(resample)), std::exp(2.0));
  auto per_text = ppl.TextPerplexities(texts).value();
  ASSERT_EQ(per_text.size(), 2u);
  EXPECT_EQ(per_text[0], std::exp(1.0));
  EXPECT_EQ(per_text[1], std::exp(2.0));
  ASSERT_EQ(score.details.size(), 4u);
  EXPECT_EQ(std::get<double>(score.details[1].second), -7.0 / 4.0);  // mean_logprob
  EXPECT_EQ(std::get<double>(score.details[3].second), 4.0);         // tokens
}

TEST(Perplexity, NegativeInfinityMeansInfinitePerplexity) {
  Perplexity ppl;
  const std::vector<std::vector<double>> texts = {{-1.0, -kInf}, {-0.5}};
  EXPECT_EQ(ppl.CorpusScore(texts).value().value, kInf);
  auto per_text = ppl.TextPerplexities(texts).value();
  EXPECT_EQ(per_text[0], kInf);
  EXPECT_EQ(per_text[1], std::exp(0.5));
}

TEST(Perplexity, TinyPositiveRoundingIsAccepted) {
  EXPECT_EQ(SequencePerplexity(std::vector<double>{1e-9}).value(), std::exp(-1e-9));
  EXPECT_FALSE(SequencePerplexity(std::vector<double>{1e-3}).has_value());
}

TEST(Perplexity, Errors) {
  Perplexity ppl;
  EXPECT_FALSE(ppl.ComputeSegmentStats({}).has_value());
  const std::vector<std::vector<double>> empty_text = {{-1.0}, {}};
  auto e1 = ppl.ComputeSegmentStats(empty_text);
  ASSERT_FALSE(e1.has_value());
  EXPECT_EQ(e1.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(e1.error().message().find("text 1"), std::string::npos);
  const std::vector<std::vector<double>> nan = {{-1.0, std::nan("")}};
  auto e2 = ppl.ComputeSegmentStats(nan);
  ASSERT_FALSE(e2.has_value());
  EXPECT_NE(e2.error().message().find("text 0: token 1"), std::string::npos)
      << e2.error().message();
  const std::vector<std::vector<double>> pos_inf = {{-1.0}, {-1.0, -2.0, kInf}};
  auto e3 = ppl.ComputeSegmentStats(pos_inf);
  ASSERT_FALSE(e3.has_value());
  EXPECT_NE(e3.error().message().find("text 1: token 2"), std::string::npos);
  const std::vector<std::vector<double>> positive = {{0.5}};
  EXPECT_FALSE(ppl.CorpusScore(positive).has_value());
  EXPECT_FALSE(SequencePerplexity(std::vector<double>{}).has_value());
  EXPECT_TRUE(std::isnan(ppl.ValueFromStats(std::vector<double>{0, 0})));
}

TEST(Perplexity, Signature) {
  EXPECT_EQ(Perplexity().signature().Format(),
            "nrefs:0|log:e|avg:token|version:" + SignatureVersion());
}

}  // namespace
}  // namespace yardstick::metrics
