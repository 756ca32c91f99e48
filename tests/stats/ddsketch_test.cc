#include "stats/ddsketch.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace yardstick::stats {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// The lower-rank exact quantile DDSketch approximates: sorted[floor(q (n - 1))].
double ExactQuantile(const std::vector<double>& sorted, double q) {
  return sorted[static_cast<size_t>(std::floor(q * static_cast<double>(sorted.size() - 1)))];
}

std::vector<std::pair<int, uint64_t>> PositiveBuckets(const DDSketch& s) {
  std::vector<std::pair<int, uint64_t>> out;
  s.ForEachPositiveBucket([&](int k, uint64_t c) { out.emplace_back(k, c); });
  return out;
}

std::vector<std::pair<int, uint64_t>> NegativeBuckets(const DDSketch& s) {
  std::vector<std::pair<int, uint64_t>> out;
  s.ForEachNegativeBucket([&](int k, uint64_t c) { out.emplace_back(k, c); });
  return out;
}

// Every field, the sum bit for bit.
void ExpectIdentical(const DDSketch& a, const DDSketch& b) {
  EXPECT_TRUE(a == b);
  EXPECT_EQ(a.count(), b.count());
  EXPECT_EQ(a.zero_count(), b.zero_count());
  EXPECT_EQ(a.min(), b.min());
  EXPECT_EQ(a.max(), b.max());
  EXPECT_EQ(std::bit_cast<uint64_t>(a.sum()), std::bit_cast<uint64_t>(b.sum()));
  EXPECT_EQ(a.relative_accuracy(), b.relative_accuracy());
  EXPECT_EQ(a.max_buckets(), b.max_buckets());
  EXPECT_EQ(PositiveBuckets(a), PositiveBuckets(b));
  EXPECT_EQ(NegativeBuckets(a), NegativeBuckets(b));
}

TEST(DDSketch, GoldenKeysAndValues) {
  DDSketch s;
  EXPECT_DOUBLE_EQ(s.gamma(), 1.01 / 0.99);
  EXPECT_EQ(s.Key(100), 231);
  EXPECT_NEAR(s.Value(231), 100.4946, 5e-5);
  EXPECT_EQ(s.Key(1), 0);
  EXPECT_NEAR(s.Value(0), 0.99, 1e-12);
  // Bucket 231 is (gamma^230, gamma^231] and 100 lies inside it.
  EXPECT_LT(s.LowerBound(231), 100.0);
  EXPECT_GE(s.UpperBound(231), 100.0);
  EXPECT_EQ(s.LowerBound(231), s.UpperBound(230));
  // The representative is within alpha of every value of its bucket, both ends included.
  for (int k : {-1000, -5, 0, 1, 231, 30000}) {
    const double v = s.Value(k);
    EXPECT_LE(v - s.LowerBound(k), 0.01 * s.LowerBound(k) * (1 + 1e-12)) << k;
    EXPECT_LE(s.UpperBound(k) - v, 0.01 * s.UpperBound(k) * (1 + 1e-12)) << k;
  }
}

TEST(DDSketch, KeysAreExactAtBucketBoundaries) {
  for (double alpha : {0.01, 0.02, 0.001, 0.05, 1e-5}) {
    DDSketch s(alpha);
    const double gamma = (1 + alpha) / (1 - alpha);
    const int lo = s.Key(DDSketch::kMinIndexable) + 1;
    const int hi = s.Key(std::numeric_limits<double>::max()) - 1;
    const int step = std::max(1, (hi - lo) / 20000);
    int checked = 0;
    for (int k = lo; k <= hi; k += step) {
      const double bound = std::pow(gamma, k);  // the top of bucket k
      ASSERT_EQ(s.UpperBound(k), bound);
      ASSERT_EQ(s.Key(bound), k) << "alpha " << alpha << " k " << k;
      ASSERT_EQ(s.Key(std::nextafter(bound, kInf)), k + 1) << "alpha " << alpha << " k " << k;
      ASSERT_EQ(s.Key(std::nextafter(bound, 0.0)), k) << "alpha " << alpha << " k " << k;
      ++checked;
    }
    EXPECT_GT(checked, 1000);
  }
}

TEST(DDSketch, EveryValueLiesInsideItsBucket) {
  // Random values of every magnitude: LowerBound(k) < x <= UpperBound(k) for k = Key(x).
  DDSketch s;
  std::mt19937_64 rng(1);
  std::uniform_real_distribution<double> exponent(-9, 308);
  for (int i = 0; i < 200000; ++i) {
    const double x = std::pow(10.0, exponent(rng));
    if (!(x > DDSketch::kMinIndexable && std::isfinite(x))) continue;
    const int k = s.Key(x);
    ASSERT_LT(s.LowerBound(k), x) << x;
    ASSERT_LE(x, s.UpperBound(k)) << x;
  }
  // Keys never decrease along a sorted sequence.
  int previous = s.Key(1e-9);
  for (double x = 1e-9; x < 1e9; x *= 1.0001) {
    const int k = s.Key(x);
    ASSERT_GE(k, previous) << x;
    previous = k;
  }
  // Out-of-domain inputs clamp rather than misbehave.
  EXPECT_EQ(s.Key(0.0), s.Key(DDSketch::kMinIndexable));
  EXPECT_EQ(s.Key(-3.0), s.Key(DDSketch::kMinIndexable));
  EXPECT_EQ(s.Key(kInf), s.Key(std::numeric_limits<double>::max()));
}

TEST(DDSketch, QuantilesAreWithinRelativeAccuracy) {
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> unit(0, 1);
  std::vector<std::pair<std::string, std::vector<double>>> datasets;
  auto make = [&](const std::string& name, auto draw, int n) {
    std::vector<double> v;
    for (int i = 0; i < n; ++i) v.push_back(draw());
    datasets.emplace_back(name, std::move(v));
  };
  std::uniform_real_distribution<double> u(0.001, 100);
  std::lognormal_distribution<double> ln2(0, 2), ln3(-2, 3);
  std::exponential_distribution<double> ex(3);
  std::normal_distribution<double> normal(0, 10);
  for (int n : {1, 2, 3, 10, 1000, 20000}) {
    const std::string sz = std::to_string(n);
    make(
        "uniform/" + sz, [&] { return u(rng); }, n);
    make(
        "lognormal(0,2)/" + sz, [&] { return ln2(rng); }, n);
    make(
        "lognormal(-2,3)/" + sz, [&] { return ln3(rng); }, n);
    make(
        "exponential/" + sz, [&] { return ex(rng); }, n);
    make(
        "constant/" + sz, [] { return 42.0; }, n);
    make(
        "log-uniform 1e-6..1e6/" + sz, [&] { return std::pow(10, -6 + 12 * unit(rng)); }, n);
    make(
        "pareto tail/" + sz, [&] { return 1 / std::pow(1 - unit(rng), 1 / 1.1); }, n);
    make(
        "normal(0,10)/" + sz, [&] { return normal(rng); }, n);
    make(
        "mixed sign and zeros/" + sz,
        [&] {
          const double r = unit(rng);
          return r < 0.2 ? 0.0 : r < 0.5 ? -ln2(rng) : ln2(rng);
        },
        n);
  }
  const std::vector<double> qs = {0.0, 0.01, 0.05, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1.0};
  for (const auto& [name, data] : datasets) {
    DDSketch s;
    for (double v : data) s.Add(v);
    std::vector<double> sorted = data;
    std::sort(sorted.begin(), sorted.end());
    ASSERT_EQ(s.count(), data.size());
    EXPECT_EQ(s.min(), sorted.front());
    EXPECT_EQ(s.max(), sorted.back());
    for (double q : qs) {
      const double exact = ExactQuantile(sorted, q);
      const auto got = s.Quantile(q);
      ASSERT_TRUE(got.has_value());
      EXPECT_LE(std::fabs(*got - exact), 0.01 * std::fabs(exact) * (1 + 1e-12))
          << name << " q=" << q << " exact " << exact << " got " << *got;
    }
    // Clamping keeps every answer inside [min, max].
    EXPECT_GE(*s.Quantile(0), sorted.front()) << name;
    EXPECT_LE(*s.Quantile(1), sorted.back()) << name;
  }
}

TEST(DDSketch, ValueAtRankMatchesEveryOrderStatistic) {
  std::mt19937_64 rng(11);
  std::normal_distribution<double> normal(0, 100);
  std::vector<double> data;
  for (int i = 0; i < 3000; ++i) data.push_back(i % 7 == 0 ? 0.0 : normal(rng));
  DDSketch s;
  for (double v : data) s.Add(v);
  std::sort(data.begin(), data.end());
  for (size_t r = 0; r < data.size(); ++r) {
    const auto got = s.ValueAtRank(static_cast<double>(r));
    ASSERT_TRUE(got.has_value());
    ASSERT_LE(std::fabs(*got - data[r]), 0.01 * std::fabs(data[r]) * (1 + 1e-12)) << r;
    // A fractional rank is the value at its floor.
    if (r + 1 < data.size()) {
      ASSERT_EQ(s.ValueAtRank(static_cast<double>(r) + 0.5), *got) << r;
    }
  }
  EXPECT_FALSE(s.ValueAtRank(-0.5).has_value());
  EXPECT_FALSE(s.ValueAtRank(static_cast<double>(data.size())).has_value());
  EXPECT_FALSE(s.ValueAtRank(std::nan("")).has_value());
  EXPECT_TRUE(s.ValueAtRank(static_cast<double>(data.size() - 1)).has_value());
}

TEST(DDSketch, NegativesZerosNanInfinitiesAndWeights) {
  DDSketch s;
  for (double v : {-5.0, -1.0, 0.0, 0.0, 2.0, 8.0, 1e-10, -1e-10}) s.Add(v);
  s.Add(std::nan(""));
  s.Add(kInf);
  s.Add(-kInf);
  EXPECT_EQ(s.count(), 8u);
  EXPECT_EQ(s.zero_count(), 4u);  // |x| <= 1e-9 counts as zero
  EXPECT_EQ(s.min(), -5.0);
  EXPECT_EQ(s.max(), 8.0);
  EXPECT_DOUBLE_EQ(s.sum(), 4.0);
  EXPECT_EQ(*s.ValueAtRank(0), -5.0);  // clamped to min
  EXPECT_NEAR(*s.ValueAtRank(1), -1.0, 0.01);
  for (int r = 2; r < 6; ++r) EXPECT_EQ(*s.ValueAtRank(r), 0.0) << r;
  EXPECT_NEAR(*s.ValueAtRank(6), 2.0, 0.02);
  EXPECT_NEAR(*s.Quantile(1), 8.0, 0.08);
  EXPECT_EQ(NegativeBuckets(s), (std::vector<std::pair<int, uint64_t>>{{0, 1}, {s.Key(5.0), 1}}));
  EXPECT_EQ(PositiveBuckets(s),
            (std::vector<std::pair<int, uint64_t>>{{s.Key(2.0), 1}, {s.Key(8.0), 1}}));

  // A weight is the same as that many adds.
  DDSketch weighted, repeated;
  weighted.Add(3.0, 10);
  weighted.Add(-0.5, 3);
  weighted.Add(0.0, 2);
  weighted.Add(7.0, 0);  // nothing
  for (int i = 0; i < 10; ++i) repeated.Add(3.0);
  for (int i = 0; i < 3; ++i) repeated.Add(-0.5);
  for (int i = 0; i < 2; ++i) repeated.Add(0.0);
  EXPECT_TRUE(weighted == repeated);
  EXPECT_EQ(weighted.count(), 15u);
  EXPECT_DOUBLE_EQ(weighted.sum(), 28.5);
  EXPECT_EQ(weighted.max(), 3.0);
  EXPECT_NEAR(*weighted.Quantile(0.5), 3.0, 0.03);

  // Empty sketch and out-of-range arguments.
  DDSketch empty;
  EXPECT_TRUE(empty.empty());
  EXPECT_EQ(empty.min(), kInf);
  EXPECT_EQ(empty.max(), -kInf);
  EXPECT_FALSE(empty.Quantile(0.5).has_value());
  EXPECT_FALSE(empty.ValueAtRank(0).has_value());
  EXPECT_FALSE(weighted.Quantile(1.5).has_value());
  EXPECT_FALSE(weighted.Quantile(-0.1).has_value());
  EXPECT_FALSE(weighted.Quantile(std::nan("")).has_value());
}

TEST(DDSketch, ConstructorClampsItsParameters) {
  EXPECT_EQ(DDSketch(0).relative_accuracy(), DDSketch::kMinRelativeAccuracy);
  EXPECT_EQ(DDSketch(0.9).relative_accuracy(), DDSketch::kMaxRelativeAccuracy);
  EXPECT_EQ(DDSketch(std::nan("")).relative_accuracy(), DDSketch::kDefaultRelativeAccuracy);
  EXPECT_EQ(DDSketch(0.01, 0).max_buckets(), 1);
  EXPECT_EQ(DDSketch(0.01, 1 << 30).max_buckets(), DDSketch::kMaxBucketLimit);
  // The smallest accuracy still indexes the whole double range.
  for (double x : {1e300, 2e-9, 1.0, 123.456}) {
    DDSketch fine(DDSketch::kMinRelativeAccuracy);
    fine.Add(x);
    fine.Add(x * (1 + 1e-3));
    EXPECT_NEAR(*fine.Quantile(0), x, x * 1e-6) << x;
    EXPECT_NEAR(*fine.Quantile(1), x * (1 + 1e-3), x * 1e-6) << x;
    EXPECT_EQ(fine.Key(x * (1 + 1e-3)) - fine.Key(x), 500) << x;  // log(1.001) / 2e-6
  }
}

TEST(DDSketch, MinuteHourDayRollupsEqualDirectIngestion) {
  std::mt19937_64 rng(5);
  std::lognormal_distribution<double> ln(0, 1.5);
  std::uniform_real_distribution<double> unit(0, 1);
  DDSketch direct;
  std::vector<DDSketch> minutes(24 * 60);
  for (int i = 0; i < 100000; ++i) {
    const double r = unit(rng);
    const double v = r < 0.05 ? 0.0 : r < 0.1 ? -ln(rng) : ln(rng);
    direct.Add(v);
    minutes[rng() % minutes.size()].Add(v);
  }
  std::vector<DDSketch> hours(24);
  for (size_t m = 0; m < minutes.size(); ++m) ASSERT_TRUE(hours[m / 60].Merge(minutes[m]));
  DDSketch day;
  for (const auto& h : hours) ASSERT_TRUE(day.Merge(h));
  DDSketch reversed;  // the minutes straight into a day, in reverse order
  for (auto it = minutes.rbegin(); it != minutes.rend(); ++it) ASSERT_TRUE(reversed.Merge(*it));
  for (const DDSketch* d : {&day, &reversed}) {
    EXPECT_TRUE(*d == direct);
    EXPECT_EQ(PositiveBuckets(*d), PositiveBuckets(direct));
    EXPECT_EQ(NegativeBuckets(*d), NegativeBuckets(direct));
    EXPECT_EQ(d->count(), direct.count());
    EXPECT_EQ(d->zero_count(), direct.zero_count());
    EXPECT_EQ(d->min(), direct.min());
    EXPECT_EQ(d->max(), direct.max());
    EXPECT_NEAR(d->sum(), direct.sum(), 1e-12 * std::fabs(direct.sum()));
    for (double q : {0.0, 0.1, 0.5, 0.99, 1.0}) EXPECT_EQ(d->Quantile(q), direct.Quantile(q));
  }
}

TEST(DDSketch, MergeIsAssociativeAndCommutative) {
  std::mt19937_64 rng(7);
  std::lognormal_distribution<double> ln(0, 3);
  auto random_sketch = [&](int n, int max_buckets) {
    DDSketch s(0.01, max_buckets);
    for (int i = 0; i < n; ++i) s.Add(i % 3 == 0 ? -ln(rng) : ln(rng));
    return s;
  };
  for (int max_buckets : {2048, 40}) {
    const DDSketch a = random_sketch(500, max_buckets);
    const DDSketch b = random_sketch(700, max_buckets);
    const DDSketch c = random_sketch(300, max_buckets);
    DDSketch ab = a, ba = b;
    ASSERT_TRUE(ab.Merge(b));
    ASSERT_TRUE(ba.Merge(a));
    EXPECT_TRUE(ab == ba) << max_buckets;
    DDSketch ab_c = ab, bc = b;
    ASSERT_TRUE(ab_c.Merge(c));
    ASSERT_TRUE(bc.Merge(c));
    DDSketch a_bc = a;
    ASSERT_TRUE(a_bc.Merge(bc));
    EXPECT_TRUE(ab_c == a_bc) << max_buckets;
    EXPECT_EQ(ab_c.count(), 1500u);
    // Merging an empty sketch changes nothing; merging into an empty one copies.
    DDSketch same = a;
    ASSERT_TRUE(same.Merge(DDSketch(0.01, max_buckets)));
    EXPECT_TRUE(same == a);
    DDSketch copy(0.01, max_buckets);
    ASSERT_TRUE(copy.Merge(a));
    EXPECT_TRUE(copy == a);
  }
  // Merging a sketch with itself doubles every bucket.
  DDSketch s = random_sketch(100, 2048);
  const auto before = PositiveBuckets(s);
  ASSERT_TRUE(s.Merge(s));
  const auto after = PositiveBuckets(s);
  ASSERT_EQ(after.size(), before.size());
  for (size_t i = 0; i < before.size(); ++i) EXPECT_EQ(after[i].second, 2 * before[i].second);
  EXPECT_EQ(s.count(), 200u);
}

TEST(DDSketch, MergeRefusesADifferentAccuracy) {
  DDSketch a, b(0.02);
  a.Add(1.0);
  b.Add(2.0);
  const auto r = a.Merge(b);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(a.count(), 1u);  // untouched
  EXPECT_EQ(a.max(), 1.0);
}

TEST(DDSketch, BoundedStoreCollapsesTheLowestBuckets) {
  constexpr int kBound = 400;
  std::mt19937_64 rng(13);
  std::lognormal_distribution<double> ln(0, 2);  // spans ~700 keys
  std::vector<double> data;
  for (int i = 0; i < 5000; ++i) data.push_back(ln(rng));
  DDSketch s(0.01, kBound);
  for (double v : data) s.Add(v);

  // Expected buckets, computed from the keys: the top kBound keys exact, all lower keys folded
  // into the lowest kept key.
  std::map<int, uint64_t> exact;
  for (double v : data) ++exact[s.Key(v)];
  const int top = exact.rbegin()->first;
  const int lowest_kept = top - kBound + 1;
  ASSERT_LT(exact.begin()->first, lowest_kept - 100);  // the bound is really hit
  std::map<int, uint64_t> expected;
  for (auto [k, c] : exact) expected[std::max(k, lowest_kept)] += c;
  std::vector<std::pair<int, uint64_t>> expected_list(expected.begin(), expected.end());
  EXPECT_EQ(PositiveBuckets(s), expected_list);
  EXPECT_EQ(s.count(), data.size());

  // Order of ingestion does not matter, and neither does merging.
  std::vector<double> shuffled = data;
  std::shuffle(shuffled.begin(), shuffled.end(), rng);
  DDSketch other(0.01, kBound), merged(0.01, kBound);
  std::vector<DDSketch> parts(10, DDSketch(0.01, kBound));
  for (size_t i = 0; i < shuffled.size(); ++i) {
    other.Add(shuffled[i]);
    parts[i % 10].Add(shuffled[i]);
  }
  for (const auto& p : parts) ASSERT_TRUE(merged.Merge(p));
  EXPECT_TRUE(other == s);
  EXPECT_TRUE(merged == s);

  // Quantiles above the collapsed buckets keep their guarantee; below, they report the lowest
  // kept bucket.
  std::sort(data.begin(), data.end());
  int guaranteed = 0;
  for (double q : {0.0, 0.01, 0.05, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1.0}) {
    const double e = ExactQuantile(data, q);
    if (e > s.UpperBound(lowest_kept)) {
      EXPECT_LE(std::fabs(*s.Quantile(q) - e), 0.01 * e * (1 + 1e-12)) << q;
      ++guaranteed;
    } else {
      EXPECT_EQ(*s.Quantile(q), s.Value(lowest_kept)) << q;
    }
  }
  EXPECT_GE(guaranteed, 6);

  // Ascending and descending streams of keys fold the same way.
  DDSketch up(0.01, 8), down(0.01, 8);
  for (int i = 0; i < 100; ++i) up.Add(std::pow(1.05, i));
  for (int i = 99; i >= 0; --i) down.Add(std::pow(1.05, i));
  EXPECT_TRUE(up == down);
  const auto buckets = PositiveBuckets(up);
  const int up_top = up.Key(std::pow(1.05, 99));
  EXPECT_EQ(buckets.back().first, up_top);
  EXPECT_EQ(buckets.front().first, up_top - 7);
  uint64_t above = 0;
  for (int i = 0; i < 100; ++i) above += up.Key(std::pow(1.05, i)) > up_top - 7;
  EXPECT_EQ(buckets.front().second, 100 - above);
  uint64_t total = 0;
  for (auto [k, c] : buckets) total += c;
  EXPECT_EQ(total, 100u);
}

TEST(DDSketch, SerializationRoundTripsExactly) {
  std::mt19937_64 rng(9);
  std::normal_distribution<double> n(0, 10);
  std::vector<DDSketch> sketches;
  sketches.emplace_back();  // empty
  DDSketch mixed;
  for (int i = 0; i < 1000; ++i) mixed.Add(n(rng));
  mixed.Add(0.0, 7);
  sketches.push_back(mixed);
  DDSketch negative_only(0.005);
  for (int i = 0; i < 100; ++i) negative_only.Add(-std::fabs(n(rng)) - 1, 1ull << 40);
  sketches.push_back(negative_only);
  DDSketch bounded(0.02, 16);
  for (int i = 0; i < 500; ++i) bounded.Add(std::exp(n(rng)));
  sketches.push_back(bounded);
  DDSketch zeros_only;
  zeros_only.Add(0.0, 3);
  sketches.push_back(zeros_only);

  for (const auto& s : sketches) {
    const std::string bytes = s.Serialize();
    EXPECT_EQ(static_cast<uint8_t>(bytes[0]), 1);  // the version byte comes first
    auto back = DDSketch::Deserialize(bytes);
    ASSERT_TRUE(back.has_value()) << back.error().message();
    ExpectIdentical(*back, s);
    EXPECT_EQ(back->Serialize(), bytes);
    for (double q : {0.0, 0.3, 0.5, 0.99, 1.0}) EXPECT_EQ(back->Quantile(q), s.Quantile(q));
    // The decoded sketch keeps working: it merges and adds like the original.
    DDSketch a = s, b = *back;
    ASSERT_TRUE(a.Merge(mixed.relative_accuracy() == s.relative_accuracy() ? mixed : s));
    ASSERT_TRUE(b.Merge(mixed.relative_accuracy() == s.relative_accuracy() ? mixed : s));
    EXPECT_TRUE(a == b);
    a.Add(123.0);
    b.Add(123.0);
    EXPECT_TRUE(a == b);
  }
  // Equal sketches encode equally, whatever the order of ingestion.
  DDSketch x, y;
  for (double v : {3.0, 1.0, 2.0}) x.Add(v);
  for (double v : {2.0, 3.0, 1.0}) y.Add(v);
  EXPECT_EQ(x.Serialize(), y.Serialize());
}

TEST(DDSketch, DeserializeRejectsTruncatedAndGarbageBytes) {
  std::mt19937_64 rng(21);
  std::normal_distribution<double> n(0, 10);
  DDSketch s;
  for (int i = 0; i < 1000; ++i) s.Add(n(rng));
  const std::string bytes = s.Serialize();
  for (size_t len = 0; len < bytes.size(); ++len) {
    const auto r = DDSketch::Deserialize(bytes.substr(0, len));
    ASSERT_FALSE(r.has_value()) << len;
    EXPECT_EQ(r.error().code(), ErrorCode::kParse);
    EXPECT_NE(r.error().message().find("DDSketch"), std::string::npos);
  }
  EXPECT_FALSE(DDSketch::Deserialize(bytes + '\0').has_value());  // trailing bytes
  std::string other_version = bytes;
  other_version[0] = 2;
  EXPECT_FALSE(DDSketch::Deserialize(other_version).has_value());

  // Header fields out of range.
  auto with_double_at = [&](size_t pos, double v) {
    std::string b = bytes;
    std::memcpy(b.data() + pos, &v, 8);
    return b;
  };
  EXPECT_FALSE(DDSketch::Deserialize(with_double_at(1, 0.0)).has_value());  // alpha
  EXPECT_FALSE(DDSketch::Deserialize(with_double_at(1, std::nan(""))).has_value());
  EXPECT_FALSE(DDSketch::Deserialize(with_double_at(1, 0.7)).has_value());
  // Layout: version(1) alpha(8) max_buckets(varint 2048 = 2 bytes) zero(1) sum min max.
  EXPECT_FALSE(DDSketch::Deserialize(with_double_at(12 + 8, std::nan(""))).has_value());  // min
  EXPECT_FALSE(DDSketch::Deserialize(with_double_at(12 + 8, 1e9)).has_value());  // min > max
  EXPECT_TRUE(DDSketch::Deserialize(with_double_at(12, 5.0)).has_value());       // any sum is fine

  // Random corruption: never a crash; anything accepted is a consistent sketch.
  int accepted = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string junk = bytes;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) junk[rng() % junk.size()] = static_cast<char>(rng());
    if (auto r = DDSketch::Deserialize(junk)) {
      ++accepted;
      EXPECT_EQ(
          r->count(), r->zero_count() + [&] {
            uint64_t t = 0;
            r->ForEachPositiveBucket([&](int, uint64_t c) { t += c; });
            r->ForEachNegativeBucket([&](int, uint64_t c) { t += c; });
            return t;
          }());
      (void)r->Quantile(0.5);
      auto again = DDSketch::Deserialize(r->Serialize());
      ASSERT_TRUE(again.has_value());
      EXPECT_TRUE(*again == *r);
    }
    std::string random(rng() % 96, '\0');
    for (auto& c : random) c = static_cast<char>(rng());
    if (!random.empty()) random[0] = 1;  // get past the version check
    if (auto r = DDSketch::Deserialize(random)) (void)r->Quantile(0.5);
  }
  // Flipping bucket counts keeps a valid encoding, so some corruptions are accepted; the
  // point is that none crashes (this runs under the sanitizers too).
  EXPECT_GT(accepted, 0);
}

}  // namespace
}  // namespace yardstick::stats
