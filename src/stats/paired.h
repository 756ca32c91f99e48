#pragma once
// Paired significance tests of corpus metrics between a baseline and one or more systems,
// reproducing sacrebleu 2.6.0's `--paired-bs` and `--paired-ar` (sacrebleu/significance.py).
//
// Both work on per-segment sufficient statistics (SegmentStats, all with the same rows and
// width) and a ScoreFn of summed statistics.
//
// Paired bootstrap ("bs", default 1000 resamples): one index matrix rng.choice(N, (B, N)) is
// shared by the baseline and every system. For each resample b the baseline and each system are
// scored on the same segments; d_b = |sys_b - base_b| is centred by its mean and
// p = (#{d_b - mean(d) > |sys - base|} + 1) / (B + 1). Every system (and the baseline) also gets
// sacrebleu's bootstrap mean +- half-width over the same resamples.
//
// Approximate randomization ("ar", default 10000 trials): in each trial every segment's
// statistics are swapped between the baseline and the system with probability 1/2
// (rng.integers(2, size=(trials, N), dtype=bool); true keeps the baseline's row on side A);
// p = (#{|A - B| > |sys - base|} + 1) / (trials + 1). With confidence_resamples > 0 each system
// also gets a bootstrap CI from rng.choice(N, (R, N)) drawn after the swap matrix, and the
// baseline one from a fresh generator, as sacrebleu does.
//
// With the same seed (sacrebleu's SACREBLEU_SEED, default 12345) the resamples, p-values and
// intervals are those of sacrebleu, bit for bit when the statistics are whole numbers (checked in
// tests/stats/data/sacrebleu_significance.jsonl).
//
// Cost: bs is B * N * width additions per system; ar is trials * N/2 * width. Nothing is
// allocated per resample. Errors (kInvalidArgument): no systems, mismatched shapes, zero
// segments, resamples < 1. Thread safety: re-entrant; `score` is called on the calling thread.

#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "base/error.h"
#include "stats/bootstrap.h"
#include "stats/segment_stats.h"

namespace yardstick::stats {

struct PairedBootstrapOptions {
  int resamples = 1000;
  std::uint64_t seed = 12345;
};

struct ApproximateRandomizationOptions {
  int trials = 10000;
  int confidence_resamples = 0;  // sacrebleu's --paired-ar-conf-n; 0 = no confidence intervals
  std::uint64_t seed = 12345;
};

// One row of sacrebleu's paired-test table.
struct SystemResult {
  double score = 0;                                              // corpus score
  double p_value = std::numeric_limits<double>::quiet_NaN();     // NaN for the baseline
  double mean = std::numeric_limits<double>::quiet_NaN();        // bootstrap mean (NaN: no CI)
  double half_width = std::numeric_limits<double>::quiet_NaN();  // the "+- ci" of sacrebleu
};

struct PairedTestResult {
  std::string test;   // "bs" or "ar"
  int resamples = 0;  // bootstrap resamples (bs) or trials (ar)
  int confidence_resamples = 0;
  std::uint64_t seed = 0;
  SystemResult baseline;
  std::vector<SystemResult> systems;  // in the order given
};

Result<PairedTestResult> PairedBootstrap(const SegmentStats& baseline,
                                         std::span<const SegmentStats> systems,
                                         const ScoreFn& score,
                                         const PairedBootstrapOptions& options = {});

Result<PairedTestResult> ApproximateRandomization(
    const SegmentStats& baseline, std::span<const SegmentStats> systems, const ScoreFn& score,
    const ApproximateRandomizationOptions& options = {});

}  // namespace yardstick::stats
