#pragma once
// The shape every corpus-level text metric shares (BLEU, chrF, TER, ROUGE, ...).
//
// A metric turns each (hypothesis, references) segment into additive sufficient statistics
// (SegmentStats) and computes its score from their column sums. Corpus scores, sentence scores,
// bootstrap resamples and paired tests all go through those two steps, so they agree exactly.
// Every metric describes the options that produced its numbers in a Signature.
//
// Metrics do no I/O. Thread safety: a constructed metric is immutable; its const methods may be
// called concurrently.

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "base/error.h"
#include "metrics/signature.h"
#include "stats/segment_stats.h"

namespace yardstick::metrics {

// One named sub-value of a score: a number, a list of numbers, or text.
using DetailValue = std::variant<double, std::vector<double>, std::string>;
// Ordered (name, value) pairs; the order is the order of presentation.
using Details = std::vector<std::pair<std::string, DetailValue>>;

// A confidence interval for a score, in the score's units.
struct ConfidenceInterval {
  double estimate = 0;  // the centre reported with the interval (method dependent)
  double low = 0;
  double high = 0;
  double level = 0.95;
  std::string method;  // "bs" (sacrebleu's bootstrap convention), "percentile", "bca"
  int resamples = 0;
};

// The result of a metric over a corpus or one sentence.
struct Score {
  std::string name;     // "BLEU", "chrF2", "chrF2++", "TER", "rouge1", ...
  double value = 0;     // the headline number on the reference tool's scale
  Details details;      // every sub-value (counts, precisions, lengths, ...)
  std::string verbose;  // one-line human summary, e.g. sacrebleu's "BLEU = 28.30 59.9/..."
  std::optional<ConfidenceInterval> ci;
};

// References of a corpus: streams[k][i] is the k-th reference of segment i, or nullopt when
// segment i has fewer references. Every stream has one entry per hypothesis.
using ReferenceStreams = std::vector<std::vector<std::optional<std::string>>>;

// sacrebleu's reference count for a signature: the number of non-missing references per
// segment when it is the same for every segment, kVariableNumRefs otherwise (and for an empty
// corpus, the number of streams).
std::size_t SignatureNumRefs(const ReferenceStreams& refs);

// Checks the shape every corpus metric requires: at least one hypothesis, at least one reference
// stream, and one entry per hypothesis in every stream. The error names `metric` and the stream.
std::optional<Error> CheckCorpusShape(std::string_view metric, std::span<const std::string> hyps,
                                      const ReferenceStreams& refs);

// Base class for metrics whose corpus score is a function of summed per-segment statistics.
class CorpusMetric {
 public:
  virtual ~CorpusMetric() = default;

  // Display name, as the reference tool prints it (e.g. "BLEU", "chrF2++").
  virtual std::string name() const = 0;

  // The options that determine the numbers, with nrefs set from the last corpus seen by the
  // caller (see Signature). The version field is the Yardstick version.
  virtual Signature signature(std::size_t num_refs) const = 0;

  // Statistics of each segment. Inputs are UTF-8; an invalid string, a stream whose length
  // differs from hyps, or a segment with no reference at all yields an error naming the segment.
  virtual Result<stats::SegmentStats> ComputeSegmentStats(std::span<const std::string> hyps,
                                                          const ReferenceStreams& refs) const = 0;

  // The statistics of several systems scored against the same references, one SegmentStats
  // per system in order, each equal to ComputeSegmentStats(systems[i], refs). Metrics that can
  // share the references' work between systems (BLEU tokenizes them once) override it; the
  // default computes each system alone. Errors are ComputeSegmentStats', with the system's name
  // (system_names[i], or "system i" when names are not given) as context.
  virtual Result<std::vector<stats::SegmentStats>> ComputeSystemsSegmentStats(
      std::span<const std::span<const std::string>> systems, const ReferenceStreams& refs,
      std::span<const std::string> system_names = {}) const;

  // The score of summed statistics (one row, or the column sums of many rows).
  virtual Score ScoreFromStats(std::span<const double> stats) const = 0;

  // The headline value only; what resampling loops call. Defaults to ScoreFromStats().value.
  virtual double ValueFromStats(std::span<const double> stats) const {
    return ScoreFromStats(stats).value;
  }

  // True when a higher value is better (false for TER and distances).
  virtual bool higher_is_better() const { return true; }

  // Corpus score: statistics of every segment, summed, then scored.
  Result<Score> CorpusScore(std::span<const std::string> hyps, const ReferenceStreams& refs) const;

  // Score of one hypothesis against its references.
  Result<Score> SentenceScore(const std::string& hyp, std::span<const std::string> refs) const;
};

}  // namespace yardstick::metrics
