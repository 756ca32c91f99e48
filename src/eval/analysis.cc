// Analyse(): aggregates with bootstrap intervals, slices and their gaps, fairness gaps and slice
// discovery, all from the metric columns of a run.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <map>
#include <set>

#include "eval/eval.h"
#include "stats/hypothesis_tests.h"
#include "stats/multiple_testing.h"

namespace yardstick::eval {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string SliceKey(const ExampleResult& ex, const std::string& field) {
  const auto it = ex.fields.find(field);
  if (it == ex.fields.end() || it->is_null()) return "(missing)";
  if (it->is_string()) return it->get<std::string>();
  return it->dump();
}

std::string Normalize(std::string s) {
  const auto start = s.find_first_not_of(" \t\r\n");
  if (start == std::string::npos) return "";
  s = s.substr(start, s.find_last_not_of(" \t\r\n") - start + 1);
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::optional<double> NumericValue(const ExampleResult& ex, const std::string& field) {
  const auto it = ex.fields.find(field);
  if (it == ex.fields.end() || it->is_null()) return std::nullopt;
  if (it->is_number()) return it->get<double>();
  if (it->is_string()) {
    const std::string& s = it->get_ref<const std::string&>();
    char* end = nullptr;
    const double v = std::strtod(s.c_str(), &end);
    if (!s.empty() && *end == '\0' && std::isfinite(v)) return v;
  }
  return std::nullopt;
}

std::string FormatEdge(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

// The slice label of every example for `field`: its value, or for a numeric field with more than
// ten distinct values, one of at most ten equal-frequency bins "[lo, hi)" (the last closed).
std::vector<std::string> SliceLabels(const Run& run, const std::string& field) {
  std::vector<std::string> labels(run.examples.size());
  std::vector<double> numbers;
  bool numeric = true;
  for (const auto& ex : run.examples) {
    const auto it = ex.fields.find(field);
    if (it == ex.fields.end() || it->is_null()) continue;
    auto v = NumericValue(ex, field);
    if (!v) {
      numeric = false;
      break;
    }
    numbers.push_back(*v);
  }
  std::vector<double> sorted = numbers;
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  if (!numeric || sorted.size() <= 10) {
    for (std::size_t i = 0; i < run.examples.size(); ++i) {
      labels[i] = SliceKey(run.examples[i], field);
    }
    return labels;
  }
  // Edges at the deciles of the values (distinct edges only).
  std::sort(numbers.begin(), numbers.end());
  std::vector<double> edges = {numbers.front()};
  for (int k = 1; k < 10; ++k) {
    const double q = numbers[numbers.size() * static_cast<std::size_t>(k) / 10];
    if (q > edges.back()) edges.push_back(q);
  }
  edges.push_back(numbers.back());
  for (std::size_t i = 0; i < run.examples.size(); ++i) {
    auto v = NumericValue(run.examples[i], field);
    if (!v) {
      labels[i] = "(missing)";
      continue;
    }
    std::size_t b = static_cast<std::size_t>(
        std::upper_bound(edges.begin() + 1, edges.end() - 1, *v) - (edges.begin() + 1));
    const bool last = b + 2 == edges.size();
    labels[i] = "[" + FormatEdge(edges[b]) + ", " + FormatEdge(edges[b + 1]) + (last ? "]" : ")");
  }
  return labels;
}

// The distinct labels, sorted.
std::vector<std::string> DistinctValues(const std::vector<std::string>& labels) {
  std::vector<std::string> out = labels;
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::optional<Error> Slices(const Suite& suite, Run& run, const std::vector<ValueFn>& fns) {
  std::vector<std::string> fields = suite.slices;
  for (const auto& c : suite.gate) {
    if (c.kind == GateCondition::Kind::kGap &&
        std::find(fields.begin(), fields.end(), c.field) == fields.end()) {
      fields.push_back(c.field);
    }
  }
  for (const std::string& field : fields) {
    std::vector<std::size_t> first_slice_of_field;
    const std::size_t begin = run.slices.size();
    const std::vector<std::string> labels = SliceLabels(run, field);
    for (const std::string& value : DistinctValues(labels)) {
      std::vector<bool> include_vec(run.examples.size());
      SliceResult slice;
      slice.field = field;
      slice.value = value;
      for (std::size_t i = 0; i < run.examples.size(); ++i) {
        include_vec[i] = labels[i] == value;
        if (include_vec[i]) ++slice.n;
      }
      std::unique_ptr<bool[]> include(new bool[include_vec.size()]);
      for (std::size_t i = 0; i < include_vec.size(); ++i) include[i] = include_vec[i];
      for (std::size_t m = 0; m < run.metrics.size(); ++m) {
        auto agg = AggregateColumn(run.metrics[m], fns[m], suite.bootstrap,
                                   std::span<const bool>(include.get(), include_vec.size()));
        if (!agg) return agg.error();
        slice.metrics.emplace_back(run.metrics[m].spec.id, *agg);
      }
      run.slices.push_back(std::move(slice));
    }
    for (std::size_t m = 0; m < run.metrics.size(); ++m) {
      SliceGap gap;
      gap.field = field;
      gap.metric = run.metrics[m].spec.id;
      double best = kNaN, worst = kNaN;
      for (std::size_t s = begin; s < run.slices.size(); ++s) {
        const double v = run.slices[s].metrics[m].second.value;
        if (std::isnan(v)) continue;
        const bool better_than_best =
            std::isnan(best) || (run.metrics[m].higher_is_better ? v > best : v < best);
        const bool worse_than_worst =
            std::isnan(worst) || (run.metrics[m].higher_is_better ? v < worst : v > worst);
        if (better_than_best) {
          best = v;
          gap.best = run.slices[s].value;
        }
        if (worse_than_worst) {
          worst = v;
          gap.worst = run.slices[s].value;
        }
      }
      gap.gap = std::isnan(best) ? kNaN : std::fabs(best - worst);
      run.gaps.push_back(std::move(gap));
    }
  }
  return std::nullopt;
}

void Fairness(const FairnessSpec& spec, Run& run) {
  FairnessResult result;
  result.group_field = spec.group_field;
  result.positive = spec.positive;
  const std::string positive = Normalize(spec.positive);
  struct Counts {
    double n = 0, selected = 0, pos = 0, tp = 0, neg = 0, fp = 0;
  };
  std::map<std::string, Counts> groups;
  for (const auto& ex : run.examples) {
    const auto group = ex.fields.find(spec.group_field);
    const auto label = ex.fields.find(spec.label_field);
    if (!ex.output || group == ex.fields.end() || group->is_null() || label == ex.fields.end() ||
        label->is_null()) {
      ++result.excluded;
      continue;
    }
    const bool predicted = Normalize(*ex.output) == positive;
    const bool actual =
        Normalize(label->is_string() ? label->get<std::string>() : label->dump()) == positive;
    Counts& c = groups[SliceKey(ex, spec.group_field)];
    c.n += 1;
    c.selected += predicted ? 1 : 0;
    if (actual) {
      c.pos += 1;
      c.tp += predicted ? 1 : 0;
    } else {
      c.neg += 1;
      c.fp += predicted ? 1 : 0;
    }
  }
  auto range = [](const std::vector<double>& v) {
    double lo = kNaN, hi = kNaN;
    for (double x : v) {
      if (std::isnan(x)) continue;
      if (std::isnan(lo) || x < lo) lo = x;
      if (std::isnan(hi) || x > hi) hi = x;
    }
    return std::isnan(lo) ? kNaN : hi - lo;
  };
  std::vector<double> sr, tpr, fpr;
  for (const auto& [value, c] : groups) {
    FairnessGroup g;
    g.value = value;
    g.n = static_cast<std::size_t>(c.n);
    g.selection_rate = c.selected / c.n;
    g.true_positive_rate = c.pos > 0 ? c.tp / c.pos : kNaN;
    g.false_positive_rate = c.neg > 0 ? c.fp / c.neg : kNaN;
    sr.push_back(g.selection_rate);
    tpr.push_back(g.true_positive_rate);
    fpr.push_back(g.false_positive_rate);
    result.groups.push_back(std::move(g));
  }
  result.demographic_parity_difference = range(sr);
  result.true_positive_rate_difference = range(tpr);
  result.false_positive_rate_difference = range(fpr);
  result.equalized_odds_difference =
      std::max(result.true_positive_rate_difference, result.false_positive_rate_difference);
  if (std::isnan(result.true_positive_rate_difference)) {
    result.equalized_odds_difference = result.false_positive_rate_difference;
  } else if (std::isnan(result.false_positive_rate_difference)) {
    result.equalized_odds_difference = result.true_positive_rate_difference;
  }
  run.fairness = std::move(result);
}

struct Moments {
  double n = 0, sum = 0, sum_sq = 0;
  void Add(double x) {
    n += 1;
    sum += x;
    sum_sq += x * x;
  }
};

std::optional<Error> Discovery(const Suite& suite, Run& run) {
  const DiscoverySpec& spec = suite.discovery;
  const MetricColumn* column = nullptr;
  // Ranking metrics (roc_auc, average_precision) have no per-example value of the metric to
  // test slices with; the default is the first other metric.
  for (const auto& m : run.metrics) {
    if (spec.metric.empty() ? IsAdditive(m.kind) : m.spec.id == spec.metric) {
      column = &m;
      break;
    }
  }
  if (column == nullptr) {
    return Error(ErrorCode::kInvalidArgument,
                 spec.metric.empty()
                     ? "discovery needs a metric with per-example values (roc_auc and "
                       "average_precision have none)"
                     : "discovery.metric '" + spec.metric + "' is not a metric of the suite");
  }
  if (!IsAdditive(column->kind)) {
    return Error(ErrorCode::kInvalidArgument,
                 "discovery.metric '" + spec.metric +
                     "': a ranking metric has no per-example value to test slices with; name "
                     "another metric");
  }
  const std::vector<std::string> fields = spec.fields.empty() ? suite.slices : spec.fields;
  DiscoveryResult result;
  result.metric = column->spec.id;
  // The scored examples and their values.
  std::vector<std::size_t> scored;
  Moments total;
  for (std::size_t i = 0; i < run.examples.size(); ++i) {
    if (std::isnan(column->values[i])) continue;
    scored.push_back(i);
    total.Add(column->values[i]);
  }
  // Base predicates, then pairwise conjunctions across fields; each with its members.
  struct Candidate {
    std::vector<std::pair<std::string, std::string>> predicates;
    std::vector<bool> member;  // over `scored`
  };
  std::vector<Candidate> base;
  for (const auto& field : fields) {
    const std::vector<std::string> labels = SliceLabels(run, field);
    for (const auto& value : DistinctValues(labels)) {
      Candidate c;
      c.predicates = {{field, value}};
      c.member.resize(scored.size());
      for (std::size_t j = 0; j < scored.size(); ++j) {
        c.member[j] = labels[scored[j]] == value;
      }
      base.push_back(std::move(c));
    }
  }
  std::vector<Candidate> family = base;
  for (std::size_t a = 0; a < base.size(); ++a) {
    for (std::size_t b = a + 1; b < base.size(); ++b) {
      if (base[a].predicates[0].first == base[b].predicates[0].first) continue;
      Candidate c;
      c.predicates = {base[a].predicates[0], base[b].predicates[0]};
      c.member.resize(scored.size());
      for (std::size_t j = 0; j < scored.size(); ++j)
        c.member[j] = base[a].member[j] && base[b].member[j];
      family.push_back(std::move(c));
    }
  }
  const double min_size = static_cast<double>(spec.min_size);
  std::vector<DiscoveredSlice> tested;
  std::vector<double> pvalues;
  for (const Candidate& c : family) {
    Moments in;
    for (std::size_t j = 0; j < scored.size(); ++j) {
      if (c.member[j]) in.Add(column->values[scored[j]]);
    }
    Moments out{total.n - in.n, total.sum - in.sum, total.sum_sq - in.sum_sq};
    if (in.n < min_size || out.n < min_size) continue;
    const auto s = stats::SummaryFromSums(in.n, in.sum, in.sum_sq);
    const auto r = stats::SummaryFromSums(out.n, out.sum, out.sum_sq);
    // "Worse": lower values when higher is better, else higher values.
    const auto alternative =
        column->higher_is_better ? stats::Alternative::kLess : stats::Alternative::kGreater;
    Result<stats::TestResult> test =
        column->binary ? stats::TwoProportionZTest(in.sum, in.n, out.sum, out.n, alternative)
                       : stats::TTestIndFromSummaries(s, r, false, alternative);
    if (!test) return test.error().WithContext("slice discovery");
    DiscoveredSlice d;
    d.predicates = c.predicates;
    d.n = static_cast<std::size_t>(in.n);
    d.mean = s.mean;
    d.rest_mean = r.mean;
    const double pooled = std::sqrt((s.variance + r.variance) / 2);
    const double diff = column->higher_is_better ? r.mean - s.mean : s.mean - r.mean;
    d.effect =
        pooled > 0 ? diff / pooled : (diff > 0 ? std::numeric_limits<double>::infinity() : 0);
    d.p_value = std::isnan(test->pvalue) ? 1.0 : test->pvalue;
    d.test = column->binary ? "two_proportion_z" : "welch_t";
    tested.push_back(std::move(d));
    pvalues.push_back(tested.back().p_value);
  }
  result.candidates = tested.size();
  if (!tested.empty()) {
    auto adjusted = stats::AdjustPValues(pvalues, stats::Correction::kBenjaminiHochberg, spec.fdr);
    if (!adjusted) return adjusted.error().WithContext("slice discovery");
    for (std::size_t k = 0; k < tested.size(); ++k) {
      tested[k].p_adjusted = adjusted->adjusted[k];
      if (adjusted->reject[k] && tested[k].effect >= spec.min_effect) {
        result.slices.push_back(tested[k]);
      }
    }
  }
  std::stable_sort(result.slices.begin(), result.slices.end(),
                   [](const DiscoveredSlice& a, const DiscoveredSlice& b) {
                     if (a.n != b.n) return a.n > b.n;
                     return a.effect > b.effect;
                   });
  // A conjunction is not reported when one of its parents is, with an effect as large.
  std::vector<DiscoveredSlice> kept;
  for (const auto& d : result.slices) {
    bool shadowed = false;
    if (d.predicates.size() == 2) {
      for (const auto& k : result.slices) {
        if (k.predicates.size() == 1 && k.effect >= d.effect &&
            (k.predicates[0] == d.predicates[0] || k.predicates[0] == d.predicates[1])) {
          shadowed = true;
        }
      }
    }
    if (!shadowed) kept.push_back(d);
  }
  result.slices = std::move(kept);
  run.discovery = std::move(result);
  return std::nullopt;
}

}  // namespace

std::optional<Error> Analyse(const Suite& suite, Run& run) {
  run.slices.clear();
  run.gaps.clear();
  std::vector<ValueFn> fns;
  for (auto& column : run.metrics) {
    auto fn = MakeValueFn(column.spec, column.kind);
    if (!fn) return fn.error();
    auto agg = AggregateColumn(column, *fn, suite.bootstrap);
    if (!agg) return agg.error();
    column.aggregate = *agg;
    fns.push_back(std::move(*fn));
  }
  if (auto error = Slices(suite, run, fns)) return error;
  if (suite.fairness) Fairness(*suite.fairness, run);
  if (suite.discovery.enabled && !run.metrics.empty()) {
    if (auto error = Discovery(suite, run)) return error;
  }
  return std::nullopt;
}

}  // namespace yardstick::eval
