#pragma once
// Calibration of probabilistic classifiers: expected calibration error (ECE) and the
// reliability-diagram bins it is computed from (design/STATISTICS.md section 7).
//
//   ECE = sum over non-empty bins m of (|B_m| / n) * |acc(B_m) - conf(B_m)|
//
// Binning reproduces scikit-learn 1.2.1's calibration_curve: edges are np.linspace(0, 1, M + 1)
// (uniform) or np.percentile(p, np.linspace(0, 1, M + 1) * 100) (quantile, numpy's "linear"
// method); a probability goes to bin np.searchsorted(edges[1:-1], p), i.e. bins are (lo, hi]
// with the first bin closed at 0; empty bins are dropped. Per-bin sums accumulate in sample order
// as np.bincount does, and the ECE sum uses numpy's summation order, so results match the numpy
// reference to the last bit or close to it.
//
// Two modes: binary (acc = positive rate, conf = mean p(y=1)) and top-label multiclass
// (conf = max probability, acc = rate of argmax == true class; Guo et al. 2017).
//
// Thread safety: pure functions; call them concurrently freely.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace yardstick::metrics {

enum class BinStrategy {
  kUniform,   // equal-width bins over [0, 1]
  kQuantile,  // equal-mass bins: edges at the sample quantiles of the confidences
};

enum class BinEdges {
  kLeftOpen,   // (lo, hi]: sklearn calibration_curve (np.searchsorted side="left"); default
  kRightOpen,  // [lo, hi): np.searchsorted side="right" (a value on an edge goes to the upper bin)
};

struct CalibrationOptions {
  std::size_t num_bins = 15;  // M; Guo et al. use 15 (sklearn's calibration_curve default is 5)
  BinStrategy strategy = BinStrategy::kUniform;
  BinEdges edges = BinEdges::kLeftOpen;
};

// Parses "uniform" | "quantile" and "left-open" | "(lo,hi]" | "right-open" | "[lo,hi)".
Result<BinStrategy> ParseBinStrategy(std::string_view text);
Result<BinEdges> ParseBinEdges(std::string_view text);
const char* BinStrategyName(BinStrategy strategy);
const char* BinEdgesName(BinEdges edges);  // "(lo,hi]" or "[lo,hi)"

// One non-empty bin of the reliability diagram.
struct ReliabilityBin {
  std::size_t index = 0;  // position among the M bins
  double lower = 0;       // edges[index]
  double upper = 0;       // edges[index + 1]
  std::int64_t count = 0;
  double mean_confidence = 0;  // sklearn's prob_pred
  double accuracy = 0;         // sklearn's prob_true (positive rate in binary mode)
};

struct CalibrationResult {
  double ece = 0;
  double mce = 0;  // maximum calibration error: max over non-empty bins of |acc - conf|
  std::int64_t num_samples = 0;
  std::vector<double> edges;         // M + 1 bin edges
  std::vector<ReliabilityBin> bins;  // non-empty bins in increasing order
};

// Binary mode. y_true holds 0/1 (or -1/1; the positive class is 1, as sklearn infers it);
// prob_positive holds p(y = 1) in [0, 1].
Result<CalibrationResult> BinaryCalibration(std::span<const int> y_true,
                                            std::span<const double> prob_positive,
                                            const CalibrationOptions& options = {});

// Top-label multiclass mode. `probabilities` is row-major n x num_classes; y_true[i] is the
// column of sample i's true class. The prediction is the first column of maximal probability.
Result<CalibrationResult> TopLabelCalibration(std::span<const std::size_t> y_true,
                                              std::span<const double> probabilities,
                                              std::size_t num_classes,
                                              const CalibrationOptions& options = {});

}  // namespace yardstick::metrics
