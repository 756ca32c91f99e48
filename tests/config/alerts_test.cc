// The alerting and alerts sections: every field, and each kind of mistake with its line:column.
#include "alerts/alerts.h"

#include <gtest/gtest.h>

#include "config/config.h"
#include "config_test_util.h"
#include "kpi/kpi.h"

namespace yardstick::config {
namespace {

using testing::Errors;
using testing::Valid;

constexpr int64_t kSec = 1'000'000'000;

LoadOptions Checked() {
  LoadOptions o;
  o.builtin_kpi_names = kpi::BuiltinNames();
  o.check_template = alerts::TemplateProblem;
  return o;
}

TEST(AlertsConfig, AThresholdRuleWithEveryRuleKey) {
  const Config c = Valid(R"(notifiers:
  - {name: oncall, type: alertmanager, url: "http://127.0.0.1:9093/hook"}
  - {name: slack, type: slack, url: "https://hooks.slack.com/services/T/B/X"}
alerting:
  evaluation_interval: 15s
  external_url: https://yardstick.example.com
kpis:
  - {name: refusal_rate, type: ratio, numerator: {source: calls, filter: {finish_reason: content_filter}}, denominator: {source: calls}}
alerts:
  - name: HighLatencyP95
    project: shop
    condition: {type: threshold, kpi: latency_p95, op: ">=", value: 2500ms, bound: ci_low, min_samples: 50}
    window: 10m
    for: 5m
    keep_firing_for: 2m
    group_by: [model, route]
    filter: {environment: prod}
    labels: {severity: page, team: llm}
    annotations:
      summary: "p95 {{ $value | humanizeDuration }} on {{ $labels.model }}"
    notifiers: [oncall, slack]
  - name: Refusals
    condition: {type: threshold, kpi: refusal_rate, value: 5%}
)",
                         Checked());
  EXPECT_EQ(c.alerting.evaluation_interval_ns, 15 * kSec);
  EXPECT_EQ(c.alerting.external_url, "https://yardstick.example.com");
  ASSERT_EQ(c.alerts.size(), 2u);
  const AlertRuleConfig& r = c.alerts[0];
  EXPECT_EQ(r.name, "HighLatencyP95");
  EXPECT_EQ(r.project, "shop");
  EXPECT_EQ(r.condition.type, "threshold");
  EXPECT_EQ(r.condition.kpi, "latency_p95");
  EXPECT_EQ(r.condition.op, ">=");
  EXPECT_DOUBLE_EQ(r.condition.value, 2.5);
  EXPECT_EQ(r.condition.bound, "ci_low");
  EXPECT_EQ(r.condition.min_samples, 50);
  EXPECT_EQ(r.window_ns, 600 * kSec);
  EXPECT_EQ(r.for_ns, 300 * kSec);
  EXPECT_EQ(r.keep_firing_for_ns, 120 * kSec);
  EXPECT_EQ(r.group_by, (std::vector<std::string>{"model", "route"}));
  EXPECT_EQ(r.filter, (Filter{{"environment", "prod"}}));
  EXPECT_EQ(r.labels.size(), 2u);
  EXPECT_EQ(r.annotations[0].first, "summary");
  EXPECT_EQ(r.notifiers, (std::vector<std::string>{"oncall", "slack"}));
  EXPECT_EQ(r.place.line, 10);
  EXPECT_EQ(r.condition.kpi_place.line, 12);
  EXPECT_DOUBLE_EQ(c.alerts[1].condition.value, 0.05);
  EXPECT_EQ(c.alerts[1].condition.op, ">");
  EXPECT_EQ(c.alerts[1].window_ns, 300 * kSec);  // defaults
  EXPECT_EQ(c.alerts[1].for_ns, 0);
}

TEST(AlertsConfig, OtherConditionTypes) {
  const Config c = Valid(R"(alerts:
  - name: LatencyShift
    condition: {type: change, kpi: latency_mean, detector: cusum, step: 5m, mean: 1.2, sigma: 0.3, k: 0.5, h: 4, direction: up}
  - name: OutputLengthDrift
    condition: {type: drift, field: output_tokens, baseline: launch, test: psi, threshold: 0.2}
  - name: JudgeDrift
    condition: {type: drift, field: score_label, params: {name: judge}, baseline: launch, test: chi2, threshold: 0.01}
  - name: SlowerThanBaseline
    condition: {type: baseline, kpi: latency_p95, baseline: launch, change: +20%, significance: 0.01}
  - name: PhCost
    condition: {type: change, kpi: cost_total, detector: page_hinkley, delta: 0.01, threshold: 20, alpha: 1, min_instances: 10}
)",
                         Checked());
  ASSERT_EQ(c.alerts.size(), 5u);
  const auto& ch = c.alerts[0].condition;
  EXPECT_EQ(ch.detector, "cusum");
  EXPECT_EQ(ch.step_ns, 300 * kSec);
  EXPECT_DOUBLE_EQ(*ch.mean, 1.2);
  EXPECT_DOUBLE_EQ(*ch.sigma, 0.3);
  EXPECT_DOUBLE_EQ(ch.h, 4);
  EXPECT_EQ(ch.direction, "up");
  EXPECT_EQ(c.alerts[1].condition.test, "psi");
  EXPECT_DOUBLE_EQ(c.alerts[1].condition.drift_threshold, 0.2);
  EXPECT_EQ(c.alerts[2].condition.score_name, "judge");
  EXPECT_DOUBLE_EQ(c.alerts[3].condition.change, 0.2);
  EXPECT_DOUBLE_EQ(c.alerts[3].condition.significance, 0.01);
  EXPECT_DOUBLE_EQ(c.alerts[4].condition.threshold, 20);
  EXPECT_EQ(c.alerts[4].condition.min_instances, 10);
}

TEST(AlertsConfig, UnknownKpiIsALoadErrorAtItsPlace) {
  EXPECT_EQ(Errors("alerts:\n  - name: A\n    condition: {type: threshold, kpi: latency_p59, "
                   "value: 2s}\n",
                   Checked()),
            "<string>:3:39: alerts[0].condition.kpi: unknown KPI \"latency_p59\" (did you mean "
            "\"latency_p50\"?)");
  EXPECT_EQ(Errors("alerts:\n  - name: A\n    condition:\n      type: threshold\n      kpi: "
                   "happiness_index\n      value: 1\n",
                   Checked()),
            "<string>:5:12: alerts[0].condition.kpi: unknown KPI \"happiness_index\"; see GET "
            "/v1/kpis or docs/kpis.md for the catalog");
}

TEST(AlertsConfig, BadDurationsAndValues) {
  EXPECT_EQ(Errors("alerts:\n  - name: A\n    condition: {type: threshold, kpi: error_rate, "
                   "value: 0.1}\n    for: 5 minutes\n"),
            "<string>:4:10: alerts[0].for: expected a duration like 30s, 5m, 1h or 7d, got \"5 "
            "minutes\"");
  EXPECT_EQ(Errors("alerting: {evaluation_interval: 0s}\n"),
            "<string>:1:33: alerting.evaluation_interval: expected a duration like 30s, 5m, 1h "
            "or 7d (greater than 0), got \"0s\"");
  EXPECT_EQ(Errors("alerts:\n  - name: A\n    condition: {type: threshold, kpi: error_rate, "
                   "value: lots}\n"),
            "<string>:3:58: alerts[0].condition.value: expected a number, a duration in seconds "
            "(2s, 500ms) or a percentage (5%), got \"lots\"");
  EXPECT_EQ(Errors("alerts:\n  - name: A\n    condition: {type: change, kpi: error_rate, "
                   "detector: cusum, step: 90s}\n"),
            "<string>:3:71: alerts[0].condition.step: the step must be a whole number of "
            "minutes");
}

TEST(AlertsConfig, BadTemplateIsALoadError) {
  EXPECT_EQ(Errors("alerts:\n  - name: A\n    condition: {type: threshold, kpi: error_rate, "
                   "value: 0.1}\n    annotations:\n      summary: \"rate {{ $value | humanise "
                   "}}\"\n",
                   Checked()),
            "<string>:5:16: alerts[0].annotations.summary: invalid template: unknown function "
            "\"humanise\" (at offset 5); functions: humanize, humanizePercentage, "
            "humanizeDuration, printf");
  EXPECT_EQ(Errors("alerts:\n  - name: A\n    condition: {type: threshold, kpi: error_rate, "
                   "value: 0.1}\n    annotations: {summary: \"{{ $value\"}\n",
                   Checked()),
            "<string>:4:28: alerts[0].annotations.summary: invalid template: unclosed {{ (at "
            "offset 0)");
}

TEST(AlertsConfig, UnknownKeysAndKeysOfAnotherConditionType) {
  EXPECT_EQ(Errors("alerts:\n  - name: A\n    condition: {type: threshold, kpi: error_rate, "
                   "value: 0.1}\n    keep_firing: 5m\n"),
            "<string>:4:5: unknown key \"keep_firing\" in alerts[0] (did you mean "
            "\"keep_firing_for\"?)");
  EXPECT_EQ(Errors("alerts:\n  - name: A\n    condition: {type: treshold, kpi: error_rate}\n"),
            "<string>:3:23: alerts[0].condition.type: expected one of threshold, baseline, "
            "burn_rate, change, drift, got \"treshold\" (did you mean \"threshold\"?)");
  EXPECT_EQ(Errors("alerts:\n  - name: A\n    condition: {type: threshold, kpi: error_rate, "
                   "value: 0.1, detector: cusum}\n"),
            "<string>:3:63: alerts[0].condition: type threshold takes no \"detector\"; it takes "
            "bound, kpi, min_samples, op, params, value");
  EXPECT_EQ(Errors("alerts:\n  - name: A\n"),
            "<string>:2:5: alerts[0]: missing required key \"condition\"");
  EXPECT_EQ(Errors("alerts:\n  - condition: {type: threshold, kpi: error_rate}\n"),
            "<string>:2:5: alerts[0]: missing required key \"name\"\n"
            "<string>:2:16: alerts[0].condition: missing required key \"value\"");
}

TEST(AlertsConfig, NamesLabelsGroupsAndFilters) {
  EXPECT_EQ(Errors("alerts:\n  - {name: high-latency, condition: {type: threshold, kpi: "
                   "error_rate, value: 1}}\n"),
            "<string>:2:12: alerts[0].name: expected an alert name like HighLatency "
            "([A-Za-z_][A-Za-z0-9_]*), got \"high-latency\"");
  EXPECT_EQ(Errors("alerts:\n  - {name: A, condition: {type: threshold, kpi: error_rate, value: "
                   "1}}\n  - {name: A, condition: {type: threshold, kpi: error_rate, value: 1}}\n"),
            "<string>:3:12: alerts[1].name: alert \"A\" is already defined at 2:12");
  EXPECT_EQ(Errors("alerts:\n  - name: A\n    condition: {type: threshold, kpi: error_rate, "
                   "value: 1}\n    group_by: [modle]\n    labels: {alertname: x, \"bad-name\": "
                   "y}\n    filter: {region: eu}\n"),
            "<string>:4:16: alerts[0].group_by[0]: expected one of model, route, prompt_version, "
            "variant, environment, got \"modle\" (did you mean \"model\"?)\n"
            "<string>:5:14: alerts[0].labels: alertname is set from the rule's name\n"
            "<string>:5:28: alerts[0].labels: \"bad-name\" is not a label name "
            "([A-Za-z_][A-Za-z0-9_]*)\n"
            "<string>:6:14: alerts[0].filter: cannot filter on \"region\"; dimensions: model, "
            "route, prompt_version, variant, environment");
}

TEST(AlertsConfig, BaselineAndGoalConditionsTakeTheirScope) {
  EXPECT_EQ(Errors("alerts:\n  - name: A\n    condition: {type: drift, field: latency, baseline: "
                   "b, test: ks}\n    group_by: [model]\n"),
            "<string>:4:15: alerts[0].group_by: a drift condition uses the scope of its baseline; "
            "group_by does not apply");
  EXPECT_EQ(Errors("alerts:\n  - name: A\n    condition: {type: drift, field: finish_reason, "
                   "baseline: b, test: ks}\n"),
            "<string>:3:71: alerts[0].condition.test: ks compares numeric distributions; "
            "finish_reason is categorical (use psi, js or chi2)");
}

TEST(AlertsConfig, NotifiersMustBeDefined) {
  const std::string rule =
      "alerts:\n  - name: A\n    condition: {type: threshold, kpi: error_rate, value: 1}\n"
      "    notifiers: [oncal, pager]\n";
  EXPECT_EQ(Errors("notifiers:\n  - {name: oncall, type: slack, url: \"http://x/hook\"}\n" + rule),
            "<string>:6:17: alerts[0].notifiers[0]: no notifier named \"oncal\" (did you mean "
            "\"oncall\"?)\n"
            "<string>:6:24: alerts[0].notifiers[1]: no notifier named \"pager\"; notifiers: "
            "oncall");
  EXPECT_EQ(Errors(rule),
            "<string>:4:17: alerts[0].notifiers[0]: no notifier named \"oncal\" (the notifiers "
            "section defines none)\n"
            "<string>:4:24: alerts[0].notifiers[1]: no notifier named \"pager\" (the notifiers "
            "section defines none)");
}

TEST(AlertsConfig, BurnRateNamesADefinedGoal) {
  const std::string goals =
      "goals:\n  - {name: fast_answers, kpi: latency_p95, scope: {project: shop}, target: "
      "\"<= 2s\"}\n";
  const std::string rule =
      "alerts:\n  - name: A\n    condition: {type: burn_rate, goal: fast_answer, burn_rate: "
      "14.4}\n    window: 1h\n";
  EXPECT_EQ(Errors(goals + rule),
            "<string>:5:40: alerts[0].condition.goal: no goal named \"fast_answer\" (did you "
            "mean \"fast_answers\"?)");
  const Config c = Valid(goals +
                         "alerts:\n  - name: A\n    condition: {type: burn_rate, goal: "
                         "fast_answers, burn_rate: 14.4}\n");
  ASSERT_EQ(c.alerts.size(), 1u);
  EXPECT_DOUBLE_EQ(c.alerts[0].condition.value, 14.4);
}

TEST(AlertsConfig, DriftOnAScoreNeedsItsName) {
  EXPECT_EQ(Errors("alerts:\n  - name: A\n    condition: {type: drift, field: score_value, "
                   "baseline: b, test: ks}\n"),
            "<string>:3:16: alerts[0].condition: field score_value needs the score's name in "
            "params (params: {name: <score>})");
}

}  // namespace
}  // namespace yardstick::config
