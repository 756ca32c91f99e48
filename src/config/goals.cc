// The `goals:` and `schedules:` sections and their cross-references (KPI names, goal names).
#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <string>

#include "config/cron.h"
#include "config/sections.h"

namespace yardstick::config::internal {
namespace {

constexpr std::array<std::string_view, 8> kGoalKeys = {
    "name", "kpi", "scope", "params", "target", "window", "confidence", "min_samples"};
constexpr std::array<std::string_view, 2> kTargetKeys = {"op", "value"};
constexpr std::array<std::string_view, 4> kOps = {">=", ">", "<=", "<"};
constexpr std::array<std::string_view, 5> kDimensionKeys = {"model", "route", "prompt_version",
                                                            "variant", "environment"};
constexpr std::array<std::string_view, 2> kParamKeys = {"name", "source"};
constexpr std::array<std::string_view, 9> kScheduleKeys = {
    "name", "schedule", "timezone", "project", "kpis", "goals", "notify", "alpha", "confidence"};
constexpr std::array<std::string_view, 4> kScheduleKpiKeys = {"kpi", "scope", "params", "baseline"};
constexpr std::string_view kAttributesPrefix = "attributes.";

YAML::Mark MarkAt(int line, int column) {
  YAML::Mark m;
  m.line = line - 1;
  m.column = column - 1;
  return m;
}

// scope: project (when `project` is given), the rollup dimensions and attributes.<key>.
// Returns whether a `project` key was present.
bool ReadScope(const Field& f, Diagnostics& diag, std::string* project, Filter& out) {
  MapReader map(f, diag);
  bool saw_project = false;
  for (const auto& entry : map.entries()) {
    const bool dimension =
        std::find(kDimensionKeys.begin(), kDimensionKeys.end(), entry.key) != kDimensionKeys.end();
    const bool attribute =
        entry.key.starts_with(kAttributesPrefix) && entry.key.size() > kAttributesPrefix.size();
    if (entry.key == "project" && project != nullptr) {
      saw_project = true;
      if (auto v = ReadString(entry.field, diag)) {
        if (IsProjectName(*v)) {
          *project = *v;
        } else {
          diag.Add(entry.field.mark,
                   entry.field.path + ": expected a project name, got " + Quote(*v));
        }
      }
      continue;
    }
    if (!dimension && !attribute) {
      std::string message = f.path + ": cannot scope by " + Quote(entry.key) + "; expected " +
                            (project ? "project, " : "") + JoinNames(kDimensionKeys) +
                            " or attributes.<key>";
      if (auto near = Suggest(entry.key, kDimensionKeys)) {
        message += " (did you mean " + Quote(*near) + "?)";
      }
      diag.Add(entry.key_mark, std::move(message));
      continue;
    }
    if (auto v = ReadString(entry.field, diag)) out.emplace_back(entry.key, std::move(*v));
  }
  return saw_project;
}

void ReadParams(const Field& f, Diagnostics& diag, Filter& out) {
  MapReader map(f, diag, kParamKeys);
  for (const auto& entry : map.entries()) {
    if (auto v = ReadString(entry.field, diag)) out.emplace_back(entry.key, std::move(*v));
  }
}

// A target value: a number, or a duration ("2s", "150ms") converted to seconds.
bool ReadTargetValue(const Field& f, std::string_view text, bool quoted, Diagnostics& diag,
                     GoalConfig& goal) {
  if (text.empty()) {
    diag.Add(f.mark, f.path + ": expected a number or a duration like 2s after the operator");
    return false;
  }
  if (auto d = ParseDurationText(text)) {
    goal.target = static_cast<double>(*d) / 1e9;
    goal.target_is_duration = true;
    return true;
  }
  (void)quoted;
  try {
    size_t used = 0;
    const double v = std::stod(std::string(text), &used);
    if (used == text.size() && std::isfinite(v)) {
      goal.target = v;
      return true;
    }
  } catch (const std::exception&) {
  }
  diag.Add(f.mark,
           f.path + ": expected a number or a duration (500ms, 2s, 1m), got " + Quote(text));
  return false;
}

void ReadTarget(const Field& f, Diagnostics& diag, GoalConfig& goal) {
  goal.target_line = f.mark.line + 1;
  goal.target_column = f.mark.column + 1;
  if (f.value.IsMap()) {
    MapReader map(f, diag, kTargetKeys);
    if (!map.Has("op")) map.Missing("op");
    map.Enum("op", kOps, goal.op);
    if (auto v = map.Get("value")) {
      if (auto s = ReadString(*v, diag)) ReadTargetValue(*v, *s, v->value.Tag() == "!", diag, goal);
    } else {
      map.Missing("value");
    }
    return;
  }
  auto text = ReadString(f, diag);
  if (!text) {
    diag.Add(f.mark, f.path + ": expected a target like \">= 4.2\" or {op, value}");
    return;
  }
  std::string s = *text;
  while (!s.empty() && s.front() == ' ') s.erase(s.begin());
  std::string op;
  for (const auto candidate : {">=", "<=", ">", "<"}) {
    if (s.starts_with(candidate)) {
      op = candidate;
      break;
    }
  }
  if (op.empty()) {
    diag.Add(f.mark, f.path +
                         ": expected an operator (>=, >, <=, <) and a value, like \">= "
                         "4.2\" or \"<= 2s\", got " +
                         Quote(*text));
    return;
  }
  std::string rest = s.substr(op.size());
  while (!rest.empty() && rest.front() == ' ') rest.erase(rest.begin());
  while (!rest.empty() && rest.back() == ' ') rest.pop_back();
  if (ReadTargetValue(f, rest, true, diag, goal)) goal.op = op;
}

bool ReadWindow(const MapReader& map, std::string_view key, Diagnostics& diag, int64_t& out) {
  auto f = map.Get(key);
  if (!f) return false;
  auto text = ReadString(*f, diag);
  if (!text) return false;
  auto d = ParseDurationText(*text);
  if (!d || *d < 60'000'000'000) {
    diag.Add(f->mark, f->path + ": expected a duration of at least a minute (1h, 7d, 4w), got " +
                          Quote(*text));
    return false;
  }
  out = *d;
  return true;
}

bool ReadProbability(const MapReader& map, std::string_view key, Diagnostics& diag, double& out) {
  auto f = map.Get(key);
  if (!f) return false;
  auto v = ReadNumber(*f, diag);
  if (!v) return false;
  if (!(*v > 0 && *v < 1)) {
    diag.Add(f->mark,
             f->path + ": expected a number between 0 and 1 (exclusive), got " + f->value.Scalar());
    return false;
  }
  out = *v;
  return true;
}

void ReadGoal(const Field& item, size_t index, Context& ctx, std::map<std::string, Field>& names,
              std::vector<GoalConfig>& out) {
  Diagnostics& diag = ctx.diag;
  MapReader map(item, diag, kGoalKeys);
  if (!map.is_mapping()) return;
  const size_t before = diag.count();
  GoalConfig goal;
  goal.index = index;
  goal.line = item.mark.line + 1;
  goal.column = item.mark.column + 1;
  if (auto name = map.Get("name")) {
    if (map.String("name", goal.name)) {
      if (!IsSnakeName(goal.name)) {
        diag.Add(name->mark, name->path +
                                 ": expected a name like csat_target ([a-z][a-z0-9_]*), "
                                 "got " +
                                 Quote(goal.name));
      } else if (auto [it, inserted] = names.emplace(goal.name, *name); !inserted) {
        diag.Add(name->mark, name->path + ": goal " + Quote(goal.name) + " is already defined at " +
                                 PlaceOf(it->second));
      }
    }
  } else {
    map.Missing("name");
  }
  if (auto kpi = map.Get("kpi")) {
    map.String("kpi", goal.kpi);
    goal.kpi_line = kpi->mark.line + 1;
    goal.kpi_column = kpi->mark.column + 1;
  } else {
    map.Missing("kpi");
  }
  if (auto scope = map.Get("scope")) {
    const bool saw_project = ReadScope(*scope, diag, &goal.project, goal.scope);
    if (!saw_project && scope->value.IsMap()) {
      diag.Add(scope->mark, scope->path + ": missing required key \"project\"");
    }
  } else {
    map.Missing("scope");
  }
  if (auto params = map.Get("params")) ReadParams(*params, diag, goal.params);
  if (auto target = map.Get("target")) {
    ReadTarget(*target, diag, goal);
  } else {
    map.Missing("target");
  }
  ReadWindow(map, "window", diag, goal.window_ns);
  ReadProbability(map, "confidence", diag, goal.confidence);
  if (auto f = map.Get("min_samples")) {
    if (auto v = ReadInteger(*f, 1, 1'000'000'000, diag)) goal.min_samples = *v;
  }
  if (diag.count() == before) out.push_back(std::move(goal));
}

void ReadNames(const Field& f, Diagnostics& diag, std::vector<std::string>& out,
               std::vector<std::pair<int, int>>* places) {
  ForEachItem(f, diag, [&](const Field& item) {
    if (auto v = ReadString(item, diag)) {
      out.push_back(std::move(*v));
      if (places) places->emplace_back(item.mark.line + 1, item.mark.column + 1);
    }
  });
}

void ReadSchedule(const Field& item, size_t index, Context& ctx,
                  std::map<std::string, Field>& names, std::vector<ScheduleConfig>& out) {
  Diagnostics& diag = ctx.diag;
  MapReader map(item, diag, kScheduleKeys);
  if (!map.is_mapping()) return;
  const size_t before = diag.count();
  ScheduleConfig s;
  s.index = index;
  s.line = item.mark.line + 1;
  s.column = item.mark.column + 1;
  if (auto name = map.Get("name")) {
    if (map.String("name", s.name)) {
      if (!IsSnakeName(s.name)) {
        diag.Add(name->mark, name->path +
                                 ": expected a name like weekly_quality "
                                 "([a-z][a-z0-9_]*), got " +
                                 Quote(s.name));
      } else if (auto [it, inserted] = names.emplace(s.name, *name); !inserted) {
        diag.Add(name->mark, name->path + ": schedule " + Quote(s.name) +
                                 " is already defined at " + PlaceOf(it->second));
      }
    }
  } else {
    map.Missing("name");
  }
  if (auto f = map.Get("schedule")) {
    if (auto text = ReadString(*f, diag)) {
      if (auto cron = CronSchedule::Parse(*text)) {
        s.schedule = *text;
      } else {
        diag.Add(f->mark, f->path + ": " + cron.error().message());
      }
    }
  } else {
    map.Missing("schedule");
  }
  if (auto f = map.Get("timezone")) {
    if (auto text = ReadString(*f, diag)) {
      if (auto offset = ParseUtcOffset(*text)) {
        s.utc_offset_minutes = *offset;
      } else {
        diag.Add(f->mark, f->path + ": " + offset.error().message() +
                              " (fixed offsets only: no daylight saving)");
      }
    }
  }
  if (auto f = map.Get("project")) {
    if (map.String("project", s.project) && !IsProjectName(s.project)) {
      diag.Add(f->mark, f->path + ": expected a project name, got " + Quote(s.project));
    }
  } else {
    map.Missing("project");
  }
  if (auto f = map.Get("kpis")) {
    ForEachItem(*f, diag, [&](const Field& k) {
      ScheduleKpiConfig entry;
      entry.line = k.mark.line + 1;
      entry.column = k.mark.column + 1;
      if (k.value.IsScalar()) {
        if (auto v = ReadString(k, diag)) entry.kpi = *v;
        s.kpis.push_back(std::move(entry));
        return;
      }
      MapReader km(k, diag, kScheduleKpiKeys);
      if (!km.is_mapping()) return;
      if (auto kf = km.Get("kpi")) {
        km.String("kpi", entry.kpi);
        entry.line = kf->mark.line + 1;
        entry.column = kf->mark.column + 1;
      } else {
        km.Missing("kpi");
      }
      if (auto scope = km.Get("scope")) ReadScope(*scope, diag, nullptr, entry.scope);
      if (auto params = km.Get("params")) ReadParams(*params, diag, entry.params);
      km.String("baseline", entry.baseline);
      s.kpis.push_back(std::move(entry));
    });
  }
  if (auto f = map.Get("goals")) ReadNames(*f, diag, s.goals, &s.goal_places);
  if (auto f = map.Get("notify")) ReadNames(*f, diag, s.notify, &s.notify_places);
  if (s.kpis.empty() && s.goals.empty() && map.is_mapping() && diag.count() == before) {
    diag.Add(item.mark, item.path + ": a schedule needs at least one of kpis and goals");
  }
  ReadProbability(map, "alpha", diag, s.alpha);
  ReadProbability(map, "confidence", diag, s.confidence);
  if (diag.count() == before) out.push_back(std::move(s));
}

bool IsScoreKpi(const std::string& kpi) { return kpi == "score_mean" || kpi == "score_pass_rate"; }

bool HasParam(const Filter& params, std::string_view key) {
  return std::any_of(params.begin(), params.end(), [&](const auto& p) { return p.first == key; });
}

}  // namespace

void ReadGoals(const Field& f, Context& ctx, std::vector<GoalConfig>& out) {
  std::map<std::string, Field> names;
  size_t index = 0;
  ForEachItem(f, ctx.diag, [&](const Field& item) { ReadGoal(item, index++, ctx, names, out); });
}

void ReadSchedules(const Field& f, Context& ctx, std::vector<ScheduleConfig>& out) {
  std::map<std::string, Field> names;
  size_t index = 0;
  ForEachItem(f, ctx.diag,
              [&](const Field& item) { ReadSchedule(item, index++, ctx, names, out); });
}

void CheckGoalReferences(Context& ctx, const Config& config) {
  // name -> unit, user-defined KPIs first.
  std::map<std::string, std::string> units;
  for (const auto& k : config.kpis) units[k.name] = k.unit;
  std::map<std::string, bool> builtin;
  for (const auto& [name, unit] : ctx.options.builtin_kpi_units) {
    units.emplace(name, unit);
    builtin[name] = true;
  }
  for (const auto& name : ctx.options.builtin_kpi_names) builtin[name] = true;
  const bool know_builtins = !builtin.empty();
  auto check_kpi = [&](const std::string& kpi, const Filter& scope, const Filter& params, int line,
                       int column, const std::string& path) {
    const bool user = std::any_of(config.kpis.begin(), config.kpis.end(),
                                  [&](const KpiConfig& k) { return k.name == kpi; });
    if (!user && know_builtins && !builtin.contains(kpi)) {
      std::vector<std::string> all;
      for (const auto& [name, unit] : units) all.push_back(name);
      for (const auto& [name, b] : builtin) all.push_back(name);
      std::vector<std::string_view> views(all.begin(), all.end());
      std::string message = path + ".kpi: unknown KPI " + Quote(kpi);
      if (auto near = Suggest(kpi, views)) {
        message += " (did you mean " + Quote(*near) + "?)";
      } else {
        message += "; see GET /v1/kpis or docs/kpis.md for the built-in KPIs";
      }
      ctx.diag.Add(MarkAt(line, column), std::move(message));
      return false;
    }
    if (!user) {
      for (const auto& [key, value] : scope) {
        if (key.starts_with(kAttributesPrefix)) {
          ctx.diag.Add(MarkAt(line, column),
                       path + ".scope: " + Quote(key) + " needs a user-defined KPI (built-in KPI " +
                           Quote(kpi) +
                           " is computed from rollups by model, route, prompt_version, variant "
                           "and environment)");
        }
      }
      if (IsScoreKpi(kpi) && !HasParam(params, "name")) {
        ctx.diag.Add(MarkAt(line, column),
                     path + ": KPI " + Quote(kpi) + " needs params.name (the score's name)");
      }
    }
    return true;
  };
  for (size_t i = 0; i < config.goals.size(); ++i) {
    const GoalConfig& g = config.goals[i];
    const std::string path = "goals[" + std::to_string(g.index) + "]";
    if (!check_kpi(g.kpi, g.scope, g.params, g.kpi_line, g.kpi_column, path)) continue;
    if (g.target_is_duration) {
      auto it = units.find(g.kpi);
      if (it != units.end() && it->second != "s") {
        ctx.diag.Add(MarkAt(g.target_line, g.target_column),
                     path + ".target: a duration needs a KPI measured in seconds; " + Quote(g.kpi) +
                         " is in " + (it->second.empty() ? "no unit" : Quote(it->second)));
      }
    }
  }
  for (size_t i = 0; i < config.schedules.size(); ++i) {
    const ScheduleConfig& s = config.schedules[i];
    const std::string path = "schedules[" + std::to_string(s.index) + "]";
    for (size_t k = 0; k < s.kpis.size(); ++k) {
      const auto& e = s.kpis[k];
      check_kpi(e.kpi, e.scope, e.params, e.line, e.column,
                path + ".kpis[" + std::to_string(k) + "]");
    }
    for (size_t k = 0; k < s.notify.size(); ++k) {
      const bool known =
          std::any_of(config.notifiers.begin(), config.notifiers.end(),
                      [&](const NotifierConfig& n) { return n.name == s.notify[k]; });
      if (!known) {
        const auto [line, column] = s.notify_places[k];
        std::vector<std::string_view> names;
        for (const auto& n : config.notifiers) names.push_back(n.name);
        std::string message =
            path + ".notify[" + std::to_string(k) + "]: no notifier named " + Quote(s.notify[k]);
        if (auto near = Suggest(s.notify[k], names)) {
          message += " (did you mean " + Quote(*near) + "?)";
        } else {
          message += names.empty() ? " (the notifiers section defines none)"
                                   : "; notifiers: " + JoinNames(names);
        }
        ctx.diag.Add(MarkAt(line, column), std::move(message));
      }
    }
    for (size_t k = 0; k < s.goals.size(); ++k) {
      const auto it = std::find_if(config.goals.begin(), config.goals.end(),
                                   [&](const GoalConfig& g) { return g.name == s.goals[k]; });
      const auto [line, column] = s.goal_places[k];
      if (it == config.goals.end()) {
        ctx.diag.Add(MarkAt(line, column), path + ".goals[" + std::to_string(k) +
                                               "]: no goal named " + Quote(s.goals[k]));
      } else if (it->project != s.project) {
        ctx.diag.Add(MarkAt(line, column), path + ".goals[" + std::to_string(k) + "]: goal " +
                                               Quote(s.goals[k]) + " belongs to project " +
                                               Quote(it->project) + ", the schedule to " +
                                               Quote(s.project));
      }
    }
  }
}

}  // namespace yardstick::config::internal
