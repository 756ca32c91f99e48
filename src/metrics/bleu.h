#pragma once
// BLEU (Papineni et al., 2002) exactly as sacrebleu 2.6.0 computes it.
//
// Each segment is lowercased (optional, Python str.lower()), right-stripped, tokenized with one
// of sacrebleu's tokenizers (text/bleu_tokenizers.h) and split on whitespace. Its statistics
// row is
//   [sys_len, ref_len, matches_1 .. matches_N, totals_1 .. totals_N]      (N = max order)
// where ref_len is the length of the reference closest to sys_len (ties: the shorter one) and
// matches are hypothesis n-gram counts clipped by the maximum count over the references.
// The score of summed rows reproduces sacrebleu's BLEU.compute_bleu bit for bit: brevity
// penalty, the `exp` / `floor` / `add-k` / `none` smoothing methods, effective order, the
// early exit to 0 when nothing matches, and the same libm calls in the same order.
//
// A missing reference (nullopt in a stream) means the segment has fewer references; a segment
// whose references are all missing is an error (sacrebleu would fail on it too).
//
// Speed: each distinct word of a corpus is tokenized once (text::SplitBleuWordsUtf8), and
// n-grams are counted with integer token ids in small per-order hash tables; about 60x faster
// than sacrebleu's corpus_score on one thread (docs/benchmarks.md).
//
// Thread safety: a constructed Bleu is immutable; all const methods may be called
// concurrently.

#include <cstddef>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/error.h"
#include "metrics/metric.h"
#include "text/bleu_tokenizers.h"

namespace yardstick::metrics {

// The options of sacrebleu's BLEU constructor that influence the numbers.
struct BleuOptions {
  std::string tokenize = "13a";        // none | 13a | intl | zh | char
  bool lowercase = false;              // lowercase hypothesis and references (case:lc)
  std::string smooth_method = "exp";   // exp | floor | add-k | none
  std::optional<double> smooth_value;  // floor / add-k value; defaults 0.1 / 1
  bool effective_order = false;        // ignore n-gram orders with no n-grams at all
  int max_ngram_order = 4;             // 1..kMaxBleuNgramOrder
};

// sacrebleu.sentence_bleu's defaults: effective order on, otherwise as BleuOptions.
inline BleuOptions SentenceBleuOptions() {
  BleuOptions options;
  options.effective_order = true;
  return options;
}

// The largest accepted max_ngram_order.
inline constexpr int kMaxBleuNgramOrder = 100;

// The sufficient statistics of BLEU and everything sacrebleu's BLEUScore reports about them.
struct BleuBreakdown {
  double score = 0;                // 0-100
  std::vector<double> counts;      // matches per order (after add-k, as sacrebleu reports them)
  std::vector<double> totals;      // hypothesis n-grams per order (after add-k)
  std::vector<double> precisions;  // percent
  double bp = 1;                   // brevity penalty
  double sys_len = 0;
  double ref_len = 0;
  double ratio = 0;                // sys_len / ref_len, 0 when ref_len is 0
  bool smoothed_in_place = false;  // add-k modified counts/totals
  std::vector<double> raw_counts;  // counts before add-k (when smoothed_in_place)
  std::vector<double> raw_totals;  // totals before add-k (when smoothed_in_place)
};

class Bleu : public CorpusMetric {
 public:
  // Validates the options: unknown tokenizer or smoothing method, max_ngram_order outside
  // 1..kMaxBleuNgramOrder, or a negative / non-finite smooth_value give kInvalidArgument.
  static Result<std::unique_ptr<Bleu>> Create(const BleuOptions& options);

  std::string name() const override { return "BLEU"; }

  // nrefs:N|case:mixed|eff:no|tok:13a|smooth:exp|version:yardstick-X, with sacrebleu's short
  // keys (#, c, e, tok, s, v). floor and add-k show their value: smooth:floor[0.10].
  Signature signature(std::size_t num_refs) const override;

  // One row of stats_width() values per segment. Errors: no hypotheses, no reference stream,
  // a stream whose length differs from hyps, a segment without any reference
  // (kInvalidArgument), invalid UTF-8 (kParse, naming the segment, the string and the byte).
  Result<stats::SegmentStats> ComputeSegmentStats(std::span<const std::string> hyps,
                                                  const ReferenceStreams& refs) const override;

  // Score.name "BLEU", value 0-100; details in order: counts, totals, precisions, bp, sys_len,
  // ref_len, ratio, then raw_counts and raw_totals when add-k smoothing changed the counts.
  // verbose is sacrebleu's Score.format(): "BLEU = 28.30 59.9/34.0/21.8/14.4 (BP = 1.000
  // ratio = 1.026 hyp_len = 62873 ref_len = 61287)".
  // Several systems against the same references: the references are tokenized once.
  Result<std::vector<stats::SegmentStats>> ComputeSystemsSegmentStats(
      std::span<const std::span<const std::string>> systems, const ReferenceStreams& refs,
      std::span<const std::string> system_names = {}) const override;
  Score ScoreFromStats(std::span<const double> stats) const override;
  double ValueFromStats(std::span<const double> stats) const override;

  // The full computation behind ScoreFromStats. `stats` must have stats_width() values.
  BleuBreakdown Breakdown(std::span<const double> stats) const;

  const BleuOptions& options() const { return options_; }
  // 2 + 2 * max_ngram_order.
  std::size_t stats_width() const { return 2 + 2 * order_; }

 private:
  enum class Smoothing { kNone, kFloor, kAddK, kExp };

  Bleu(const BleuOptions& options, text::BleuTokenizer tokenizer, Smoothing smoothing,
       double smooth_value);

  // sacrebleu's compute_bleu: fills counts, totals (after add-k) and precisions (each
  // max_ngram_order long), the brevity penalty and whether add-k changed the counts; returns
  // the score.
  double Compute(std::span<const double> stats, double* counts, double* totals, double* precisions,
                 double& bp, bool& smoothed) const;

  Result<std::vector<stats::SegmentStats>> ComputeSystems(
      std::span<const std::span<const std::string>> systems, const ReferenceStreams& refs,
      std::span<const std::string> system_names) const;

  BleuOptions options_;
  text::BleuTokenizer tokenizer_;
  Smoothing smoothing_;
  double smooth_value_;  // the effective value (method default when unset)
  std::size_t order_;
};

}  // namespace yardstick::metrics
