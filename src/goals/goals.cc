#include "goals/goals.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace yardstick::goals {

const char* OpName(Op op) {
  switch (op) {
    case Op::kGe:
      return ">=";
    case Op::kGt:
      return ">";
    case Op::kLe:
      return "<=";
    case Op::kLt:
      return "<";
  }
  return ">=";
}

Result<Op> ParseOp(std::string_view text) {
  if (text == ">=") return Op::kGe;
  if (text == ">") return Op::kGt;
  if (text == "<=") return Op::kLe;
  if (text == "<") return Op::kLt;
  return MakeError(ErrorCode::kInvalidArgument,
                   "expected an operator >=, >, <= or <, got '" + std::string(text) + "'");
}

const char* StatusName(Status status) {
  switch (status) {
    case Status::kMet:
      return "met";
    case Status::kAtRisk:
      return "at_risk";
    case Status::kMissed:
      return "missed";
    case Status::kInsufficientData:
      return "insufficient_data";
  }
  return "insufficient_data";
}

bool Satisfies(const Target& target, double value) {
  switch (target.op) {
    case Op::kGe:
      return value >= target.value;
    case Op::kGt:
      return value > target.value;
    case Op::kLe:
      return value <= target.value;
    case Op::kLt:
      return value < target.value;
  }
  return false;
}

Goal FromConfig(const config::GoalConfig& g) {
  Goal out;
  out.name = g.name;
  out.kpi = g.kpi;
  out.project = g.project;
  out.scope = g.scope;
  for (const auto& [k, v] : g.params) out.params[k] = v;
  out.target.op = ParseOp(g.op).value_or(Op::kGe);
  out.target.value = g.target;
  out.window_ns = g.window_ns;
  out.confidence = g.confidence;
  out.min_samples = static_cast<uint64_t>(g.min_samples);
  return out;
}

Status Decide(const Target& target, std::optional<double> value, std::optional<kpi::Ci> ci,
              bool has_ci, uint64_t n, uint64_t min_samples) {
  if (!value || n < min_samples) return Status::kInsufficientData;
  if (!has_ci) return Satisfies(target, *value) ? Status::kMet : Status::kMissed;
  if (!ci || !std::isfinite(ci->low) || !std::isfinite(ci->high)) {
    return Status::kInsufficientData;
  }
  // The interval satisfies the target when its worst end does, and violates it when even its
  // best end does.
  const bool higher = target.op == Op::kGe || target.op == Op::kGt;
  const double worst = higher ? ci->low : ci->high;
  const double best = higher ? ci->high : ci->low;
  if (Satisfies(target, worst)) return Status::kMet;
  if (!Satisfies(target, best)) return Status::kMissed;
  return Status::kAtRisk;
}

Result<BurnRate> BurnRateOf(const Target& target, const kpi::Distribution& d) {
  const bool upper_bound = target.op == Op::kLe || target.op == Op::kLt;
  BurnRate b;
  switch (d.kind) {
    case kpi::Distribution::Kind::kProportion:
      b.total = static_cast<double>(d.trials);
      b.bad = upper_bound ? static_cast<double>(d.successes)
                          : static_cast<double>(d.trials) - static_cast<double>(d.successes);
      b.allowed = upper_bound ? target.value : 1 - target.value;
      break;
    case kpi::Distribution::Kind::kQuantile: {
      b.allowed = upper_bound ? 1 - d.quantile : d.quantile;
      if (d.sketch) {
        const stats::DDSketch& s = *d.sketch;
        b.total = static_cast<double>(s.count());
        double above = 0, below = 0;
        s.ForEachPositiveBucket([&](int key, uint64_t count) {
          (s.Value(key) > target.value ? above : below) += static_cast<double>(count);
        });
        s.ForEachNegativeBucket([&](int key, uint64_t count) {
          (-s.Value(key) > target.value ? above : below) += static_cast<double>(count);
        });
        (0.0 > target.value ? above : below) += static_cast<double>(s.zero_count());
        b.bad = upper_bound ? above : below;
      }
      break;
    }
    default:
      return MakeError(ErrorCode::kUnsupported,
                       std::string("a burn rate is defined for ratio and quantile KPIs, not ") +
                           kpi::DistributionKindName(d.kind) + " KPIs");
  }
  if (b.total <= 0) {
    b.rate = 0;
    return b;
  }
  const double share = b.bad / b.total;
  if (b.allowed <= 0) {
    b.rate = share > 0 ? std::numeric_limits<double>::infinity() : 0;
  } else {
    b.rate = share / b.allowed;
  }
  return b;
}

Result<Engine> Engine::Create(const kpi::Engine* kpis, std::vector<Goal> goals) {
  for (const auto& g : goals) {
    auto info = kpis->Find(g.kpi);
    if (!info) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "goal '" + g.name + "': unknown KPI '" + g.kpi + "'");
    }
    if (std::find(info->params.begin(), info->params.end(), "name") != info->params.end() &&
        !g.params.contains("name")) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "goal '" + g.name + "': KPI '" + g.kpi + "' needs params.name");
    }
    if (g.project.empty()) {
      return MakeError(ErrorCode::kInvalidArgument, "goal '" + g.name + "' has no project");
    }
  }
  Engine e;
  e.kpis_ = kpis;
  e.goals_ = std::move(goals);
  return e;
}

const Goal* Engine::Find(const std::string& name) const {
  for (const auto& g : goals_) {
    if (g.name == name) return &g;
  }
  return nullptr;
}

kpi::Request Engine::RequestFor(const Goal& goal, int64_t from_ns, int64_t to_ns) const {
  kpi::Request r;
  r.project = goal.project;
  r.name = goal.kpi;
  r.from_ns = from_ns;
  r.to_ns = to_ns;
  r.filter = goal.scope;
  r.params = goal.params;
  r.confidence = goal.confidence;
  return r;
}

Result<Evaluation> Engine::EvaluateRange(const Goal& goal, int64_t from_ns, int64_t to_ns) const {
  auto result = kpis_->Query(RequestFor(goal, from_ns, to_ns));
  if (!result) return std::unexpected(result.error());
  Evaluation e;
  e.goal = &goal;
  e.unit = result->info.unit;
  e.direction = result->info.direction;
  e.from_ns = result->request.from_ns;
  e.to_ns = result->request.to_ns;
  if (!result->series.empty() && !result->series.front().points.empty()) {
    const kpi::Point& p = result->series.front().points.front();
    e.value = p.value;
    e.ci = p.ci;
    e.n = p.n;
    e.distribution = p.distribution;
  }
  e.status = Decide(goal.target, e.value, e.ci, result->info.has_ci, e.n, goal.min_samples);
  return e;
}

Result<Evaluation> Engine::Evaluate(const Goal& goal, int64_t now_ns, int sparkline) const {
  auto e = EvaluateRange(goal, now_ns - goal.window_ns, now_ns);
  if (!e || sparkline <= 0) return e;
  int64_t step = goal.window_ns / sparkline;
  step = std::max<int64_t>(store::kNanosPerMinute, step - step % store::kNanosPerMinute);
  const int64_t end = now_ns - now_ns % store::kNanosPerMinute + store::kNanosPerMinute;
  kpi::Request r = RequestFor(goal, end - step * sparkline, end);
  r.step_ns = step;
  auto series = kpis_->Query(r);
  if (!series) return std::unexpected(series.error());
  if (!series->series.empty()) {
    for (const auto& p : series->series.front().points) {
      e->series.push_back(SparkPoint{p.bucket_ns, p.value});
    }
  }
  return e;
}

Result<BurnRate> Engine::Burn(const Goal& goal, int64_t now_ns, int64_t window_ns) const {
  auto e = EvaluateRange(goal, now_ns - window_ns, now_ns);
  if (!e) return std::unexpected(e.error());
  return BurnRateOf(goal.target, e->distribution);
}

}  // namespace yardstick::goals
