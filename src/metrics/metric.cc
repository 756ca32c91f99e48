#include "metrics/metric.h"

#include <set>

namespace yardstick::metrics {

std::size_t SignatureNumRefs(const ReferenceStreams& refs) {
  if (refs.empty() || refs.front().empty()) return refs.size();
  std::set<std::size_t> seen;
  for (std::size_t i = 0; i < refs.front().size(); ++i) {
    std::size_t n = 0;
    for (const auto& stream : refs) {
      if (i < stream.size() && stream[i].has_value()) ++n;
    }
    seen.insert(n);
  }
  return seen.size() == 1 ? *seen.begin() : kVariableNumRefs;
}

std::optional<Error> CheckCorpusShape(std::string_view metric, std::span<const std::string> hyps,
                                      const ReferenceStreams& refs) {
  const std::string label(metric);
  if (hyps.empty()) {
    return Error(ErrorCode::kInvalidArgument, label + ": no hypotheses: expected at least one");
  }
  if (refs.empty()) {
    return Error(ErrorCode::kInvalidArgument,
                 label + ": no reference streams: expected at least one");
  }
  for (std::size_t k = 0; k < refs.size(); ++k) {
    if (refs[k].size() != hyps.size()) {
      return Error(ErrorCode::kInvalidArgument,
                   label + ": reference stream " + std::to_string(k) + " has " +
                       std::to_string(refs[k].size()) + " segments, expected " +
                       std::to_string(hyps.size()) + " (one per hypothesis)");
    }
  }
  return std::nullopt;
}

Result<std::vector<stats::SegmentStats>> CorpusMetric::ComputeSystemsSegmentStats(
    std::span<const std::span<const std::string>> systems, const ReferenceStreams& refs,
    std::span<const std::string> system_names) const {
  std::vector<stats::SegmentStats> out;
  out.reserve(systems.size());
  for (std::size_t s = 0; s < systems.size(); ++s) {
    auto stats = ComputeSegmentStats(systems[s], refs);
    if (!stats) {
      return std::unexpected(stats.error().WithContext(
          s < system_names.size() ? system_names[s] : "system " + std::to_string(s)));
    }
    out.push_back(std::move(*stats));
  }
  return out;
}

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
