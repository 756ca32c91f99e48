#pragma once
// Classification metrics of a suite (internal to the eval module): the metric library's
// classification and calibration metrics over (output label, reference label) pairs.
//
// Each scored example contributes one additive row, so aggregates, bootstrap intervals, slices
// and the paired tests of a comparison work exactly as for the text metrics:
//   accuracy, precision, recall, f1, mcc, cohen_kappa
//       row = the example's cell of the K x K confusion matrix (one-hot, width K * K), K the
//       labels of the run (the sorted union of normalized output and reference labels, or the
//       `labels:` option). The value rebuilds the label vectors of the summed matrix and calls
//       the library (sklearn's semantics, including averages over the labels present).
//   ece  row = [count, sum of scores, positives] for each of the `bins` uniform bins (the bin of
//       the score as sklearn's calibration_curve assigns it); ECE = sum |positives - scores| / n.
// Labels are compared after trimming white space and lower-casing (as the fairness section).
//
// Thread safety: pure functions.

#include <optional>
#include <span>
#include <string>

#include "base/error.h"
#include "eval/scoring.h"

namespace yardstick::eval {

bool IsClassificationMetric(const std::string& name);
std::optional<Error> CheckClassificationSpec(const MetricSpec& spec);
// The value function of the summed rows; needs the resolved `labels` option (ScoreClassification
// writes it into the column's spec) except for ece.
Result<ValueFn> ClassificationValueFn(const MetricSpec& spec);
Result<MetricColumn> ScoreClassification(const MetricSpec& spec,
                                         std::span<const ExampleResult> examples);

// A label as compared: white space trimmed, lower-cased.
std::string NormalizeLabel(std::string s);

}  // namespace yardstick::eval
