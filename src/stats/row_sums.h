#pragma once
// The inner loop of every resampling test: column sums of selected rows of statistics matrices.
//
// SumRows adds up the rows named by `indices` (repetitions allowed) of a row-major matrix. The
// order of the additions is fixed but unspecified (two interleaved partial sums), so the result
// equals any other summation order exactly when the statistics are whole numbers below 2^53, as
// the counts of text metrics are. Widths up to 16 use register-resident accumulators.
//
// PackedRows does the same for one or more matrices with the same rows (a baseline and the
// systems compared with it, which share the resample indices), side by side. When every value
// is a whole number in [0, 65535] (the n-gram counts and lengths of BLEU, chrF, TER...) the rows
// are packed as 16-bit integers, a quarter of the bytes of doubles: resampling reads rows at
// random, so the bytes per row set the speed. Sums are exact integers there, hence equal to
// SumRows' sums; other matrices are summed with SumRows.
//
// Thread safety: SumRows is a pure function; a constructed PackedRows is immutable and its
// const methods may be called concurrently.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "stats/rng.h"
#include "stats/segment_stats.h"

namespace yardstick::stats {

// out[c] = sum over j of data[indices[j] * width + c], for c < width.
void SumRows(const double* data, std::size_t width, std::span<const std::uint32_t> indices,
             double* out);

class PackedRows {
 public:
  // Eight 16-bit values: one SSE2 register's worth, aligned for it.
  struct alignas(16) Lanes {
    std::uint16_t lane[8];
  };

  // `matrices` must all have the same number of rows; they must outlive this object.
  explicit PackedRows(std::span<const SegmentStats* const> matrices);

  // The total width: the widths of the matrices, added.
  std::size_t width() const { return width_; }

  // out[offset(k) + c] = sum over j of matrix k's row indices[j], column c, where offset(k) is
  // the width of the matrices before k. `out` must have width() values; indices < rows.
  void Sum(std::span<const std::uint32_t> indices, std::span<double> out) const;

  // The sums of `resamples` bootstrap resamples of the rows, as Sum gives them, handed to
  // visit(b, sums) for b = 0, 1, ... Resample b's indices are those of the b-th of `resamples`
  // calls of rng.FillBelow(rows, indices), i.e. NumPy's rng.choice(rows, (resamples, rows)),
  // and the generator ends in the same state. With packed rows, the draws of resample b + 1 run
  // interleaved with the additions of resample b: the draws wait on the multiplier, the
  // additions on memory, so together they take little more than the slower of the two.
  void SumResamples(NumpyRng& rng, std::size_t resamples,
                    const std::function<void(std::size_t, std::span<const double>)>& visit) const;

 private:
  std::vector<const SegmentStats*> matrices_;
  std::size_t rows_ = 0;
  std::size_t width_ = 0;
  bool packed_ = false;       // every value fits the 16-bit layout
  std::size_t vectors_ = 0;   // Lanes per packed row (width_ / 8, rounded up)
  std::uint32_t max_ = 0;     // the largest value
  std::vector<Lanes> cells_;  // rows * vectors_
};

}  // namespace yardstick::stats
