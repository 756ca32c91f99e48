#pragma once
// Numeric building blocks that reproduce the reference tools' floating-point results.
//
// The statistics in this module are ported from numpy/scipy/statsmodels/sacrebleu, whose results
// depend on how they add things up. These helpers make the same choices, so that Yardstick's
// numbers match the references to the last bit where the algorithm allows:
//   PairwiseSum   - np.sum / np.mean of a 1-D float64 array (pairwise, 8-way unrolled blocks)
//   ExactMean     - Python's statistics.mean (the correctly rounded mean of the exact sum)
//   Percentile    - np.percentile(a, q) with the default 'linear' method
//   AverageRanks  - scipy.stats.rankdata(a) (method='average')
//   SampleStd     - np.std(a, ddof=1)
//
// Thread safety: all functions are pure.

#include <cstddef>
#include <span>
#include <vector>

namespace yardstick::stats {

// np.add.reduce over a contiguous float64 array: blocks of up to 128 values are summed with 8
// interleaved accumulators; longer arrays are split in two (at a multiple of 8) recursively.
double PairwiseSum(std::span<const double> values);

// np.mean of a float64 array: PairwiseSum(values) / n. NaN for an empty array.
double NumpyMean(std::span<const double> values);

// Python's statistics.mean: the exact sum of the doubles, divided by n, rounded once (to nearest,
// ties to even). NaN for an empty array or when a value is not finite.
double ExactMean(std::span<const double> values);

// np.percentile(sorted, q) for q in [0, 100], method 'linear', on values sorted ascending
// (NaN-free). The index (n-1)*q/100 is interpolated as NumPy's _lerp does.
double Percentile(std::span<const double> sorted, double q);

// scipy.stats.rankdata(values): ranks 1..n, ties get the average of their ranks.
std::vector<double> AverageRanks(std::span<const double> values);

// Sum over groups of tied values of (t^3 - t), t = group size (the tie term of rank tests).
double TieTerm(std::span<const double> values);

// np.std(values, ddof=1): sqrt(sum((x - mean)^2) / (n - 1)) with NumPy's summation order.
double SampleStd(std::span<const double> values);

}  // namespace yardstick::stats
