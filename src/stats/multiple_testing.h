#pragma once
// Multiple-testing corrections: adjusted p-values and rejections for a family of tests.
//
// Semantics of statsmodels 0.13.5 `multipletests(pvals, alpha, method)`:
//   kBonferroni          "bonferroni": p * m, reject p <= alpha / m
//   kHolm                "holm": step-down; adjusted p_(i) = max_{j<=i} (m - j + 1) p_(j)
//   kBenjaminiHochberg   "fdr_bh": step-up; adjusted p_(i) = min_{j>=i} p_(j) / (j / m);
//                        reject the k smallest, k the largest i with p_(i) <= alpha i / m
//   kBenjaminiYekutieli  "fdr_by": as fdr_bh with alpha divided by sum_{i<=m} 1/i (valid under
//                        arbitrary dependence)
// Adjusted p-values are capped at 1 and returned in the input order. Ties are handled as
// statsmodels does (their order does not change any result).
//
// Errors (kInvalidArgument): an empty family, a p-value outside [0, 1] or NaN (named by index),
// alpha outside (0, 1). Thread safety: pure functions.

#include <span>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace yardstick::stats {

enum class Correction { kBonferroni, kHolm, kBenjaminiHochberg, kBenjaminiYekutieli };

// statsmodels' method names: "bonferroni", "holm", "fdr_bh", "fdr_by".
const char* CorrectionName(Correction correction);
Result<Correction> ParseCorrection(std::string_view name);

struct AdjustedPValues {
  std::vector<double> adjusted;  // in input order
  std::vector<bool> reject;      // in input order
};

Result<AdjustedPValues> AdjustPValues(std::span<const double> pvalues, Correction correction,
                                      double alpha = 0.05);

}  // namespace yardstick::stats
