// CompareRuns() and EvaluateGate().
#include <algorithm>
#include <cmath>
#include <map>
#include <random>

#include "eval/eval.h"
#include "stats/multiple_testing.h"
#include "stats/paired.h"
#include "stats/paired_samples.h"

namespace yardstick::eval {
namespace {

const MetricColumn* FindMetric(const Run& run, const std::string& id) {
  for (const auto& m : run.metrics) {
    if (m.spec.id == id) return &m;
  }
  for (const auto& m : run.metrics) {
    std::string a = m.display, b = id;
    std::transform(a.begin(), a.end(), a.begin(), ::tolower);
    std::transform(b.begin(), b.end(), b.begin(), ::tolower);
    if (a == b) return &m;
  }
  return nullptr;
}

std::string Num(double v) {
  if (std::isnan(v)) return "n/a";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

// The metric over a multiset of rows taken from either run (summed, or concatenated for the
// ranking kind).
double ValueOfRowSet(const MetricColumn& column, const ValueFn& fn,
                     const std::vector<const std::vector<double>*>& rows) {
  thread_local std::vector<double> buffer;
  if (IsAdditive(column.kind)) {
    buffer.assign(column.width, 0.0);
    for (const auto* row : rows) {
      for (std::size_t w = 0; w < column.width; ++w) buffer[w] += (*row)[w];
    }
  } else {
    buffer.clear();
    for (const auto* row : rows) buffer.insert(buffer.end(), row->begin(), row->end());
  }
  return fn(buffer);
}

// The percentile interval of value - baseline over bootstrap resamples of the pairs.
void DeltaInterval(const MetricColumn& base, const MetricColumn& cur,
                   const std::vector<std::pair<std::size_t, std::size_t>>& pairs, const ValueFn& fn,
                   const ComparisonSpec& spec, MetricComparison& c) {
  if (pairs.size() < 2 || spec.resamples < 1) return;
  std::mt19937_64 rng(spec.seed);
  std::uniform_int_distribution<std::size_t> pick(0, pairs.size() - 1);
  std::vector<double> deltas;
  deltas.reserve(static_cast<std::size_t>(spec.resamples));
  std::vector<const std::vector<double>*> a(pairs.size()), b(pairs.size());
  for (int r = 0; r < spec.resamples; ++r) {
    for (std::size_t k = 0; k < pairs.size(); ++k) {
      const auto& [bi, ri] = pairs[pick(rng)];
      a[k] = &*base.rows[bi];
      b[k] = &*cur.rows[ri];
    }
    const double d = ValueOfRowSet(cur, fn, b) - ValueOfRowSet(base, fn, a);
    if (std::isfinite(d)) deltas.push_back(d);
  }
  if (deltas.empty()) return;
  std::sort(deltas.begin(), deltas.end());
  auto quantile = [&](double q) {  // numpy's linear interpolation
    const double pos = q * static_cast<double>(deltas.size() - 1);
    const auto lo = static_cast<std::size_t>(std::floor(pos));
    const std::size_t hi = std::min(lo + 1, deltas.size() - 1);
    return deltas[lo] + (pos - static_cast<double>(lo)) * (deltas[hi] - deltas[lo]);
  };
  c.delta_ci_low = quantile(0.025);
  c.delta_ci_high = quantile(0.975);
}

// The paired tests for a metric that is not a function of summed rows (the ranking kind), with
// the statistics of stats::PairedBootstrap and stats::ApproximateRandomization but the metric
// evaluated on the multiset of rows each resample selects. Resamples on which the metric is
// undefined (one class only) are left out of both counts.
//   bs: d_b = |sys_b - base_b| over resamples of the pairs; p = (#{d_b - mean(d) > |delta|} + 1)
//       / (B' + 1)
//   ar: each pair's rows swapped with probability 1/2; p = (#{|A - B| >= |delta|} + 1) / (T' + 1)
double RankingPValue(const MetricColumn& base, const MetricColumn& cur,
                     const std::vector<std::pair<std::size_t, std::size_t>>& pairs,
                     const ValueFn& fn, const ComparisonSpec& spec, double delta) {
  std::mt19937_64 rng(spec.seed);
  std::vector<const std::vector<double>*> a(pairs.size()), b(pairs.size());
  std::size_t count = 0, valid = 0;
  if (spec.test == "ar") {
    std::bernoulli_distribution swap(0.5);
    for (int t = 0; t < spec.resamples; ++t) {
      for (std::size_t k = 0; k < pairs.size(); ++k) {
        const auto* rb = &*base.rows[pairs[k].first];
        const auto* rr = &*cur.rows[pairs[k].second];
        const bool s = swap(rng);
        a[k] = s ? rr : rb;
        b[k] = s ? rb : rr;
      }
      const double d = std::fabs(ValueOfRowSet(cur, fn, b) - ValueOfRowSet(base, fn, a));
      if (!std::isfinite(d)) continue;
      ++valid;
      if (d >= std::fabs(delta)) ++count;
    }
  } else {
    std::uniform_int_distribution<std::size_t> pick(0, pairs.size() - 1);
    std::vector<double> diffs;
    for (int r = 0; r < spec.resamples; ++r) {
      for (std::size_t k = 0; k < pairs.size(); ++k) {
        const auto& [bi, ri] = pairs[pick(rng)];
        a[k] = &*base.rows[bi];
        b[k] = &*cur.rows[ri];
      }
      const double d = std::fabs(ValueOfRowSet(cur, fn, b) - ValueOfRowSet(base, fn, a));
      if (std::isfinite(d)) diffs.push_back(d);
    }
    valid = diffs.size();
    double mean = 0;
    for (const double d : diffs) mean += d;
    if (valid > 0) mean /= static_cast<double>(valid);
    for (const double d : diffs) {
      if (d - mean > std::fabs(delta)) ++count;
    }
  }
  return static_cast<double>(count + 1) / static_cast<double>(valid + 1);
}

Result<MetricComparison> CompareMetric(const MetricColumn& base, const MetricColumn& cur,
                                       const Run& baseline, const Run& run,
                                       const ComparisonSpec& spec) {
  MetricComparison c;
  c.metric = cur.spec.id;
  std::map<std::string, std::size_t> base_index;
  for (std::size_t i = 0; i < baseline.examples.size(); ++i) {
    base_index.emplace(baseline.examples[i].id, i);
  }
  std::vector<std::pair<std::size_t, std::size_t>> pairs;  // (baseline, run)
  std::size_t ids_in_both = 0;
  for (std::size_t i = 0; i < run.examples.size(); ++i) {
    const auto it = base_index.find(run.examples[i].id);
    if (it == base_index.end()) continue;
    ++ids_in_both;
    if (base.rows[it->second] && cur.rows[i]) pairs.emplace_back(it->second, i);
  }
  c.pairs = pairs.size();
  c.excluded = baseline.examples.size() + run.examples.size() - 2 * pairs.size();
  auto fn = MakeValueFn(cur.spec, cur.kind);
  if (!fn) return std::unexpected(fn.error());
  if (base.signature != cur.signature || base.kind != cur.kind || base.width != cur.width) {
    c.note = "signatures differ (" + base.signature + " vs " + cur.signature + "): not compared";
    c.test = "none";
    return c;
  }
  if (pairs.empty()) {
    c.note = "no example is scored in both runs";
    c.test = "none";
    c.baseline = c.value = c.delta = std::numeric_limits<double>::quiet_NaN();
    return c;
  }
  if (!IsAdditive(cur.kind)) {
    std::vector<const std::vector<double>*> a, b;
    for (const auto& [bi, ri] : pairs) {
      a.push_back(&*base.rows[bi]);
      b.push_back(&*cur.rows[ri]);
    }
    c.baseline = ValueOfRowSet(base, *fn, a);
    c.value = ValueOfRowSet(cur, *fn, b);
    c.delta = c.value - c.baseline;
    c.test = spec.test == "ar" ? "approximate_randomization" : "paired_bootstrap";
    if (!std::isfinite(c.delta)) {
      c.test = "none";
      c.note = "undefined on the examples scored in both runs (one class only)";
      return c;
    }
    DeltaInterval(base, cur, pairs, *fn, spec, c);
    if (c.delta == 0) {
      c.p_value = 1.0;
      c.note = "equal scores";
    } else {
      c.p_value = RankingPValue(base, cur, pairs, *fn, spec, c.delta);
    }
    return c;
  }
  stats::SegmentStats a(cur.width), b(cur.width);
  for (const auto& [bi, ri] : pairs) {
    a.AddRow(*base.rows[bi]);
    b.AddRow(*cur.rows[ri]);
  }
  c.baseline = (*fn)(a.Sum());
  c.value = (*fn)(b.Sum());
  c.delta = c.value - c.baseline;
  DeltaInterval(base, cur, pairs, *fn, spec, c);
  if (cur.binary && base.binary) {
    std::vector<bool> x, y;
    for (const auto& [bi, ri] : pairs) {
      x.push_back((*base.rows[bi])[0] > 0.5);
      y.push_back((*cur.rows[ri])[0] > 0.5);
    }
    auto discordant = stats::CountDiscordant(x, y);
    if (!discordant) return std::unexpected(discordant.error());
    auto test = stats::McNemar(*discordant, true, true);
    if (!test) return std::unexpected(test.error());
    c.test = "mcnemar";
    c.p_value = test->pvalue;
  } else if (cur.kind == MetricKind::kMean) {
    std::vector<double> x, y;
    bool all_equal = true;
    for (const auto& [bi, ri] : pairs) {
      const auto& rb = *base.rows[bi];
      const auto& rr = *cur.rows[ri];
      x.push_back(rr[0] / rr[1]);
      y.push_back(rb[0] / rb[1]);
      if (x.back() != y.back()) all_equal = false;
    }
    c.test = "wilcoxon";
    if (all_equal) {
      c.p_value = 1.0;
      c.note = "identical per-example values";
    } else {
      auto test = stats::Wilcoxon(x, y);
      if (!test) return std::unexpected(test.error());
      c.p_value = std::isnan(test->pvalue) ? 1.0 : test->pvalue;
    }
  } else if (c.delta == 0) {
    // Equal corpus scores are no evidence of a difference. (sacrebleu's (count + 1) / (B + 1)
    // would report 1 / (B + 1) here, since no resample differs by more than zero.)
    c.test = spec.test == "ar" ? "approximate_randomization" : "paired_bootstrap";
    c.p_value = 1.0;
    c.note = "equal scores";
  } else {
    const stats::SegmentStats systems[] = {b};
    Result<stats::PairedTestResult> test =
        spec.test == "ar"
            ? stats::ApproximateRandomization(a, systems, *fn, {spec.resamples, 0, spec.seed})
            : stats::PairedBootstrap(a, systems, *fn, {spec.resamples, spec.seed});
    if (!test) return std::unexpected(test.error());
    c.test = spec.test == "ar" ? "approximate_randomization" : "paired_bootstrap";
    c.p_value = test->systems[0].p_value;
  }
  return c;
}

}  // namespace

Result<Comparison> CompareRuns(const Run& baseline, const Run& run, const ComparisonSpec& spec,
                               const std::string& baseline_name) {
  Comparison out;
  out.baseline = baseline_name;
  out.correction = spec.correction;
  out.alpha = spec.alpha;
  std::vector<double> pvalues;
  std::vector<std::size_t> tested;
  for (const auto& cur : run.metrics) {
    const MetricColumn* base = FindMetric(baseline, cur.spec.id);
    if (base == nullptr) {
      MetricComparison c;
      c.metric = cur.spec.id;
      c.test = "none";
      c.note = "not in the baseline";
      out.metrics.push_back(c);
      continue;
    }
    auto c = CompareMetric(*base, cur, baseline, run, spec);
    if (!c) return std::unexpected(c.error().WithContext("comparing '" + cur.spec.id + "'"));
    if (c->test != "none") {
      pvalues.push_back(c->p_value);
      tested.push_back(out.metrics.size());
    }
    out.metrics.push_back(std::move(*c));
  }
  if (!pvalues.empty()) {
    auto correction = stats::ParseCorrection(spec.correction);
    if (!correction) return std::unexpected(correction.error());
    auto adjusted = stats::AdjustPValues(pvalues, *correction, spec.alpha);
    if (!adjusted) return std::unexpected(adjusted.error());
    for (std::size_t k = 0; k < tested.size(); ++k) {
      MetricComparison& c = out.metrics[tested[k]];
      const MetricColumn* col = FindMetric(run, c.metric);
      c.p_adjusted = adjusted->adjusted[k];
      c.significant = adjusted->reject[k];
      const bool better = col->higher_is_better ? c.delta > 0 : c.delta < 0;
      const bool worse = col->higher_is_better ? c.delta < 0 : c.delta > 0;
      c.regression = c.significant && worse;
      c.improvement = c.significant && better;
    }
  }
  return out;
}

void EvaluateGate(const std::vector<GateCondition>& conditions, Run& run) {
  run.gate.clear();
  run.gate_passed = true;
  for (const GateCondition& c : conditions) {
    GateResult r;
    r.condition = c.text;
    using Kind = GateCondition::Kind;
    switch (c.kind) {
      case Kind::kThreshold: {
        const MetricColumn* m = FindMetric(run, c.metric);
        if (m == nullptr) {
          r.detail = "no metric '" + c.metric + "' in this run";
          break;
        }
        const double v = c.statistic == "ci_low"    ? m->aggregate.ci_low
                         : c.statistic == "ci_high" ? m->aggregate.ci_high
                                                    : m->aggregate.value;
        r.passed = CompareWith(v, c.op, c.threshold);
        r.detail = c.metric + (c.statistic == "value" ? "" : "." + c.statistic) + " = " + Num(v) +
                   " over " + std::to_string(m->aggregate.n) + " examples";
        if (m->aggregate.missing > 0) {
          r.detail += " (" + std::to_string(m->aggregate.missing) + " not scored)";
        }
        break;
      }
      case Kind::kGap: {
        const MetricColumn* m = FindMetric(run, c.metric);
        const SliceGap* gap = nullptr;
        for (const auto& g : run.gaps) {
          if (m != nullptr && g.field == c.field && g.metric == m->spec.id) gap = &g;
        }
        if (gap == nullptr) {
          r.detail = "no slices of '" + c.metric + "' by '" + c.field + "' in this run";
          break;
        }
        r.passed = CompareWith(gap->gap, c.op, c.threshold);
        r.detail = c.metric + " gap by " + c.field + " = " + Num(gap->gap) + " (best " + gap->best +
                   ", worst " + gap->worst + ")";
        break;
      }
      case Kind::kDemographicParity:
      case Kind::kEqualizedOdds: {
        if (!run.fairness) {
          r.detail = "the suite has no fairness section";
          break;
        }
        const bool dp = c.kind == Kind::kDemographicParity;
        const double v = dp ? run.fairness->demographic_parity_difference
                            : run.fairness->equalized_odds_difference;
        r.passed = CompareWith(v, c.op, c.threshold);
        r.detail = std::string(dp ? "demographic parity difference" : "equalized odds difference") +
                   " by " + run.fairness->group_field + " = " + Num(v);
        break;
      }
      case Kind::kFailures:
        r.passed = CompareWith(static_cast<double>(run.failed), c.op, c.threshold);
        r.detail = std::to_string(run.failed) + " example(s) without output";
        break;
      case Kind::kNoRegression: {
        if (!run.comparison) {
          r.detail = "no baseline to compare with";
          break;
        }
        r.passed = true;
        std::string regressions;
        for (const auto& m : run.comparison->metrics) {
          if (!c.metrics.empty() &&
              std::find(c.metrics.begin(), c.metrics.end(), m.metric) == c.metrics.end()) {
            continue;
          }
          if (m.regression) {
            r.passed = false;
            regressions += (regressions.empty() ? "" : ", ") + m.metric + " (" + Num(m.baseline) +
                           " -> " + Num(m.value) + ", adjusted p " + Num(m.p_adjusted) + ")";
          }
        }
        for (const auto& name : c.metrics) {
          const bool found =
              std::any_of(run.comparison->metrics.begin(), run.comparison->metrics.end(),
                          [&](const MetricComparison& m) { return m.metric == name; });
          if (!found) {
            r.passed = false;
            regressions += (regressions.empty() ? "" : ", ") + name + " (not compared)";
          }
        }
        r.detail = regressions.empty()
                       ? "no significant regression against " + run.comparison->baseline
                       : "significant regression: " + regressions;
        break;
      }
    }
    if (!r.passed) run.gate_passed = false;
    run.gate.push_back(std::move(r));
  }
}

}  // namespace yardstick::eval
