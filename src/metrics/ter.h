#pragma once
// TER, translation edit rate (Snover et al., 2006), exactly as sacrebleu 2.6.0 computes it.
//
// Hypothesis and references are rstripped and tokenized with the Tercom tokenizer (see
// text/tercom_tokenizer.h), then split on whitespace. As in sacrebleu, references go through
// the tokenizer twice, which changes something only with `normalized` ("x,.5" -> "x , .5" ->
// "x , . 5"). The edit count of a hypothesis against one reference is sacrebleu's
// lib_ter.translation_edit_rate: greedy block shifts, each chosen by Tercom's ranking
// (edit-distance gain, then longer blocks, then earlier blocks, then earlier targets) while
// they reduce a beam-limited Levenshtein distance, plus the final distance. Segment statistics
// are [num_edits, ref_length]: the fewest edits over the segment's references and the mean
// reference length in tokens. The score is 100 * sum(num_edits) / sum(ref_length) (100 when
// the references are empty and the hypotheses are not, 0 when both are empty). Lower is
// better. Memory per segment is (hypothesis tokens + 1) x (reference tokens + 1) x 5 bytes.
//
// Thread safety: a Ter is immutable; its const methods may be called concurrently.

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "base/error.h"
#include "metrics/metric.h"
#include "text/tercom_tokenizer.h"

namespace yardstick::metrics {

struct TerOptions {
  bool normalized = false;      // Tercom normalization (punctuation splitting, entities)
  bool no_punct = false;        // remove punctuation
  bool asian_support = false;   // CJK handling for `normalized` / `no_punct`
  bool case_sensitive = false;  // keep case (default lowercases)
};

class Ter : public CorpusMetric {
 public:
  static Result<std::unique_ptr<Ter>> Create(const TerOptions& options);

  std::string name() const override { return "TER"; }
  // nrefs:N|case:lc|tok:tercom|norm:no|punct:yes|asian:no|version:...
  // A num_refs of kVariableNumRefs prints "nrefs:var" (segments with different counts).
  Signature signature(std::size_t num_refs) const override;
  Result<stats::SegmentStats> ComputeSegmentStats(std::span<const std::string> hyps,
                                                  const ReferenceStreams& refs) const override;
  // stats = [num_edits, ref_length]. Details: num_edits, ref_length. Verbose: "TER = 61.20".
  Score ScoreFromStats(std::span<const double> stats) const override;
  double ValueFromStats(std::span<const double> stats) const override;
  bool higher_is_better() const override { return false; }

  const TerOptions& options() const { return options_; }

  // sacrebleu's "nrefs:var": pass as num_refs when segments have different reference counts.
  static constexpr std::size_t kVariableNumRefs = metrics::kVariableNumRefs;

 private:
  explicit Ter(const TerOptions& options);

  TerOptions options_;
  text::TercomTokenizer tokenizer_;
};

// sacrebleu's lib_ter.translation_edit_rate on tokens interned as integers (equal tokens have
// equal ids): the number of edits (shifts + insertions + deletions + substitutions) that turn
// `hyp` into `ref`. An empty reference gives hyp.size(). The error (kInternal) stands for
// sacrebleu's exception when the beam leaves the final cell unreachable, which the beam-width
// rule prevents in practice. Exposed for tests.
Result<std::int64_t> TranslationEditRate(std::span<const std::int32_t> hyp,
                                         std::span<const std::int32_t> ref);

}  // namespace yardstick::metrics
