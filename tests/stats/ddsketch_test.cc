#include "stats/ddsketch.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace yardstick::stats {
namespace {

// The lower-rank exact quantile DDSketch approximates: sorted[floor(q (n - 1))].
double ExactQuantile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  return v[static_cast<size_t>(std::floor(q * static_cast<double>(v.size() - 1)))];
}

TEST(DDSketch, GoldenKeysAndValues) {
  DDSketch s;
  EXPECT_EQ(s.Key(100), 231);
  EXPECT_NEAR(s.Value(231), 100.4946, 5e-5);
  EXPECT_EQ(s.Key(1), 0);
  EXPECT_NEAR(s.Value(0), 0.99, 1e-12);
}

TEST(DDSketch, KeysAreExactAtBucketBoundaries) {
  DDSketch s;
  const double gamma = 1.01 / 0.99;
  for (int k = -300; k <= 300; k += 7) {
    const double bound = std::pow(gamma, k);  // the top of bucket k
    EXPECT_EQ(s.Key(bound), k) << k;
    EXPECT_EQ(s.Key(std::nextafter(bound, INFINITY)), k + 1) << k;
    EXPECT_EQ(s.Key(std::nextafter(bound, 0.0)), k) << k;
  }
}

TEST(DDSketch, QuantilesAreWithinRelativeAccuracy) {
  std::mt19937_64 rng(3);
  std::vector<std::vector<double>> datasets;
  {
    std::uniform_real_distribution<double> u(0.001, 100);
    std::lognormal_distribution<double> ln(0, 2);
    std::exponential_distribution<double> ex(3);
    std::vector<double> a, b, c, d, e;
    for (int i = 0; i < 20000; ++i) {
      a.push_back(u(rng));
      b.push_back(ln(rng));
      c.push_back(ex(rng));
      d.push_back(42.0);
      e.push_back(std::pow(10, -6 + 12 * std::uniform_real_distribution<double>(0, 1)(rng)));
    }
    datasets = {a, b, c, d, e};
  }
  for (const auto& data : datasets) {
    DDSketch s;
    for (double v : data) s.Add(v);
    for (double q : {0.0, 0.01, 0.05, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1.0}) {
      const double exact = ExactQuantile(data, q);
      const double got = *s.Quantile(q);
      EXPECT_LE(std::fabs(got - exact), 0.01 * exact * (1 + 1e-12)) << "q=" << q;
    }
    EXPECT_EQ(s.count(), data.size());
  }
}

TEST(DDSketch, NegativesZerosNanAndWeights) {
  DDSketch s;
  for (double v : {-5.0, -1.0, 0.0, 0.0, 2.0, 8.0}) s.Add(v);
  s.Add(std::nan(""));
  EXPECT_EQ(s.count(), 6u);
  EXPECT_EQ(s.zero_count(), 2u);
  EXPECT_NEAR(*s.Quantile(0), -5.0, 0.05);
  EXPECT_NEAR(*s.ValueAtRank(1), -1.0, 0.01);
  EXPECT_EQ(*s.ValueAtRank(2), 0.0);
  EXPECT_EQ(*s.ValueAtRank(3), 0.0);
  EXPECT_NEAR(*s.Quantile(1), 8.0, 0.08);
  EXPECT_DOUBLE_EQ(s.sum(), 4.0);
  DDSketch w;
  w.Add(3.0, 10);
  EXPECT_EQ(w.count(), 10u);
  EXPECT_DOUBLE_EQ(w.sum(), 30.0);
  EXPECT_FALSE(DDSketch().Quantile(0.5).has_value());
  EXPECT_FALSE(w.Quantile(1.5).has_value());
  EXPECT_FALSE(w.ValueAtRank(10).has_value());
}

TEST(DDSketch, MergingEqualsDirectIngestion) {
  std::mt19937_64 rng(5);
  std::lognormal_distribution<double> ln(0, 1);
  DDSketch direct;
  std::vector<DDSketch> minutes(60);
  for (int i = 0; i < 6000; ++i) {
    const double v = ln(rng);
    direct.Add(v);
    minutes[static_cast<size_t>(i % 60)].Add(v);
  }
  DDSketch hour, reversed;
  for (const auto& m : minutes) ASSERT_TRUE(hour.Merge(m).has_value());
  for (auto it = minutes.rbegin(); it != minutes.rend(); ++it) {
    ASSERT_TRUE(reversed.Merge(*it).has_value());
  }
  EXPECT_TRUE(hour == direct);
  EXPECT_TRUE(reversed == direct);
  EXPECT_EQ(hour.count(), direct.count());
  EXPECT_EQ(hour.min(), direct.min());
  EXPECT_EQ(hour.max(), direct.max());
  EXPECT_NEAR(hour.sum(), direct.sum(), 1e-12 * direct.sum());
  for (double q : {0.1, 0.5, 0.99}) EXPECT_EQ(hour.Quantile(q), direct.Quantile(q));
  DDSketch other(0.02);
  EXPECT_FALSE(hour.Merge(other).has_value());
}

TEST(DDSketch, BoundedStoreCollapsesTheLowestBuckets) {
  DDSketch s(0.01, 64);
  for (int i = 0; i < 1000; ++i) s.Add(std::pow(1.1, i % 200));
  EXPECT_EQ(s.count(), 1000u);
  // High quantiles keep their guarantee.
  std::vector<double> data;
  for (int i = 0; i < 1000; ++i) data.push_back(std::pow(1.1, i % 200));
  const double exact = ExactQuantile(data, 0.99);
  EXPECT_LE(std::fabs(*s.Quantile(0.99) - exact), 0.01 * exact * (1 + 1e-12));
  int buckets = 0;
  s.ForEachPositiveBucket([&](int, uint64_t) { ++buckets; });
  EXPECT_LE(buckets, 64);
}

TEST(DDSketch, SerializationRoundTripsAndRejectsGarbage) {
  DDSketch s;
  std::mt19937_64 rng(9);
  std::normal_distribution<double> n(0, 10);
  for (int i = 0; i < 1000; ++i) s.Add(n(rng));
  const std::string bytes = s.Serialize();
  auto back = DDSketch::Deserialize(bytes);
  ASSERT_TRUE(back.has_value());
  EXPECT_TRUE(*back == s);
  EXPECT_EQ(back->Quantile(0.3), s.Quantile(0.3));
  for (size_t len = 0; len < bytes.size(); ++len) {
    EXPECT_FALSE(DDSketch::Deserialize(bytes.substr(0, len)).has_value()) << len;
  }
  for (int i = 0; i < 2000; ++i) {
    std::string junk = bytes;
    junk[rng() % junk.size()] = static_cast<char>(rng());
    (void)DDSketch::Deserialize(junk);  // must not crash
    std::string random(rng() % 64, '\0');
    for (auto& c : random) c = static_cast<char>(rng());
    (void)DDSketch::Deserialize(random);
  }
  auto empty = DDSketch::Deserialize(DDSketch().Serialize());
  ASSERT_TRUE(empty.has_value());
  EXPECT_TRUE(empty->empty());
}

}  // namespace
}  // namespace yardstick::stats
