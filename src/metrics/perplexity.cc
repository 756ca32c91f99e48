#include "metrics/perplexity.h"

#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>

namespace yardstick::metrics {
namespace {

// The sum of one text's log-probabilities, or an error naming the text and token.
Result<double> SumLogprobs(std::span<const double> logprobs, std::size_t text_index) {
  const std::string where = "perplexity: text " + std::to_string(text_index);
  if (logprobs.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     where + ": no log-probabilities: expected at least one token");
  }
  double sum = 0;
  for (std::size_t i = 0; i < logprobs.size(); ++i) {
    const double lp = logprobs[i];
    if (std::isnan(lp) || lp > kLogprobTolerance) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.17g", lp);
      return MakeError(ErrorCode::kInvalidArgument,
                       where + ": token " + std::to_string(i) + ": log-probability " + buf +
                           ": expected a natural-log probability <= 0 (or -inf)");
    }
    sum += lp;
  }
  return sum;
}

std::string Fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

}  // namespace

Result<double> SequencePerplexity(std::span<const double> logprobs) {
  auto sum = SumLogprobs(logprobs, 0);
  if (!sum) return std::unexpected(sum.error());
  return std::exp(-*sum / static_cast<double>(logprobs.size()));
}

Signature Perplexity::signature() const {
  Signature sig(0);
  sig.Set("log", std::string("e"), "l");
  sig.Set("avg", std::string("token"), "a");
  return sig;
}

Result<stats::SegmentStats> Perplexity::ComputeSegmentStats(
    std::span<const std::vector<double>> logprobs) const {
  if (logprobs.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "perplexity: no texts: expected at least one");
  }
  stats::SegmentStats out(kStatsWidth);
  for (std::size_t t = 0; t < logprobs.size(); ++t) {
    auto sum = SumLogprobs(logprobs[t], t);
    if (!sum) return std::unexpected(sum.error());
    auto row = out.AddRow();
    row[0] = *sum;
    row[1] = static_cast<double>(logprobs[t].size());
  }
  return out;
}

double Perplexity::ValueFromStats(std::span<const double> stats) const {
  if (stats.size() < kStatsWidth || stats[1] <= 0) return std::numeric_limits<double>::quiet_NaN();
  return std::exp(-stats[0] / stats[1]);
}

Score Perplexity::ScoreFromStats(std::span<const double> stats) const {
  Score score;
  score.name = name();
  score.value = ValueFromStats(stats);
  const double sum = stats.size() >= kStatsWidth ? stats[0] : 0;
  const double tokens = stats.size() >= kStatsWidth ? stats[1] : 0;
  const double mean = tokens > 0 ? sum / tokens : std::numeric_limits<double>::quiet_NaN();
  score.details = {{"perplexity", score.value},
                   {"mean_logprob", mean},
                   {"sum_logprob", sum},
                   {"tokens", tokens}};
  score.verbose = "perplexity = " + Fixed(score.value, 4) + " (mean logprob = " + Fixed(mean, 4) +
                  ", tokens = " + std::to_string(static_cast<long long>(tokens)) + ")";
  return score;
}

Result<Score> Perplexity::CorpusScore(std::span<const std::vector<double>> logprobs) const {
  auto stats = ComputeSegmentStats(logprobs);
  if (!stats) return std::unexpected(stats.error());
  const std::vector<double> total = stats->Sum();
  return ScoreFromStats(total);
}

Result<std::vector<double>> Perplexity::TextPerplexities(
    std::span<const std::vector<double>> logprobs) const {
  auto stats = ComputeSegmentStats(logprobs);
  if (!stats) return std::unexpected(stats.error());
  std::vector<double> out;
  out.reserve(stats->rows());
  for (std::size_t i = 0; i < stats->rows(); ++i) out.push_back(ValueFromStats(stats->row(i)));
  return out;
}

}  // namespace yardstick::metrics
