#pragma once
// Internal to src/alerts: evaluating one rule's condition for one project at one time, as one
// Observation per group (per value of the rule's group_by).

#include <string>
#include <vector>

#include "alerts/alerts.h"
#include "alerts/db.h"
#include "kpi/kpi.h"

namespace yardstick::alerts {

struct ConditionInput {
  const config::AlertRuleConfig& rule;
  const std::string& project;
  int64_t now_ns;
  const Sources& sources;
  Engine::Db& db;  // detector state
};

Result<std::vector<Observation>> EvaluateCondition(const ConditionInput& input);

// The condition types (conditions.cc, change.cc, baseline_conditions.cc).
Result<std::vector<Observation>> ChangeDetection(const ConditionInput& input);
Result<std::vector<Observation>> BurnRateCondition(const ConditionInput& input);
Result<std::vector<Observation>> BaselineCondition(const ConditionInput& input);
Result<std::vector<Observation>> DriftCondition(const ConditionInput& input);

// The rule's KPI with its parameters, scope and groups over [from, to) in steps (0 = one value).
kpi::Request KpiRequest(const ConditionInput& input, int64_t from_ns, int64_t to_ns,
                        int64_t step_ns);

// "a > b" for the configured operator (>, >=, <, <=).
bool Compare(double a, const std::string& op, double b);

// "5m", "1h30m", "45s" for a duration in ns (for templates and messages).
std::string FormatDuration(int64_t ns);

}  // namespace yardstick::alerts
