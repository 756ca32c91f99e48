#pragma once
// String-matching metrics over (hypothesis, references): exact match, substring containment,
// regular-expression match, Levenshtein distance and edit similarity.
//
// Every metric compares code points (not bytes) after optional normalization, applied in
// this order:
//   ignore_case         Python str.lower() (full Unicode lowercase mapping)
//   ignore_punctuation  drop every Unicode punctuation character (\p{P}) and the ASCII
//                       characters of Python's string.punctuation (which also holds the
//                       symbols $ + < = > ^ ` | ~)
//   ignore_whitespace   drop every whitespace character (Python str.isspace()), so
//                       "New York" equals "NewYork"
// Without options the strings are compared exactly as given (including leading and trailing
// whitespace).
//
// Metrics (name, per-segment value, corpus value = mean over segments):
//   exact_match      1 if the hypothesis equals any reference, else 0
//   contains         1 if any reference is a substring of the hypothesis (an empty reference
//                    is contained in everything), else 0
//   regex_match      1 if any reference, read as a PCRE2 pattern (UTF and Unicode-property
//                    mode, PCRE2_UTF | PCRE2_UCP), matches the hypothesis: anywhere (search,
//                    the default) or the whole hypothesis (regex_full_match). ignore_case
//                    makes the pattern caseless (PCRE2_CASELESS); ignore_punctuation and
//                    ignore_whitespace normalize the hypothesis only, never the pattern.
//   levenshtein      the smallest code-point edit distance (insert, delete, substitute, each
//                    cost 1) to any reference; lower is better
//   edit_similarity  the largest 1 - distance / max(len(hyp), len(ref)) over the references,
//                    1 when both are empty; 0-1, higher is better
// Statistics rows are [value, 1], so corpus scores and resamples are exact means.
//
// Signature: nrefs:N|case:mixed|punct:keep|space:keep|version:... (ignore_case -> case:lc,
// ignore_punctuation -> punct:strip, ignore_whitespace -> space:strip; short keys #, c, p, s,
// v); regex_match adds match:search or match:full (short m).
//
// Thread safety: constructed metrics are immutable; const methods may be called concurrently.

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "base/error.h"
#include "metrics/metric.h"

namespace yardstick::metrics {

struct StringMatchOptions {
  bool ignore_case = false;
  bool ignore_punctuation = false;
  bool ignore_whitespace = false;
  bool regex_full_match = false;  // regex_match only: match the whole hypothesis
};

// The normalization above, on code points.
std::u32string NormalizeForMatch(std::u32string_view text, const StringMatchOptions& options);

// Levenshtein distance between two code-point strings (unit costs).
std::size_t LevenshteinDistance(std::u32string_view a, std::u32string_view b);

// 1 - LevenshteinDistance(a, b) / max(|a|, |b|); 1 when both are empty.
double EditSimilarityScore(std::u32string_view a, std::u32string_view b);

// The shared implementation of the five metrics; construct them through their Create().
class StringMatchMetric : public CorpusMetric {
 public:
  enum class Kind { kExactMatch, kContains, kRegexMatch, kLevenshtein, kEditSimilarity };

  // "exact_match", "contains", "regex_match", "levenshtein" or "edit_similarity".
  std::string name() const override;
  Signature signature(std::size_t num_refs) const override;

  // Rows [value, 1]. Errors name the segment (and reference): invalid UTF-8, a stream of the
  // wrong length, a segment without references, no hypotheses; for regex_match an invalid
  // pattern (with PCRE2's message and offset) or a match that exceeds PCRE2's resource limits.
  Result<stats::SegmentStats> ComputeSegmentStats(std::span<const std::string> hyps,
                                                  const ReferenceStreams& refs) const override;

  // value = sum / count (0 for no segments); details: mean, total, segments.
  Score ScoreFromStats(std::span<const double> stats) const override;
  double ValueFromStats(std::span<const double> stats) const override;
  bool higher_is_better() const override { return kind_ != Kind::kLevenshtein; }

  Kind kind() const { return kind_; }
  const StringMatchOptions& options() const { return options_; }

  static constexpr std::size_t kStatsWidth = 2;

 protected:
  StringMatchMetric(Kind kind, const StringMatchOptions& options)
      : kind_(kind), options_(options) {}

 private:
  Kind kind_;
  StringMatchOptions options_;
};

// exact_match: 1 when the hypothesis equals a reference.
class ExactMatch : public StringMatchMetric {
 public:
  static Result<std::unique_ptr<ExactMatch>> Create(const StringMatchOptions& options);

 private:
  explicit ExactMatch(const StringMatchOptions& o) : StringMatchMetric(Kind::kExactMatch, o) {}
};

// contains: 1 when a reference occurs in the hypothesis.
class Contains : public StringMatchMetric {
 public:
  static Result<std::unique_ptr<Contains>> Create(const StringMatchOptions& options);

 private:
  explicit Contains(const StringMatchOptions& o) : StringMatchMetric(Kind::kContains, o) {}
};

// regex_match: 1 when a reference pattern matches the hypothesis.
class RegexMatch : public StringMatchMetric {
 public:
  static Result<std::unique_ptr<RegexMatch>> Create(const StringMatchOptions& options);

 private:
  explicit RegexMatch(const StringMatchOptions& o) : StringMatchMetric(Kind::kRegexMatch, o) {}
};

// levenshtein: mean code-point edit distance to the closest reference (lower is better).
class Levenshtein : public StringMatchMetric {
 public:
  static Result<std::unique_ptr<Levenshtein>> Create(const StringMatchOptions& options);

 private:
  explicit Levenshtein(const StringMatchOptions& o) : StringMatchMetric(Kind::kLevenshtein, o) {}
};

// edit_similarity: mean of 1 - distance / max length, best reference per segment.
class EditSimilarity : public StringMatchMetric {
 public:
  static Result<std::unique_ptr<EditSimilarity>> Create(const StringMatchOptions& options);

 private:
  explicit EditSimilarity(const StringMatchOptions& o)
      : StringMatchMetric(Kind::kEditSimilarity, o) {}
};

}  // namespace yardstick::metrics
