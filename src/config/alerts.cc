// The `alerting:` and `alerts:` sections: alert rules, their conditions, labels, annotation
// templates and routing (docs/alerts.md).
#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include "config/sections.h"

namespace yardstick::config::internal {
namespace {

constexpr std::array<std::string_view, 2> kAlertingKeys = {"evaluation_interval", "external_url"};
constexpr std::array<std::string_view, 11> kRuleKeys = {
    "name",     "project", "condition", "window",      "for",      "keep_firing_for",
    "group_by", "filter",  "labels",    "annotations", "notifiers"};
constexpr std::array<std::string_view, 5> kTypes = {"threshold", "baseline", "burn_rate", "change",
                                                    "drift"};
constexpr std::array<std::string_view, 28> kConditionKeys = {
    "type",      "kpi",         "params",    "op",     "value",
    "bound",     "min_samples", "baseline",  "change", "significance",
    "goal",      "burn_rate",   "detector",  "step",   "mean",
    "sigma",     "warmup",      "k",         "h",      "lambda",
    "l",         "delta",       "threshold", "alpha",  "min_instances",
    "direction", "field",       "test"};
// Keys each condition type takes (besides `type`; drift also takes `score`, see below).
const std::map<std::string_view, std::set<std::string_view>>& TypeKeys() {
  static const std::map<std::string_view, std::set<std::string_view>> kKeys = {
      {"threshold", {"kpi", "params", "op", "value", "bound", "min_samples"}},
      {"baseline", {"kpi", "params", "baseline", "change", "significance", "min_samples"}},
      {"burn_rate", {"goal", "burn_rate", "op"}},
      {"change",
       {"kpi", "params", "detector", "step", "mean", "sigma", "warmup", "k", "h", "lambda", "l",
        "delta", "threshold", "alpha", "min_instances", "direction", "min_samples"}},
      {"drift", {"field", "params", "baseline", "test", "threshold", "min_samples"}}};
  return kKeys;
}
constexpr std::array<std::string_view, 4> kOps = {">", ">=", "<", "<="};
constexpr std::array<std::string_view, 3> kBounds = {"value", "ci_low", "ci_high"};
constexpr std::array<std::string_view, 3> kDetectors = {"cusum", "page_hinkley", "ewma"};
constexpr std::array<std::string_view, 3> kDirections = {"up", "down", "both"};
constexpr std::array<std::string_view, 4> kTests = {"psi", "ks", "js", "chi2"};
constexpr std::array<std::string_view, 9> kDriftFields = {"latency",       "ttft",  "input_tokens",
                                                          "output_tokens", "cost",  "score_value",
                                                          "finish_reason", "model", "score_label"};
constexpr std::array<std::string_view, 5> kDimensions = {"model", "route", "prompt_version",
                                                         "variant", "environment"};

bool IsLabelName(std::string_view s) {
  auto ok = [](char c, bool first) {
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (!first && c >= '0' && c <= '9');
  };
  if (s.empty()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (!ok(s[i], i == 0)) return false;
  }
  return true;
}

Place PlaceOfMark(const YAML::Mark& mark) { return Place{mark.line + 1, mark.column + 1}; }

// A threshold: a plain number, a duration in seconds ("2s", "500ms") or a percentage ("5%",
// "+20%", "-10%") as a fraction.
std::optional<double> ParseQuantity(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::string_view body = text;
  if (body.ends_with('%')) {
    body.remove_suffix(1);
    if (body.starts_with('+')) body.remove_prefix(1);
    double v = 0;
    const auto [end, ec] = std::from_chars(body.data(), body.data() + body.size(), v);
    if (body.empty() || ec != std::errc() || end != body.data() + body.size() || !std::isfinite(v))
      return std::nullopt;
    return v / 100.0;
  }
  if (auto ns = ParseDurationText(body)) return static_cast<double>(*ns) / 1e9;
  if (body.starts_with('+')) body.remove_prefix(1);
  double v = 0;
  const auto [end, ec] = std::from_chars(body.data(), body.data() + body.size(), v);
  if (ec != std::errc() || end != body.data() + body.size() || !std::isfinite(v))
    return std::nullopt;
  return v;
}

bool ReadQuantity(const MapReader& map, std::string_view key, Diagnostics& diag, double& out) {
  const auto f = map.Get(key);
  if (!f) return false;
  if (f->value.IsScalar()) {
    if (auto v = ParseQuantity(f->value.Scalar())) {
      out = *v;
      return true;
    }
  }
  diag.Add(f->mark, f->path +
                        ": expected a number, a duration in seconds (2s, 500ms) or a "
                        "percentage (5%), got " +
                        Describe(f->value));
  return false;
}

// A number in [lo, hi] (exclusive bounds when `open`).
bool ReadBoundedNumber(const MapReader& map, std::string_view key, double lo, double hi, bool open,
                       Diagnostics& diag, double& out) {
  const auto f = map.Get(key);
  if (!f) return false;
  auto v = ReadNumber(*f, diag);
  if (!v) return false;
  const bool inside = open ? (*v > lo && *v < hi) : (*v >= lo && *v <= hi);
  if (!inside) {
    auto fmt = [](double x) {
      if (std::isinf(x)) return std::string("inf");
      char buf[32];
      std::snprintf(buf, sizeof buf, "%g", x);
      return std::string(buf);
    };
    diag.Add(f->mark, f->path + ": expected a number in " + (open ? "(" : "[") + fmt(lo) + ", " +
                          fmt(hi) + (open || std::isinf(hi) ? ")" : "]") + ", got " +
                          f->value.Scalar());
    return false;
  }
  out = *v;
  return true;
}

bool ReadCount(const MapReader& map, std::string_view key, int64_t lo, Diagnostics& diag,
               int64_t& out) {
  const auto f = map.Get(key);
  if (!f) return false;
  auto v = ReadInteger(*f, lo, int64_t{1} << 40, diag);
  if (!v) return false;
  out = *v;
  return true;
}

void ReadStringMap(const Field& f, Diagnostics& diag, bool label_names,
                   std::vector<std::pair<std::string, std::string>>& out,
                   const std::function<void(const Field&, const std::string&)>& check = {}) {
  MapReader map(f, diag);
  for (const auto& entry : map.entries()) {
    if (label_names && !IsLabelName(entry.key)) {
      diag.Add(entry.key_mark,
               f.path + ": " + Quote(entry.key) + " is not a label name ([A-Za-z_][A-Za-z0-9_]*)");
      continue;
    }
    if (label_names && entry.key == "alertname") {
      diag.Add(entry.key_mark, f.path + ": alertname is set from the rule's name");
      continue;
    }
    auto v = ReadString(entry.field, diag);
    if (!v) continue;
    if (check) check(entry.field, *v);
    out.emplace_back(entry.key, std::move(*v));
  }
}

void ReadFilter(const Field& f, Diagnostics& diag, Filter& out) {
  MapReader map(f, diag);
  for (const auto& entry : map.entries()) {
    if (std::find(kDimensions.begin(), kDimensions.end(), entry.key) == kDimensions.end()) {
      std::string message = f.path + ": cannot filter on " + Quote(entry.key);
      if (auto near = Suggest(entry.key, kDimensions)) {
        message += " (did you mean " + Quote(*near) + "?)";
      } else {
        message += "; dimensions: " + JoinNames(kDimensions);
      }
      diag.Add(entry.key_mark, std::move(message));
      continue;
    }
    if (auto v = ReadString(entry.field, diag)) out.emplace_back(entry.key, std::move(*v));
  }
}

// Reports `name` when it is neither a built-in KPI (known only when the caller passed them; serve
// and check do) nor a user-defined one.
void CheckKpiName(const Field& f, const std::string& name, const Context& ctx,
                  const std::vector<KpiConfig>& user) {
  const auto& builtin = ctx.options.builtin_kpi_names;
  if (builtin.empty()) return;
  std::vector<std::string_view> kpis(builtin.begin(), builtin.end());
  for (const auto& k : user) kpis.push_back(k.name);
  if (std::find(kpis.begin(), kpis.end(), name) != kpis.end()) return;
  std::string message = f.path + ": unknown KPI " + Quote(name);
  if (auto near = Suggest(name, kpis)) {
    message += " (did you mean " + Quote(*near) + "?)";
  } else {
    message += "; see GET /v1/kpis or docs/kpis.md for the catalog";
  }
  ctx.diag.Add(f.mark, message);
}

void ReadCondition(const Field& f, const Context& ctx, const std::vector<KpiConfig>& kpis,
                   AlertConditionConfig& c) {
  Diagnostics& diag = ctx.diag;
  MapReader map(f, diag, kConditionKeys);
  if (!map.is_mapping()) return;
  if (!map.Has("type")) {
    map.Missing("type");
    return;
  }
  if (!map.Enum("type", kTypes, c.type)) return;
  const auto& allowed = TypeKeys().at(c.type);
  for (const auto& entry : map.entries()) {
    if (entry.key != "type" && !allowed.contains(entry.key)) {
      diag.Add(entry.key_mark,
               f.path + ": type " + c.type + " takes no " + Quote(entry.key) + "; it takes " +
                   JoinNames(std::vector<std::string_view>(allowed.begin(), allowed.end())));
    }
  }
  auto require = [&](std::string_view key) {
    if (!map.Has(key)) map.Missing(key);
  };
  if (allowed.contains("kpi")) {
    require("kpi");
    if (auto k = map.Get("kpi")) {
      c.kpi_place = PlaceOfMark(k->mark);
      if (map.String("kpi", c.kpi)) CheckKpiName(*k, c.kpi, ctx, kpis);
    }
  }
  if (auto p = map.Get("params"); p && allowed.contains("params")) {
    ReadStringMap(*p, diag, false, c.params);
  }
  if (allowed.contains("op")) map.Enum("op", kOps, c.op);
  if (allowed.contains("min_samples")) ReadCount(map, "min_samples", 1, diag, c.min_samples);

  if (c.type == "threshold") {
    require("value");
    ReadQuantity(map, "value", diag, c.value);
    map.Enum("bound", kBounds, c.bound);
  } else if (c.type == "baseline") {
    require("baseline");
    require("change");
    map.String("baseline", c.baseline);
    if (ReadQuantity(map, "change", diag, c.change) && c.change == 0) {
      const auto ch = map.Get("change");
      diag.Add(ch->mark, ch->path + ": expected a non-zero change such as +20% or -10%");
    }
    ReadBoundedNumber(map, "significance", 0, 1, true, diag, c.significance);
  } else if (c.type == "burn_rate") {
    require("goal");
    require("burn_rate");
    if (auto g = map.Get("goal")) {
      c.goal_place = PlaceOfMark(g->mark);
      map.String("goal", c.goal);
    }
    ReadBoundedNumber(map, "burn_rate", 0, INFINITY, false, diag, c.value);
  } else if (c.type == "change") {
    require("detector");
    map.Enum("detector", kDetectors, c.detector);
    ReadDuration(map, "step", false, diag, c.step_ns);
    if (c.step_ns % 60'000'000'000 != 0) {
      const auto s = map.Get("step");
      diag.Add(s->mark, s->path + ": the step must be a whole number of minutes");
    }
    double v = 0;
    if (ReadQuantity(map, "mean", diag, v)) c.mean = v;
    if (ReadBoundedNumber(map, "sigma", 0, INFINITY, true, diag, v)) c.sigma = v;
    ReadCount(map, "warmup", 2, diag, c.warmup);
    ReadBoundedNumber(map, "k", 0, INFINITY, false, diag, c.k);
    ReadBoundedNumber(map, "h", 0, INFINITY, true, diag, c.h);
    ReadBoundedNumber(map, "lambda", 0, 1, false, diag, c.lambda);
    if (c.lambda == 0) c.lambda = 0.2;
    ReadBoundedNumber(map, "l", 0, INFINITY, true, diag, c.l);
    ReadBoundedNumber(map, "delta", 0, INFINITY, false, diag, c.delta);
    ReadBoundedNumber(map, "threshold", 0, INFINITY, true, diag, c.threshold);
    ReadBoundedNumber(map, "alpha", 0, 1, false, diag, c.alpha);
    ReadCount(map, "min_instances", 1, diag, c.min_instances);
    map.Enum("direction", kDirections, c.direction);
  } else if (c.type == "drift") {
    require("field");
    require("baseline");
    require("test");
    map.Enum("field", kDriftFields, c.field);
    map.String("baseline", c.baseline);
    map.Enum("test", kTests, c.test);
    ReadBoundedNumber(map, "threshold", 0, INFINITY, true, diag, c.drift_threshold);
    const bool categorical =
        c.field == "finish_reason" || c.field == "model" || c.field == "score_label";
    if (c.test == "ks" && categorical) {
      const auto t = map.Get("test");
      diag.Add(t->mark, t->path + ": ks compares numeric distributions; " + c.field +
                            " is categorical (use psi, js or chi2)");
    }
    if ((c.field == "score_value" || c.field == "score_label")) {
      auto name = std::find_if(c.params.begin(), c.params.end(),
                               [](const auto& p) { return p.first == "name"; });
      if (name == c.params.end()) {
        diag.Add(f.mark, f.path + ": field " + c.field +
                             " needs the score's name in params (params: {name: <score>})");
      } else {
        c.score_name = name->second;
      }
    }
  }
}

void ReadRule(const Field& item, Context& ctx, const std::vector<KpiConfig>& kpis,
              std::map<std::string, Field>& names, std::vector<AlertRuleConfig>& out) {
  Diagnostics& diag = ctx.diag;
  MapReader map(item, diag, kRuleKeys);
  if (!map.is_mapping()) return;
  const size_t issues_before = diag.count();
  AlertRuleConfig rule;
  rule.place = PlaceOfMark(item.mark);
  if (auto name = map.Get("name")) {
    if (map.String("name", rule.name)) {
      if (!IsLabelName(rule.name)) {
        diag.Add(name->mark, name->path +
                                 ": expected an alert name like HighLatency "
                                 "([A-Za-z_][A-Za-z0-9_]*), got " +
                                 Quote(rule.name));
      } else if (auto [it, inserted] = names.emplace(rule.name, *name); !inserted) {
        diag.Add(name->mark, name->path + ": alert " + Quote(rule.name) +
                                 " is already defined at " + PlaceOf(it->second));
      }
    }
  } else {
    map.Missing("name");
  }
  if (auto p = map.Get("project")) {
    if (map.String("project", rule.project) && !IsProjectName(rule.project)) {
      diag.Add(p->mark, p->path + ": expected a project name, got " + Quote(rule.project));
    }
  }
  if (auto c = map.Get("condition")) {
    ReadCondition(*c, ctx, kpis, rule.condition);
  } else {
    map.Missing("condition");
  }
  ReadDuration(map, "window", false, diag, rule.window_ns);
  ReadDuration(map, "for", true, diag, rule.for_ns);
  ReadDuration(map, "keep_firing_for", true, diag, rule.keep_firing_for_ns);
  if (auto g = map.Get("group_by")) {
    ForEachItem(*g, diag, [&](const Field& dim) {
      auto v = ReadEnum(dim, kDimensions, diag);
      if (!v) return;
      if (std::find(rule.group_by.begin(), rule.group_by.end(), *v) != rule.group_by.end()) {
        diag.Add(dim.mark, dim.path + ": " + Quote(*v) + " is listed twice");
        return;
      }
      rule.group_by.push_back(*v);
    });
  }
  if (auto fl = map.Get("filter")) ReadFilter(*fl, diag, rule.filter);
  // Baselines and goals carry their own scope: one series, no groups, no extra filter.
  const std::string& type = rule.condition.type;
  if (type == "baseline" || type == "burn_rate" || type == "drift") {
    for (const char* key : {"group_by", "filter"}) {
      if (auto k = map.Get(key)) {
        diag.Add(k->mark, k->path + ": a " + type + " condition uses the scope of its " +
                              (type == "burn_rate" ? "goal" : "baseline") + "; " + key +
                              " does not apply");
      }
    }
  }
  if (auto l = map.Get("labels")) {
    ReadStringMap(*l, diag, true, rule.labels, [&](const Field& f, const std::string& v) {
      if (ctx.options.check_template) {
        if (auto why = ctx.options.check_template(v)) {
          diag.Add(f.mark, f.path + ": invalid template: " + *why);
        }
      }
    });
  }
  if (auto a = map.Get("annotations")) {
    ReadStringMap(*a, diag, true, rule.annotations, [&](const Field& f, const std::string& v) {
      if (ctx.options.check_template) {
        if (auto why = ctx.options.check_template(v)) {
          diag.Add(f.mark, f.path + ": invalid template: " + *why);
        }
      }
    });
  }
  if (auto n = map.Get("notifiers")) {
    ForEachItem(*n, diag, [&](const Field& nf) {
      auto v = ReadString(nf, diag);
      if (!v) return;
      rule.notifiers.push_back(*v);
      rule.notifier_places.push_back(PlaceOfMark(nf.mark));
    });
  }
  if (diag.count() == issues_before) out.push_back(std::move(rule));
}

}  // namespace

void ReadAlerting(const Field& f, Context& ctx, AlertingConfig& out) {
  MapReader map(f, ctx.diag, kAlertingKeys);
  ReadDuration(map, "evaluation_interval", false, ctx.diag, out.evaluation_interval_ns);
  if (auto u = map.Get("external_url")) {
    if (map.String("external_url", out.external_url) && !out.external_url.starts_with("http://") &&
        !out.external_url.starts_with("https://")) {
      ctx.diag.Add(u->mark, u->path + ": expected an http:// or https:// URL, got " +
                                Quote(out.external_url));
    }
  }
}

void ReadAlerts(const Field& f, Context& ctx, const std::vector<KpiConfig>& kpis,
                std::vector<AlertRuleConfig>& out) {
  std::map<std::string, Field> names;
  ForEachItem(f, ctx.diag, [&](const Field& item) { ReadRule(item, ctx, kpis, names, out); });
}

void CheckAlertReferences(const Config& config, Context& ctx) {
  std::vector<std::string_view> goals;
  for (const auto& g : config.goals) goals.push_back(g.name);
  for (size_t i = 0; i < config.alerts.size(); ++i) {
    const AlertConditionConfig& c = config.alerts[i].condition;
    if (c.type != "burn_rate" || c.goal.empty()) continue;
    if (std::find(goals.begin(), goals.end(), c.goal) != goals.end()) continue;
    std::string message =
        "alerts[" + std::to_string(i) + "].condition.goal: no goal named " + Quote(c.goal);
    if (auto near = Suggest(c.goal, goals)) {
      message += " (did you mean " + Quote(*near) + "?)";
    } else if (goals.empty()) {
      message += " (the goals section defines none)";
    } else {
      message += "; goals: " + JoinNames(goals);
    }
    YAML::Mark mark;
    mark.line = c.goal_place.line - 1;
    mark.column = c.goal_place.column - 1;
    ctx.diag.Add(mark, std::move(message));
  }
  std::vector<std::string_view> notifiers;
  for (const auto& n : config.notifiers) notifiers.push_back(n.name);
  for (size_t i = 0; i < config.alerts.size(); ++i) {
    const AlertRuleConfig& rule = config.alerts[i];
    for (size_t j = 0; j < rule.notifiers.size(); ++j) {
      const std::string& name = rule.notifiers[j];
      if (std::find(notifiers.begin(), notifiers.end(), name) != notifiers.end()) continue;
      std::string message = "alerts[" + std::to_string(i) + "].notifiers[" + std::to_string(j) +
                            "]: no notifier named " + Quote(name);
      if (auto near = Suggest(name, notifiers)) {
        message += " (did you mean " + Quote(*near) + "?)";
      } else if (notifiers.empty()) {
        message += " (the notifiers section defines none)";
      } else {
        message += "; notifiers: " + JoinNames(notifiers);
      }
      YAML::Mark mark;
      mark.line = rule.notifier_places[j].line - 1;
      mark.column = rule.notifier_places[j].column - 1;
      ctx.diag.Add(mark, std::move(message));
    }
  }
}

}  // namespace yardstick::config::internal
