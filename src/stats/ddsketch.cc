#include "stats/ddsketch.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>

namespace yardstick::stats {
namespace {

constexpr uint8_t kFormatVersion = 1;

void PutVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

void PutDouble(std::string& out, double v) {
  const auto bits = std::bit_cast<uint64_t>(v);
  char buf[8];
  std::memcpy(buf, &bits, 8);
  out.append(buf, 8);
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

 private:
  std::string_view in_;
  size_t pos_ = 0;
};

std::unexpected<Error> Corrupt(const char* what) {
  return MakeError(ErrorCode::kParse, std::string("corrupt DDSketch encoding: ") + what);
}

}  // namespace

void DDSketch::Store::Add(int key, uint64_t weight, int max_buckets) {
  if (counts.empty()) {
    counts.assign(1, 0);
    offset = key;
  }
  if (key < offset) {
    // Grow downwards, unless that exceeds the bound: then the value joins the lowest bucket.
    const int top = offset + static_cast<int>(counts.size()) - 1;
    if (top - key + 1 > max_buckets) {
      key = top - max_buckets + 1;  // the lowest key the bound allows (<= offset)
    }
    if (key < offset) {
      counts.insert(counts.begin(), static_cast<size_t>(offset - key), 0);
      offset = key;
    }
  } else if (key >= offset + static_cast<int>(counts.size())) {
    counts.resize(static_cast<size_t>(key - offset) + 1, 0);
    // Keep at most max_buckets keys: fold the lowest ones into the lowest kept bucket.
    if (static_cast<int>(counts.size()) > max_buckets) {
      const size_t excess = counts.size() - static_cast<size_t>(max_buckets);
      uint64_t folded = 0;
      for (size_t i = 0; i < excess; ++i) folded += counts[i];
      counts.erase(counts.begin(), counts.begin() + static_cast<long>(excess));
      counts[0] += folded;
      offset += static_cast<int>(excess);
    }
  }
  counts[static_cast<size_t>(key - offset)] += weight;
}

void DDSketch::Store::Merge(const Store& other, int max_buckets) {
  for (size_t i = 0; i < other.counts.size(); ++i) {
    if (other.counts[i] != 0) Add(other.offset + static_cast<int>(i), other.counts[i], max_buckets);
  }
}

uint64_t DDSketch::Store::total() const {
  uint64_t t = 0;
  for (uint64_t c : counts) t += c;
  return t;
}

DDSketch::DDSketch(double relative_accuracy, int max_buckets)
    : alpha_(relative_accuracy),
      gamma_((1 + relative_accuracy) / (1 - relative_accuracy)),
      log_gamma_(std::log(gamma_)),
      max_buckets_(std::max(1, max_buckets)),
      min_(std::numeric_limits<double>::infinity()),
      max_(-std::numeric_limits<double>::infinity()) {}

int DDSketch::Key(double value) const {
  int k = static_cast<int>(std::ceil(std::log(value) / log_gamma_));
  // ceil(log x / log gamma) can be off by one next to a boundary gamma^k: correct it so that
  // bucket k is exactly (gamma^(k-1), gamma^k].
  if (value <= std::pow(gamma_, k - 1)) {
    --k;
  } else if (value > std::pow(gamma_, k)) {
    ++k;
  }
  return k;
}

double DDSketch::Value(int key) const { return 2 * std::pow(gamma_, key) / (1 + gamma_); }

double DDSketch::LowerBound(int key) const { return std::pow(gamma_, key - 1); }

void DDSketch::Add(double value, uint64_t weight) {
  if (std::isnan(value) || weight == 0) return;
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
                     "cannot merge DDSketches with different relative accuracy");
  }
  if (other.count_ == 0) return {};
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
  const uint64_t negative_count = negative_.total();
  double result;
  if (rank < static_cast<double>(negative_count)) {
    // Negative values ascend as their keys descend.
    const double r = static_cast<double>(negative_count) - 1 - rank;
    double running = 0;
    int key = negative_.offset;
    for (size_t i = 0; i < negative_.counts.size(); ++i) {
      running += static_cast<double>(negative_.counts[i]);
      if (running >= r + 1) {
        key = negative_.offset + static_cast<int>(i);
        break;
      }
    }
    result = -Value(key);
  } else if (rank < static_cast<double>(negative_count + zero_count_)) {
    result = 0;
  } else {
    const double r = rank - static_cast<double>(negative_count + zero_count_);
    double running = 0;
    int key = positive_.offset + static_cast<int>(positive_.counts.size()) - 1;
    for (size_t i = 0; i < positive_.counts.size(); ++i) {
      running += static_cast<double>(positive_.counts[i]);
      if (running > r) {
        key = positive_.offset + static_cast<int>(i);
        break;
      }
    }
    result = Value(key);
  }
  return std::clamp(result, min_, max_);
}

std::optional<double> DDSketch::Quantile(double q) const {
  if (count_ == 0 || !(q >= 0 && q <= 1)) return std::nullopt;
  return ValueAtRank(q * static_cast<double>(count_ - 1));
}

std::string DDSketch::Serialize() const {
  std::string out;
  out.push_back(static_cast<char>(kFormatVersion));
  PutDouble(out, alpha_);
  PutVarint(out, static_cast<uint64_t>(max_buckets_));
  PutVarint(out, zero_count_);
  PutDouble(out, sum_);
  PutDouble(out, min_);
  PutDouble(out, max_);
  for (const Store* s : {&positive_, &negative_}) {
    // Trim empty ends so equal sketches encode equally.
    size_t lo = 0, hi = s->counts.size();
    while (lo < hi && s->counts[lo] == 0) ++lo;
    while (hi > lo && s->counts[hi - 1] == 0) --hi;
    PutVarint(out, ZigZag(s->offset + static_cast<int64_t>(lo)));
    PutVarint(out, hi - lo);
    for (size_t i = lo; i < hi; ++i) PutVarint(out, s->counts[i]);
  }
  return out;
}

Result<DDSketch> DDSketch::Deserialize(std::string_view bytes) {
  Reader r(bytes);
  uint8_t version;
  if (!r.Byte(version)) return Corrupt("empty");
  if (version != kFormatVersion) return Corrupt("unknown version");
  double alpha;
  uint64_t max_buckets, zero;
  if (!r.Double(alpha) || !(alpha > 0 && alpha < 1)) return Corrupt("relative accuracy");
  if (!r.Varint(max_buckets) || max_buckets == 0 || max_buckets > (1u << 20)) {
    return Corrupt("bucket limit");
  }
  DDSketch s(alpha, static_cast<int>(max_buckets));
  if (!r.Varint(zero) || !r.Double(s.sum_) || !r.Double(s.min_) || !r.Double(s.max_)) {
    return Corrupt("truncated header");
  }
  s.zero_count_ = zero;
  uint64_t count = zero;
  for (Store* st : {&s.positive_, &s.negative_}) {
    uint64_t offset, n;
    if (!r.Varint(offset) || !r.Varint(n)) return Corrupt("truncated store");
    if (n > max_buckets) return Corrupt("store larger than its bound");
    const int64_t off = UnZigZag(offset);
    if (off < -(1 << 24) || off > (1 << 24)) return Corrupt("key out of range");
    st->offset = static_cast<int>(off);
    st->counts.resize(static_cast<size_t>(n));
    for (auto& c : st->counts) {
      if (!r.Varint(c)) return Corrupt("truncated counts");
      if (count + c < count) return Corrupt("count overflow");
      count += c;
    }
  }
  if (!r.done()) return Corrupt("trailing bytes");
  s.count_ = count;
  if (count > 0 && !(s.min_ <= s.max_)) return Corrupt("min above max");
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
