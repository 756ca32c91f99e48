#include "store/aggregates.h"

#include <gtest/gtest.h>

namespace yardstick::store {
namespace {

model::Call Call(double latency, bool error, int64_t in, int64_t out, std::optional<double> cost) {
  model::Call c;
  c.start_ns = 0;
  c.end_ns = static_cast<int64_t>(latency * 1e9);
  c.status = error ? model::CallStatus::kError : model::CallStatus::kOk;
  c.input_tokens = in;
  c.output_tokens = out;
  c.cost_usd = cost;
  return c;
}

TEST(CallAggregate, AddsAndRoundTrips) {
  CallAggregate a;
  a.Add(Call(1.5, false, 10, 5, 0.01));
  a.Add(Call(0.5, true, -1, -1, std::nullopt));
  EXPECT_EQ(a.calls, 2u);
  EXPECT_EQ(a.errors, 1u);
  EXPECT_EQ(a.token_calls, 1u);
  EXPECT_EQ(a.input_tokens, 10u);
  EXPECT_EQ(a.priced_calls, 1u);
  EXPECT_DOUBLE_EQ(a.latency_sum, 2.0);
  EXPECT_DOUBLE_EQ(a.latency_sumsq, 2.5);
  auto back = CallAggregate::Deserialize(a.Serialize());
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->calls, 2u);
  EXPECT_EQ(back->latency_sum, a.latency_sum);
  EXPECT_TRUE(back->latency == a.latency);
}

TEST(CallAggregate, MergeEqualsAddingEverything) {
  CallAggregate a, b, all;
  for (int i = 0; i < 100; ++i) {
    auto c = Call(0.01 * (i + 1), i % 10 == 0, i, 2 * i, i * 0.001);
    (i % 2 ? a : b).Add(c);
    all.Add(c);
  }
  ASSERT_TRUE(a.Merge(b).has_value());
  EXPECT_EQ(a.calls, all.calls);
  EXPECT_EQ(a.errors, all.errors);
  EXPECT_EQ(a.output_tokens, all.output_tokens);
  EXPECT_TRUE(a.latency == all.latency);
}

TEST(CallAggregate, CorruptBytesAreAnError) {
  CallAggregate a;
  a.Add(Call(1, false, 1, 1, 1));
  const std::string bytes = a.Serialize();
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_FALSE(CallAggregate::Deserialize(bytes.substr(0, n)).has_value()) << n;
  }
  EXPECT_FALSE(CallAggregate::Deserialize(bytes + "x").has_value());
}

TEST(ScoreAggregate, CountsNpsAndCsatBands) {
  ScoreAggregate a;
  for (double v : {10.0, 9.0, 8.0, 7.0, 6.0, 0.0}) a.AddValue(v);
  EXPECT_EQ(a.count, 6u);
  EXPECT_EQ(a.promoters, 2u);
  EXPECT_EQ(a.detractors, 2u);
  EXPECT_EQ(a.at_least_4, 5u);
  EXPECT_EQ(a.positive, 5u);
  model::Score labeled;
  labeled.label = "pass";
  a.Add(labeled);
  EXPECT_EQ(a.labeled, 1u);
  EXPECT_EQ(a.count, 6u);
  auto back = ScoreAggregate::Deserialize(a.Serialize());
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->promoters, 2u);
  EXPECT_EQ(back->sum, a.sum);
  EXPECT_FALSE(ScoreAggregate::Deserialize("").has_value());
}

}  // namespace
}  // namespace yardstick::store
