#pragma once
// Inter-annotator agreement for human evaluation: Krippendorff's alpha and Fleiss' kappa.
//
// Krippendorff's alpha follows fast-krippendorff (pln-fing-udelar/fast-krippendorff @b1eb616,
// `krippendorff.alpha`): per-unit value counts n_uc give the coincidence matrix
// o_ck = sum_u (n_uc n_uk - [c=k] n_uc) / (m_u - 1), its marginals n_c, the expected matrix
// e_ck = (n_c n_k - [c=k] n_c) / (n - 1), and alpha = 1 - sum(o * d) / sum(e * d) with the
// distance d of the level of measurement (nominal [c != k], ordinal rank-sum based, interval
// (c - k)^2, ratio ((c - k) / (c + k))^2). Units with fewer than two ratings contribute nothing.
// When the expected disagreement is 0 (e.g. every pairable rating has the same value) alpha is
// NaN, as in fast-krippendorff (nltk raises ZeroDivisionError there). Results match
// tests/golden/krippendorff_alpha.jsonl (krippendorff and nltk) to a relative 1e-12.
//
// Fleiss' kappa follows statsmodels 0.13.5 `fleiss_kappa(table, method='fleiss')` on a
// subjects x categories count table with the same number of raters for every subject.
//
// Errors (kInvalidArgument): ragged or empty data, fewer than two values in the domain, no unit
// with two ratings, ratings outside an explicit value domain, unequal rater counts (Fleiss).
// Thread safety: pure functions.

#include <cstddef>
#include <limits>
#include <span>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "stats/bootstrap.h"

namespace yardstick::stats {

// A missing rating in reliability data.
inline constexpr double kMissingRating = std::numeric_limits<double>::quiet_NaN();

enum class MeasurementLevel { kNominal, kOrdinal, kInterval, kRatio };

// "nominal", "ordinal", "interval", "ratio".
const char* MeasurementLevelName(MeasurementLevel level);
Result<MeasurementLevel> ParseMeasurementLevel(std::string_view name);

struct KrippendorffOptions {
  MeasurementLevel level = MeasurementLevel::kInterval;  // fast-krippendorff's default
  // The possible values, ordered for ordinal data. Empty: the sorted distinct ratings.
  std::vector<double> value_domain;
};

struct KrippendorffResult {
  double alpha = 0;
  double observed_disagreement = 0;  // sum of o * d
  double expected_disagreement = 0;  // sum of e * d; 0 makes alpha NaN
  double pairable_values = 0;        // n, the number of pairable ratings
  std::size_t units = 0;             // the number of units (columns)
};

// Krippendorff's alpha of reliability data: rows are coders, columns are units, and
// kMissingRating (NaN) marks a missing rating. All rows must have the same length.
Result<KrippendorffResult> KrippendorffAlpha(std::span<const std::vector<double>> reliability_data,
                                             const KrippendorffOptions& options = {});

// A bootstrap CI of alpha over units: resamples the units (columns) with replacement and
// recomputes alpha from the resampled coincidences (BootstrapCorpus on per-unit coincidence
// rows). Resamples with no expected disagreement give NaN scores and are kept (they sort last).
Result<BootstrapCi> KrippendorffAlphaBootstrap(
    std::span<const std::vector<double>> reliability_data, const KrippendorffOptions& options,
    const BootstrapOptions& bootstrap);

// Fleiss' kappa of a subjects x categories table of rating counts (each row sums to the same
// number of raters, at least 2).
Result<double> FleissKappa(std::span<const std::vector<double>> table);

// The subjects x categories count table of raw ratings (rows = subjects, columns = raters);
// categories are the sorted distinct values (statsmodels aggregate_raters). `categories`, if
// given, receives them.
Result<std::vector<std::vector<double>>> AggregateRaters(
    std::span<const std::vector<double>> ratings, std::vector<double>* categories = nullptr);

}  // namespace yardstick::stats
