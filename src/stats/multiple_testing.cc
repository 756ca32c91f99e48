#include "stats/multiple_testing.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>

#include "stats/numeric.h"

namespace yardstick::stats {

const char* CorrectionName(Correction correction) {
  switch (correction) {
    case Correction::kBonferroni:
      return "bonferroni";
    case Correction::kHolm:
      return "holm";
    case Correction::kBenjaminiHochberg:
      return "fdr_bh";
    case Correction::kBenjaminiYekutieli:
      return "fdr_by";
  }
  return "holm";
}

Result<Correction> ParseCorrection(std::string_view name) {
  if (name == "bonferroni" || name == "b" || name == "bonf") return Correction::kBonferroni;
  if (name == "holm" || name == "h") return Correction::kHolm;
  if (name == "fdr_bh" || name == "bh" || name == "fdr_i") return Correction::kBenjaminiHochberg;
  if (name == "fdr_by" || name == "by" || name == "fdr_n") return Correction::kBenjaminiYekutieli;
  return MakeError(ErrorCode::kInvalidArgument,
                   "unknown multiple-testing correction '" + std::string(name) +
                       "': expected 'bonferroni', 'holm', 'fdr_bh' or 'fdr_by'");
}

Result<AdjustedPValues> AdjustPValues(std::span<const double> pvalues, Correction correction,
                                      double alpha) {
  const std::size_t m = pvalues.size();
  if (m == 0) return MakeError(ErrorCode::kInvalidArgument, "no p-values to adjust");
  if (!(alpha > 0 && alpha < 1)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "alpha must be in (0, 1), got " + std::to_string(alpha));
  }
  for (std::size_t i = 0; i < m; ++i) {
    if (!(pvalues[i] >= 0 && pvalues[i] <= 1)) {
      return MakeError(ErrorCode::kInvalidArgument, "p-value " + std::to_string(i) + " is " +
                                                        std::to_string(pvalues[i]) +
                                                        "; expected a number in [0, 1]");
    }
  }
  std::vector<std::size_t> order(m);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return pvalues[a] < pvalues[b]; });
  std::vector<double> p(m);
  for (std::size_t i = 0; i < m; ++i) p[i] = pvalues[order[i]];

  std::vector<double> adjusted(m);
  std::vector<bool> reject(m, false);
  const auto md = static_cast<double>(m);
  switch (correction) {
    case Correction::kBonferroni:
      for (std::size_t i = 0; i < m; ++i) {
        reject[i] = p[i] <= alpha / md;
        adjusted[i] = p[i] * md;
      }
      break;
    case Correction::kHolm: {
      std::size_t first_kept = m;
      for (std::size_t i = 0; i < m && first_kept == m; ++i) {
        if (p[i] > alpha / static_cast<double>(m - i)) first_kept = i;
      }
      double running = 0;
      for (std::size_t i = 0; i < m; ++i) {
        reject[i] = i < first_kept;
        running = std::max(running, p[i] * static_cast<double>(m - i));
        adjusted[i] = running;
      }
      break;
    }
    case Correction::kBenjaminiHochberg:
    case Correction::kBenjaminiYekutieli: {
      double cm = 1.0;
      if (correction == Correction::kBenjaminiYekutieli) {
        std::vector<double> inverses(m);
        for (std::size_t i = 0; i < m; ++i) inverses[i] = 1. / static_cast<double>(i + 1);
        cm = PairwiseSum(inverses);
      }
      std::size_t last_rejected = m;  // none
      std::vector<double> factor(m);
      for (std::size_t i = 0; i < m; ++i) {
        factor[i] = static_cast<double>(i + 1) / md;
        if (correction == Correction::kBenjaminiYekutieli) factor[i] /= cm;
        if (p[i] <= factor[i] * alpha) last_rejected = i;
      }
      if (last_rejected < m) {
        for (std::size_t i = 0; i <= last_rejected; ++i) reject[i] = true;
      }
      double running = std::numeric_limits<double>::infinity();
      for (std::size_t i = m; i-- > 0;) {
        running = std::min(running, p[i] / factor[i]);
        adjusted[i] = running;
      }
      break;
    }
  }
  AdjustedPValues result;
  result.adjusted.resize(m);
  result.reject.resize(m);
  for (std::size_t i = 0; i < m; ++i) {
    result.adjusted[order[i]] = std::min(adjusted[i], 1.0);
    result.reject[order[i]] = reject[i];
  }
  return result;
}

}  // namespace yardstick::stats
