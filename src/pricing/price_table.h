#pragma once
// The model price table and the cost of a call.
//
// The table is Langfuse's default model price list (data/model-prices.json, embedded in the
// binary at build time; data/README.md describes the format). Each entry has a `matchPattern`
// (a PCRE2 regex on the model name, usually "(?i)^(openai/)?(gpt-4o)$") and pricing tiers: a
// default tier and conditional tiers (e.g. "input tokens > 200000", "service_tier in [flex]").
// Project overrides from the configuration beat the table.
//
// Lookup of a model name tries its forms in order: the name as given, without a trailing date
// (-YYYYMMDD or -YYYY-MM-DD), without a provider prefix (everything up to the last '/':
// "azure/", "openrouter/openai/"), without both. For each form, first hit wins:
//   1. overrides for the call's project, then overrides for every project, in the order added;
//   2. table entries in file order.
// So an override beats the table for the same form, and a table entry for the exact name
// ("gpt-4o-2024-05-13") beats an override that matches only its undated form ("^gpt-4o$").
//
// Usage keys. Langfuse prices usage under many key names; each price of the table maps to one
// token bucket of the data model (the first key present wins; within a tier the aliases carry
// the same price in the shipped file):
//   input           input, input_tokens, input_text_tokens, input_text, prompt_token_count,
//                   promptTokenCount, input_modality_1
//   cache_read      input_cached_tokens, input_cache_read, cache_read_input_tokens,
//                   cached_content_token_count, input_cached_text_tokens, cached_tokens
//   cache_creation  input_cache_creation, cache_creation_input_tokens, cache_write_tokens,
//                   input_cache_write, input_cache_creation_5m
//   output          output, output_tokens, output_text_tokens, output_text,
//                   candidates_token_count, candidatesTokenCount, output_modality_1
//   reasoning       output_reasoning_tokens, output_reasoning, reasoning_tokens,
//                   thoughts_token_count, thoughtsTokenCount
//   total           total (legacy completion and embedding models priced per token of any kind)
// Keys for usage the data model does not count (audio, images, the 1-hour cache-write rate,
// grounding and web-search requests) are read and ignored.
//
// Cost of a call (USD). The data model's input_tokens include cache-read and cache-creation
// tokens and output_tokens include reasoning tokens, so the disjoint buckets are
//   uncached input = input - cache_read - cache_creation (at least 0), output = output - reasoning
// and cost = uncached * input + cache_read * cache_read_price (else input) + cache_creation *
// cache_creation_price (else input) + output * output + reasoning * reasoning_price (else
// output). A tier that has only a total price charges (input + output) * total. Unknown counts
// (-1) count as 0; a call with neither input nor output tokens known has no cost.
//
// Tiers. The conditional tiers are tried by ascending priority and the first whose conditions
// all hold is used, else the default tier. A usage condition sums the buckets whose Langfuse
// key ("input", "input_cached_tokens", "input_cache_creation", "output",
// "output_reasoning_tokens") its usageDetailPattern finds (unanchored search, case-insensitive
// unless caseSensitive) and compares the sum with gt/gte/lt/lte/eq/neq; so "(input)" > 200000
// means more than 200k input tokens in all. A model_parameters condition (`key` in `values`)
// holds when one of the call's attributes named `key`, or ending in "." + key (e.g.
// "openai.request.service_tier"), has one of the values, ignoring ASCII case.
//
// Speed: model-name lookups are memoized per (project, model) in a sharded cache of at most
// 4096 names; further names are resolved without caching.
//
// Thread safety: Lookup(), Cost() and PriceBatch() may be called from many threads at once.
// AddOverride() must not run concurrently with anything else (call it while configuring).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "model/records.h"

namespace yardstick::pricing {

// USD per token; unset prices fall back as described above.
struct TokenPrices {
  std::optional<double> input, output, cache_read, cache_creation, reasoning;
  std::optional<double> total;
};

enum class Comparison { kGt, kGte, kLt, kLte, kEq, kNeq };

// Bits for the token buckets a usage condition sums.
enum UsageBucket : uint8_t {
  kUncachedInput = 1,
  kCacheRead = 2,
  kCacheCreation = 4,
  kOutput = 8,  // output tokens other than reasoning
  kReasoning = 16,
};

struct UsageCondition {
  std::string pattern;  // usageDetailPattern
  bool case_sensitive = false;
  Comparison comparison = Comparison::kGt;
  double value = 0;
  uint8_t buckets = 0;  // UsageBucket bits whose key `pattern` finds
};

struct ParameterCondition {
  std::string key;  // e.g. "service_tier"
  std::vector<std::string> values;
};

struct PriceTier {
  std::string name;
  bool is_default = false;
  int priority = 0;
  std::vector<UsageCondition> usage;
  std::vector<ParameterCondition> parameters;
  TokenPrices prices;
};

// One table entry or override.
struct PriceEntry {
  std::string model_name;        // modelName, or "override:<match>"
  std::string match_pattern;     // matchPattern or the override's regex
  std::vector<PriceTier> tiers;  // conditional tiers by ascending priority, then the default
  bool from_override = false;
};

// A configured price for the models `match` finds, in `project` (empty: every project).
struct Override {
  std::string project;
  std::string match;  // PCRE2 regex on the model name (unanchored: use ^...$ to anchor)
  TokenPrices prices;
};

// The result of a lookup.
struct Quote {
  const PriceEntry* entry = nullptr;  // owned by the table; valid while the table lives
  std::string matched_name;           // the form of the model name that matched
};

class PriceTable {
 public:
  // The table embedded at build time from data/model-prices.json.
  static Result<PriceTable> Builtin();

  // A table in Langfuse's format (an array of entries; the older entry-level "prices" object
  // without tiers is read as a default tier). Errors (kParse) start with `source_name` and name
  // the JSON path and what was expected: "prices.json: $[3].pricingTiers[0].prices.input:
  // expected a non-negative number".
  static Result<PriceTable> FromJson(std::string_view json, std::string_view source_name);

  PriceTable(PriceTable&&) noexcept;
  PriceTable& operator=(PriceTable&&) noexcept;
  ~PriceTable();

  // Adds an override. Errors (kInvalidArgument): a regex PCRE2 cannot compile (with its
  // offset), no price set, a negative or non-finite price.
  Result<void> AddOverride(Override o);

  // The price entry for a model name in a project, or nullopt when unknown.
  std::optional<Quote> Lookup(std::string_view project, std::string_view model) const;

  // The cost of a call in USD, or nullopt when its model is unknown (the response model, else
  // the request model) or it has no token counts.
  std::optional<double> Cost(const model::Call& call) const;

  // Sets cost_usd and cost_computed = true on every call of the batch that has no cost yet.
  void PriceBatch(model::Batch& batch) const;

  size_t size() const;  // table entries, without overrides

  // The tier of `entry` a call is priced with, and the cost of a call at `entry`'s prices
  // (nullopt when the call has no token counts or the tier no usable price).
  static const PriceTier& SelectTier(const PriceEntry& entry, const model::Call& call);
  static std::optional<double> CostAt(const PriceEntry& entry, const model::Call& call);

 private:
  struct Impl;
  explicit PriceTable(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace yardstick::pricing
