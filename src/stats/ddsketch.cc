#include "stats/ddsketch.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <utility>

namespace yardstick::stats {
namespace {

constexpr uint8_t kFormatVersion = 1;

size_t VarintSize(uint64_t v) {
  return v < 0x80 ? 1 : (static_cast<size_t>(std::bit_width(v)) + 6) / 7;
}

// Writers into a buffer sized exactly beforehand.
char* PutVarint(char* out, uint64_t v) {
  while (v >= 0x80) {
    *out++ = static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  *out++ = static_cast<char>(v);
  return out;
}

char* PutDouble(char* out, double v) {
  const auto bits = std::bit_cast<uint64_t>(v);
  std::memcpy(out, &bits, 8);
  return out + 8;
}

uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
int64_t UnZigZag(uint64_t v) { return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1); }

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool Varint(uint64_t& v) {
    v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= in_.size()) return false;
      const auto b = static_cast<uint8_t>(in_[pos_++]);
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return true;
    }
    return false;
  }
  bool Double(double& v) {
    if (in_.size() - pos_ < 8) return false;
    uint64_t bits;
    std::memcpy(&bits, in_.data() + pos_, 8);
    pos_ += 8;
    v = std::bit_cast<double>(bits);
    return true;
  }
  bool Byte(uint8_t& b) {
    if (pos_ >= in_.size()) return false;
    b = static_cast<uint8_t>(in_[pos_++]);
    return true;
  }
  bool done() const { return pos_ == in_.size(); }
  size_t pos() const { return pos_; }
  size_t remaining() const { return in_.size() - pos_; }

 private:
  std::string_view in_;
  size_t pos_ = 0;
};

std::unexpected<Error> Corrupt(const Reader& r, const std::string& expected) {
  return MakeError(ErrorCode::kParse,
                   "DDSketch encoding, byte " + std::to_string(r.pos()) + ": expected " + expected);
}

}  // namespace

void DDSketch::Store::Cover(int lo, int hi, int max_buckets) {
  if (counts.empty()) {
    offset = std::max(lo, hi - max_buckets + 1);
    counts.assign(static_cast<size_t>(hi - offset) + 1, 0);
    return;
  }
  const int old_top = offset + static_cast<int>(counts.size()) - 1;
  const int top = std::max(hi, old_top);
  const int low = std::max(std::min(lo, offset), top - max_buckets + 1);
  if (low == offset) {
    if (top > old_top) counts.resize(static_cast<size_t>(top - offset) + 1, 0);
    return;
  }
  // The range moves down (new low keys) or up (keys fall below the bound and fold into `low`).
  std::vector<uint64_t> next(static_cast<size_t>(top - low) + 1, 0);
  for (size_t i = 0; i < counts.size(); ++i) {
    const int key = std::max(offset + static_cast<int>(i), low);
    next[static_cast<size_t>(key - low)] += counts[i];
  }
  counts = std::move(next);
  offset = low;
}

void DDSketch::Store::AddSlow(int key, uint64_t weight, int max_buckets) {
  Cover(key, key, max_buckets);
  counts[static_cast<size_t>(std::max(key, offset) - offset)] += weight;
}

void DDSketch::Store::Merge(const Store& other, int max_buckets) {
  // Only the non-empty span of `other` counts, so that empty ends never move the bound.
  size_t lo = 0, hi = other.counts.size();
  while (lo < hi && other.counts[lo] == 0) ++lo;
  while (hi > lo && other.counts[hi - 1] == 0) --hi;
  if (lo == hi) return;
  const int first = other.offset + static_cast<int>(lo);
  Cover(first, other.offset + static_cast<int>(hi) - 1, max_buckets);
  // Keys of `other` below `offset` fold into counts[0]; the rest add one to one.
  size_t i = lo;
  if (first < offset) {
    const size_t below = std::min(hi, lo + static_cast<size_t>(offset - first));
    uint64_t folded = 0;
    for (; i < below; ++i) folded += other.counts[i];
    counts[0] += folded;
  }
  if (i < hi) {
    uint64_t* dst = counts.data() + (other.offset + static_cast<int>(i) - offset);
    const uint64_t* src = other.counts.data() + i;
    const size_t n = hi - i;
    for (size_t j = 0; j < n; ++j) dst[j] += src[j];
  }
}

uint64_t DDSketch::Store::total() const {
  uint64_t t = 0;
  for (uint64_t c : counts) t += c;
  return t;
}

DDSketch::DDSketch(double relative_accuracy, int max_buckets)
    : alpha_(std::isnan(relative_accuracy)
                 ? kDefaultRelativeAccuracy
                 : std::clamp(relative_accuracy, kMinRelativeAccuracy, kMaxRelativeAccuracy)),
      gamma_((1 + alpha_) / (1 - alpha_)),
      log_gamma_(std::log(gamma_)),
      // log(x) / log(gamma) is within a few ulps of its exact value, and a bound pow(gamma, k) is
      // within an ulp of gamma^k, i.e. within ~1e-16 / log(gamma) in key units. Far from an
      // integer the ceiling cannot be wrong; this margin is a million times those errors.
      key_tolerance_(1e-10 / log_gamma_),
      max_buckets_(std::clamp(max_buckets, 1, kMaxBucketLimit)),
      min_(std::numeric_limits<double>::infinity()),
      max_(-std::numeric_limits<double>::infinity()) {}

int DDSketch::Key(double value) const {
  value = std::clamp(value, kMinIndexable, std::numeric_limits<double>::max());  // NaN stays
  if (std::isnan(value)) value = kMinIndexable;
  const double t = std::log(value) / log_gamma_;
  const double c = std::ceil(t);
  int k = static_cast<int>(c);
  if (c - t < key_tolerance_ + 1e-12 * std::fabs(t) ||
      t - (c - 1) < key_tolerance_ + 1e-12 * std::fabs(t)) {
    // x is next to a bound: make bucket k exactly (pow(gamma, k-1), pow(gamma, k)].
    if (value <= std::pow(gamma_, k - 1)) {
      --k;
    } else if (value > std::pow(gamma_, k)) {
      ++k;
    }
  }
  return k;
}

double DDSketch::Value(int key) const { return 2 * std::pow(gamma_, key) / (1 + gamma_); }

double DDSketch::LowerBound(int key) const { return std::pow(gamma_, key - 1); }

double DDSketch::UpperBound(int key) const { return std::pow(gamma_, key); }

void DDSketch::Add(double value, uint64_t weight) {
  if (!std::isfinite(value) || weight == 0) return;
  if (value > kMinIndexable) {
    positive_.Add(Key(value), weight, max_buckets_);
  } else if (value < -kMinIndexable) {
    negative_.Add(Key(-value), weight, max_buckets_);
  } else {
    zero_count_ += weight;
  }
  count_ += weight;
  sum_ += value * static_cast<double>(weight);
  min_ = std::min(min_, value);
  max_ = std::max(max_, value);
}

Result<void> DDSketch::Merge(const DDSketch& other) {
  if (other.alpha_ != alpha_) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "DDSketch::Merge: relative accuracy " + std::to_string(other.alpha_) +
                         " differs from this sketch's " + std::to_string(alpha_));
  }
  if (other.count_ == 0) return {};
  if (&other == this) {
    const DDSketch copy = other;
    return Merge(copy);
  }
  positive_.Merge(other.positive_, max_buckets_);
  negative_.Merge(other.negative_, max_buckets_);
  zero_count_ += other.zero_count_;
  count_ += other.count_;
  sum_ += other.sum_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  return {};
}

std::optional<double> DDSketch::ValueAtRank(double rank) const {
  if (count_ == 0 || !(rank >= 0) || rank > static_cast<double>(count_ - 1)) return std::nullopt;
  // The first value whose cumulative count exceeds rank is the floor(rank)-th smallest.
  uint64_t r = std::min(static_cast<uint64_t>(rank), count_ - 1);
  double result = 0;
  const uint64_t negative_count = negative_.total();
  if (r < negative_count) {
    // The most negative values have the highest keys: walk the negative store downwards.
    const auto& c = negative_.counts;
    size_t i = c.size();
    uint64_t running = 0;
    while (i > 0) {
      running += c[--i];
      if (running > r) break;
    }
    result = -Value(negative_.offset + static_cast<int>(i));
  } else if (r - negative_count < zero_count_) {
    result = 0;
  } else {
    r -= negative_count + zero_count_;
    const auto& c = positive_.counts;
    size_t i = 0;
    uint64_t running = 0;
    for (; i + 1 < c.size(); ++i) {
      running += c[i];
      if (running > r) break;
    }
    result = Value(positive_.offset + static_cast<int>(i));
  }
  return std::clamp(result, min_, max_);
}

std::optional<double> DDSketch::Quantile(double q) const {
  if (count_ == 0 || !(q >= 0 && q <= 1)) return std::nullopt;
  return ValueAtRank(q * static_cast<double>(count_ - 1));
}

std::string DDSketch::Serialize() const {
  // The non-empty span [lo, hi) of each store: empty ends are trimmed so that equal sketches
  // encode equally.
  struct Span {
    const Store* store;
    size_t lo, hi;
    uint64_t first;  // zigzag of the first key, 0 when empty
  };
  Span spans[2] = {{&positive_, 0, 0, 0}, {&negative_, 0, 0, 0}};
  size_t size =
      1 + 8 + VarintSize(static_cast<uint64_t>(max_buckets_)) + VarintSize(zero_count_) + 3 * 8;
  for (Span& sp : spans) {
    const auto& c = sp.store->counts;
    sp.hi = c.size();
    while (sp.lo < sp.hi && c[sp.lo] == 0) ++sp.lo;
    while (sp.hi > sp.lo && c[sp.hi - 1] == 0) --sp.hi;
    if (sp.lo < sp.hi) sp.first = ZigZag(sp.store->offset + static_cast<int64_t>(sp.lo));
    size += VarintSize(sp.first) + VarintSize(sp.hi - sp.lo);
    for (size_t i = sp.lo; i < sp.hi; ++i) size += VarintSize(c[i]);
  }
  std::string out(size, '\0');
  char* p = out.data();
  *p++ = static_cast<char>(kFormatVersion);
  p = PutDouble(p, alpha_);
  p = PutVarint(p, static_cast<uint64_t>(max_buckets_));
  p = PutVarint(p, zero_count_);
  p = PutDouble(p, sum_);
  p = PutDouble(p, min_);
  p = PutDouble(p, max_);
  for (const Span& sp : spans) {
    p = PutVarint(p, sp.first);
    p = PutVarint(p, sp.hi - sp.lo);
    for (size_t i = sp.lo; i < sp.hi; ++i) p = PutVarint(p, sp.store->counts[i]);
  }
  return out;
}

Result<DDSketch> DDSketch::Deserialize(std::string_view bytes) {
  Reader r(bytes);
  uint8_t version;
  if (!r.Byte(version)) return Corrupt(r, "a version byte, got no bytes");
  if (version != kFormatVersion) {
    return Corrupt(
        r, "version " + std::to_string(kFormatVersion) + ", got " + std::to_string(version));
  }
  double alpha;
  uint64_t max_buckets, zero;
  if (!r.Double(alpha) || !(alpha >= kMinRelativeAccuracy && alpha <= kMaxRelativeAccuracy)) {
    return Corrupt(r, "a relative accuracy in [1e-6, 0.5]");
  }
  if (!r.Varint(max_buckets) || max_buckets == 0 ||
      max_buckets > static_cast<uint64_t>(kMaxBucketLimit)) {
    return Corrupt(r, "a bucket limit in [1, 2^20]");
  }
  DDSketch s(alpha, static_cast<int>(max_buckets));
  if (!r.Varint(zero) || !r.Double(s.sum_) || !r.Double(s.min_) || !r.Double(s.max_)) {
    return Corrupt(r, "zero count, sum, min and max");
  }
  s.zero_count_ = zero;
  uint64_t count = zero;
  const int lowest_key = s.Key(kMinIndexable);
  const int highest_key = s.Key(std::numeric_limits<double>::max());
  for (Store* st : {&s.positive_, &s.negative_}) {
    uint64_t offset, n;
    if (!r.Varint(offset) || !r.Varint(n)) return Corrupt(r, "a store's first key and size");
    if (n > max_buckets || n > r.remaining()) {
      return Corrupt(r, "a store size within the bucket limit and the remaining bytes");
    }
    if (n == 0) {
      if (offset != 0) return Corrupt(r, "first key 0 for an empty store");
      continue;
    }
    const int64_t first = UnZigZag(offset);
    if (first < lowest_key || first + static_cast<int64_t>(n) - 1 > highest_key) {
      return Corrupt(
          r, "keys in [" + std::to_string(lowest_key) + ", " + std::to_string(highest_key) + "]");
    }
    st->offset = static_cast<int>(first);
    st->counts.resize(static_cast<size_t>(n));
    for (auto& c : st->counts) {
      if (!r.Varint(c)) return Corrupt(r, "a bucket count");
      if (count + c < count) return Corrupt(r, "a total count below 2^64");
      count += c;
    }
  }
  if (!r.done()) return Corrupt(r, "the end of the encoding, got trailing bytes");
  s.count_ = count;
  if (count > 0) {
    if (!(std::isfinite(s.min_) && std::isfinite(s.max_) && s.min_ <= s.max_)) {
      return Corrupt(r, "finite min <= max");
    }
  } else if (s.min_ != std::numeric_limits<double>::infinity() ||
             s.max_ != -std::numeric_limits<double>::infinity()) {
    return Corrupt(r, "min = +inf and max = -inf in an empty sketch");
  }
  return s;
}

bool operator==(const DDSketch& a, const DDSketch& b) {
  auto trimmed = [](const DDSketch::Store& s) {
    size_t lo = 0, hi = s.counts.size();
    while (lo < hi && s.counts[lo] == 0) ++lo;
    while (hi > lo && s.counts[hi - 1] == 0) --hi;
    return std::make_pair(s.offset + static_cast<int>(lo),
                          std::vector<uint64_t>(s.counts.begin() + static_cast<long>(lo),
                                                s.counts.begin() + static_cast<long>(hi)));
  };
  return a.alpha_ == b.alpha_ && a.count_ == b.count_ && a.zero_count_ == b.zero_count_ &&
         (a.count_ == 0 || (a.min_ == b.min_ && a.max_ == b.max_)) &&
         trimmed(a.positive_) == trimmed(b.positive_) &&
         trimmed(a.negative_) == trimmed(b.negative_);
}

}  // namespace yardstick::stats
