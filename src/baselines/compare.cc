// Comparison of a current distribution with a baseline (the methods are in baselines.h).
#include <algorithm>
#include <cmath>

#include "baselines/baselines.h"
#include "stats/distributions.h"
#include "stats/hypothesis_tests.h"
#include "stats/intervals.h"

namespace yardstick::baselines {
namespace {

using Kind = kpi::Distribution::Kind;

void SetChange(Comparison& c, double baseline, double current) {
  c.baseline_value = baseline;
  c.current_value = current;
  c.difference = current - baseline;
  if (baseline != 0) c.relative_change = (current - baseline) / std::fabs(baseline);
}

void NormalTest(Comparison& c, double se) {
  const double z_crit = stats::NormalCritical(c.confidence);
  if (se > 0 && std::isfinite(se)) {
    const double z = *c.difference / se;
    c.statistic = z;
    c.pvalue = 2 * stats::NormalSf(std::fabs(z));
    c.ci_low = *c.difference - z_crit * se;
    c.ci_high = *c.difference + z_crit * se;
  }
}

}  // namespace

Comparison CompareQuantileEstimates(double baseline, double baseline_low, double baseline_high,
                                    double current, double current_low, double current_high,
                                    double confidence) {
  Comparison c;
  c.method = "quantile_normal";
  c.confidence = confidence;
  SetChange(c, baseline, current);
  const double z95 = stats::NormalCritical(0.95);
  const double se_b = (baseline_high - baseline_low) / (2 * z95);
  const double se_c = (current_high - current_low) / (2 * z95);
  NormalTest(c, std::sqrt(se_b * se_b + se_c * se_c));
  return c;
}

Result<Comparison> Compare(const Distribution& baseline, const Distribution& current,
                           double confidence) {
  if (baseline.kind != current.kind) {
    return MakeError(
        ErrorCode::kInvalidArgument,
        "cannot compare a " + current.kind + " distribution with a " + baseline.kind + " baseline");
  }
  if (!(confidence > 0 && confidence < 1)) {
    return MakeError(ErrorCode::kInvalidArgument, "confidence must be in (0, 1)");
  }
  Comparison c;
  c.confidence = confidence;
  c.n_baseline = baseline.n;
  c.n_current = current.n;
  const kpi::Distribution& b = baseline.stats;
  const kpi::Distribution& k = current.stats;
  if (baseline.kind == "categorical") {
    c.method = "chi_square";
    std::map<std::string, std::pair<double, double>> table;
    for (const auto& [name, n] : baseline.categories) table[name].first = static_cast<double>(n);
    for (const auto& [name, n] : current.categories) table[name].second = static_cast<double>(n);
    double nb = 0, nc = 0;
    for (const auto& [name, counts] : table) {
      nb += counts.first;
      nc += counts.second;
    }
    if (nb > 0 && nc > 0 && table.size() >= 2) {
      const double total = nb + nc;
      double chi2 = 0;
      for (const auto& [name, counts] : table) {
        const double col = counts.first + counts.second;
        const double eb = nb * col / total, ec = nc * col / total;
        chi2 += (counts.first - eb) * (counts.first - eb) / eb +
                (counts.second - ec) * (counts.second - ec) / ec;
      }
      c.statistic = chi2;
      c.df = static_cast<double>(table.size() - 1);
      c.pvalue = stats::ChiSquaredSf(chi2, *c.df);
    }
  } else if (baseline.kind == "mean") {
    c.method = "welch_t";
    if (b.n == 0 || k.n == 0) return c;
    const double mb = b.sum / static_cast<double>(b.n), mc = k.sum / static_cast<double>(k.n);
    SetChange(c, mb, mc);
    if (b.n >= 2 && k.n >= 2) {
      const auto sb = stats::SummaryFromSums(static_cast<double>(b.n), b.sum, b.sumsq);
      const auto sc = stats::SummaryFromSums(static_cast<double>(k.n), k.sum, k.sumsq);
      auto t = stats::TTestIndFromSummaries(sc, sb, false);
      const double se = std::sqrt(sc.variance / sc.n + sb.variance / sb.n);
      if (t && std::isfinite(t->pvalue) && se > 0) {
        c.statistic = t->statistic;
        c.pvalue = t->pvalue;
        c.df = t->df;
        const double tc = stats::StudentTCritical(confidence, *t->df);
        c.ci_low = *c.difference - tc * se;
        c.ci_high = *c.difference + tc * se;
      }
    }
  } else if (baseline.kind == "proportion") {
    c.method = "two_proportion_z";
    if (b.trials == 0 || k.trials == 0) return c;
    const double nb = static_cast<double>(b.trials), nc = static_cast<double>(k.trials);
    const double pb = static_cast<double>(b.successes) / nb;
    const double pc = static_cast<double>(k.successes) / nc;
    SetChange(c, pb, pc);
    auto z = stats::TwoProportionZTest(static_cast<double>(k.successes), nc,
                                       static_cast<double>(b.successes), nb);
    if (z && std::isfinite(z->pvalue)) {
      c.statistic = z->statistic;
      c.pvalue = z->pvalue;
    }
    const double se = std::sqrt(pb * (1 - pb) / nb + pc * (1 - pc) / nc);
    const double zc = stats::NormalCritical(confidence);
    c.ci_low = *c.difference - zc * se;
    c.ci_high = *c.difference + zc * se;
  } else if (baseline.kind == "nps") {
    c.method = "nps_z";
    if (b.n == 0 || k.n == 0) return c;
    auto side = [](const kpi::Distribution& d, double& nps, double& var) {
      const double n = static_cast<double>(d.n);
      const double p = static_cast<double>(d.promoters) / n;
      const double q = static_cast<double>(d.detractors) / n;
      nps = 100 * (p - q);
      var = 1e4 * (p + q - (p - q) * (p - q)) / n;
    };
    double nb = 0, vb = 0, nc = 0, vc = 0;
    side(b, nb, vb);
    side(k, nc, vc);
    SetChange(c, nb, nc);
    NormalTest(c, std::sqrt(vb + vc));
  } else if (baseline.kind == "quantile") {
    if (!b.sketch || !k.sketch || b.sketch->empty() || k.sketch->empty()) {
      c.method = "quantile_normal";
      return c;
    }
    auto interval = [](const stats::DDSketch& s, double q) {
      return stats::QuantileInterval(s.count(), q, 0.95,
                                     [&](double rank) { return s.ValueAtRank(rank); });
    };
    const auto ib = interval(*b.sketch, b.quantile);
    const auto ic = interval(*k.sketch, k.quantile);
    const double qb = b.sketch->Quantile(b.quantile).value_or(0);
    const double qc = k.sketch->Quantile(k.quantile).value_or(0);
    if (!ib || !ic) {
      c.method = "quantile_normal";
      SetChange(c, qb, qc);
      return c;
    }
    Comparison q =
        CompareQuantileEstimates(qb, ib->low, ib->high, qc, ic->low, ic->high, confidence);
    q.n_baseline = c.n_baseline;
    q.n_current = c.n_current;
    c = q;
  } else {
    c.method = "none";
    if (baseline.value && current.value) SetChange(c, *baseline.value, *current.value);
  }
  if (c.pvalue) {
    c.significant = *c.pvalue < 1 - confidence;
    if (c.difference && current.direction != kpi::Direction::kNone) {
      const bool worse =
          current.direction == kpi::Direction::kHigher ? *c.difference < 0 : *c.difference > 0;
      c.degraded = c.significant && worse;
      c.degradation_pvalue = worse ? *c.pvalue / 2 : 1 - *c.pvalue / 2;
    }
  }
  return c;
}

std::vector<double> DecileEdges(const Distribution& reference) {
  std::vector<double> edges;
  const auto& sketch = reference.stats.sketch;
  if (!sketch || sketch->empty()) return edges;
  for (int i = 1; i <= 9; ++i) {
    const double v = sketch->Quantile(i / 10.0).value_or(0);
    if (edges.empty() || v > edges.back()) edges.push_back(v);
  }
  return edges;
}

std::vector<uint64_t> CountsInBins(const Distribution& d, std::span<const double> inner_edges) {
  const auto& sketch = d.stats.sketch;
  if (!sketch) return {};
  std::vector<uint64_t> counts(inner_edges.size() + 1, 0);
  // Bin i holds (edge[i-1], edge[i]]; the first (-inf, edge[0]], the last (edge[last], inf).
  auto add = [&](double value, uint64_t n) {
    const auto it = std::lower_bound(inner_edges.begin(), inner_edges.end(), value);
    counts[static_cast<size_t>(it - inner_edges.begin())] += n;
  };
  sketch->ForEachPositiveBucket([&](int key, uint64_t n) { add(sketch->Value(key), n); });
  sketch->ForEachNegativeBucket([&](int key, uint64_t n) { add(-sketch->Value(key), n); });
  if (sketch->zero_count() > 0) add(0, sketch->zero_count());
  return counts;
}

std::map<std::string, uint64_t> CategoryCounts(const Distribution& d) {
  if (d.kind == "categorical") return d.categories;
  if (d.kind == "proportion") {
    return {{"success", d.stats.successes}, {"failure", d.stats.trials - d.stats.successes}};
  }
  if (d.kind == "nps") {
    return {{"promoter", d.stats.promoters},
            {"detractor", d.stats.detractors},
            {"passive", d.stats.n - d.stats.promoters - d.stats.detractors}};
  }
  return {};
}

}  // namespace yardstick::baselines
