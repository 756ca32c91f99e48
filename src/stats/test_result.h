#pragma once
// The shared vocabulary of hypothesis tests: the alternative hypothesis and the result record.
//
// Every test in this module returns a TestResult that names the test and the method that
// produced the p-value ("exact", "asymptotic", ...), so a report can say what was computed.
//
// Thread safety: plain values.

#include <cmath>
#include <cstddef>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/error.h"

namespace yardstick::stats {

// The alternative hypothesis, with scipy's names and meaning for a statistic of x against y:
// kLess means "x is smaller" (small statistics are evidence), kGreater the opposite.
enum class Alternative { kTwoSided, kLess, kGreater };

// "two-sided", "less", "greater".
const char* AlternativeName(Alternative alternative);

// Parses scipy's names; statsmodels' "larger"/"smaller" and "2s" are accepted as aliases.
Result<Alternative> ParseAlternative(std::string_view name);

struct TestResult {
  std::string test;    // e.g. "welch_t", "mann_whitney_u", "wilcoxon", "mcnemar"
  std::string method;  // how the p-value was obtained: "exact", "asymptotic", "t", "normal", ...
  double statistic = std::numeric_limits<double>::quiet_NaN();
  double pvalue = std::numeric_limits<double>::quiet_NaN();
  std::optional<double> df;          // degrees of freedom, for t and chi-square tests
  std::optional<double> zstatistic;  // the standardized statistic of normal approximations
};

// An error (kInvalidArgument) when `values` has fewer than `min_size` values or contains NaN; the
// message names the sample (`name`, e.g. "x") and the index of the first NaN.
std::optional<Error> CheckSample(std::span<const double> values, std::string_view name,
                                 std::size_t min_size = 1);

}  // namespace yardstick::stats
