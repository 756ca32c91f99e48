// The `kpis:` section: each KPI type, filters by source, and their errors.
#include <gtest/gtest.h>

#include <string>

#include "config/config.h"
#include "config_test_util.h"

namespace yardstick::config {
namespace {

using testing::Errors;
using testing::Valid;

TEST(ConfigKpis, EveryTypeLoads) {
  const Config c = Valid(R"(kpis:
  - name: accept_rate
    description: Accepted answers per chat call
    unit: ratio
    type: ratio
    numerator: {source: outcomes, filter: {name: accepted}}
    denominator:
      source: calls
      filter: {operation: chat, status: ok, attributes.tenant: acme}
  - name: p90_latency
    direction: lower
    type: quantile
    source: calls
    field: latency
    quantile: 0.9
  - {name: judge_mean, type: mean, source: scores, field: value,
     filter: {name: faithfulness, source: judge, label: pass, author: gpt}}
  - {name: spend, type: sum, source: calls, field: cost}
  - {name: refunds, type: count, source: outcomes, filter: {name: refund}}
  - {name: error_calls_per_second, type: rate, source: calls, filter: {status: error}}
)");
  ASSERT_EQ(c.kpis.size(), 6u);
  const KpiConfig& r = c.kpis[0];
  EXPECT_EQ(r.name, "accept_rate");
  EXPECT_EQ(r.description, "Accepted answers per chat call");
  EXPECT_EQ(r.unit, "ratio");
  EXPECT_EQ(r.direction, "higher");
  EXPECT_EQ(r.type, "ratio");
  EXPECT_EQ(r.source, "");
  EXPECT_EQ(r.numerator.source, "outcomes");
  EXPECT_EQ(r.numerator.filter, (Filter{{"name", "accepted"}}));
  EXPECT_EQ(r.denominator.source, "calls");
  EXPECT_EQ(r.denominator.filter,
            (Filter{{"operation", "chat"}, {"status", "ok"}, {"attributes.tenant", "acme"}}));
  EXPECT_EQ(r.line, 2);
  EXPECT_EQ(r.column, 5);

  const KpiConfig& q = c.kpis[1];
  EXPECT_EQ(q.direction, "lower");
  EXPECT_EQ(q.type, "quantile");
  EXPECT_EQ(q.source, "calls");
  EXPECT_EQ(q.field, "latency");
  EXPECT_EQ(q.quantile, 0.9);
  EXPECT_EQ(q.line, 10);
  EXPECT_EQ(q.column, 5);

  EXPECT_EQ(
      c.kpis[2].filter,
      (Filter{
          {"name", "faithfulness"}, {"source", "judge"}, {"label", "pass"}, {"author", "gpt"}}));
  EXPECT_EQ(c.kpis[2].field, "value");
  EXPECT_EQ(c.kpis[2].line, 16);
  EXPECT_EQ(c.kpis[2].column, 5);
  EXPECT_EQ(c.kpis[3].field, "cost");
  EXPECT_EQ(c.kpis[3].quantile, 0.5);
  EXPECT_EQ(c.kpis[4].source, "outcomes");
  EXPECT_EQ(c.kpis[5].filter, (Filter{{"status", "error"}}));
}

TEST(ConfigKpis, BuiltinNamesFromLoadOptions) {
  LoadOptions options;
  options.builtin_kpi_names = {"error_rate", "calls"};
  EXPECT_EQ(Errors("kpis:\n  - {name: calls, type: count, source: calls}\n", options),
            "<string>:2:12: kpis[0].name: \"calls\" is the name of a built-in KPI; choose another "
            "name");
  // Without the list the clash is left to Validate() / the KPI engine.
  EXPECT_EQ(Valid("kpis:\n  - {name: calls, type: count, source: calls}\n").kpis.size(), 1u);
}

TEST(ConfigKpis, RequiredKeys) {
  EXPECT_EQ(Errors("kpis:\n  - {type: count, source: calls}\n"),
            "<string>:2:5: kpis[0]: missing required key \"name\"");
  EXPECT_EQ(Errors("kpis:\n  - {name: a, source: calls}\n"),
            "<string>:2:5: kpis[0]: missing required key \"type\"");
  EXPECT_EQ(Errors("kpis:\n  - {name: a, type: count}\n"),
            "<string>:2:5: kpis[0]: missing required key \"source\"");
  EXPECT_EQ(Errors("kpis:\n  - {name: a, type: mean, source: calls}\n"),
            "<string>:2:5: kpis[0]: missing required key \"field\"");
  EXPECT_EQ(Errors("kpis:\n  - name: a\n    type: ratio\n    numerator: {source: calls}\n"),
            "<string>:2:5: kpis[0]: missing required key \"denominator\"");
  EXPECT_EQ(Errors("kpis:\n  - name: a\n    type: ratio\n    numerator: {filter: {model: x}}\n"
                   "    denominator: {source: calls}\n"),
            "<string>:4:16: kpis[0].numerator: missing required key \"source\"");
}

TEST(ConfigKpis, KeysThatTheTypeDoesNotUse) {
  EXPECT_EQ(Errors("kpis:\n  - name: a\n    type: ratio\n    source: calls\n"
                   "    numerator: {source: calls}\n    denominator: {source: calls}\n"),
            "<string>:4:13: kpis[0].source: type ratio counts numerator and denominator records; "
            "give each its own source and filter");
  EXPECT_EQ(Errors("kpis:\n  - {name: a, type: count, source: calls, field: latency}\n"),
            "<string>:2:50: kpis[0].field: type count counts records; it takes no field");
  EXPECT_EQ(Errors("kpis:\n  - {name: a, type: mean, source: calls, field: cost, quantile: 0.5}\n"),
            "<string>:2:65: kpis[0].quantile: only type quantile takes a quantile");
  EXPECT_EQ(Errors("kpis:\n  - {name: a, type: sum, source: calls, field: cost,\n"
                   "     numerator: {source: calls}}\n"),
            "<string>:3:17: kpis[0].numerator: only type ratio has a numerator and denominator");
}

TEST(ConfigKpis, FieldsDependOnTheSource) {
  EXPECT_EQ(Errors("kpis:\n  - {name: a, type: mean, source: calls, field: value}\n"),
            "<string>:2:49: kpis[0].field: expected one of latency, ttft, input_tokens, "
            "output_tokens, cost, got \"value\"");
  EXPECT_EQ(Errors("kpis:\n  - {name: a, type: mean, source: scores, field: latency}\n"),
            "<string>:2:50: kpis[0].field: expected one of value, got \"latency\"");
  EXPECT_EQ(Errors("kpis:\n  - {name: a, type: sum, source: calls, field: cots}\n"),
            "<string>:2:48: kpis[0].field: expected one of latency, ttft, input_tokens, "
            "output_tokens, cost, got \"cots\" (did you mean \"cost\"?)");
}

TEST(ConfigKpis, Quantile) {
  for (const char* bad : {"0", "1", "1.5", "-0.1"}) {
    EXPECT_EQ(Errors(std::string("kpis:\n  - {name: a, type: quantile, source: calls, "
                                 "field: ttft, quantile: ") +
                     bad + "}\n"),
              std::string("<string>:2:69: kpis[0].quantile: expected a number between 0 and 1 "
                          "(exclusive), got ") +
                  bad);
  }
  EXPECT_EQ(Errors("kpis:\n  - {name: a, type: quantile, source: calls, field: ttft, quantile: "
                   "p95}\n"),
            "<string>:2:69: kpis[0].quantile: expected a number, got \"p95\"");
  EXPECT_EQ(Valid("kpis:\n  - {name: a, type: quantile, source: calls, field: ttft, quantile: "
                  "0.999}\n")
                .kpis.at(0)
                .quantile,
            0.999);
}

TEST(ConfigKpis, FilterFieldsDependOnTheSource) {
  EXPECT_EQ(Errors("kpis:\n  - {name: a, type: count, source: scores, filter: {model: x}}\n"),
            "<string>:2:53: kpis[0].filter: cannot filter scores on \"model\"; fields: name, "
            "source, label, author");
  EXPECT_EQ(Errors("kpis:\n  - {name: a, type: count, source: calls, filter: {modle: x}}\n"),
            "<string>:2:52: kpis[0].filter: cannot filter calls on \"modle\" (did you mean "
            "\"model\"?)");
  EXPECT_EQ(Errors("kpis:\n  - {name: a, type: count, source: outcomes, filter: "
                   "{attributes.x: y}}\n"),
            "<string>:2:55: kpis[0].filter: cannot filter outcomes on \"attributes.x\"; fields: "
            "name");
  EXPECT_EQ(Errors("kpis:\n  - {name: a, type: count, source: calls, filter: {attributes.: y}}\n"),
            "<string>:2:52: kpis[0].filter: cannot filter calls on \"attributes.\"; fields: "
            "model, request_model, response_model, provider, operation, route, prompt_name, "
            "prompt_version, release, variant, environment, service, status, finish_reason, "
            "error_type, attributes.<key>");
  EXPECT_EQ(Errors("kpis:\n  - {name: a, type: count, source: calls, filter: {status: failed}}\n"),
            "<string>:2:60: kpis[0].filter.status: expected one of ok, error, unset, got "
            "\"failed\"");
  EXPECT_EQ(Errors("kpis:\n  - {name: a, type: count, source: calls, filter: {route: [a, b]}}\n"),
            "<string>:2:59: kpis[0].filter.route: expected a string, got a list");
  EXPECT_EQ(Errors("kpis:\n  - {name: a, type: count, source: calls, filter: [route]}\n"),
            "<string>:2:51: kpis[0].filter: expected a mapping, got a list");
  // Scores may filter on their own `source` (who gave the score).
  EXPECT_EQ(Valid("kpis:\n  - {name: a, type: count, source: scores, filter: {source: user}}\n")
                .kpis.at(0)
                .filter,
            (Filter{{"source", "user"}}));
}

TEST(ConfigKpis, NamesAndDirection) {
  EXPECT_EQ(Errors("kpis:\n  - {name: 9lives, type: count, source: calls}\n"),
            "<string>:2:12: kpis[0].name: expected a name like answer_accept_rate "
            "([a-z][a-z0-9_]*), got \"9lives\"");
  EXPECT_EQ(Errors("kpis:\n  - {name: a, direction: up, type: count, source: calls}\n"),
            "<string>:2:26: kpis[0].direction: expected one of higher, lower, got \"up\"");
  EXPECT_EQ(Errors("kpis:\n  - {name: a, type: median, source: calls}\n"),
            "<string>:2:21: kpis[0].type: expected one of ratio, mean, quantile, sum, count, "
            "rate, got \"median\" (did you mean \"mean\"?)");
}

}  // namespace
}  // namespace yardstick::config
