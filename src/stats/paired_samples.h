#pragma once
// Paired tests on per-example results of two systems evaluated on the same examples.
//
//   McNemar           - binary outcomes (correct / incorrect) of two systems, statsmodels 0.13.5
//                       `mcnemar(table, exact, correction)`
//   Wilcoxon          - signed-rank test on per-example scores, scipy 1.10.1 `wilcoxon`
//                       (zero_method wilcox / pratt / zsplit, correction, exact vs approx)
//   PairedPermutation - sign-flip permutation test of the mean difference, scipy 1.10.1
//                       `permutation_test(..., permutation_type='samples')` with statistic
//                       mean(x - y): exact over all 2^n sign patterns when 2^n <= resamples
//                       (same p-values as scipy), otherwise random sign flips from a seeded
//                       NumpyRng with p = (count + 1) / (resamples + 1)
//
// Corpus-level paired tests on summed statistics (sacrebleu's bootstrap and approximate
// randomization) are in paired.h.
//
// Errors (kInvalidArgument): samples of different lengths, NaN values, unknown options, and the
// cases where scipy raises (e.g. Wilcoxon with all differences zero under wilcox/pratt).
// Thread safety: all functions are pure.

#include <cstdint>
#include <span>
#include <vector>

#include "base/error.h"
#include "stats/test_result.h"

namespace yardstick::stats {

// The discordant counts of two systems on the same examples:
// b = examples system A got right and B wrong, c = B right and A wrong.
struct DiscordantPairs {
  double a_only = 0;  // statsmodels table[0][1]
  double b_only = 0;  // statsmodels table[1][0]
};

// Counts discordant pairs of per-example binary outcomes (true = correct).
Result<DiscordantPairs> CountDiscordant(const std::vector<bool>& a_correct,
                                        const std::vector<bool>& b_correct);

// McNemar's test. exact: statistic = min(b, c), p = min(1, 2 * BinomCdf(min, b + c, 1/2)).
// Otherwise statistic = (|b - c| - correction)^2 / (b + c), p = chi-squared(1) sf; with no
// discordant pairs at all this gives statistic 0 and p 1 (statsmodels gives inf / 0 with the
// correction and NaN without).
Result<TestResult> McNemar(const DiscordantPairs& pairs, bool exact = true, bool correction = true);

enum class ZeroMethod {
  kWilcox,  // drop zero differences (approximate path), scipy's default
  kPratt,   // rank the zeros, then drop them
  kZsplit,  // split the zero ranks evenly between the positive and negative sums
};

enum class WilcoxonMethod {
  kAuto,    // exact when n <= 50 (n counts zeros), approx otherwise or when there are zeros
  kExact,   // exact distribution of r+ (falls back to approx when there are zeros)
  kApprox,  // normal approximation with tie correction
};

struct WilcoxonOptions {
  ZeroMethod zero_method = ZeroMethod::kWilcox;
  bool correction = false;  // continuity correction of the normal approximation
  Alternative alternative = Alternative::kTwoSided;
  WilcoxonMethod method = WilcoxonMethod::kAuto;
};

// Wilcoxon signed-rank test on d = x - y (or on x alone when y is empty). statistic: r+ for
// one-sided alternatives, min(r+, r-) for two-sided; method: "exact" or "approx"; zstatistic is
// set on the approximate path. Empty input gives NaN statistic and p-value, as in scipy.
Result<TestResult> Wilcoxon(std::span<const double> x, std::span<const double> y,
                            const WilcoxonOptions& options = {});

struct PermutationOptions {
  Alternative alternative = Alternative::kTwoSided;
  std::int64_t resamples = 9999;  // scipy's default n_resamples
  std::uint64_t seed = 12345;     // for the randomized path only
};

// Paired sign-flip permutation test of mean(x - y). statistic = mean(x - y) as np.mean;
// method: "exact" or "randomized"; at least 2 pairs are needed (as scipy requires).
Result<TestResult> PairedPermutation(std::span<const double> x, std::span<const double> y,
                                     const PermutationOptions& options = {});

}  // namespace yardstick::stats
