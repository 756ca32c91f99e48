#include "stats/paired.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include "stats/numeric.h"
#include "stats/rng.h"
#include "stats/row_sums.h"

namespace yardstick::stats {
namespace {

std::optional<Error> CheckShapes(const SegmentStats& baseline,
                                 std::span<const SegmentStats> systems, int resamples) {
  if (systems.empty()) {
    return Error(ErrorCode::kInvalidArgument,
                 "paired test: no system to compare with the baseline");
  }
  if (baseline.rows() == 0) {
    return Error(ErrorCode::kInvalidArgument, "paired test: the baseline has no segments");
  }
  for (std::size_t s = 0; s < systems.size(); ++s) {
    if (systems[s].rows() != baseline.rows() || systems[s].width() != baseline.width()) {
      return Error(
          ErrorCode::kInvalidArgument,
          "paired test: system " + std::to_string(s) + " has " + std::to_string(systems[s].rows()) +
              " segments of width " + std::to_string(systems[s].width()) + ", the baseline " +
              std::to_string(baseline.rows()) + " of width " + std::to_string(baseline.width()));
    }
  }
  if (baseline.rows() > std::numeric_limits<std::uint32_t>::max()) {
    return Error(ErrorCode::kInvalidArgument, "paired test: too many segments");
  }
  if (resamples < 1) {
    return Error(
        ErrorCode::kInvalidArgument,
        "paired test: the number of resamples must be >= 1, got " + std::to_string(resamples));
  }
  return std::nullopt;
}

// sacrebleu's _compute_p_value: (#{values > observed} + 1) / (n + 1).
double PValue(std::span<const double> values, double observed) {
  const auto count =
      std::count_if(values.begin(), values.end(), [&](double v) { return v > observed; });
  return static_cast<double>(count + 1) / static_cast<double>(values.size() + 1);
}

// Scores of `matrices` on `resamples` bootstrap resamples drawn from `rng` (one shared index
// matrix, rng.choice(N, (resamples, N)), drawn row by row); result[k][b] is matrix k on
// resample b. The matrices are packed side by side, so each resample reads its rows once for
// all of them.
std::vector<std::vector<double>> BootstrapScores(std::span<const SegmentStats* const> matrices,
                                                 const ScoreFn& score, int resamples,
                                                 NumpyRng& rng) {
  const std::size_t width = matrices[0]->width();
  const std::size_t k_count = matrices.size();
  std::vector<std::vector<double>> scores(k_count,
                                          std::vector<double>(static_cast<std::size_t>(resamples)));
  const PackedRows rows(matrices);
  rows.SumResamples(rng, static_cast<std::size_t>(resamples),
                    [&](std::size_t b, std::span<const double> sums) {
                      for (std::size_t k = 0; k < k_count; ++k) {
                        scores[k][b] = score(sums.subspan(k * width, width));
                      }
                    });
  return scores;
}

void SetCi(std::span<const double> scores, SystemResult& result) {
  const SacrebleuEstimate e = EstimateSacrebleuCi(scores, SacrebleuMean::kNumpySorted);
  result.mean = e.mean;
  result.half_width = e.half_width;
}

}  // namespace

Result<PairedTestResult> PairedBootstrap(const SegmentStats& baseline,
                                         std::span<const SegmentStats> systems,
                                         const ScoreFn& score,
                                         const PairedBootstrapOptions& options) {
  if (auto e = CheckShapes(baseline, systems, options.resamples)) return std::unexpected(*e);
  std::vector<const SegmentStats*> matrices = {&baseline};
  for (const SegmentStats& s : systems) matrices.push_back(&s);

  PairedTestResult result;
  result.test = "bs";
  result.resamples = options.resamples;
  result.seed = options.seed;
  NumpyRng rng(options.seed);
  const auto scores = BootstrapScores(matrices, score, options.resamples, rng);

  result.baseline.score = score(baseline.Sum());
  SetCi(scores[0], result.baseline);
  std::vector<double> diffs(static_cast<std::size_t>(options.resamples));
  for (std::size_t s = 0; s < systems.size(); ++s) {
    SystemResult& r = result.systems.emplace_back();
    r.score = score(systems[s].Sum());
    const std::vector<double>& sys = scores[s + 1];
    SetCi(sys, r);
    for (std::size_t b = 0; b < diffs.size(); ++b) diffs[b] = std::fabs(sys[b] - scores[0][b]);
    const double mean = NumpyMean(diffs);
    for (double& d : diffs) d -= mean;
    r.p_value = PValue(diffs, std::fabs(result.baseline.score - r.score));
  }
  return result;
}

Result<PairedTestResult> ApproximateRandomization(const SegmentStats& baseline,
                                                  std::span<const SegmentStats> systems,
                                                  const ScoreFn& score,
                                                  const ApproximateRandomizationOptions& options) {
  if (auto e = CheckShapes(baseline, systems, options.trials)) return std::unexpected(*e);
  const std::size_t n = baseline.rows(), width = baseline.width();
  const std::size_t s_count = systems.size();

  PairedTestResult result;
  result.test = "ar";
  result.resamples = options.trials;
  result.confidence_resamples = std::max(options.confidence_resamples, 0);
  result.seed = options.seed;
  const std::vector<double> base_total = baseline.Sum();
  result.baseline.score = score(base_total);

  // Side A of a trial = sys_total + sum of (baseline - system) rows over the swapped segments;
  // side B = base_total - the same sum. Exact for whole-number statistics.
  std::vector<std::vector<double>> sys_totals(s_count), deltas(s_count);
  for (std::size_t s = 0; s < s_count; ++s) {
    sys_totals[s] = systems[s].Sum();
    deltas[s].resize(n * width);
    const std::vector<double>& base = baseline.data();
    const std::vector<double>& sys = systems[s].data();
    for (std::size_t i = 0; i < n * width; ++i) deltas[s][i] = base[i] - sys[i];
  }
  std::vector<std::vector<double>> abs_diffs(
      s_count, std::vector<double>(static_cast<std::size_t>(options.trials)));
  std::vector<double> swapped(width), side_a(width), side_b(width);
  std::vector<std::uint32_t> chosen(n);
  NumpyRng rng(options.seed);
  RandomBits bits(rng);  // one NumPy array draw of trials x N booleans
  for (std::size_t t = 0; t < static_cast<std::size_t>(options.trials); ++t) {
    std::size_t n_chosen = 0;
    for (std::size_t i = 0; i < n; ++i) {
      if (bits.Next()) chosen[n_chosen++] = static_cast<std::uint32_t>(i);
    }
    const std::span<const std::uint32_t> swapped_rows(chosen.data(), n_chosen);
    for (std::size_t s = 0; s < s_count; ++s) {
      SumRows(deltas[s].data(), width, swapped_rows, swapped.data());
      for (std::size_t c = 0; c < width; ++c) {
        side_a[c] = sys_totals[s][c] + swapped[c];
        side_b[c] = base_total[c] - swapped[c];
      }
      abs_diffs[s][t] = std::fabs(score(side_a) - score(side_b));
    }
  }
  std::vector<std::vector<double>> ci_scores;
  if (options.confidence_resamples > 0) {
    std::vector<const SegmentStats*> matrices;
    for (const SegmentStats& s : systems) matrices.push_back(&s);
    ci_scores = BootstrapScores(matrices, score, options.confidence_resamples, rng);
    NumpyRng fresh(options.seed);
    const SegmentStats* base_only[] = {&baseline};
    SetCi(BootstrapScores(base_only, score, options.confidence_resamples, fresh)[0],
          result.baseline);
  }
  for (std::size_t s = 0; s < s_count; ++s) {
    SystemResult& r = result.systems.emplace_back();
    r.score = score(sys_totals[s]);
    r.p_value = PValue(abs_diffs[s], std::fabs(result.baseline.score - r.score));
    if (!ci_scores.empty()) SetCi(ci_scores[s], r);
  }
  return result;
}

}  // namespace yardstick::stats
