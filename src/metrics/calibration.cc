#include "metrics/calibration.h"

#include <algorithm>
#include <cmath>

#include "metrics/classification.h"

namespace yardstick::metrics {

Result<BinStrategy> ParseBinStrategy(std::string_view text) {
  if (text == "uniform") return BinStrategy::kUniform;
  if (text == "quantile") return BinStrategy::kQuantile;
  return MakeError(ErrorCode::kInvalidArgument,
                   "bin strategy: got '" + std::string(text) + "', expected uniform or quantile");
}

Result<BinEdges> ParseBinEdges(std::string_view text) {
  if (text == "left-open" || text == "(lo,hi]") return BinEdges::kLeftOpen;
  if (text == "right-open" || text == "[lo,hi)") return BinEdges::kRightOpen;
  return MakeError(ErrorCode::kInvalidArgument,
                   "bin edges: got '" + std::string(text) +
                       "', expected left-open ((lo,hi], sklearn) or right-open ([lo,hi))");
}

const char* BinStrategyName(BinStrategy strategy) {
  return strategy == BinStrategy::kUniform ? "uniform" : "quantile";
}

const char* BinEdgesName(BinEdges edges) {
  return edges == BinEdges::kLeftOpen ? "(lo,hi]" : "[lo,hi)";
}

namespace {

// np.linspace(0.0, 1.0, m + 1): i * (1 / m), the last value exactly 1.
std::vector<double> Linspace01(std::size_t m) {
  std::vector<double> out(m + 1);
  const double step = 1.0 / static_cast<double>(m);
  for (std::size_t i = 0; i <= m; ++i) out[i] = static_cast<double>(i) * step + 0.0;
  out[m] = 1.0;
  return out;
}

// np.percentile(values, linspace(0, 1, m + 1) * 100) with numpy's default "linear" method.
std::vector<double> QuantileEdges(std::span<const double> values, std::size_t m) {
  std::vector<double> sorted(values.begin(), values.end());
  std::sort(sorted.begin(), sorted.end());
  const std::size_t n = sorted.size();
  std::vector<double> edges = Linspace01(m);
  for (double& q : edges) {
    const double quantile = (q * 100.0) / 100.0;  // np.percentile divides by 100 again
    const double virtual_index = static_cast<double>(n - 1) * quantile;
    double previous = std::floor(virtual_index);
    std::size_t lo = static_cast<std::size_t>(previous);
    std::size_t hi = lo + 1;
    if (virtual_index >= static_cast<double>(n - 1)) {
      previous = -1;  // numpy marks "past the end" with index -1 (the last element)
      lo = hi = n - 1;
    }
    const double gamma = virtual_index - previous;
    const double a = sorted[lo];
    const double b = sorted[hi];
    const double diff = b - a;
    q = gamma >= 0.5 ? b - diff * (1 - gamma) : a + diff * gamma;  // numpy's _lerp
  }
  return edges;
}

// calibration_curve's binning on (outcome, confidence) pairs, then ECE and MCE.
CalibrationResult Calibrate(std::span<const std::uint8_t> outcome,
                            std::span<const double> confidence, const CalibrationOptions& options) {
  const std::size_t m = options.num_bins;
  CalibrationResult result;
  result.num_samples = static_cast<std::int64_t>(confidence.size());
  result.edges =
      options.strategy == BinStrategy::kUniform ? Linspace01(m) : QuantileEdges(confidence, m);
  const auto inner_begin = result.edges.begin() + 1;
  const auto inner_end = result.edges.end() - 1;
  std::vector<double> sum_conf(m, 0.0), sum_true(m, 0.0);
  std::vector<std::int64_t> total(m, 0);
  for (std::size_t i = 0; i < confidence.size(); ++i) {
    const double p = confidence[i];
    const auto it = options.edges == BinEdges::kLeftOpen
                        ? std::lower_bound(inner_begin, inner_end, p)
                        : std::upper_bound(inner_begin, inner_end, p);
    const auto bin = static_cast<std::size_t>(it - inner_begin);
    sum_conf[bin] += p;
    sum_true[bin] += outcome[i];
    ++total[bin];
  }
  std::vector<double> terms;
  terms.reserve(m);
  const auto n = static_cast<double>(confidence.size());
  for (std::size_t b = 0; b < m; ++b) {
    if (total[b] == 0) continue;
    const auto count = static_cast<double>(total[b]);
    ReliabilityBin bin;
    bin.index = b;
    bin.lower = result.edges[b];
    bin.upper = result.edges[b + 1];
    bin.count = total[b];
    bin.accuracy = sum_true[b] / count;
    bin.mean_confidence = sum_conf[b] / count;
    const double gap = std::fabs(bin.accuracy - bin.mean_confidence);
    terms.push_back(count / n * gap);
    result.mce = std::max(result.mce, gap);
    result.bins.push_back(bin);
  }
  result.ece = NumpySum(terms);
  return result;
}

Result<void> CheckOptions(const CalibrationOptions& options) {
  if (options.num_bins == 0 || options.num_bins > 1'000'000) {
    return MakeError(
        ErrorCode::kInvalidArgument,
        "num_bins: got " + std::to_string(options.num_bins) + ", expected 1 to 1000000");
  }
  return {};
}

Result<void> CheckProbability(double p, const char* name, std::size_t index) {
  if (!(p >= 0.0 && p <= 1.0)) {
    return MakeError(ErrorCode::kInvalidArgument, std::string(name) + "[" + std::to_string(index) +
                                                      "] = " + std::to_string(p) +
                                                      ": probabilities must be in [0, 1]");
  }
  return {};
}

}  // namespace

Result<CalibrationResult> BinaryCalibration(std::span<const int> y_true,
                                            std::span<const double> prob_positive,
                                            const CalibrationOptions& options) {
  if (auto ok = CheckOptions(options); !ok) return std::unexpected(ok.error());
  if (y_true.size() != prob_positive.size()) {
    return MakeError(ErrorCode::kInvalidArgument, "y_true has " + std::to_string(y_true.size()) +
                                                      " values but prob_positive " +
                                                      std::to_string(prob_positive.size()));
  }
  if (y_true.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "y_true is empty: at least one sample is needed");
  }
  bool has_zero = false, has_minus_one = false;
  std::vector<std::uint8_t> outcome(y_true.size());
  for (std::size_t i = 0; i < y_true.size(); ++i) {
    const int y = y_true[i];
    if (y != 0 && y != 1 && y != -1) {
      return MakeError(ErrorCode::kInvalidArgument, "y_true[" + std::to_string(i) +
                                                        "] = " + std::to_string(y) +
                                                        ": binary labels must be 0/1 or -1/1");
    }
    has_zero |= y == 0;
    has_minus_one |= y == -1;
    outcome[i] = y == 1 ? 1 : 0;
    if (auto ok = CheckProbability(prob_positive[i], "prob_positive", i); !ok) {
      return std::unexpected(ok.error());
    }
  }
  if (has_zero && has_minus_one) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "y_true mixes 0 and -1: binary labels must be 0/1 or -1/1");
  }
  return Calibrate(outcome, prob_positive, options);
}

Result<CalibrationResult> TopLabelCalibration(std::span<const std::size_t> y_true,
                                              std::span<const double> probabilities,
                                              std::size_t num_classes,
                                              const CalibrationOptions& options) {
  if (auto ok = CheckOptions(options); !ok) return std::unexpected(ok.error());
  if (num_classes == 0) {
    return MakeError(ErrorCode::kInvalidArgument, "num_classes must be at least 1");
  }
  if (probabilities.size() != y_true.size() * num_classes) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "probabilities: expected " + std::to_string(y_true.size()) + " rows of " +
                         std::to_string(num_classes) + " values, got " +
                         std::to_string(probabilities.size()) + " values");
  }
  if (y_true.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "y_true is empty: at least one sample is needed");
  }
  std::vector<std::uint8_t> correct(y_true.size());
  std::vector<double> confidence(y_true.size());
  for (std::size_t i = 0; i < y_true.size(); ++i) {
    if (y_true[i] >= num_classes) {
      return MakeError(
          ErrorCode::kInvalidArgument,
          "y_true[" + std::to_string(i) + "] = " + std::to_string(y_true[i]) +
              ": class index must be below num_classes = " + std::to_string(num_classes));
    }
    const double* row = probabilities.data() + i * num_classes;
    std::size_t best = 0;
    for (std::size_t c = 0; c < num_classes; ++c) {
      if (auto ok = CheckProbability(row[c], "probabilities", i * num_classes + c); !ok) {
        return std::unexpected(ok.error());
      }
      if (row[c] > row[best]) best = c;  // first maximum, as np.argmax
    }
    confidence[i] = row[best];
    correct[i] = best == y_true[i] ? 1 : 0;
  }
  return Calibrate(correct, confidence, options);
}

}  // namespace yardstick::metrics
