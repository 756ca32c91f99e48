#include "metrics/metric.h"

namespace yardstick::metrics {

Result<Score> CorpusMetric::CorpusScore(std::span<const std::string> hyps,
                                        const ReferenceStreams& refs) const {
  auto stats = ComputeSegmentStats(hyps, refs);
  if (!stats) return std::unexpected(stats.error());
  const std::vector<double> total = stats->Sum();
  return ScoreFromStats(total);
}

Result<Score> CorpusMetric::SentenceScore(const std::string& hyp,
                                          std::span<const std::string> refs) const {
  ReferenceStreams streams;
  streams.reserve(refs.size());
  for (const auto& r : refs) streams.push_back({r});
  return CorpusScore(std::span<const std::string>(&hyp, 1), streams);
}

}  // namespace yardstick::metrics
