#include "stats/bootstrap.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>

#include "stats/distributions.h"
#include "stats/numeric.h"
#include "stats/rng.h"
#include "stats/row_sums.h"
#include "stats/test_result.h"

namespace yardstick::stats {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::optional<Error> CheckOptions(const BootstrapOptions& options) {
  if (options.resamples < 1) {
    return Error(ErrorCode::kInvalidArgument,
                 "bootstrap: resamples must be >= 1, got " + std::to_string(options.resamples));
  }
  if (!(options.confidence_level > 0 && options.confidence_level < 1)) {
    return Error(ErrorCode::kInvalidArgument,
                 "bootstrap: confidence_level must be in (0, 1), got " +
                     std::to_string(options.confidence_level));
  }
  if (options.method == CiMethod::kSacrebleu && options.confidence_level != 0.95) {
    return Error(ErrorCode::kInvalidArgument,
                 "bootstrap: the sacrebleu interval ('bs') is only defined at the 0.95 level; use "
                 "'percentile' or 'bca' for other levels");
  }
  return std::nullopt;
}

// Fills the interval fields of `ci` from the bootstrap distribution; `jackknife` (one value per
// observation) is needed for BCa only.
void FinishInterval(std::vector<double> distribution, std::span<const double> jackknife,
                    const BootstrapOptions& options, BootstrapCi& ci) {
  ci.method = options.method;
  ci.resamples = options.resamples;
  ci.confidence_level = options.confidence_level;
  ci.standard_error = SampleStd(distribution);
  std::vector<double> sorted = distribution;
  std::sort(sorted.begin(), sorted.end());
  const double alpha = (1 - options.confidence_level) / 2;
  switch (options.method) {
    case CiMethod::kSacrebleu: {
      const SacrebleuEstimate e = EstimateSacrebleuCi(sorted, SacrebleuMean::kExact);
      ci.estimate = e.mean;
      ci.half_width = e.half_width;
      ci.low = e.mean - e.half_width;
      ci.high = e.mean + e.half_width;
      break;
    }
    case CiMethod::kPercentile:
      ci.estimate = ci.point;
      ci.low = Percentile(sorted, alpha * 100);
      ci.high = Percentile(sorted, (1 - alpha) * 100);
      ci.half_width = 0.5 * (ci.high - ci.low);
      break;
    case CiMethod::kBca: {
      // A degenerate distribution (every resample scores the same) has no bias or acceleration
      // to estimate; scipy returns NaN with a DegenerateDataWarning. The honest interval is the
      // single value.
      if (!sorted.empty() && sorted.front() == sorted.back()) {
        ci.estimate = ci.point;
        ci.low = ci.high = sorted.front();
        ci.half_width = 0;
        break;
      }
      // scipy's _bca_interval.
      const auto b = static_cast<double>(sorted.size());
      const auto below = static_cast<double>(
          std::lower_bound(sorted.begin(), sorted.end(), ci.point) - sorted.begin());
      const auto at_or_below = static_cast<double>(
          std::upper_bound(sorted.begin(), sorted.end(), ci.point) - sorted.begin());
      const double z0 = NormalPpf((below + at_or_below) / (2 * b));
      const auto n = static_cast<double>(jackknife.size());
      const double dot = NumpyMean(jackknife);
      std::vector<double> cubes(jackknife.size()), squares(jackknife.size());
      for (std::size_t i = 0; i < jackknife.size(); ++i) {
        const double u = (n - 1) * (dot - jackknife[i]);
        cubes[i] = std::pow(u, 3.0);
        squares[i] = u * u;
      }
      const double num = PairwiseSum(cubes) / (n * n * n);
      const double den = PairwiseSum(squares) / (n * n);
      const double a = 1.0 / 6 * num / std::pow(den, 1.5);
      const double z_alpha = NormalPpf(alpha);
      const double num1 = z0 + z_alpha, num2 = z0 - z_alpha;
      const double alpha1 = NormalCdf(z0 + num1 / (1 - a * num1));
      const double alpha2 = NormalCdf(z0 + num2 / (1 - a * num2));
      ci.bias_correction = z0;
      ci.acceleration = a;
      ci.estimate = ci.point;
      ci.low = std::isnan(alpha1) ? kNaN : Percentile(sorted, alpha1 * 100);
      ci.high = std::isnan(alpha2) ? kNaN : Percentile(sorted, alpha2 * 100);
      ci.half_width = 0.5 * (ci.high - ci.low);
      break;
    }
  }
  if (options.keep_distribution) ci.distribution = std::move(distribution);
}

}  // namespace

const char* CiMethodName(CiMethod method) {
  switch (method) {
    case CiMethod::kSacrebleu:
      return "bs";
    case CiMethod::kPercentile:
      return "percentile";
    case CiMethod::kBca:
      return "bca";
  }
  return "bs";
}

Result<CiMethod> ParseCiMethod(std::string_view name) {
  if (name == "bs" || name == "sacrebleu") return CiMethod::kSacrebleu;
  if (name == "percentile") return CiMethod::kPercentile;
  if (name == "bca" || name == "BCa") return CiMethod::kBca;
  return MakeError(ErrorCode::kInvalidArgument, "unknown confidence interval method '" +
                                                    std::string(name) +
                                                    "': expected 'bs', 'percentile' or 'bca'");
}

SacrebleuEstimate EstimateSacrebleuCi(std::span<const double> scores, SacrebleuMean mean) {
  std::vector<double> sorted(scores.begin(), scores.end());
  std::sort(sorted.begin(), sorted.end());
  const std::size_t n = sorted.size();
  const std::size_t lower_idx = n / 40;
  const std::size_t upper_idx = n - lower_idx - 1;
  SacrebleuEstimate e;
  e.half_width = 0.5 * (sorted[upper_idx] - sorted[lower_idx]);
  e.mean = mean == SacrebleuMean::kExact ? ExactMean(sorted) : NumpyMean(sorted);
  return e;
}

Result<BootstrapCi> BootstrapCorpus(const SegmentStats& stats, const ScoreFn& score,
                                    const BootstrapOptions& options) {
  if (auto e = CheckOptions(options)) return std::unexpected(*e);
  const std::size_t n = stats.rows(), width = stats.width();
  if (n == 0) {
    return MakeError(ErrorCode::kInvalidArgument, "bootstrap: the corpus has no segments");
  }
  const double* data = stats.data().data();
  const std::vector<double> total = stats.Sum();
  BootstrapCi ci;
  ci.point = score(total);

  if (n > std::numeric_limits<std::uint32_t>::max()) {
    return MakeError(ErrorCode::kInvalidArgument, "bootstrap: too many segments");
  }
  std::vector<double> distribution(static_cast<std::size_t>(options.resamples));
  const SegmentStats* matrices[] = {&stats};
  const PackedRows rows(matrices);
  NumpyRng rng(options.seed);
  rows.SumResamples(rng, distribution.size(), [&](std::size_t b, std::span<const double> sums) {
    distribution[b] = score(sums);
  });
  std::vector<double> jackknife;
  if (options.method == CiMethod::kBca) {
    jackknife.resize(n);
    std::vector<double> sums(width);
    for (std::size_t i = 0; i < n; ++i) {
      const double* row = data + i * width;
      for (std::size_t c = 0; c < width; ++c) sums[c] = total[c] - row[c];
      jackknife[i] = score(sums);
    }
  }
  FinishInterval(std::move(distribution), jackknife, options, ci);
  return ci;
}

Result<BootstrapCi> BootstrapMean(std::span<const double> values, const BootstrapOptions& options) {
  if (auto e = CheckOptions(options)) return std::unexpected(*e);
  if (auto e = CheckSample(values, "values")) return std::unexpected(*e);
  const std::size_t n = values.size();
  BootstrapCi ci;
  ci.point = NumpyMean(values);

  std::vector<double> distribution(static_cast<std::size_t>(options.resamples));
  std::vector<double> resample(n);
  NumpyRng rng(options.seed);
  for (double& value : distribution) {
    for (std::size_t j = 0; j < n; ++j) resample[j] = values[rng.Below(n)];
    value = PairwiseSum(resample) / static_cast<double>(n);
  }
  std::vector<double> jackknife;
  if (options.method == CiMethod::kBca && n > 1) {
    const double total = PairwiseSum(values);
    jackknife.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      jackknife[i] = (total - values[i]) / static_cast<double>(n - 1);
    }
  }
  FinishInterval(std::move(distribution), jackknife, options, ci);
  return ci;
}

Result<BootstrapCi> BootstrapIndices(std::size_t n, const IndexStatisticFn& statistic,
                                     const BootstrapOptions& options) {
  if (auto e = CheckOptions(options)) return std::unexpected(*e);
  if (n == 0) return MakeError(ErrorCode::kInvalidArgument, "bootstrap: there are no examples");
  std::vector<std::size_t> indices(n);
  for (std::size_t i = 0; i < n; ++i) indices[i] = i;
  auto point = statistic(indices);
  if (!point) return std::unexpected(point.error().WithContext("bootstrap: full sample"));
  BootstrapCi ci;
  ci.point = *point;

  std::vector<double> distribution(static_cast<std::size_t>(options.resamples));
  NumpyRng rng(options.seed);
  for (std::size_t b = 0; b < distribution.size(); ++b) {
    for (auto& i : indices) i = static_cast<std::size_t>(rng.Below(n));
    auto value = statistic(indices);
    if (!value) {
      return std::unexpected(value.error().WithContext("bootstrap: resample " + std::to_string(b)));
    }
    distribution[b] = *value;
  }
  std::vector<double> jackknife;
  if (options.method == CiMethod::kBca && n > 1) {
    jackknife.resize(n);
    std::vector<std::size_t> others(n - 1);
    for (std::size_t left_out = 0; left_out < n; ++left_out) {
      for (std::size_t i = 0, k = 0; i < n; ++i) {
        if (i != left_out) others[k++] = i;
      }
      auto value = statistic(others);
      if (!value) {
        return std::unexpected(value.error().WithContext("bootstrap: jackknife without example " +
                                                         std::to_string(left_out)));
      }
      jackknife[left_out] = *value;
    }
  }
  FinishInterval(std::move(distribution), jackknife, options, ci);
  return ci;
}

}  // namespace yardstick::stats
