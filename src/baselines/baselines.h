#pragma once
// Baselines: a KPI's (or a record field's) distribution frozen from a time range or a
// model/prompt version, kept as sufficient statistics and sketches (not just a number) in
// <data_dir>/state.db, and the comparison of a current window with it (docs/goals.md).
//
// What is frozen, by kind:
//   mean        n, sum, sum of squares (numeric fields also keep their DDSketch, for drift tests)
//   proportion  successes, trials
//   quantile    the DDSketch and the quantile
//   nps         promoters, detractors, respondents
//   exact       the value (counts, totals, rates: no sampling distribution)
//   categorical count per category (fields such as calls.finish_reason)
//
// Comparison of a current distribution C with a baseline B (difference = C - B, relative
// change = (C - B) / |B|, undefined when B = 0), at a confidence level 1 - alpha:
//   mean        Welch's t-test from the sufficient statistics (scipy ttest_ind_from_stats,
//               equal_var=False); CI = diff -/+ t_{1-alpha/2, df} * sqrt(vC/nC + vB/nB), df by
//               Welch-Satterthwaite.
//   proportion  two-proportion z-test with pooled variance (statsmodels proportions_ztest); CI of
//               the difference: Wald, diff -/+ z * sqrt(pC(1-pC)/nC + pB(1-pB)/nB).
//   nps         z-test with var(NPS) = 100^2 (p + d - (p - d)^2) / n per side (the KPI's own
//               interval), CI diff -/+ z * sqrt(varC + varB).
//   quantile    a normal approximation whose standard errors come from each quantile's
//               distribution-free order-statistic interval: SE = (high - low) / (2 z_0.975) of
//               the 95% interval at ranks n q -/+ 1.96 sqrt(n q (1 - q)); z = diff / sqrt(SEC^2 +
//               SEB^2), two-sided p, CI diff -/+ z_{1-alpha/2} sqrt(SEC^2 + SEB^2). It inherits
//               the sketch's 1% relative error.
//   categorical Pearson's chi-square test of homogeneity on the 2 x k table (scipy
//               chi2_contingency, correction=False); no difference.
//   exact       difference and relative change only.
// `significant` = p < alpha; `degraded` = significant and the change is in the KPI's bad
// direction.
//
// Thread safety: Measure and Compare are re-entrant; BaselineStore serializes its connection.

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/error.h"
#include "kpi/kpi.h"
#include "store/store.h"

namespace yardstick::baselines {

// What to measure: a KPI (with parameters) or a record field, in a project and scope.
struct Spec {
  std::string project;
  std::string kpi;                            // a KPI name ...
  std::map<std::string, std::string> params;  // ... and its parameters (score name)
  std::string field;  // ... or a field: calls.latency|ttft|input_tokens|output_tokens|cost,
                      // scores.value, outcomes.value (numeric); calls.finish_reason|status|
                      // error_type|model|route|prompt_version|variant|environment|provider|
                      // operation, scores.label, outcomes.name (categorical)
  store::DimensionFilter filter;  // scope (a field on scores/outcomes may filter by name)
};

// The numeric and categorical fields Measure accepts.
std::vector<std::string> NumericFields();
std::vector<std::string> CategoricalFields();

struct Distribution {
  std::string kind;             // mean | proportion | quantile | nps | exact | categorical
  kpi::Distribution stats;      // the sufficient statistics (kinds but categorical)
  std::optional<double> value;  // the KPI's value (mean of a numeric field)
  uint64_t n = 0;               // observations behind it
  std::map<std::string, uint64_t> categories;  // categorical
  std::string unit;
  kpi::Direction direction = kpi::Direction::kNone;
};

// Measures `spec` over [from, to).
Result<Distribution> Measure(const kpi::Engine& kpis, store::Store& store, const Spec& spec,
                             int64_t from_ns, int64_t to_ns);

struct Comparison {
  std::string method;  // welch_t | two_proportion_z | nps_z | quantile_normal | chi_square | none
  std::optional<double> baseline_value, current_value;
  std::optional<double> difference, relative_change;
  std::optional<double> ci_low, ci_high;  // of the difference
  std::optional<double> statistic, pvalue, df;
  uint64_t n_baseline = 0, n_current = 0;
  double confidence = 0.95;
  bool significant = false;
  bool degraded = false;
  // One-sided p-value of a change in the KPI's bad direction (p/2 when the change is in that
  // direction, 1 - p/2 otherwise; nullopt without a p-value or a direction). Scheduled reports
  // adjust these with Holm.
  std::optional<double> degradation_pvalue;
};

// Compares `current` with `baseline` (the same kind). Errors when the kinds differ.
Result<Comparison> Compare(const Distribution& baseline, const Distribution& current,
                           double confidence = 0.95);

// The quantile comparison from estimates and 95% order-statistic intervals (exposed for tests).
Comparison CompareQuantileEstimates(double baseline, double baseline_low, double baseline_high,
                                    double current, double current_low, double current_high,
                                    double confidence);

// For drift tests: 10 bins with the reference's deciles as inner edges (outer edges -/+inf),
// and the counts of a numeric distribution (its sketch, each bucket at its representative
// value) in given bins. Empty when the distribution has no sketch.
std::vector<double> DecileEdges(const Distribution& reference);
std::vector<uint64_t> CountsInBins(const Distribution& d, std::span<const double> inner_edges);
// The category counts of a categorical distribution; for a proportion {"success", "failure"};
// for nps {"promoter", "passive", "detractor"}.
std::map<std::string, uint64_t> CategoryCounts(const Distribution& d);

// How a baseline's data was selected.
struct Selector {
  int64_t from_ns = 0, to_ns = 0;
  std::string version_dimension;  // "" or model | prompt_version (added to the scope)
  std::string version;
};

struct Baseline {
  std::string project;
  std::string name;
  Spec spec;
  Selector selector;
  int64_t created_ns = 0;
  Distribution distribution;
};

// Baselines in <data_dir>/state.db (tables baseline_*). Baselines are immutable: Put refuses a
// name that exists (kInvalidArgument with already_exists = true).
class BaselineStore {
 public:
  static Result<std::unique_ptr<BaselineStore>> Open(const std::string& path);
  ~BaselineStore();

  // Returns false when a baseline of that project and name exists (nothing written).
  Result<bool> Put(const Baseline& baseline);
  Result<std::optional<Baseline>> Get(const std::string& project, const std::string& name);
  // project "" lists every project's baselines.
  Result<std::vector<Baseline>> List(const std::string& project);
  // Returns whether one was deleted.
  Result<bool> Delete(const std::string& project, const std::string& name);

 private:
  struct Impl;
  explicit BaselineStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Serialization of a distribution (JSON text plus the sketch's bytes), shared with reports.
std::string EncodeDistribution(const Distribution& d);
Result<Distribution> DecodeDistribution(std::string_view text);

}  // namespace yardstick::baselines
