#pragma once
// Bootstrap confidence intervals for corpus metrics and for means of per-example values.
//
// Corpus metrics are resampled the right way: each resample draws N segments with replacement,
// sums their sufficient statistics (SegmentStats rows) and recomputes the corpus score from the
// sums; it never averages sentence scores. Resample indices come from NumpyRng, so with the same
// seed the resamples are those of sacrebleu 2.6.0 (`rng.choice(N, (B, N))`) and of
// scipy.stats.bootstrap(..., random_state=np.random.default_rng(seed)).
//
// Three interval methods:
//   kSacrebleu  - sacrebleu's convention (B = 1000, seed 12345): sort the B scores, take
//                 lo = s[B/40] and hi = s[B - B/40 - 1]; report the mean of the bootstrap scores
//                 plus/minus (hi - lo)/2 (exactly what `sacrebleu -b 1000` prints as "mu +- ci",
//                 with Python's statistics.mean). Only the 95% level exists for it.
//   kPercentile - np.percentile (linear) of the bootstrap distribution at alpha/2, 1 - alpha/2.
//   kBca        - bias-corrected and accelerated, as scipy.stats.bootstrap(method='BCa'):
//                 z0 from the share of bootstrap scores below the point estimate, acceleration
//                 from jackknife values. For corpus metrics the jackknife value of segment i is
//                 score(total - row i), exact for additive statistics and O(N) to compute.
//
// Performance: one reusable buffer of column sums; no allocation and no matrix copy per
// resample. Errors (kInvalidArgument): no rows/values, resamples < 1, a level outside (0, 1), a
// level other than 0.95 for kSacrebleu.
//
// Thread safety: the functions are re-entrant; `score` is called from the calling thread only.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <span>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "stats/segment_stats.h"

namespace yardstick::stats {

// The corpus score of summed statistics (one row, or the column sums of many rows).
using ScoreFn = std::function<double(std::span<const double>)>;

enum class CiMethod { kSacrebleu, kPercentile, kBca };

// "bs" (sacrebleu's name for its bootstrap), "percentile", "bca".
const char* CiMethodName(CiMethod method);
Result<CiMethod> ParseCiMethod(std::string_view name);

struct BootstrapOptions {
  int resamples = 1000;        // sacrebleu's default; scipy.stats.bootstrap uses 9999
  std::uint64_t seed = 12345;  // sacrebleu's default SACREBLEU_SEED
  CiMethod method = CiMethod::kSacrebleu;
  double confidence_level = 0.95;
  bool keep_distribution = false;  // return the B bootstrap scores in BootstrapCi::distribution
};

struct BootstrapCi {
  CiMethod method = CiMethod::kSacrebleu;
  int resamples = 0;
  double confidence_level = 0.95;
  double point = 0;     // the statistic of the full data
  double estimate = 0;  // kSacrebleu: mean of the bootstrap scores; otherwise equal to point
  double low = 0;       // kSacrebleu: estimate - half_width; otherwise the lower percentile
  double high = 0;
  double half_width = 0;      // (high - low) / 2: sacrebleu's "+- ci"
  double standard_error = 0;  // standard deviation (ddof = 1) of the bootstrap scores
  double bias_correction = std::numeric_limits<double>::quiet_NaN();  // BCa z0
  double acceleration = std::numeric_limits<double>::quiet_NaN();     // BCa a
  std::vector<double> distribution;  // bootstrap scores in resample order, if kept
};

// Bootstrap CI of a corpus metric: score(column sums of a resample of `stats` rows).
Result<BootstrapCi> BootstrapCorpus(const SegmentStats& stats, const ScoreFn& score,
                                    const BootstrapOptions& options = {});

// Bootstrap CI of the mean of per-example values (np.mean of each resample; the BCa jackknife
// uses (total - x_i) / (n - 1)).
Result<BootstrapCi> BootstrapMean(std::span<const double> values,
                                  const BootstrapOptions& options = {});

// A statistic of the examples named by `indices` (a resample of 0..n-1, repetitions allowed),
// for metrics that are not a function of summed statistics (ROC AUC, macro F1, ...).
using IndexStatisticFn = std::function<Result<double>(std::span<const std::size_t>)>;

// Bootstrap CI of an arbitrary statistic of n examples: each resample draws n indices (the same
// draws as BootstrapCorpus) and calls `statistic` on them; the point estimate uses 0..n-1 in
// order. BCa calls `statistic` n more times on the leave-one-out index sets (O(n^2) work for
// linear statistics). The first error of `statistic` is returned, naming the resample.
Result<BootstrapCi> BootstrapIndices(std::size_t n, const IndexStatisticFn& statistic,
                                     const BootstrapOptions& options = {});

// How the centre of sacrebleu's interval is averaged: Score.estimate_ci (corpus_score with
// n_bootstrap) uses statistics.mean; significance.estimate_ci (paired tests) uses numpy's mean of
// the sorted scores. They can differ in the last bit.
enum class SacrebleuMean { kExact, kNumpySorted };

struct SacrebleuEstimate {
  double mean = 0;
  double half_width = 0;
};

// sacrebleu's estimate_ci of bootstrap scores (95%: indices B/40 and B - B/40 - 1 of the sorted
// scores). `scores` must not be empty.
SacrebleuEstimate EstimateSacrebleuCi(std::span<const double> scores, SacrebleuMean mean);

}  // namespace yardstick::stats
