// Conditions that read other modules' state: a goal's burn rate (goals), a significant change
// from a frozen baseline and distribution drift against it (baselines, stats/drift.h).
#include <algorithm>
#include <cmath>

#include "alerts/conditions.h"
#include "baselines/baselines.h"
#include "goals/goals.h"
#include "stats/drift.h"

namespace yardstick::alerts {
namespace {

// The baselines field a drift condition's field names.
std::string BaselineField(const std::string& field) {
  if (field == "score_value") return "scores.value";
  if (field == "score_label") return "scores.label";
  return "calls." + field;
}

bool IsCategorical(const std::string& field) {
  return field == "finish_reason" || field == "model" || field == "score_label";
}

Result<baselines::Baseline> LoadBaseline(const ConditionInput& in) {
  if (in.sources.baselines == nullptr) {
    return MakeError(ErrorCode::kUnsupported, "baselines are not available");
  }
  auto b = in.sources.baselines->Get(in.project, in.rule.condition.baseline);
  if (!b) return std::unexpected(b.error());
  if (!*b) {
    return MakeError(ErrorCode::kNotFound, "project " + in.project + " has no baseline " +
                                               in.rule.condition.baseline +
                                               " (create it with POST /v1/baselines)");
  }
  return std::move(**b);
}

std::vector<double> ToDoubles(const std::vector<uint64_t>& v) {
  return std::vector<double>(v.begin(), v.end());
}

stats::CategoryCounts ToCategories(const std::map<std::string, uint64_t>& counts) {
  stats::CategoryCounts out;
  for (const auto& [k, v] : counts) out[k] = static_cast<double>(v);
  return out;
}

// Inner bin edges at the reference sketch's quantiles i / bins (duplicates dropped).
std::vector<double> QuantileEdges(const baselines::Distribution& reference, int bins) {
  std::vector<double> edges;
  const auto& sketch = reference.stats.sketch;
  if (!sketch || sketch->empty()) return edges;
  for (int i = 1; i < bins; ++i) {
    const auto v = sketch->Quantile(static_cast<double>(i) / bins);
    if (v && (edges.empty() || *v > edges.back())) edges.push_back(*v);
  }
  return edges;
}

}  // namespace

Result<std::vector<Observation>> BurnRateCondition(const ConditionInput& in) {
  const auto& c = in.rule.condition;
  if (in.sources.goals == nullptr) {
    return MakeError(ErrorCode::kUnsupported, "goals are not available");
  }
  const goals::Goal* goal = in.sources.goals->Find(c.goal);
  if (goal == nullptr) return MakeError(ErrorCode::kNotFound, "no goal named " + c.goal);
  if (goal->project != in.project) return std::vector<Observation>{};  // the goal's project only
  auto burn = in.sources.goals->Burn(*goal, in.now_ns, in.rule.window_ns);
  if (!burn) return std::unexpected(burn.error());
  Observation o;
  o.value = burn->rate;
  o.active = burn->total > 0 && Compare(burn->rate, c.op, c.value);
  o.numbers["threshold"] = c.value;
  o.numbers["n"] = burn->total;
  o.strings["goal"] = c.goal;
  return std::vector<Observation>{o};
}

Result<std::vector<Observation>> BaselineCondition(const ConditionInput& in) {
  const auto& c = in.rule.condition;
  auto b = LoadBaseline(in);
  if (!b) return std::unexpected(b.error());
  if (b->spec.kpi != c.kpi) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "baseline " + c.baseline + " froze " +
                         (b->spec.kpi.empty() ? b->spec.field : b->spec.kpi) + ", not KPI " +
                         c.kpi);
  }
  auto current = baselines::Measure(*in.sources.kpis, *in.sources.store, b->spec,
                                    in.now_ns - in.rule.window_ns, in.now_ns);
  if (!current) return std::unexpected(current.error());
  Observation o;
  o.numbers["threshold"] = c.change;
  o.strings["baseline"] = c.baseline;
  o.numbers["n"] = static_cast<double>(current->n);
  if (!current->value || static_cast<int64_t>(current->n) < c.min_samples) {
    return std::vector<Observation>{o};
  }
  auto cmp = baselines::Compare(b->distribution, *current, 1 - c.significance);
  if (!cmp) return std::unexpected(cmp.error());
  o.value = current->value;
  if (cmp->pvalue) o.numbers["p_value"] = *cmp->pvalue;
  if (cmp->relative_change) o.numbers["change"] = *cmp->relative_change;
  if (cmp->ci_low) o.numbers["ci_low"] = *cmp->ci_low;
  if (cmp->ci_high) o.numbers["ci_high"] = *cmp->ci_high;
  const bool moved = cmp->relative_change && (c.change > 0 ? *cmp->relative_change >= c.change
                                                           : *cmp->relative_change <= c.change);
  o.active = moved && cmp->pvalue && *cmp->pvalue < c.significance;
  return std::vector<Observation>{o};
}

Result<std::vector<Observation>> DriftCondition(const ConditionInput& in) {
  const auto& c = in.rule.condition;
  auto b = LoadBaseline(in);
  if (!b) return std::unexpected(b.error());
  const std::string field = BaselineField(c.field);
  if (b->spec.field != field) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "baseline " + c.baseline + " froze " +
                         (b->spec.field.empty() ? "KPI " + b->spec.kpi : b->spec.field) +
                         ", not the field " + field);
  }
  auto current = baselines::Measure(*in.sources.kpis, *in.sources.store, b->spec,
                                    in.now_ns - in.rule.window_ns, in.now_ns);
  if (!current) return std::unexpected(current.error());
  Observation o;
  o.strings["baseline"] = c.baseline;
  o.strings["test"] = c.test;
  o.strings["field"] = c.field;
  o.numbers["threshold"] = c.drift_threshold;
  o.numbers["n"] = static_cast<double>(current->n);
  if (current->n == 0 || static_cast<int64_t>(current->n) < c.min_samples) {
    return std::vector<Observation>{o};
  }
  std::optional<double> statistic, pvalue;
  if (IsCategorical(c.field)) {
    const auto ref = ToCategories(baselines::CategoryCounts(b->distribution));
    const auto cur = ToCategories(baselines::CategoryCounts(*current));
    if (stats::AlignCategories(ref, cur).categories.size() < 2) {
      // One category on both sides: the distributions are the same.
      statistic = 0;
      if (c.test == "chi2") pvalue = 1;
    } else if (c.test == "psi") {
      auto r = stats::PsiCategorical(ref, cur);
      if (!r) return std::unexpected(r.error());
      statistic = *r;
    } else if (c.test == "js") {
      auto r = stats::JensenShannonCategorical(ref, cur);
      if (!r) return std::unexpected(r.error());
      statistic = r->distance;
    } else if (c.test == "chi2") {
      auto r = stats::ChiSquareCategorical(ref, cur, false);
      if (!r) return std::unexpected(r.error());
      statistic = r->statistic;
      pvalue = r->pvalue;
    } else {
      return MakeError(ErrorCode::kInvalidArgument, "test ks needs a numeric field");
    }
  } else {
    // Histograms from the sketches: deciles of the baseline (psi, js, chi2), or 50 quantile
    // bins for the KS statistic, evaluated at the bin edges.
    const auto edges = c.test == "ks" ? QuantileEdges(b->distribution, 50)
                                      : baselines::DecileEdges(b->distribution);
    if (edges.empty()) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "baseline " + c.baseline + " has no distribution of " + field);
    }
    const auto ref = ToDoubles(baselines::CountsInBins(b->distribution, edges));
    const auto cur = ToDoubles(baselines::CountsInBins(*current, edges));
    if (c.test == "psi") {
      auto r = stats::PsiFromCounts(ref, cur);
      if (!r) return std::unexpected(r.error());
      statistic = *r;
    } else if (c.test == "js") {
      auto r = stats::JensenShannonFromCounts(ref, cur);
      if (!r) return std::unexpected(r.error());
      statistic = r->distance;
    } else if (c.test == "chi2") {
      auto r = stats::ChiSquareHomogeneity(ref, cur, false);
      if (!r) return std::unexpected(r.error());
      statistic = r->statistic;
      pvalue = r->pvalue;
    } else {
      double n1 = 0, n2 = 0;
      for (double v : ref) n1 += v;
      for (double v : cur) n2 += v;
      double f1 = 0, f2 = 0, d = 0;
      for (size_t i = 0; i < ref.size(); ++i) {
        f1 += ref[i] / n1;
        f2 += cur[i] / n2;
        d = std::max(d, std::fabs(f1 - f2));
      }
      const double en = std::sqrt(n1 * n2 / (n1 + n2));
      statistic = d;
      pvalue = std::clamp(stats::KolmogorovSf((en + 0.12 + 0.11 / en) * d), 0.0, 1.0);
    }
  }
  o.numbers["statistic"] = *statistic;
  if (pvalue) o.numbers["p_value"] = *pvalue;
  // psi and js: the statistic against the threshold; ks and chi2: the p-value.
  if (c.test == "psi" || c.test == "js") {
    o.value = *statistic;
    o.active = *statistic >= c.drift_threshold;
  } else {
    o.value = *pvalue;
    o.active = *pvalue < c.drift_threshold;
  }
  return std::vector<Observation>{o};
}

}  // namespace yardstick::alerts
