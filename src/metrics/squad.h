#pragma once
// SQuAD v1.1 answer scoring exactly as the official evaluate-v1.1.py computes it.
//
// normalize_answer: Python str.lower(); remove the ASCII punctuation of string.punctuation;
// replace the articles a / an / the with a space where Python's re pattern \b(a|an|the)\b
// matches (word boundaries use Unicode \w, so "the" in "theory" or "thé" is kept); collapse
// whitespace runs (Python str.split(), Unicode whitespace) to single spaces and trim.
// Exact match: the normalized strings are equal. F1: token overlap of the normalized answers
// split on whitespace (multiset intersection), 2PR / (P + R), 0 when nothing overlaps. Each
// question takes the maximum over its ground truths. Dataset level (evaluate()): the mean over
// all questions in percent; an unanswered question scores 0 but is counted.
//
// The CorpusMetric wrappers treat each hypothesis as a prediction and its references as the
// ground truths. Statistics rows are [score, 1] (score 0/1 for exact match, 0-1 for F1); the
// value is 100 * sum / count, bit for bit what evaluate() reports for the same questions in
// the same order. Names: "squad_em", "squad_f1". Signature: nrefs:N|norm:squad|version:...
//
// Thread safety: every function is pure; constructed metrics are immutable and their const
// methods may be called concurrently.

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "metrics/metric.h"

namespace yardstick::metrics {

// normalize_answer(s). Errors: invalid UTF-8 (kParse).
Result<std::string> SquadNormalizeAnswer(std::string_view text);

// exact_match_score(prediction, ground_truth): 1 or 0.
Result<double> SquadExactMatchScore(std::string_view prediction, std::string_view ground_truth);

// f1_score(prediction, ground_truth), 0-1.
Result<double> SquadF1Score(std::string_view prediction, std::string_view ground_truth);

// metric_max_over_ground_truths(exact_match_score / f1_score, ...). Errors: no ground truths
// (Python's max() of an empty list raises), invalid UTF-8.
Result<double> SquadMaxExactMatch(std::string_view prediction,
                                  std::span<const std::string> ground_truths);
Result<double> SquadMaxF1(std::string_view prediction, std::span<const std::string> ground_truths);

// One question of a dataset; no prediction = unanswered.
struct SquadQuestion {
  std::string id;
  std::vector<std::string> ground_truths;
  std::optional<std::string> prediction;
};

// evaluate(dataset, predictions): percentages.
struct SquadResult {
  double exact_match = 0;
  double f1 = 0;
};

// Errors: no questions (evaluate() would divide by zero), an answered question without ground
// truths, invalid UTF-8; each names the question index and id.
Result<SquadResult> SquadEvaluate(std::span<const SquadQuestion> questions);

// Exact match (kind kExactMatch) or token F1 (kF1) as a corpus metric.
class SquadMetric : public CorpusMetric {
 public:
  enum class Kind { kExactMatch, kF1 };

  std::string name() const override { return kind_ == Kind::kExactMatch ? "squad_em" : "squad_f1"; }
  Signature signature(std::size_t num_refs) const override;

  // Rows [score, 1]. Errors name the segment: invalid UTF-8, stream length mismatch, no
  // reference, no hypotheses.
  Result<stats::SegmentStats> ComputeSegmentStats(std::span<const std::string> hyps,
                                                  const ReferenceStreams& refs) const override;

  // value = 100 * sum / count (0 for no segments); details: the value under "exact_match" or
  // "f1", and "questions".
  Score ScoreFromStats(std::span<const double> stats) const override;
  double ValueFromStats(std::span<const double> stats) const override;

  static constexpr std::size_t kStatsWidth = 2;

 protected:
  explicit SquadMetric(Kind kind) : kind_(kind) {}

 private:
  Kind kind_;
};

// SQuAD exact match: name "squad_em".
class SquadExactMatch : public SquadMetric {
 public:
  static Result<std::unique_ptr<SquadExactMatch>> Create();

 private:
  SquadExactMatch() : SquadMetric(Kind::kExactMatch) {}
};

// SQuAD token F1: name "squad_f1".
class SquadF1 : public SquadMetric {
 public:
  static Result<std::unique_ptr<SquadF1>> Create();

 private:
  SquadF1() : SquadMetric(Kind::kF1) {}
};

}  // namespace yardstick::metrics
