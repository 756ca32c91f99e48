#pragma once
// ROUGE (Lin, 2004) exactly as Google's rouge-score 0.1.2 computes it (RougeScorer with the
// default tokenizer).
//
// Tokenization (rouge_score.tokenize.tokenize): Python str.lower(), every character outside
// [a-z0-9] becomes a separator, and with use_stemmer each token longer than 3 characters is
// replaced by its nltk 3.8 Porter stem (text/porter_stemmer.h). Non-Latin scripts therefore
// produce no tokens at all, as in rouge-score.
//
// Types:
//   rouge1 .. rouge9  n-gram overlap: matches = sum over target n-grams of min(count in target,
//                     count in prediction); precision = matches / max(prediction n-grams, 1),
//                     recall = matches / max(target n-grams, 1).
//   rougeL            longest common subsequence of the token lists; 0 when either is empty.
//   rougeLsum         summary-level LCS: both texts are split into sentences on "\n" (empty
//                     lines dropped); for each target sentence the union of its LCS index sets
//                     with every prediction sentence is counted, each token at most as often as
//                     it occurs in both texts.
// F-measure = 2PR / (P + R) (0 when P + R = 0), with rouge-score's floating-point operations.
// With several references the segment takes the scores of the reference with the highest
// F-measure (the first on ties), as RougeScorer.score_multi.
//
// Corpus score: each segment's statistics row is [precision, recall, fmeasure, 1]; the corpus
// value is the mean F-measure over segments (0-1 scale), which is the mean rouge-score's
// aggregator reports; details hold the mean precision, recall and fmeasure.
//
// Signature: nrefs:N|type:rougeL|stem:no|split:no|version:yardstick-X (short keys #, t, s, sp,
// v). rouge-score itself defines no signature.
//
// Not supported: split_summaries=true (rouge-score then splits sentences with nltk's Punkt
// model, which Yardstick does not ship; put one sentence per line instead). Create() returns
// kUnsupported for it.
//
// Thread safety: a constructed Rouge is immutable; all const methods may be called
// concurrently.

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "metrics/metric.h"

namespace yardstick::metrics {

struct RougeOptions {
  std::string rouge_type = "rouge1";  // rouge1 .. rouge9, rougeL, rougeLsum
  bool use_stemmer = false;           // Porter-stem tokens longer than 3 characters
  bool split_summaries = false;       // unsupported when true (see above)
};

// One rouge_score.scoring.Score.
struct RougeScore {
  double precision = 0;
  double recall = 0;
  double fmeasure = 0;
};

// rouge_score.tokenize.tokenize(text, stemmer): the token list of `text` (UTF-8). Errors:
// invalid UTF-8 (kParse, naming the byte offset).
Result<std::vector<std::string>> RougeTokenize(std::string_view text, bool use_stemmer);

class Rouge : public CorpusMetric {
 public:
  // Errors: an unknown rouge_type (kInvalidArgument, listing the valid ones), split_summaries
  // (kUnsupported).
  static Result<std::unique_ptr<Rouge>> Create(const RougeOptions& options);

  // The ROUGE type, e.g. "rouge1", "rougeLsum".
  std::string name() const override { return options_.rouge_type; }

  Signature signature(std::size_t num_refs) const override;

  // Rows [precision, recall, fmeasure, 1]. Errors name the segment: invalid UTF-8, a stream
  // of the wrong length, a segment without any reference, no hypotheses.
  Result<stats::SegmentStats> ComputeSegmentStats(std::span<const std::string> hyps,
                                                  const ReferenceStreams& refs) const override;

  // Score.name = the type, value = mean fmeasure; details: precision, recall, fmeasure (means)
  // and segments. An empty sum (0 segments) scores 0.
  Score ScoreFromStats(std::span<const double> stats) const override;
  double ValueFromStats(std::span<const double> stats) const override;

  // RougeScorer([type], use_stemmer).score(target, prediction)[type].
  Result<RougeScore> ScorePair(std::string_view target, std::string_view prediction) const;

  // RougeScorer.score_multi(targets, prediction): the score of the target with the highest
  // F-measure (the first on ties). Errors: no targets, invalid UTF-8.
  Result<RougeScore> ScoreMulti(std::span<const std::string> targets,
                                std::string_view prediction) const;

  // The statistics of several ROUGE metrics over one corpus, tokenizing every text once (the
  // fast way to report rouge1, rouge2, rougeL and rougeLsum together). All metrics must have
  // the same use_stemmer. Returns one SegmentStats per metric, in order, each equal to that
  // metric's ComputeSegmentStats(hyps, refs); errors as ComputeSegmentStats.
  static Result<std::vector<stats::SegmentStats>> ComputeSegmentStatsMany(
      std::span<const Rouge* const> metrics, std::span<const std::string> hyps,
      const ReferenceStreams& refs);

  enum class Kind { kNgram, kLcs, kLcsSum };

  const RougeOptions& options() const { return options_; }
  Kind kind() const { return kind_; }
  std::size_t ngram_order() const { return n_; }  // n of rougeN, 0 for rougeL / rougeLsum

  static constexpr std::size_t kStatsWidth = 4;

 private:
  Rouge(const RougeOptions& options, Kind kind, std::size_t n)
      : options_(options), kind_(kind), n_(n) {}

  RougeOptions options_;
  Kind kind_;
  std::size_t n_;  // n-gram order for kNgram
};

}  // namespace yardstick::metrics
