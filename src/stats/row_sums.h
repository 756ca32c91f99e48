#pragma once
// The inner loop of every resampling test: column sums of selected rows of a statistics matrix.
//
// SumRows adds up the rows named by `indices` (repetitions allowed) of a row-major matrix. The
// order of the additions is fixed but unspecified (two interleaved partial sums), so the result
// equals any other summation order exactly when the statistics are whole numbers below 2^53, as
// the counts of text metrics are. Widths up to 16 use register-resident accumulators.
//
// Thread safety: pure function.

#include <cstddef>
#include <cstdint>
#include <span>

namespace yardstick::stats {

// out[c] = sum over j of data[indices[j] * width + c], for c < width.
void SumRows(const double* data, std::size_t width, std::span<const std::uint32_t> indices,
             double* out);

}  // namespace yardstick::stats
