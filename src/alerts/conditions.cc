// Conditions: threshold on a KPI over the window, and the dispatch to the other condition types.
#include "alerts/conditions.h"

#include "kpi/kpi.h"

namespace yardstick::alerts {
namespace {

Result<std::vector<Observation>> Threshold(const ConditionInput& in);

}  // namespace

kpi::Request KpiRequest(const ConditionInput& in, int64_t from_ns, int64_t to_ns, int64_t step_ns) {
  const auto& rule = in.rule;
  kpi::Request r;
  r.project = in.project;
  r.name = rule.condition.kpi;
  r.from_ns = from_ns;
  r.to_ns = to_ns;
  r.step_ns = step_ns;
  r.group_by = rule.group_by;
  r.filter = rule.filter;
  for (const auto& [k, v] : rule.condition.params) r.params[k] = v;
  return r;
}

namespace {

Result<std::vector<Observation>> Threshold(const ConditionInput& in) {
  const auto& c = in.rule.condition;
  auto result = in.sources.kpis->Query(KpiRequest(in, in.now_ns - in.rule.window_ns, in.now_ns, 0));
  if (!result) return std::unexpected(result.error());
  if (c.bound != "value" && !result->info.has_ci) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "KPI " + c.kpi + " has no confidence interval; use bound: value");
  }
  std::vector<Observation> out;
  for (const auto& series : result->series) {
    Observation o;
    o.group = series.group;
    o.numbers["threshold"] = c.value;
    if (series.points.empty()) continue;
    const kpi::Point& p = series.points.back();
    o.numbers["n"] = static_cast<double>(p.n);
    if (p.ci) {
      o.numbers["ci_low"] = p.ci->low;
      o.numbers["ci_high"] = p.ci->high;
    }
    if (p.value && static_cast<int64_t>(p.n) >= c.min_samples) {
      double x = *p.value;
      if (c.bound == "ci_low" && p.ci) x = p.ci->low;
      if (c.bound == "ci_high" && p.ci) x = p.ci->high;
      o.value = x;
      o.active = Compare(x, c.op, c.value);
    }
    out.push_back(std::move(o));
  }
  return out;
}

}  // namespace

bool Compare(double a, const std::string& op, double b) {
  if (op == ">") return a > b;
  if (op == ">=") return a >= b;
  if (op == "<") return a < b;
  return a <= b;
}

std::string FormatDuration(int64_t ns) {
  if (ns <= 0) return "0s";
  if (ns % 1'000'000'000 != 0) return std::to_string(ns / 1'000'000) + "ms";
  int64_t s = ns / 1'000'000'000;
  std::string out;
  if (s >= 86400 && s % 86400 == 0) return std::to_string(s / 86400) + "d";
  if (s >= 3600) out += std::to_string(s / 3600) + "h", s %= 3600;
  if (s >= 60) out += std::to_string(s / 60) + "m", s %= 60;
  if (s > 0) out += std::to_string(s) + "s";
  return out;
}

Result<std::vector<Observation>> EvaluateCondition(const ConditionInput& in) {
  const std::string& type = in.rule.condition.type;
  if (type == "threshold") return Threshold(in);
  if (type == "change") return ChangeDetection(in);
  if (type == "burn_rate") return BurnRateCondition(in);
  if (type == "baseline") return BaselineCondition(in);
  if (type == "drift") return DriftCondition(in);
  return MakeError(ErrorCode::kUnsupported,
                   "condition type " + type + " is not available in this build");
}

}  // namespace yardstick::alerts
