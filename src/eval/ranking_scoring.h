#pragma once
// Ranking metrics of a suite (internal to the eval module): ROC AUC and average precision of a
// binary label against a score, computed by the metric library (scikit-learn's definitions).
//
// Their value is not a function of summed statistics, so their rows are not additive: each
// scored example's row is [score, 1 if its label is the positive one else 0] (MetricKind
// kRanking), and the value function takes the rows of a set of examples concatenated
// ([s1, y1, s2, y2, ...]; repetitions allowed, order irrelevant) and calls the library on them.
// The aggregate, the bootstrap resamples, the slices and the paired tests of a comparison all
// evaluate it on the multiset of rows they select (scoring.h: ValueOfRows).
//
// The score is the example's output parsed as a number (the whole output, white space trimmed),
// or with `score_field` the number in that field of the dataset row or of the precomputed
// outputs. The label is the first reference (or `label_field`), trimmed and lower-cased, compared
// with `positive`. A set of rows without a positive label (and for ROC AUC, without a negative
// one) has no value: NaN, never a made-up number.
//
// Thread safety: pure functions.

#include <optional>
#include <span>
#include <string>

#include "base/error.h"
#include "eval/scoring.h"

namespace yardstick::eval {

bool IsRankingMetric(const std::string& name);
std::optional<Error> CheckRankingSpec(const MetricSpec& spec);
// The value of concatenated rows [score, positive, ...] (NaN where undefined).
Result<ValueFn> RankingValueFn(const MetricSpec& spec);
Result<MetricColumn> ScoreRanking(const MetricSpec& spec, std::span<const ExampleResult> examples);

}  // namespace yardstick::eval
