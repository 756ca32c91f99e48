#include "stats/agreement.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "stats/numeric.h"
#include "stats/segment_stats.h"

namespace yardstick::stats {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The reliability data as one unit coincidence row per unit (width V*V), ready to be summed.
struct Coincidences {
  std::vector<double> domain;
  SegmentStats per_unit{0};
};

Result<Coincidences> BuildCoincidences(std::span<const std::vector<double>> data,
                                       const KrippendorffOptions& options) {
  if (data.empty() || data[0].empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "Krippendorff's alpha: the reliability data is empty");
  }
  const std::size_t units = data[0].size();
  std::vector<double> present;
  for (std::size_t r = 0; r < data.size(); ++r) {
    if (data[r].size() != units) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "Krippendorff's alpha: coder " + std::to_string(r) + " has " +
                           std::to_string(data[r].size()) + " ratings, coder 0 has " +
                           std::to_string(units));
    }
    for (double v : data[r]) {
      if (!std::isnan(v)) present.push_back(v);
    }
  }
  std::sort(present.begin(), present.end());
  present.erase(std::unique(present.begin(), present.end()), present.end());
  Coincidences result;
  if (options.value_domain.empty()) {
    result.domain = present;
  } else {
    result.domain = options.value_domain;
    std::vector<double> sorted = result.domain;
    std::sort(sorted.begin(), sorted.end());
    if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "Krippendorff's alpha: the value domain has repeated values");
    }
    for (double v : present) {
      if (!std::binary_search(sorted.begin(), sorted.end(), v)) {
        return MakeError(ErrorCode::kInvalidArgument,
                         "Krippendorff's alpha: the reliability data contains the out-of-domain "
                         "value " +
                             std::to_string(v));
      }
    }
  }
  const std::size_t v_count = result.domain.size();
  if (v_count <= 1) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "Krippendorff's alpha: there has to be more than one value in the domain");
  }
  result.per_unit = SegmentStats(v_count * v_count);
  std::vector<double> counts(v_count);
  bool any_pairable = false;
  for (std::size_t u = 0; u < units; ++u) {
    std::fill(counts.begin(), counts.end(), 0.0);
    double m_u = 0;
    for (const auto& coder : data) {
      if (std::isnan(coder[u])) continue;
      const auto it = std::find(result.domain.begin(), result.domain.end(), coder[u]);
      counts[static_cast<std::size_t>(it - result.domain.begin())] += 1;
      m_u += 1;
    }
    any_pairable = any_pairable || m_u >= 2;
    const double pairable_minus_one = std::max(m_u, 2.0) - 1;
    std::span<double> row = result.per_unit.AddRow();
    for (std::size_t c = 0; c < v_count; ++c) {
      for (std::size_t k = 0; k < v_count; ++k) {
        const double unnormalized = counts[c] * counts[k] - (c == k ? counts[c] : 0.0);
        row[c * v_count + k] = unnormalized / pairable_minus_one;
      }
    }
  }
  if (!any_pairable) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "Krippendorff's alpha: there has to be at least one unit with values "
                     "assigned by at least two coders");
  }
  return result;
}

double Distance(MeasurementLevel level, std::span<const double> domain, std::span<const double> n_v,
                std::size_t i, std::size_t j) {
  const double a = domain[i], b = domain[j];
  switch (level) {
    case MeasurementLevel::kNominal:
      return a != b ? 1.0 : 0.0;
    case MeasurementLevel::kOrdinal: {
      // np.add.reduceat(n_v, [lo, hi + 1]): the first value plus the pairwise sum of the rest.
      const std::size_t lo = std::min(i, j), hi = std::max(i, j);
      const double between = n_v[lo] + PairwiseSum(n_v.subspan(lo + 1, hi - lo));
      const double d = between - (n_v[lo] + n_v[hi]) / 2;
      return d * d;
    }
    case MeasurementLevel::kInterval:
      return (a - b) * (a - b);
    case MeasurementLevel::kRatio: {
      const double sum = a + b;
      if (sum == 0) return 0.0;
      const double r = (a - b) / sum;
      return r * r;
    }
  }
  return 0.0;
}

// Alpha from the summed coincidence matrix o (V x V, row-major).
KrippendorffResult AlphaFromCoincidences(std::span<const double> o, std::span<const double> domain,
                                         MeasurementLevel level) {
  const std::size_t v = domain.size();
  std::vector<double> n_v(v, 0.0);
  for (std::size_t c = 0; c < v; ++c) {
    for (std::size_t k = 0; k < v; ++k) n_v[k] += o[c * v + k];
  }
  const double n = PairwiseSum(n_v);
  std::vector<double> observed(v * v), expected(v * v);
  for (std::size_t c = 0; c < v; ++c) {
    for (std::size_t k = 0; k < v; ++k) {
      const double d = Distance(level, domain, n_v, c, k);
      const double e = (n_v[c] * n_v[k] - (c == k ? n_v[c] : 0.0)) / (n - 1);
      observed[c * v + k] = o[c * v + k] * d;
      expected[c * v + k] = e * d;
    }
  }
  KrippendorffResult result;
  result.observed_disagreement = PairwiseSum(observed);
  result.expected_disagreement = PairwiseSum(expected);
  result.alpha = 1 - result.observed_disagreement / result.expected_disagreement;
  result.pairable_values = n;
  return result;
}

}  // namespace

const char* MeasurementLevelName(MeasurementLevel level) {
  switch (level) {
    case MeasurementLevel::kNominal:
      return "nominal";
    case MeasurementLevel::kOrdinal:
      return "ordinal";
    case MeasurementLevel::kInterval:
      return "interval";
    case MeasurementLevel::kRatio:
      return "ratio";
  }
  return "interval";
}

Result<MeasurementLevel> ParseMeasurementLevel(std::string_view name) {
  if (name == "nominal") return MeasurementLevel::kNominal;
  if (name == "ordinal") return MeasurementLevel::kOrdinal;
  if (name == "interval") return MeasurementLevel::kInterval;
  if (name == "ratio") return MeasurementLevel::kRatio;
  return MakeError(ErrorCode::kInvalidArgument,
                   "unknown level of measurement '" + std::string(name) +
                       "': expected 'nominal', 'ordinal', 'interval' or 'ratio'");
}

Result<KrippendorffResult> KrippendorffAlpha(std::span<const std::vector<double>> reliability_data,
                                             const KrippendorffOptions& options) {
  auto built = BuildCoincidences(reliability_data, options);
  if (!built) return std::unexpected(built.error());
  const std::vector<double> o = built->per_unit.Sum();
  KrippendorffResult result = AlphaFromCoincidences(o, built->domain, options.level);
  result.units = built->per_unit.rows();
  return result;
}

Result<BootstrapCi> KrippendorffAlphaBootstrap(
    std::span<const std::vector<double>> reliability_data, const KrippendorffOptions& options,
    const BootstrapOptions& bootstrap) {
  auto built = BuildCoincidences(reliability_data, options);
  if (!built) return std::unexpected(built.error());
  const std::vector<double> domain = built->domain;
  const MeasurementLevel level = options.level;
  return BootstrapCorpus(
      built->per_unit,
      [&](std::span<const double> o) { return AlphaFromCoincidences(o, domain, level).alpha; },
      bootstrap);
}

Result<double> FleissKappa(std::span<const std::vector<double>> table) {
  if (table.empty() || table[0].empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "Fleiss' kappa: the table is empty");
  }
  const std::size_t n_sub = table.size(), n_cat = table[0].size();
  std::vector<double> flat, row_sums(n_sub), col_sums(n_cat, 0.0), row_sq(n_sub);
  std::vector<double> squares(n_cat);
  for (std::size_t i = 0; i < n_sub; ++i) {
    if (table[i].size() != n_cat) {
      return MakeError(ErrorCode::kInvalidArgument, "Fleiss' kappa: subject " + std::to_string(i) +
                                                        " has " + std::to_string(table[i].size()) +
                                                        " categories, subject 0 has " +
                                                        std::to_string(n_cat));
    }
    for (std::size_t k = 0; k < n_cat; ++k) {
      const double x = table[i][k];
      if (!(x >= 0) || std::isinf(x)) {
        return MakeError(ErrorCode::kInvalidArgument, "Fleiss' kappa: count [" + std::to_string(i) +
                                                          "][" + std::to_string(k) +
                                                          "] must be a finite non-negative number");
      }
      flat.push_back(x);
      col_sums[k] += x;
      squares[k] = x * x;
    }
    row_sums[i] = PairwiseSum(table[i]);
    row_sq[i] = PairwiseSum(squares);
  }
  const double n_total = PairwiseSum(flat);
  const double n_rat = *std::max_element(row_sums.begin(), row_sums.end());
  if (n_total != static_cast<double>(n_sub) * n_rat || n_rat < 2) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "Fleiss' kappa: every subject must have the same number (>= 2) of ratings");
  }
  std::vector<double> p_cat_sq(n_cat), p_rat(n_sub);
  for (std::size_t k = 0; k < n_cat; ++k) {
    const double p = col_sums[k] / n_total;
    p_cat_sq[k] = p * p;
  }
  for (std::size_t i = 0; i < n_sub; ++i) p_rat[i] = (row_sq[i] - n_rat) / (n_rat * (n_rat - 1.));
  const double p_mean = NumpyMean(p_rat);
  const double p_mean_exp = PairwiseSum(p_cat_sq);
  return (p_mean - p_mean_exp) / (1 - p_mean_exp);
}

Result<std::vector<std::vector<double>>> AggregateRaters(
    std::span<const std::vector<double>> ratings, std::vector<double>* categories) {
  std::vector<double> values;
  for (std::size_t i = 0; i < ratings.size(); ++i) {
    for (double v : ratings[i]) {
      if (std::isnan(v)) {
        return MakeError(ErrorCode::kInvalidArgument,
                         "aggregate raters: subject " + std::to_string(i) + " has a NaN rating");
      }
      values.push_back(v);
    }
  }
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  std::vector<std::vector<double>> table(ratings.size(), std::vector<double>(values.size(), 0.0));
  for (std::size_t i = 0; i < ratings.size(); ++i) {
    for (double v : ratings[i]) {
      const auto it = std::lower_bound(values.begin(), values.end(), v);
      table[i][static_cast<std::size_t>(it - values.begin())] += 1;
    }
  }
  if (categories != nullptr) *categories = values;
  return table;
}

}  // namespace yardstick::stats
