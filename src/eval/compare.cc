// CompareRuns() and EvaluateGate().
#include <algorithm>
#include <cmath>
#include <map>

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
  stats::SegmentStats a(cur.width), b(cur.width);
  for (const auto& [bi, ri] : pairs) {
    a.AddRow(*base.rows[bi]);
    b.AddRow(*cur.rows[ri]);
  }
  if (pairs.empty()) {
    c.note = "no example is scored in both runs";
    c.test = "none";
    c.baseline = c.value = c.delta = std::numeric_limits<double>::quiet_NaN();
    return c;
  }
  c.baseline = (*fn)(a.Sum());
  c.value = (*fn)(b.Sum());
  c.delta = c.value - c.baseline;
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
