// The `escalations` section: per-conversation rules that hand a conversation to a human through
// a notifier (docs/notifications.md). Each rule has exactly one condition key.
#include <array>
#include <map>
#include <string>

#include "config/sections.h"

namespace yardstick::config::internal {
namespace {

constexpr std::array<std::string_view, 5> kConditions = {"score", "human_request", "failed_calls",
                                                         "max_turns", "max_duration"};

void ReadScoreCondition(const Field& f, Context& ctx, EscalationRuleConfig& rule, bool& ok) {
  static constexpr std::array<std::string_view, 6> kKeys = {"name",  "source", "equals",
                                                            "below", "above",  "label"};
  MapReader map(f, ctx.diag, kKeys);
  if (!map.is_mapping()) {
    ok = false;
    return;
  }
  if (!map.Has("name")) {
    ok = map.Missing("name");
  } else if (!map.String("name", rule.score_name) || rule.score_name.empty()) {
    if (rule.score_name.empty()) ctx.diag.Add(f.mark, f.path + ".name: expected a score name");
    ok = false;
  }
  map.String("source", rule.score_source);
  int tests = 0;
  for (const auto& [key, slot] :
       {std::pair{"equals", &rule.equals}, {"below", &rule.below}, {"above", &rule.above}}) {
    if (auto v = map.Get(key)) {
      ++tests;
      if (auto number = ReadNumber(*v, ctx.diag)) {
        *slot = *number;
      } else {
        ok = false;
      }
    }
  }
  if (map.Has("label")) {
    ++tests;
    ok = map.String("label", rule.score_label) && ok;
  }
  if (tests != 1 && map.Has("name")) {
    ctx.diag.Add(f.mark, f.path + ": give exactly one of equals, below, above or label (got " +
                             std::to_string(tests) + ")");
    ok = false;
  }
}

void ReadHumanRequest(const Field& f, Context& ctx, EscalationRuleConfig& rule, bool& ok) {
  static constexpr std::array<std::string_view, 2> kKeys = {"phrases", "regex"};
  MapReader map(f, ctx.diag, kKeys);
  if (!map.is_mapping()) {
    ok = false;
    return;
  }
  if (auto phrases = map.Get("phrases")) {
    ForEachItem(*phrases, ctx.diag, [&](const Field& item) {
      auto phrase = ReadString(item, ctx.diag);
      if (!phrase || phrase->empty()) {
        if (phrase) ctx.diag.Add(item.mark, item.path + ": expected a phrase, got \"\"");
        ok = false;
        return;
      }
      rule.phrases.push_back(std::move(*phrase));
    });
  }
  if (auto regex = map.Get("regex")) {
    if (map.String("regex", rule.regex)) {
      if (auto problem = RegexProblem(rule.regex, true)) {
        ctx.diag.Add(regex->mark, regex->path + ": " + *problem);
        ok = false;
      }
    } else {
      ok = false;
    }
  }
  if (rule.phrases.empty() && rule.regex.empty() && ok) {
    ctx.diag.Add(f.mark, f.path + ": give phrases (a list) or a regex to match in call inputs");
    ok = false;
  }
}

}  // namespace

void ReadEscalations(const Field& f, Context& ctx, std::vector<EscalationRuleConfig>& out) {
  static constexpr std::array<std::string_view, 10> kKeys = {
      "name",          "notifier",     "projects",  "recent_messages", "score",
      "human_request", "failed_calls", "max_turns", "max_duration",    "description"};
  std::map<std::string, Field> names;
  ForEachItem(f, ctx.diag, [&](const Field& item) {
    MapReader map(item, ctx.diag, kKeys);
    if (!map.is_mapping()) return;
    EscalationRuleConfig rule;
    rule.line = item.mark.line + 1;
    rule.column = item.mark.column + 1;
    bool ok = true;
    if (auto name = map.Get("name")) {
      if (!map.String("name", rule.name)) {
        ok = false;
      } else if (!IsSnakeName(rule.name)) {
        ctx.diag.Add(name->mark, name->path + ": expected a rule name ([a-z][a-z0-9_]*), got " +
                                     Quote(rule.name));
        ok = false;
      } else if (auto [it, inserted] = names.emplace(rule.name, *name); !inserted) {
        ctx.diag.Add(name->mark, name->path + ": escalation rule " + Quote(rule.name) +
                                     " is already defined at " + PlaceOf(it->second));
        ok = false;
      }
    } else {
      ok = map.Missing("name");
    }
    if (map.Has("notifier")) {
      ok = map.String("notifier", rule.notifier) && ok;
    } else {
      ok = map.Missing("notifier");
    }
    if (auto projects = map.Get("projects")) {
      ForEachItem(*projects, ctx.diag, [&](const Field& p) {
        auto project = ReadString(p, ctx.diag);
        if (project && IsProjectName(*project)) {
          rule.projects.push_back(std::move(*project));
        } else {
          if (project) {
            ctx.diag.Add(p.mark, p.path + ": expected a project name, got " + Quote(*project));
          }
          ok = false;
        }
      });
    }
    if (map.Has("recent_messages")) {
      ok = map.Integer("recent_messages", 0, 1000, rule.recent_messages) && ok;
    }
    std::vector<std::string> given;
    for (const auto& c : kConditions) {
      if (map.Has(c)) given.emplace_back(c);
    }
    if (given.size() != 1) {
      ctx.diag.Add(item.mark,
                   item.path + ": a rule needs exactly one condition (" + JoinNames(kConditions) +
                       "), got " +
                       (given.empty() ? std::string("none") : std::to_string(given.size())));
      ok = false;
    } else {
      rule.condition = given[0];
      const Field cf = *map.Get(rule.condition);
      if (rule.condition == "score") {
        ReadScoreCondition(cf, ctx, rule, ok);
      } else if (rule.condition == "human_request") {
        ReadHumanRequest(cf, ctx, rule, ok);
      } else if (rule.condition == "failed_calls") {
        ok = map.Integer("failed_calls", 1, 1'000'000, rule.failed_calls) && ok;
      } else if (rule.condition == "max_turns") {
        ok = map.Integer("max_turns", 1, 1'000'000, rule.max_turns) && ok;
      } else {
        ok = ReadDuration(map, "max_duration", false, ctx.diag, rule.max_duration_ns) && ok;
      }
    }
    if (ok) out.push_back(std::move(rule));
  });
}

void CheckEscalationReferences(const Field& escalations, Context& ctx, const Config& config) {
  if (!escalations.value.IsSequence()) return;
  std::vector<std::string_view> names;
  for (const auto& n : config.notifiers) names.push_back(n.name);
  for (size_t i = 0; i < escalations.value.size(); ++i) {
    const YAML::Node node = escalations.value[i];
    if (!node.IsMap() || !node["notifier"] || !node["notifier"].IsScalar()) continue;
    const std::string notifier = node["notifier"].Scalar();
    if (std::find(names.begin(), names.end(), notifier) != names.end()) continue;
    std::string message = "escalations[" + std::to_string(i) + "].notifier: " + Quote(notifier) +
                          " is not a notifier defined in the notifiers section";
    if (auto near = Suggest(notifier, names)) message += " (did you mean " + Quote(*near) + "?)";
    ctx.diag.Add(node["notifier"].Mark(), std::move(message));
  }
}

}  // namespace yardstick::config::internal
