#pragma once
// Perplexity from per-token natural-log probabilities (as returned by OpenAI-compatible
// servers with logprobs / echo, or lm-eval-harness).
//
//   text perplexity    exp(-(sum of the text's logprobs) / (its token count))
//   corpus perplexity  exp(-(sum of all logprobs) / (total token count)), i.e. token-weighted;
//                      this is what lm-eval-harness reports as word/token perplexity and is
//                      not the mean of the per-text perplexities
// Each text's statistics row is [sum_logprob, token_count]; the corpus value is computed from
// their column sums, so bootstrap resampling over texts works as for the other metrics.
// Lower is better.
//
// Input rules: a sequence must hold at least one log-probability. Each value must be a log
// probability: not NaN, not +inf, and <= 0 (values up to kLogprobTolerance above 0, which
// servers occasionally report through rounding, are accepted unchanged). -inf is allowed and
// means the model gave the token probability 0: that text's (and the corpus's) perplexity is
// +inf. Violations are kInvalidArgument errors naming the text and token index.
//
// Signature: nrefs:0|log:e|avg:token|version:... (short keys #, l, a, v).
//
// Thread safety: a Perplexity is immutable; its const methods may be called concurrently.

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "base/error.h"
#include "metrics/metric.h"
#include "stats/segment_stats.h"

namespace yardstick::metrics {

// Largest positive log-probability accepted as rounding noise.
inline constexpr double kLogprobTolerance = 1e-6;

// exp(-mean(logprobs)) of one text. Errors as above (the text index in messages is 0).
Result<double> SequencePerplexity(std::span<const double> logprobs);

class Perplexity {
 public:
  static constexpr std::size_t kStatsWidth = 2;

  std::string name() const { return "perplexity"; }
  Signature signature() const;
  bool higher_is_better() const { return false; }

  // One row [sum_logprob, token_count] per text. Errors: no texts, an empty text, an invalid
  // log-probability (each naming the text and token index).
  Result<stats::SegmentStats> ComputeSegmentStats(
      std::span<const std::vector<double>> logprobs) const;

  // value = exp(-stats[0] / stats[1]) (NaN for 0 tokens); details: perplexity, mean_logprob
  // (per token, natural log), sum_logprob, tokens.
  Score ScoreFromStats(std::span<const double> stats) const;
  double ValueFromStats(std::span<const double> stats) const;

  // ScoreFromStats of the summed statistics.
  Result<Score> CorpusScore(std::span<const std::vector<double>> logprobs) const;

  // The perplexity of each text, in order.
  Result<std::vector<double>> TextPerplexities(std::span<const std::vector<double>> logprobs) const;
};

}  // namespace yardstick::metrics
