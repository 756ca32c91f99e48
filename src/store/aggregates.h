#pragma once
// Rollup aggregates: the additive summaries the store keeps per minute, hour and day for each
// (project, model, route, prompt version, variant, environment). Every field merges exactly
// (counts and sums add; DDSketch buckets add), so an hour equals the merge of its minutes and a
// KPI over any range is answered from rollups without reading raw records.
//
// Serialization is a compact versioned byte string shared by every backend.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/error.h"
#include "model/records.h"
#include "stats/ddsketch.h"

namespace yardstick::store {

// The dimensions calls are rolled up by (besides project and time).
struct Dimensions {
  std::string model;
  std::string route;
  std::string prompt_version;
  std::string variant;
  std::string environment;

  friend bool operator==(const Dimensions&, const Dimensions&) = default;
  friend auto operator<=>(const Dimensions&, const Dimensions&) = default;
};

// The dimension names accepted by group_by and filters, in Dimensions' field order.
inline constexpr std::array<std::string_view, 5> kDimensionNames = {
    "model", "route", "prompt_version", "variant", "environment"};

// Returns the value of a dimension by name; nullptr for an unknown name.
const std::string* DimensionValue(const Dimensions& dims, std::string_view name);
Dimensions DimensionsOf(const model::Call& call);

struct CallAggregate {
  uint64_t calls = 0;
  uint64_t errors = 0;
  double latency_sum = 0;     // seconds
  double latency_sumsq = 0;   // for the mean's confidence interval
  stats::DDSketch latency;    // seconds
  stats::DDSketch ttft;       // seconds; count = calls that reported a TTFT
  uint64_t input_tokens = 0;  // sums over calls that reported the count
  uint64_t output_tokens = 0;
  uint64_t cache_read_tokens = 0;
  uint64_t reasoning_tokens = 0;
  uint64_t token_calls = 0;   // calls that reported input or output tokens
  uint64_t priced_calls = 0;  // calls with a cost
  double cost_sum = 0;        // USD
  double cost_sumsq = 0;

  void Add(const model::Call& call);
  Result<void> Merge(const CallAggregate& other);
  std::string Serialize() const;
  static Result<CallAggregate> Deserialize(std::string_view bytes);
};

// Scores are rolled up per (project, name, source, dimensions of the judged call when known);
// outcomes use the same aggregate per (project, name, dimensions of their conversation).
struct ScoreAggregate {
  uint64_t count = 0;  // scores with a numeric value
  double sum = 0;
  double sumsq = 0;
  uint64_t positive = 0;    // value > 0 (thumbs up, pass)
  uint64_t at_least_4 = 0;  // value >= 4 (CSAT "satisfied" on a 1-5 scale)
  uint64_t promoters = 0;   // 9 <= value <= 10 (NPS)
  uint64_t detractors = 0;  // 0 <= value <= 6 (NPS)
  uint64_t labeled = 0;     // scores with a label and no value

  void Add(const model::Score& score);
  void Add(const model::Outcome& outcome) { AddValue(outcome.value); }
  void AddValue(double v);
  void Merge(const ScoreAggregate& other);
  std::string Serialize() const;
  static Result<ScoreAggregate> Deserialize(std::string_view bytes);
};

}  // namespace yardstick::store
