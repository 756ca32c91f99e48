#pragma once
// DDSketch: a mergeable quantile sketch with relative-error guarantees (STATISTICS.md §3).
//
// Mapping: the canonical logarithmic mapping with relative accuracy alpha (default 0.01):
// gamma = (1 + alpha) / (1 - alpha), key(x) = ceil(log_gamma(x)), bucket k covers
// (gamma^(k-1), gamma^k], representative value 2 gamma^k / (1 + gamma) (so x = 100 has key 231
// and representative 100.4946; x = 1 has key 0 and representative 0.99). The bucket bounds are
// the values std::pow(gamma, k); Key() first takes ceil(log(x) / log(gamma)) and, when x is close
// enough to a bound for rounding to matter, compares x with the bounds themselves, so a bound
// gamma^k always lands in bucket k and its neighbours std::nextafter(gamma^k, ...) in the right
// buckets. Values with |x| <= kMinIndexable go to a zero count; negative values to a mirrored
// store keyed by Key(-x). NaN and infinities are ignored (they are not counted).
//
// Quantile: rank = q (count - 1) (the lower-rank definition of sketches-py: the exact answer is
// sorted[floor(q (count - 1))]); the value is the representative of the first key whose
// cumulative count exceeds rank, clamped to [min, max], so |estimate - exact| <= alpha |exact|
// for every q whose buckets have not collapsed. ValueAtRank is the same walk at a given rank.
//
// Merge adds bucket counts and is exact, associative and commutative: minute -> hour -> day
// rollups equal direct ingestion bucket for bucket (count, min and max too; the sum up to the
// order of floating-point additions). Sketches with different alpha refuse to merge.
//
// Storage is dense per sign: a vector of counts for consecutive keys plus an offset, growing both
// ways (sketches-py's DenseStore), so Add is a log and an increment and Merge a loop over the
// other sketch's counts. It is bounded: at most `max_buckets` keys per sign; past that, keys
// below (highest key - max_buckets + 1) fold into that key (sketches-py's
// LogCollapsingLowestDenseStore), so only the lowest quantiles lose the guarantee. The folded
// state depends only on the multiset of values, so merges stay exact under the bound too. A merge
// keeps the receiving sketch's bound.
//
// Serialization: a compact byte string, version byte first, then alpha, the bound, the zero
// count, sum, min, max and per sign the first key and the counts as varints (empty ends trimmed,
// so equal sketches encode equally). Deserialize reads it back exactly and returns kParse for
// anything that is not a well-formed encoding (truncated, garbage, trailing bytes, fields out of
// range); it never reads out of bounds.
//
// Performance (RelWithDebInfo, one core of a shared 2-core EPYC): Add ~11-20 ns; merging 15,000
// sketches of ~220 buckets ~7 ms (memory-bound: ~1.5 ms when they fit in cache), decoding and
// merging their ~370-byte encodings ~6-8 ms.
//
// Thread safety: none; a sketch is a value.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace yardstick::stats {

class DDSketch {
 public:
  static constexpr double kDefaultRelativeAccuracy = 0.01;
  static constexpr int kDefaultMaxBuckets = 2048;
  static constexpr double kMinIndexable = 1e-9;
  // The constructor clamps the relative accuracy into this range and max_buckets into
  // [1, kMaxBucketLimit]; Deserialize rejects encodings outside them.
  static constexpr double kMinRelativeAccuracy = 1e-6;
  static constexpr double kMaxRelativeAccuracy = 0.5;
  static constexpr int kMaxBucketLimit = 1 << 20;

  explicit DDSketch(double relative_accuracy = kDefaultRelativeAccuracy,
                    int max_buckets = kDefaultMaxBuckets);

  // Adds `weight` occurrences of `value` (weight 0 adds nothing). NaN and +-inf are ignored.
  void Add(double value, uint64_t weight = 1);

  // Adds every bucket and the count/sum/min/max of `other`. Error (kInvalidArgument) when the
  // relative accuracies differ.
  Result<void> Merge(const DDSketch& other);

  // The q-quantile, 0 <= q <= 1; nullopt when the sketch is empty or q is out of range.
  std::optional<double> Quantile(double q) const;

  // The value at 0-based rank r (0 <= r <= count - 1, fractional ranks allowed), i.e. the
  // floor(r)-th smallest value as the sketch knows it; the building block of quantile confidence
  // intervals. nullopt when the sketch is empty or r is out of range.
  std::optional<double> ValueAtRank(double rank) const;

  uint64_t count() const { return count_; }
  double sum() const { return sum_; }
  double min() const { return min_; }  // +inf when empty
  double max() const { return max_; }  // -inf when empty
  bool empty() const { return count_ == 0; }
  double relative_accuracy() const { return alpha_; }
  double gamma() const { return gamma_; }
  int max_buckets() const { return max_buckets_; }
  uint64_t zero_count() const { return zero_count_; }

  // Bucket key of a positive value (values below kMinIndexable are taken as kMinIndexable) and
  // the representative value of a key (exposed for tests and for mapping onto Prometheus/OTel
  // buckets).
  int Key(double value) const;
  double Value(int key) const;
  // Bounds of bucket `key`: it holds the values in (LowerBound(key), UpperBound(key)], i.e.
  // (gamma^(key-1), gamma^key].
  double LowerBound(int key) const;
  double UpperBound(int key) const;

  // Calls fn(key, count) for every non-empty bucket of the positive store, ascending key. The
  // negative store holds value -x under Key(x), also visited in ascending key (so descending
  // value).
  template <typename Fn>
  void ForEachPositiveBucket(Fn fn) const {
    positive_.ForEach(fn);
  }
  template <typename Fn>
  void ForEachNegativeBucket(Fn fn) const {
    negative_.ForEach(fn);
  }

  std::string Serialize() const;
  static Result<DDSketch> Deserialize(std::string_view bytes);

  // Equal alpha, buckets, zero count, count, min and max (the sum is left out: it depends on the
  // order of floating-point additions).
  friend bool operator==(const DDSketch& a, const DDSketch& b);

 private:
  // Counts of consecutive keys starting at `offset`, bounded to max_buckets keys by folding the
  // lowest keys into the lowest kept one. Invariant: offset = max(lowest key added, highest key
  // added - max_buckets + 1); counts[0] holds every value whose key is <= offset.
  struct Store {
    std::vector<uint64_t> counts;
    int offset = 0;

    void Add(int key, uint64_t weight, int max_buckets) {
      const auto i = static_cast<int64_t>(key) - offset;
      if (i >= 0 && i < static_cast<int64_t>(counts.size())) {
        counts[static_cast<size_t>(i)] += weight;
      } else {
        AddSlow(key, weight, max_buckets);
      }
    }
    void AddSlow(int key, uint64_t weight, int max_buckets);
    void Merge(const Store& other, int max_buckets);
    // Grows the range to include [lo, hi], folding keys below the bound.
    void Cover(int lo, int hi, int max_buckets);
    uint64_t total() const;
    template <typename Fn>
    void ForEach(Fn& fn) const {
      for (size_t i = 0; i < counts.size(); ++i) {
        if (counts[i] != 0) fn(offset + static_cast<int>(i), counts[i]);
      }
    }
  };

  double alpha_;
  double gamma_;
  double log_gamma_;
  double key_tolerance_;  // distance from an integer below which Key() checks the bounds
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
