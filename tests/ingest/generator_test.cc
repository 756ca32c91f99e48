// The synthetic call generator: deterministic, valid under the native schema, and shaped like
// real traffic (models, routes, ~2% errors, conversations, times in order).

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "ingest/events.h"
#include "ingest/replay.h"

namespace yardstick::ingest {
namespace {

constexpr int64_t kEnd = 1'795'687'200'000'000'000;  // 2026-11-26T10:00:00Z
constexpr int64_t kDay = 86'400'000'000'000;

std::vector<std::string> Generate(size_t n, uint64_t seed, double span_days = 7,
                                  const std::string& project = "") {
  GenerateOptions options;
  options.seed = seed;
  options.span_days = span_days;
  options.end_ns = kEnd;
  options.project = project;
  CallGenerator generator(options, n);
  std::vector<std::string> lines;
  std::string line;
  while (generator.Next(line)) lines.push_back(line);
  EXPECT_FALSE(generator.Next(line));
  return lines;
}

std::string Join(const std::vector<std::string>& lines) {
  std::string body;
  for (const auto& line : lines) body += line + "\n";
  return body;
}

TEST(CallGenerator, DeterministicPerSeed) {
  const auto a = Generate(500, 42);
  EXPECT_EQ(a.size(), 500u);
  EXPECT_EQ(a, Generate(500, 42));
  const auto b = Generate(500, 43);
  EXPECT_NE(a, b);
  size_t same = 0;
  for (size_t i = 0; i < a.size(); ++i) same += a[i] == b[i];
  EXPECT_EQ(same, 0u);
  EXPECT_TRUE(Generate(0, 1).empty());
}

TEST(CallGenerator, RecordsAreValidAndRealistic) {
  constexpr size_t kN = 20000;
  const auto lines = Generate(kN, 7, 3, "demo");
  auto parsed = ParseEvents(Join(lines), {});
  ASSERT_TRUE(parsed.has_value());
  ASSERT_TRUE(parsed->rejections.empty())
      << parsed->rejections[0].path << ": " << parsed->rejections[0].reason;
  const auto& calls = parsed->batch.calls;
  ASSERT_EQ(calls.size(), kN);

  std::set<std::string> models, routes, environments, providers, conversations, ids;
  size_t errors = 0;
  std::vector<double> ok_latency;
  int64_t previous_start = 0;
  for (const auto& c : calls) {
    EXPECT_EQ(c.project, "demo");
    EXPECT_GE(c.start_ns, kEnd - 3 * kDay);
    EXPECT_LT(c.start_ns, kEnd);
    EXPECT_GE(c.start_ns, previous_start);  // in time order
    previous_start = c.start_ns;
    models.insert(c.request_model);
    routes.insert(c.route);
    environments.insert(c.environment);
    providers.insert(c.provider);
    conversations.insert(c.conversation_id);
    ids.insert(c.id);
    EXPECT_EQ(c.trace_id.size(), 32u);
    EXPECT_EQ(c.span_id.size(), 16u);
    EXPECT_FALSE(c.user_id.empty());
    EXPECT_GT(c.input_tokens, 0);
    EXPECT_GE(c.output_tokens, 0);
    ASSERT_TRUE(c.cost_usd.has_value());
    EXPECT_EQ(c.attributes.size(), 2u);
    if (c.status == model::CallStatus::kError) {
      ++errors;
      EXPECT_FALSE(c.error_type.empty());
    } else {
      EXPECT_EQ(c.status, model::CallStatus::kOk);
      EXPECT_FALSE(c.finish_reason.empty());
      ASSERT_TRUE(c.ttft_s.has_value());
      ok_latency.push_back(c.latency_s());
    }
  }
  EXPECT_EQ(ids.size(), kN);
  EXPECT_GE(models.size(), 5u);
  EXPECT_GE(routes.size(), 5u);
  EXPECT_EQ(environments.size(), 3u);
  EXPECT_GE(providers.size(), 3u);
  // ~2% errors: 400 expected, standard deviation ~20.
  EXPECT_GT(errors, kN * 15 / 1000);
  EXPECT_LT(errors, kN * 25 / 1000);
  // Conversations have several calls each (about 3.3 on average).
  EXPECT_LT(conversations.size(), kN / 2);
  EXPECT_GT(conversations.size(), kN / 5);
  // Latencies: lognormal, median between the fast and slow models' medians, long right tail.
  std::sort(ok_latency.begin(), ok_latency.end());
  const double median = ok_latency[ok_latency.size() / 2];
  const double p99 = ok_latency[ok_latency.size() * 99 / 100];
  EXPECT_GT(median, 0.8);
  EXPECT_LT(median, 2.5);
  EXPECT_GT(p99, 2.5 * median);
}

TEST(CallGenerator, SourceAdapter) {
  GenerateOptions options;
  options.end_ns = kEnd;
  CallGenerator generator(options, 3);
  LineSource source = generator.AsSource();
  std::string line;
  int n = 0;
  while (source(line)) ++n;
  EXPECT_EQ(n, 3);
}

}  // namespace
}  // namespace yardstick::ingest
