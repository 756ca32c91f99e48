#include "store/aggregates.h"

#include <bit>
#include <cmath>
#include <cstring>

namespace yardstick::store {
namespace {

constexpr uint8_t kCallAggregateVersion = 1;
constexpr uint8_t kScoreAggregateVersion = 1;

class Writer {
 public:
  void U64(uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<char>(v));
  }
  void F64(double v) {
    const auto bits = std::bit_cast<uint64_t>(v);
    char buf[8];
    std::memcpy(buf, &bits, 8);
    out_.append(buf, 8);
  }
  void Bytes(std::string_view b) {
    U64(b.size());
    out_.append(b);
  }
  void Byte(uint8_t b) { out_.push_back(static_cast<char>(b)); }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool U64(uint64_t& v) {
    v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= in_.size()) return false;
      const auto b = static_cast<uint8_t>(in_[pos_++]);
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return true;
    }
    return false;
  }
  bool F64(double& v) {
    if (in_.size() - pos_ < 8) return false;
    uint64_t bits;
    std::memcpy(&bits, in_.data() + pos_, 8);
    pos_ += 8;
    v = std::bit_cast<double>(bits);
    return true;
  }
  bool Bytes(std::string_view& b) {
    uint64_t n;
    if (!U64(n) || n > in_.size() - pos_) return false;
    b = in_.substr(pos_, n);
    pos_ += n;
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
  return MakeError(ErrorCode::kParse, std::string("corrupt ") + what + " rollup aggregate");
}

}  // namespace

const std::string* DimensionValue(const Dimensions& dims, std::string_view name) {
  if (name == "model") return &dims.model;
  if (name == "route") return &dims.route;
  if (name == "prompt_version") return &dims.prompt_version;
  if (name == "variant") return &dims.variant;
  if (name == "environment") return &dims.environment;
  return nullptr;
}

Dimensions DimensionsOf(const model::Call& call) {
  return Dimensions{call.model(), call.route, call.prompt_version, call.variant, call.environment};
}

void CallAggregate::Add(const model::Call& call) {
  ++calls;
  if (call.status == model::CallStatus::kError) ++errors;
  const double seconds = call.latency_s();
  latency_sum += seconds;
  latency_sumsq += seconds * seconds;
  latency.Add(seconds);
  if (call.ttft_s && std::isfinite(*call.ttft_s) && *call.ttft_s >= 0) ttft.Add(*call.ttft_s);
  if (call.input_tokens >= 0 || call.output_tokens >= 0) ++token_calls;
  if (call.input_tokens > 0) input_tokens += static_cast<uint64_t>(call.input_tokens);
  if (call.output_tokens > 0) output_tokens += static_cast<uint64_t>(call.output_tokens);
  if (call.cache_read_tokens > 0)
    cache_read_tokens += static_cast<uint64_t>(call.cache_read_tokens);
  if (call.reasoning_tokens > 0) reasoning_tokens += static_cast<uint64_t>(call.reasoning_tokens);
  if (call.cost_usd && std::isfinite(*call.cost_usd)) {
    ++priced_calls;
    cost_sum += *call.cost_usd;
    cost_sumsq += *call.cost_usd * *call.cost_usd;
  }
}

Result<void> CallAggregate::Merge(const CallAggregate& other) {
  calls += other.calls;
  errors += other.errors;
  latency_sum += other.latency_sum;
  latency_sumsq += other.latency_sumsq;
  if (auto r = latency.Merge(other.latency); !r) return r;
  if (auto r = ttft.Merge(other.ttft); !r) return r;
  input_tokens += other.input_tokens;
  output_tokens += other.output_tokens;
  cache_read_tokens += other.cache_read_tokens;
  reasoning_tokens += other.reasoning_tokens;
  token_calls += other.token_calls;
  priced_calls += other.priced_calls;
  cost_sum += other.cost_sum;
  cost_sumsq += other.cost_sumsq;
  return {};
}

std::string CallAggregate::Serialize() const {
  Writer w;
  w.Byte(kCallAggregateVersion);
  for (uint64_t v : {calls, errors, input_tokens, output_tokens, cache_read_tokens,
                     reasoning_tokens, token_calls, priced_calls}) {
    w.U64(v);
  }
  for (double v : {latency_sum, latency_sumsq, cost_sum, cost_sumsq}) w.F64(v);
  w.Bytes(latency.Serialize());
  w.Bytes(ttft.Serialize());
  return w.Take();
}

Result<CallAggregate> CallAggregate::Deserialize(std::string_view bytes) {
  Reader r(bytes);
  CallAggregate a;
  uint8_t version;
  if (!r.Byte(version) || version != kCallAggregateVersion) return Corrupt("call");
  for (uint64_t* v : {&a.calls, &a.errors, &a.input_tokens, &a.output_tokens, &a.cache_read_tokens,
                      &a.reasoning_tokens, &a.token_calls, &a.priced_calls}) {
    if (!r.U64(*v)) return Corrupt("call");
  }
  for (double* v : {&a.latency_sum, &a.latency_sumsq, &a.cost_sum, &a.cost_sumsq}) {
    if (!r.F64(*v)) return Corrupt("call");
  }
  std::string_view sketch;
  if (!r.Bytes(sketch)) return Corrupt("call");
  auto lat = stats::DDSketch::Deserialize(sketch);
  if (!lat) return std::unexpected(lat.error());
  a.latency = std::move(*lat);
  if (!r.Bytes(sketch)) return Corrupt("call");
  auto tt = stats::DDSketch::Deserialize(sketch);
  if (!tt) return std::unexpected(tt.error());
  a.ttft = std::move(*tt);
  if (!r.done()) return Corrupt("call");
  return a;
}

void ScoreAggregate::Add(const model::Score& score) {
  if (!score.value || !std::isfinite(*score.value)) {
    if (!score.label.empty()) ++labeled;
    return;
  }
  AddValue(*score.value);
}

void ScoreAggregate::AddValue(double v) {
  if (!std::isfinite(v)) return;
  ++count;
  sum += v;
  sumsq += v * v;
  if (v > 0) ++positive;
  if (v >= 4) ++at_least_4;
  if (v >= 9 && v <= 10) ++promoters;
  if (v >= 0 && v <= 6) ++detractors;
}

void ScoreAggregate::Merge(const ScoreAggregate& o) {
  count += o.count;
  sum += o.sum;
  sumsq += o.sumsq;
  positive += o.positive;
  at_least_4 += o.at_least_4;
  promoters += o.promoters;
  detractors += o.detractors;
  labeled += o.labeled;
}

std::string ScoreAggregate::Serialize() const {
  Writer w;
  w.Byte(kScoreAggregateVersion);
  for (uint64_t v : {count, positive, at_least_4, promoters, detractors, labeled}) w.U64(v);
  w.F64(sum);
  w.F64(sumsq);
  return w.Take();
}

Result<ScoreAggregate> ScoreAggregate::Deserialize(std::string_view bytes) {
  Reader r(bytes);
  ScoreAggregate a;
  uint8_t version;
  if (!r.Byte(version) || version != kScoreAggregateVersion) return Corrupt("score");
  for (uint64_t* v :
       {&a.count, &a.positive, &a.at_least_4, &a.promoters, &a.detractors, &a.labeled}) {
    if (!r.U64(*v)) return Corrupt("score");
  }
  if (!r.F64(a.sum) || !r.F64(a.sumsq) || !r.done()) return Corrupt("score");
  return a;
}

}  // namespace yardstick::store
