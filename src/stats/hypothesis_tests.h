#pragma once
// Two-sample hypothesis tests on independent samples: Student and Welch t-tests, the
// Mann-Whitney U test and the two-proportion z-test.
//
// Semantics follow scipy 1.10.1 (`scipy.stats.ttest_ind`, `ttest_ind_from_stats`,
// `mannwhitneyu`) and statsmodels 0.13.5 (`proportions_ztest`), including their degenerate
// cases: zero variances give t = +-inf or NaN, Welch's df falls back to 1 when undefined, an
// all-ties Mann-Whitney sample gives p = 1 with the continuity correction and NaN without.
// Results match tests/golden/scipy_stats.jsonl to a relative 1e-12.
//
// Inputs with NaN, empty samples or an unknown option are errors (kInvalidArgument) that name the
// offending sample and index. Thread safety: all functions are pure.

#include <span>

#include "base/error.h"
#include "stats/test_result.h"

namespace yardstick::stats {

// Mean, unbiased variance (ddof = 1) and size of one sample.
struct SampleSummary {
  double n = 0;
  double mean = 0;
  double variance = 0;
};

// The summary of a sample given as sufficient statistics n, sum x and sum x^2, as rollups store
// them: variance = (sum_sq - sum^2 / n) / (n - 1), or 0 when n <= 1.
SampleSummary SummaryFromSums(double n, double sum, double sum_sq);

// t-test of the null hypothesis that two independent samples have equal means (scipy
// ttest_ind with nan_policy='propagate', no permutations, no trimming). `equal_var` selects the
// pooled-variance Student test; false gives Welch's test with Welch-Satterthwaite df.
// test: "student_t" or "welch_t"; df is always set.
Result<TestResult> TTestInd(std::span<const double> x, std::span<const double> y, bool equal_var,
                            Alternative alternative = Alternative::kTwoSided);

// The same test from summaries (scipy ttest_ind_from_stats, with std = sqrt(variance)).
Result<TestResult> TTestIndFromSummaries(const SampleSummary& x, const SampleSummary& y,
                                         bool equal_var,
                                         Alternative alternative = Alternative::kTwoSided);

enum class MannWhitneyMethod {
  kAuto,        // exact when min(n1, n2) <= 8 and there are no ties, asymptotic otherwise
  kExact,       // exact null distribution of U (ties are not corrected for)
  kAsymptotic,  // normal approximation with tie correction
};

// Mann-Whitney U test (scipy mannwhitneyu). statistic = U of x; method = "exact" or "asymptotic"
// (the one used, also under kAuto); zstatistic is set on the asymptotic path. The exact
// distribution is computed in O((n1 + n2) * min(n1, n2) * n1 * n2) time; larger problems than
// 2e9 steps are refused (kInvalidArgument) - use the asymptotic method.
Result<TestResult> MannWhitneyU(std::span<const double> x, std::span<const double> y,
                                bool use_continuity = true,
                                Alternative alternative = Alternative::kTwoSided,
                                MannWhitneyMethod method = MannWhitneyMethod::kAuto);

// Two-proportion z-test with pooled variance (statsmodels proportions_ztest(count, nobs,
// value)): z = (count1/nobs1 - count2/nobs2 - value) / sqrt(p(1-p)(1/nobs1 + 1/nobs2)),
// p = (count1 + count2) / (nobs1 + nobs2). kGreater is statsmodels' "larger".
Result<TestResult> TwoProportionZTest(double count1, double nobs1, double count2, double nobs2,
                                      Alternative alternative = Alternative::kTwoSided,
                                      double value = 0.0);

}  // namespace yardstick::stats
