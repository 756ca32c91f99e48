#pragma once
// Goals: a target for a KPI in a scope (`goals:` in yardstick.yaml), judged with the KPI's
// confidence interval over a rolling window, not with its point value (docs/goals.md).
//
// Status rule, for a target "KPI op T" with the interval [low, high] at the goal's confidence:
//   insufficient_data  fewer than min_samples observations behind the value, no value, or a KPI
//                      with an interval whose interval is undefined (e.g. a mean of one value);
//   met                the whole interval satisfies the target (op >=: low >= T; op >: low > T;
//                      op <=: high <= T; op <: high < T);
//   missed             the whole interval violates it (op >=: high < T; op >: high <= T;
//                      op <=: low > T; op <: low >= T);
//   at_risk            the interval straddles T.
// KPIs without an interval (exact counts, sums and rates) are decided on their value, which
// carries no sampling error: met or missed (insufficient_data under min_samples).
//
// Burn rate (error-budget style, for the alerts engine's burn-rate condition): the share of bad
// events in the window divided by the share the target allows.
//   ratio KPIs (successes / trials): op <= or <: bad = successes, allowed = T;
//                                    op >= or >: bad = trials - successes, allowed = 1 - T.
//   quantile KPIs (the q-quantile "op T"): op <= or <: bad = observations above T, allowed =
//                                    1 - q; op >= or >: bad = observations below T, allowed = q.
// 1 means the window consumed its budget exactly; 14.4 over 1h is the classic "2% of a 30-day
// budget in one hour" page. Other KPI kinds (means, NPS, exact values) have no events to count:
// BurnRateOf returns kUnsupported. allowed = 0 gives +inf when anything is bad, else 0.
//
// Thread safety: Engine is immutable after Create and may be used from many threads if the KPI
// engine and store may.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "config/config.h"
#include "kpi/kpi.h"

namespace yardstick::goals {

enum class Op { kGe, kGt, kLe, kLt };
const char* OpName(Op op);  // ">=", ">", "<=", "<"
Result<Op> ParseOp(std::string_view text);

enum class Status { kMet, kAtRisk, kMissed, kInsufficientData };
const char* StatusName(Status status);  // "met", "at_risk", "missed", "insufficient_data"

struct Target {
  Op op = Op::kGe;
  double value = 0;
};

// Whether `value` satisfies the target.
bool Satisfies(const Target& target, double value);

struct Goal {
  std::string name;
  std::string kpi;
  std::string project;
  store::DimensionFilter scope;               // dimensions (and attributes.<key>)
  std::map<std::string, std::string> params;  // KPI parameters (score name)
  Target target;
  int64_t window_ns = 7 * store::kNanosPerDay;
  double confidence = 0.95;
  uint64_t min_samples = 30;
};

// A goal from its configuration (goals[] in yardstick.yaml).
Goal FromConfig(const config::GoalConfig& config);

// The status rule above. `ci` is the KPI's interval (nullopt when it has none or it is
// undefined); `has_ci` whether the KPI is one that carries an interval.
Status Decide(const Target& target, std::optional<double> value, std::optional<kpi::Ci> ci,
              bool has_ci, uint64_t n, uint64_t min_samples);

struct BurnRate {
  double rate = 0;     // (bad / total) / allowed
  double bad = 0;      // bad events in the window
  double total = 0;    // events in the window
  double allowed = 0;  // allowed share of bad events
};

// The burn rate of a goal's target over the sufficient statistics of a window (see above).
Result<BurnRate> BurnRateOf(const Target& target, const kpi::Distribution& distribution);

struct SparkPoint {
  int64_t t_ns = 0;
  std::optional<double> value;
};

struct Evaluation {
  const Goal* goal = nullptr;
  Status status = Status::kInsufficientData;
  std::optional<double> value;
  std::optional<kpi::Ci> ci;
  uint64_t n = 0;
  std::string unit;
  kpi::Direction direction = kpi::Direction::kNone;
  int64_t from_ns = 0, to_ns = 0;
  std::vector<SparkPoint> series;  // when asked for
  kpi::Distribution distribution;
};

class Engine {
 public:
  // Checks every goal's KPI against the KPI engine (unknown KPI, missing score name): errors
  // name the goal. `kpis` must outlive the engine.
  static Result<Engine> Create(const kpi::Engine* kpis, std::vector<Goal> goals);

  const std::vector<Goal>& goals() const { return goals_; }
  const Goal* Find(const std::string& name) const;

  // The goal over [now - window, now), with `sparkline` recent values (0 = none) over the same
  // window in equal steps (whole minutes).
  Result<Evaluation> Evaluate(const Goal& goal, int64_t now_ns, int sparkline = 0) const;
  // The goal's KPI and status over an explicit range (scheduled reports).
  Result<Evaluation> EvaluateRange(const Goal& goal, int64_t from_ns, int64_t to_ns) const;
  // The burn rate over [now - window_ns, now).
  Result<BurnRate> Burn(const Goal& goal, int64_t now_ns, int64_t window_ns) const;

 private:
  kpi::Request RequestFor(const Goal& goal, int64_t from_ns, int64_t to_ns) const;

  const kpi::Engine* kpis_ = nullptr;
  std::vector<Goal> goals_;
};

}  // namespace yardstick::goals
