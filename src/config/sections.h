#pragma once
// Internal to the config module: one reader per top-level section of yardstick.yaml. Each fills
// its part of Config from a Field (defaults stay where a key is absent) and reports every problem
// to the context's Diagnostics; none stops at the first.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "config/yaml_reader.h"

namespace yardstick::config::internal {

struct Context {
  Diagnostics& diag;
  std::string base_dir;  // relative paths are resolved against it; "" leaves them as written
  const LoadOptions& options;
};

void ReadServer(const Field& f, Context& ctx, ServerConfig& out);
void ReadStorage(const Field& f, Context& ctx, StorageConfig& out);
void ReadAuth(const Field& f, Context& ctx, AuthConfig& out);
void ReadRedaction(const Field& f, Context& ctx, RedactionConfig& out);
void ReadPricing(const Field& f, Context& ctx, PricingConfig& out);
void ReadKpis(const Field& f, Context& ctx, std::vector<KpiConfig>& out);
void ReadGoals(const Field& f, Context& ctx, std::vector<GoalConfig>& out);
void ReadSchedules(const Field& f, Context& ctx, std::vector<ScheduleConfig>& out);
// Cross-references of goals and schedules: KPI names (when LoadOptions names the built-ins),
// duration targets on KPIs in seconds, goal names of schedules.
void CheckGoalReferences(Context& ctx, const Config& config);
void ReadNotifiers(const Field& f, Context& ctx, std::vector<NotifierConfig>& out);
void ReadEscalations(const Field& f, Context& ctx, std::vector<EscalationRuleConfig>& out);
// Escalation rules must name defined notifiers; checked once both sections are read.
void CheckEscalationReferences(const Field& escalations, Context& ctx, const Config& config);
void ReadAlerting(const Field& f, Context& ctx, AlertingConfig& out);
// `kpis`: the user-defined KPIs read before (alert conditions may name them).
void ReadAlerts(const Field& f, Context& ctx, const std::vector<KpiConfig>& kpis,
                std::vector<AlertRuleConfig>& out);
// Cross-references of alert rules to other sections (goal and notifier names), checked once
// every section has been read.
void CheckAlertReferences(const Config& config, Context& ctx);

// Shared checks.

// A path key: non-empty, no "${", no leading "~"; resolved against ctx.base_dir.
bool ReadPath(const MapReader& map, std::string_view key, const Context& ctx, std::string& out);
// An environment variable name, [A-Z_][A-Z0-9_]*.
bool ReadEnvName(const MapReader& map, std::string_view key, Diagnostics& diag, std::string& out);
// `name` matches [a-z][a-z0-9_]* (lower_snake) / a project name [A-Za-z0-9][A-Za-z0-9_.-]*.
bool IsSnakeName(std::string_view name);
bool IsProjectName(std::string_view name);
// Why PCRE2 (UTF-8 mode) cannot compile `regex`, naming the offset; nullopt when it compiles.
// With `forbid_empty_match`, a regex that matches the empty string is an error too.
std::optional<std::string> RegexProblem(std::string_view regex, bool forbid_empty_match);
// A duration: an integer and a unit (ms, s, m, h, d, w), e.g. "30s", "5m", "7d".
std::optional<int64_t> ParseDurationText(std::string_view text);
// Reads a duration key; reports and returns false when it is malformed (or 0 and !allow_zero).
bool ReadDuration(const MapReader& map, std::string_view key, bool allow_zero, Diagnostics& diag,
                  int64_t& out);
// "12:3", 1-based, for "first defined at" notes.
std::string PlaceOf(const Field& f);

}  // namespace yardstick::config::internal
