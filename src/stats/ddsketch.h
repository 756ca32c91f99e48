#pragma once
// DDSketch: a mergeable quantile sketch with relative-error guarantees (STATISTICS.md §3).
//
// Mapping: the canonical logarithmic mapping with relative accuracy alpha (default 0.01):
// gamma = (1 + alpha) / (1 - alpha), key(x) = ceil(log_gamma(x)), bucket k covers
// (gamma^(k-1), gamma^k], representative value 2 gamma^k / (1 + gamma). Keys are computed so
// that exact bucket boundaries land in the right bucket (tested at the boundaries).
// Values with |x| < kMinIndexable go to a zero count; negative values to a mirrored store.
//
// Quantile: rank = q (count - 1); the first key whose cumulative count exceeds rank; the result
// is clamped to [min, max]. Merge adds bucket counts and is exact, associative and commutative
// (sketches with different alpha refuse to merge). count, sum, min and max are kept exactly.
//
// Storage is dense per sign and bounded: at most `max_buckets` keys per sign; past that the lowest
// keys collapse into the lowest kept bucket (only low quantiles lose the guarantee), as
// sketches-py's LogCollapsingLowestDenseStore does.
//
// Serialization: a compact, versioned byte string (varint keys as deltas and counts) that
// Deserialize reads back exactly; for storing rollups in a database.
//
// Thread safety: none; a sketch is a value.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/error.h"

namespace yardstick::stats {

class DDSketch {
 public:
  static constexpr double kDefaultRelativeAccuracy = 0.01;
  static constexpr int kDefaultMaxBuckets = 2048;
  static constexpr double kMinIndexable = 1e-9;

  explicit DDSketch(double relative_accuracy = kDefaultRelativeAccuracy,
                    int max_buckets = kDefaultMaxBuckets);

  // Adds `weight` occurrences of `value` (weight > 0). NaN is ignored.
  void Add(double value, uint64_t weight = 1);

  // Adds every bucket and the count/sum/min/max of `other`. Error (kInvalidArgument) when the
  // relative accuracies differ.
  Result<void> Merge(const DDSketch& other);

  // The q-quantile, 0 <= q <= 1; nullopt when the sketch is empty or q is out of range.
  std::optional<double> Quantile(double q) const;

  // The value at 0-based rank r (0 <= r < count), i.e. the r-th smallest value as the sketch
  // knows it; the building block of quantile confidence intervals. nullopt when out of range.
  std::optional<double> ValueAtRank(double rank) const;

  uint64_t count() const { return count_; }
  double sum() const { return sum_; }
  double min() const { return min_; }  // +inf when empty
  double max() const { return max_; }  // -inf when empty
  bool empty() const { return count_ == 0; }
  double relative_accuracy() const { return alpha_; }

  // Bucket key of a positive value and the representative value of a key (exposed for tests
  // and for mapping onto Prometheus/OTel buckets).
  int Key(double value) const;
  double Value(int key) const;
  // Lower bound of bucket `key`: gamma^(key-1).
  double LowerBound(int key) const;

  // Calls fn(key, count) for every non-empty bucket of the positive store, ascending.
  template <typename Fn>
  void ForEachPositiveBucket(Fn fn) const {
    for (size_t i = 0; i < positive_.counts.size(); ++i) {
      if (positive_.counts[i] != 0) fn(positive_.offset + static_cast<int>(i), positive_.counts[i]);
    }
  }
  uint64_t zero_count() const { return zero_count_; }

  std::string Serialize() const;
  static Result<DDSketch> Deserialize(std::string_view bytes);

  // Equal buckets, count, min and max (the sum is left out: it depends on the order of
  // floating-point additions).
  friend bool operator==(const DDSketch& a, const DDSketch& b);

 private:
  // Counts of consecutive keys starting at `offset` (sketches-py's dense store), bounded to
  // max_buckets keys by folding the lowest keys into the lowest kept one.
  struct Store {
    std::vector<uint64_t> counts;
    int offset = 0;
    void Add(int key, uint64_t weight, int max_buckets);
    void Merge(const Store& other, int max_buckets);
    uint64_t total() const;
    friend bool operator==(const Store&, const Store&) = default;
  };

  double alpha_;
  double gamma_;
  double log_gamma_;
  int max_buckets_;
  Store positive_;
  Store negative_;  // keyed by Key(-value)
  uint64_t zero_count_ = 0;
  uint64_t count_ = 0;
  double sum_ = 0;
  double min_;
  double max_;
};

}  // namespace yardstick::stats
