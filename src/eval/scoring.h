#pragma once
// Per-example metrics of an evaluation run and their aggregates with bootstrap intervals.
//
// Every metric becomes a MetricColumn: one row of statistics per scored example and a value
// function of the rows of a set of examples: of their sum for the additive kinds (exactly as the
// metric library's CorpusMetric works), of the rows themselves for the ranking kind. So the
// aggregate, its bootstrap interval, every slice, the paired tests of `yardstick compare` and a
// reloaded run all agree. Kinds:
//   corpus      text metrics of the library (bleu, chrf, ter, rouge*, squad_em, squad_f1,
//               exact_match, contains, regex_match, levenshtein, edit_similarity); `regex` is
//               regex_match with the suite's `pattern` instead of the references
//   mean        rows [x, 1]: json_valid, latency (ms), input_tokens, output_tokens, tokens,
//               cost (USD), judge, semantic_similarity
//   perplexity  rows [sum of log-probabilities, tokens]; value exp(-sum / tokens)
//   ranking     roc_auc, average_precision: rows [score, 1 if the label is positive else 0];
//               NOT additive: the value is the library's metric over the multiset of rows, so
//               every consumer selects rows and calls ValueOfRows instead of summing them
// An example is scored when the target answered it and the metric could be computed; the rest
// are counted (missing), never silently left out. A metric is `binary` when each scored row is
// [0 or 1, 1], which is what McNemar's test needs.
//
// Thread safety: plain values and pure functions.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/error.h"
#include "eval/suite.h"

namespace yardstick::eval {

// One example after the target ran: what went in, what came out, and what it cost.
struct ExampleResult {
  std::size_t line = 0;  // the dataset line
  std::string id;        // the id field, or the line number
  std::string prompt;
  std::optional<std::string> output;  // nullopt when the target failed on this example
  std::vector<std::string> references;
  std::string error;  // why there is no output
  double latency_ms = std::numeric_limits<double>::quiet_NaN();
  std::int64_t input_tokens = -1;
  std::int64_t output_tokens = -1;
  std::optional<double> cost_usd;
  bool cached = false;
  int attempts = 0;
  nlohmann::json fields = nlohmann::json::object();  // the row's slice and fairness fields
};

enum class MetricKind { kCorpus, kMean, kPerplexity, kRanking };

// True for the kinds whose value is a function of summed rows (all but kRanking).
bool IsAdditive(MetricKind kind);

const char* MetricKindName(MetricKind kind);
Result<MetricKind> ParseMetricKind(std::string_view name);

struct Aggregate {
  double value = std::numeric_limits<double>::quiet_NaN();
  double ci_low = std::numeric_limits<double>::quiet_NaN();
  double ci_high = std::numeric_limits<double>::quiet_NaN();
  double level = 0.95;
  std::size_t n = 0;        // scored examples
  std::size_t missing = 0;  // examples not scored (target failure or metric failure)
};

struct MetricColumn {
  MetricSpec spec;
  std::string display;    // "BLEU", "exact_match", ...
  std::string signature;  // the library's signature, or "kind:mean|unit:ms|..." for the others
  MetricKind kind = MetricKind::kMean;
  bool higher_is_better = true;
  bool binary = false;
  std::size_t width = 2;
  std::vector<std::optional<std::vector<double>>> rows;  // per example; nullopt: not scored
  std::vector<double> values;         // per example (sentence level); NaN when not scored
  std::vector<std::string> failures;  // per example: why it was not scored ("" when scored)
  std::size_t judge_failures = 0;     // judge: failed judgments (calls or score extraction)
  std::size_t judge_calls = 0;
  Aggregate aggregate;
};

// Additive kinds: the value of summed rows. kRanking: the value of the rows concatenated.
using ValueFn = std::function<double(std::span<const double>)>;

// The value over the rows of the examples `indices` (repetitions allowed; each must be scored):
// value(sum of the rows), or for the ranking kind value(the rows concatenated).
double ValueOfRows(const MetricColumn& column, const ValueFn& value,
                   std::span<const std::size_t> indices);

// Checks a metric's name and options without computing anything (suite loading).
std::optional<Error> CheckMetricSpec(const MetricSpec& spec);

// True for metrics that call an endpoint (judge, perplexity, semantic_similarity).
bool IsRemoteMetric(const std::string& name);

// The value function of summed statistics of a metric: rebuilt from its spec and kind, as
// `yardstick compare` does for a saved run.
Result<ValueFn> MakeValueFn(const MetricSpec& spec, MetricKind kind);

// Computes a local (not remote) metric over the examples.
Result<MetricColumn> ScoreLocalMetric(const MetricSpec& spec,
                                      std::span<const ExampleResult> examples);

// Builds a mean-kind column from per-example values (nullopt = not scored, with the reason).
MetricColumn MeanColumn(const MetricSpec& spec, std::string display, bool higher_is_better,
                        std::string signature, const std::vector<std::optional<double>>& values,
                        const std::vector<std::string>& reasons);

// Sums of the rows of `column` for the examples selected by `include` (all when empty); only
// meaningful for additive kinds.
std::vector<double> SumRows(const MetricColumn& column, std::span<const bool> include = {});

// The aggregate value and bootstrap interval (percentile method) over the examples selected by
// `include` (all when empty). No scored example gives NaN values and n = 0. For the ranking kind
// a resample on which the metric is undefined (one class only) is drawn but left out of the
// percentiles; with fewer than half the resamples defined the interval is NaN.
Result<Aggregate> AggregateColumn(const MetricColumn& column, const ValueFn& value,
                                  const BootstrapSpec& bootstrap,
                                  std::span<const bool> include = {});

}  // namespace yardstick::eval
