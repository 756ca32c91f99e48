#pragma once
// chrF (Popović 2015) and chrF++ (Popović 2017), exactly as sacrebleu 2.6.0 computes them.
//
// Character n-grams (orders 1..char_order) are taken over code points, after removing all
// whitespace (Python's str.split() notion of whitespace) unless `whitespace` is set. Word n-grams
// (orders 1..word_order; word_order 2 is chrF++) are taken over str.split() tokens from which one
// leading or trailing ASCII punctuation character is split off (sacrebleu's _remove_punctuation).
// `lowercase` applies Python's str.lower() first.
//
// Segment statistics are 3 numbers per order, character orders first, then word orders:
// [hypothesis n-grams, reference n-grams, matched n-grams]. With several references a segment
// keeps the statistics of the reference with the highest sentence-level chrF (the first one on
// ties). The score averages precision and recall over the orders where both hypothesis and
// reference have n-grams and combines them into an F-beta score (0-100); with `eps_smoothing`
// it averages per-order F-scores with 1e-16 smoothing (chrF++.py / Moses / NLTK style).
//
// Thread safety: a Chrf is immutable; its const methods may be called concurrently.

#include <memory>
#include <span>
#include <string>

#include "base/error.h"
#include "metrics/metric.h"

namespace yardstick::metrics {

struct ChrfOptions {
  int char_order = 6;  // 0..kMaxOrder
  int word_order = 0;  // 0..kMaxOrder; 2 = chrF++
  double beta = 2;     // recall weight, >= 0 and finite
  bool lowercase = false;
  bool whitespace = false;  // keep whitespace inside character n-grams
  bool eps_smoothing = false;
};

class Chrf : public CorpusMetric {
 public:
  static constexpr int kMaxOrder = 64;
  // sacrebleu's "nrefs:var": pass as num_refs when segments have different reference counts.
  static constexpr std::size_t kVariableNumRefs = metrics::kVariableNumRefs;

  // Validates the options: orders within 0..kMaxOrder with at least one n-gram order, beta
  // finite and non-negative.
  static Result<std::unique_ptr<Chrf>> Create(const ChrfOptions& options);

  // "chrF2", "chrF2++", "chrF3+", ... (beta, then one '+' per word order), as sacrebleu.
  std::string name() const override;
  // nrefs:N|case:mixed|eff:yes|nc:6|nw:0|space:no|version:...
  Signature signature(std::size_t num_refs) const override;
  Result<stats::SegmentStats> ComputeSegmentStats(std::span<const std::string> hyps,
                                                  const ReferenceStreams& refs) const override;
  // Details: stats (the summed statistics), char_order, word_order, beta.
  // Verbose: sacrebleu's Score.format(), e.g. "chrF2 = 57.72".
  Score ScoreFromStats(std::span<const double> stats) const override;
  double ValueFromStats(std::span<const double> stats) const override;

  const ChrfOptions& options() const { return options_; }
  // Number of statistics per segment: 3 * (char_order + word_order).
  std::size_t stats_width() const;

 private:
  explicit Chrf(const ChrfOptions& options);

  ChrfOptions options_;
  std::string name_;
};

}  // namespace yardstick::metrics
