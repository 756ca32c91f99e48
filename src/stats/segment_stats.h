#pragma once
// Per-segment sufficient statistics of a corpus metric.
//
// A corpus metric (BLEU, chrF, TER, ROUGE, ...) maps each segment to a fixed-width vector of
// additive statistics (n-gram matches, lengths, edit counts). The corpus score is a function of
// the column sums, so the score of any subset, any bootstrap resample and any rollup is exact.
// This matrix is the exchange format between the metrics and the resampling code.
//
// Thread safety: const methods may be called concurrently; mutation needs external locking.

#include <cassert>
#include <cstddef>
#include <span>
#include <vector>

namespace yardstick::stats {

class SegmentStats {
 public:
  explicit SegmentStats(std::size_t width) : width_(width) {}

  std::size_t width() const { return width_; }
  std::size_t rows() const { return width_ == 0 ? 0 : data_.size() / width_; }

  std::span<const double> row(std::size_t i) const {
    assert(i < rows());
    return {data_.data() + i * width_, width_};
  }
  std::span<double> mutable_row(std::size_t i) {
    assert(i < rows());
    return {data_.data() + i * width_, width_};
  }

  // Makes room for `rows` rows in total, so that adding them does not reallocate.
  void Reserve(std::size_t rows) { data_.reserve(rows * width_); }

  // Appends a row of zeros and returns it for filling.
  std::span<double> AddRow() {
    data_.resize(data_.size() + width_, 0.0);
    return {data_.data() + data_.size() - width_, width_};
  }

  void AddRow(std::span<const double> values) {
    assert(values.size() == width_);
    data_.insert(data_.end(), values.begin(), values.end());
  }

  // Column sums over all rows, in row order (deterministic floating-point order).
  std::vector<double> Sum() const {
    std::vector<double> total(width_, 0.0);
    for (std::size_t r = 0, n = rows(); r < n; ++r) {
      const double* p = data_.data() + r * width_;
      for (std::size_t c = 0; c < width_; ++c) total[c] += p[c];
    }
    return total;
  }

  // Column sums over the rows named by `indices` (repetitions allowed, as in a resample).
  std::vector<double> Sum(std::span<const std::size_t> indices) const {
    std::vector<double> total(width_, 0.0);
    for (std::size_t r : indices) {
      const double* p = data_.data() + r * width_;
      for (std::size_t c = 0; c < width_; ++c) total[c] += p[c];
    }
    return total;
  }

  const std::vector<double>& data() const { return data_; }

 private:
  std::size_t width_;
  std::vector<double> data_;  // rows() * width_ values, row-major
};

}  // namespace yardstick::stats
