#pragma once
// Gate conditions: what decides whether `yardstick eval` (or `compare`) exits 0 or 1.
//
// Grammar (one condition per string; spaces between tokens are optional around operators):
//   <metric> <op> <number>                 the aggregate, e.g. "bleu >= 30"
//   <metric>.ci_low <op> <number>          the lower (or .ci_high upper) confidence bound
//   <metric> gap by <field> <op> <number>  max - min of the metric over the field's slices,
//                                          e.g. "exact_match gap by group <= 0.05"
//   demographic_parity_difference <op> <number>   from the suite's fairness settings
//   equalized_odds_difference <op> <number>
//   failures <op> <number>                 examples the target could not answer
//   no_significant_regression              no metric significantly worse than the baseline
//                                          (after the multiple-testing correction)
//   no_significant_regression on <metric>[,<metric>...]
// <op> is one of >=, >, <=, <, ==.
//
// Thread safety: plain values and pure functions.

#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace yardstick::eval {

struct GateCondition {
  enum class Kind {
    kThreshold,
    kGap,
    kDemographicParity,
    kEqualizedOdds,
    kFailures,
    kNoRegression
  };
  Kind kind = Kind::kThreshold;
  std::string text;                 // as written
  std::string metric;               // kThreshold, kGap
  std::string statistic = "value";  // "value", "ci_low", "ci_high"
  std::string field;                // kGap
  std::string op;                   // ">=", ">", "<=", "<", "=="
  double threshold = 0;
  std::vector<std::string> metrics;  // kNoRegression: empty means every metric
  int line = 0;                      // place in the suite, for messages (0 = command line)
  int column = 0;
};

Result<GateCondition> ParseGateCondition(std::string_view text);

// True when `value op threshold` holds (false for NaN).
bool CompareWith(double value, const std::string& op, double threshold);

}  // namespace yardstick::eval
