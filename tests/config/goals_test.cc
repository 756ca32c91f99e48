// The goals and schedules sections: values read, and problems reported at their place.

#include <gtest/gtest.h>

#include "config/config_test_util.h"

namespace yardstick::config {
namespace {

using testing::Errors;
using testing::Valid;

LoadOptions WithBuiltins() {
  LoadOptions o;
  o.builtin_kpi_names = {"csat", "latency_p95", "error_rate", "score_mean"};
  o.builtin_kpi_units = {
      {"csat", "score"}, {"latency_p95", "s"}, {"error_rate", "ratio"}, {"score_mean", "score"}};
  return o;
}

TEST(GoalsConfig, ReadsGoalsAndSchedules) {
  const Config c = Valid(R"(notifiers:
  - {name: ops, type: webhook, url: "http://127.0.0.1:9/hook"}
goals:
  - name: p95
    kpi: latency_p95
    scope: {project: shop, model: gpt-4o, variant: b}
    target: "<= 1500ms"
    window: 1d
    confidence: 0.9
    min_samples: 50
  - name: quality
    kpi: score_mean
    params: {name: helpfulness}
    scope: {project: shop}
    target: {op: ">", value: 0.8}
schedules:
  - name: weekly_quality
    schedule: "*/15 9-17 * * 1-5"
    timezone: "+02:00"
    project: shop
    kpis:
      - {kpi: latency_p95, scope: {route: chat}, baseline: march}
      - error_rate
    goals: [p95]
    notify: [ops]
    alpha: 0.01
)");
  ASSERT_EQ(c.goals.size(), 2u);
  EXPECT_EQ(c.goals[0].op, "<=");
  EXPECT_DOUBLE_EQ(c.goals[0].target, 1.5);
  EXPECT_TRUE(c.goals[0].target_is_duration);
  EXPECT_EQ(c.goals[0].project, "shop");
  EXPECT_EQ(c.goals[0].scope, (Filter{{"model", "gpt-4o"}, {"variant", "b"}}));
  EXPECT_EQ(c.goals[0].window_ns, 86'400'000'000'000);
  EXPECT_EQ(c.goals[0].min_samples, 50);
  EXPECT_EQ(c.goals[1].op, ">");
  EXPECT_EQ(c.goals[1].params, (Filter{{"name", "helpfulness"}}));
  ASSERT_EQ(c.schedules.size(), 1u);
  EXPECT_EQ(c.schedules[0].utc_offset_minutes, 120);
  ASSERT_EQ(c.schedules[0].kpis.size(), 2u);
  EXPECT_EQ(c.schedules[0].kpis[0].baseline, "march");
  EXPECT_EQ(c.schedules[0].kpis[1].kpi, "error_rate");
  EXPECT_DOUBLE_EQ(c.schedules[0].alpha, 0.01);
}

TEST(GoalsConfig, ProblemsAtTheirPlace) {
  EXPECT_EQ(Errors("goals:\n  - name: g\n    kpi: csat\n    scope: {model: x}\n    target: "
                   "\">= 4\"\n"),
            "<string>:4:12: goals[0].scope: missing required key \"project\"");
  EXPECT_EQ(Errors("goals:\n  - name: g\n    kpi: csat\n    scope: {project: p}\n    target: "
                   "\">= 4\"\n    window: 30s\n"),
            "<string>:6:13: goals[0].window: expected a duration of at least a minute (1h, 7d, "
            "4w), got \"30s\"");
  EXPECT_EQ(Errors("goals:\n  - name: g\n    kpi: score_mean\n    scope: {project: p}\n    "
                   "target: \">= 4\"\n",
                   WithBuiltins()),
            "<string>:3:10: goals[0]: KPI \"score_mean\" needs params.name (the score's name)");
  EXPECT_EQ(Errors("goals:\n  - name: g\n    kpi: csat\n    scope: {project: p, "
                   "attributes.x: y}\n    target: \">= 4\"\n",
                   WithBuiltins()),
            "<string>:3:10: goals[0].scope: \"attributes.x\" needs a user-defined KPI (built-in "
            "KPI \"csat\" is computed from rollups by model, route, prompt_version, variant and "
            "environment)");
  EXPECT_EQ(Errors("schedules:\n  - name: s\n    schedule: daily\n    timezone: Europe/Paris\n"
                   "    project: p\n    kpis: [csat]\n"),
            "<string>:4:15: schedules[0].timezone: expected UTC or a fixed offset like +02:00 or "
            "-05:30, got 'Europe/Paris' (fixed offsets only: no daylight saving)");
  EXPECT_EQ(Errors("schedules:\n  - name: s\n    schedule: daily\n    project: p\n"
                   "    kpis: [csat]\n    notify: [opps]\nnotifiers:\n  - {name: ops, type: "
                   "webhook, url: \"http://127.0.0.1:9/h\"}\n"),
            "<string>:6:14: schedules[0].notify[0]: no notifier named \"opps\" (did you mean "
            "\"ops\"?)");
  EXPECT_EQ(Errors("schedules:\n  - name: s\n    schedule: \"0 0 30 2 *\"\n    project: p\n"
                   "    kpis: [csat]\n"),
            "<string>:3:15: schedules[0].schedule: '0 0 30 2 *' never fires (no month has that "
            "day)");
}

}  // namespace
}  // namespace yardstick::config
