// Every kind of configuration error, with its exact line:column and message.
#include <gtest/gtest.h>

#include <string>

#include "config/config.h"
#include "config_test_util.h"

namespace yardstick::config {
namespace {

using testing::Errors;
using testing::Valid;

TEST(ConfigErrors, YamlSyntaxErrorHasTheParsersPlace) {
  auto r = LoadString("server:\n  threads: [1, 2\nstorage: {}\n");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), ErrorCode::kParse);
  EXPECT_EQ(r.error().message(), "<string>:3:8: YAML syntax error: end of sequence flow not found");
  EXPECT_EQ(Errors("server:\n  threads: 1\n   listen: x\n"),
            "<string>:3:10: YAML syntax error: illegal map value");
}

TEST(ConfigErrors, OneDocumentOnly) {
  EXPECT_EQ(Errors("server: {threads: 2}\n---\nserver: {threads: 3}\n"),
            "<string>:2:1: expected one YAML document; a second one starts here");
  // Empty documents after the first are harmless.
  EXPECT_EQ(Valid("server: {threads: 2}\n---\n").server.threads, 2);
  // yaml-cpp 0.7's LoadAll would loop forever on this stream.
  auto r = LoadString(",\n");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), ErrorCode::kParse);
  EXPECT_EQ(r.error().message(), "<string>:1:1: YAML syntax error: unexpected \",\"");
  EXPECT_EQ(Errors("server: {threads: 2}\n---\n, x\n"),
            "<string>:3:1: YAML syntax error: unexpected \",\"");
}

TEST(ConfigErrors, TopLevelMustBeAMapping) {
  EXPECT_EQ(Errors("- server\n- storage\n"),
            "<string>:1:1: expected a mapping of sections (server, storage, auth, redaction, "
            "pricing, kpis), got a list");
}

TEST(ConfigErrors, UnknownKeysSuggestTheClosestKnownKey) {
  EXPECT_EQ(Errors("sever:\n  threads: 2\n"),
            "<string>:1:1: unknown key \"sever\" at the top level (did you mean \"server\"?)");
  EXPECT_EQ(Errors("server:\n  listen_prot: 80\n"),
            "<string>:2:3: unknown key \"listen_prot\" in server (did you mean \"listen_port\"?)");
  EXPECT_EQ(Errors("storage:\n  retention:\n    raw_day: 3\n"),
            "<string>:3:5: unknown key \"raw_day\" in storage.retention (did you mean "
            "\"raw_days\"?)");
  EXPECT_EQ(Errors("auth:\n  projects:\n    - name: a\n      key: K\n"),
            "<string>:3:7: auth.projects[0]: missing required key \"key_env\"\n"
            "<string>:4:7: unknown key \"key\" in auth.projects[0] (did you mean \"key_env\"?)");
}

TEST(ConfigErrors, UnknownKeyFarFromAnyListsTheKnownKeys) {
  EXPECT_EQ(Errors("storage:\n  compression: zstd\n"),
            "<string>:2:3: unknown key \"compression\" in storage; expected one of backend, "
            "sqlite, clickhouse, retention");
}

TEST(ConfigErrors, DuplicateKeysAreReportedAtTheSecond) {
  EXPECT_EQ(Errors("server:\n  threads: 2\n  threads: 4\n"),
            "<string>:3:3: duplicate key \"threads\" in server (first defined at 2:3)");
  EXPECT_EQ(Errors("server: {threads: 2}\nserver: {threads: 3}\n"),
            "<string>:2:1: duplicate key \"server\" at the top level (first defined at 1:1)");
  EXPECT_EQ(
      Errors("kpis:\n  - {name: a, type: count, source: calls, filter: {route: x, route: y}}\n"),
      "<string>:2:62: duplicate key \"route\" in kpis[0].filter (first defined at 2:52)");
}

TEST(ConfigErrors, IntegersMustBePlainIntegers) {
  EXPECT_EQ(Errors("server:\n  threads: eight\n"),
            "<string>:2:12: server.threads: expected an integer from 1 to 256, got \"eight\"");
  EXPECT_EQ(Errors("server:\n  threads: \"8\"\n"),
            "<string>:2:12: server.threads: expected an integer from 1 to 256, got the string "
            "\"8\"");
  EXPECT_EQ(Errors("server:\n  threads: 2.5\n"),
            "<string>:2:12: server.threads: expected an integer from 1 to 256, got \"2.5\"");
  EXPECT_EQ(Errors("server:\n  threads: [1]\n"),
            "<string>:2:12: server.threads: expected an integer from 1 to 256, got a list");
  // An empty value is reported at its key (yaml-cpp marks it at the next token).
  EXPECT_EQ(Errors("server:\n  threads:\n  log_level: info\n"),
            "<string>:2:3: server.threads: expected an integer from 1 to 256, got an empty value");
}

TEST(ConfigErrors, Ranges) {
  EXPECT_EQ(Errors("server:\n  listen_port: 70000\n"),
            "<string>:2:16: server.listen_port: expected an integer from 1 to 65535, got 70000");
  EXPECT_EQ(Errors("server:\n  listen_port: 0\n"),
            "<string>:2:16: server.listen_port: expected an integer from 1 to 65535, got 0");
  EXPECT_EQ(Errors("server:\n  threads: 257\n"),
            "<string>:2:12: server.threads: expected an integer from 1 to 256, got 257");
  EXPECT_EQ(Errors("server:\n  limits: {max_body_bytes: 0}\n"),
            "<string>:2:28: server.limits.max_body_bytes: expected an integer from 1 to "
            "9007199254740992, got 0");
  EXPECT_EQ(Errors("server:\n  limits: {max_attributes: -1}\n"),
            "<string>:2:28: server.limits.max_attributes: expected an integer from 1 to "
            "9007199254740992, got -1");
  EXPECT_EQ(Errors("storage:\n  retention: {raw_days: 0}\n"),
            "<string>:2:25: storage.retention.raw_days: expected an integer from 1 to "
            "2147483647, got 0");
  EXPECT_EQ(Errors("storage:\n  retention: {hour_rollup_days: 99999999999999999999}\n"),
            "<string>:2:33: storage.retention.hour_rollup_days: expected an integer from 1 to "
            "2147483647, got 99999999999999999999");
}

TEST(ConfigErrors, BooleansAreTrueOrFalse) {
  EXPECT_EQ(Errors("redaction:\n  email: yes\n"),
            "<string>:2:10: redaction.email: expected true or false, got \"yes\"");
  EXPECT_EQ(Errors("redaction:\n  enabled: 'true'\n"),
            "<string>:2:12: redaction.enabled: expected true or false, got the string \"true\"");
  EXPECT_EQ(Errors("redaction:\n  ip: 1\n"),
            "<string>:2:7: redaction.ip: expected true or false, got \"1\"");
}

TEST(ConfigErrors, EnumsListTheAllowedValues) {
  EXPECT_EQ(Errors("server:\n  log_format: xml\n"),
            "<string>:2:15: server.log_format: expected one of json, text, got \"xml\"");
  EXPECT_EQ(Errors("server:\n  log_level: warning\n"),
            "<string>:2:14: server.log_level: expected one of debug, info, warn, error, got "
            "\"warning\" (did you mean \"warn\"?)");
  EXPECT_EQ(Errors("storage:\n  backend: postgres\n"),
            "<string>:2:12: storage.backend: expected one of sqlite, clickhouse, got \"postgres\"");
  EXPECT_EQ(Errors("storage:\n  sqlite: {synchronous: off}\n"),
            "<string>:2:25: storage.sqlite.synchronous: expected one of full, normal, got \"off\"");
}

TEST(ConfigErrors, SectionsMustBeMappingsAndListsLists) {
  EXPECT_EQ(Errors("server: 5\n"), "<string>:1:9: server: expected a mapping, got \"5\"");
  EXPECT_EQ(Errors("kpis: {name: x}\n"), "<string>:1:7: kpis: expected a list, got a mapping");
  EXPECT_EQ(Errors("auth:\n  projects:\n    - web\n"),
            "<string>:3:7: auth.projects[0]: expected a mapping, got \"web\"");
}

TEST(ConfigErrors, Listen) {
  EXPECT_EQ(Errors("server:\n  listen: localhost\n"),
            "<string>:2:11: server.listen: expected host:port (e.g. 127.0.0.1:8080 or "
            "[::1]:8080), got \"localhost\"");
  EXPECT_EQ(Errors("server:\n  listen: ::1:8080\n"),
            "<string>:2:11: server.listen: expected host:port (e.g. 127.0.0.1:8080 or "
            "[::1]:8080), got \"::1:8080\" (IPv6 addresses need brackets)");
  EXPECT_EQ(Errors("server:\n  listen: host:http\n"),
            "<string>:2:11: server.listen: the port in \"host:http\" must be an integer from 1 to "
            "65535");
  EXPECT_EQ(Errors("server:\n  listen: :8080\n"),
            "<string>:2:11: server.listen: expected host:port (e.g. 127.0.0.1:8080 or "
            "[::1]:8080), got \":8080\"");
  EXPECT_EQ(Errors("server:\n  listen: 1.2.3.4:99999\n"),
            "<string>:2:11: server.listen: the port in \"1.2.3.4:99999\" must be an integer from 1 "
            "to 65535");
  EXPECT_EQ(Errors("server:\n  listen_port: 81\n  listen: a:80\n"),
            "<string>:3:11: server.listen: give either listen (host:port) or listen_host and "
            "listen_port, not both");
}

TEST(ConfigErrors, DuplicateNames) {
  EXPECT_EQ(Errors(R"(auth:
  projects:
    - {name: web, key_env: A}
    - {name: api, key_env: B}
    - {name: web, key_env: C}
)"),
            "<string>:5:14: auth.projects[2].name: project \"web\" is already defined at 3:14");
  EXPECT_EQ(Errors(R"(redaction:
  patterns:
    - {name: ticket, regex: 'T\d+'}
    - {name: ticket, regex: 'U\d+'}
)"),
            "<string>:4:14: redaction.patterns[1].name: pattern \"ticket\" is already defined at "
            "3:14");
  EXPECT_EQ(Errors(R"(kpis:
  - {name: k, type: count, source: calls}
  - {name: k, type: rate, source: calls}
)"),
            "<string>:3:12: kpis[1].name: KPI \"k\" is already defined at 2:12");
}

TEST(ConfigErrors, ProjectKeysAreDistinctEnvironmentVariables) {
  EXPECT_EQ(Errors("auth:\n  projects:\n    - {name: a, key_env: my-key}\n"),
            "<string>:3:26: auth.projects[0].key_env: expected the name of an environment "
            "variable ([A-Z_][A-Z0-9_]*), got \"my-key\" (the value itself is read from the "
            "environment, never from this file)");
  EXPECT_EQ(
      Errors("auth:\n  projects:\n    - {name: a, key_env: K}\n    - {name: b, key_env: K}\n"),
      "<string>:4:26: auth.projects[1].key_env: \"K\" is already the key of another project "
      "(at 3:26); each project needs its own");
  EXPECT_EQ(Errors("auth:\n  projects:\n    - {name: a, key_env: YARDSTICK_ADMIN_KEY}\n"),
            "<string>:3:26: auth.projects[0].key_env: \"YARDSTICK_ADMIN_KEY\" is the admin key's "
            "variable (auth.admin_key_env)");
  EXPECT_EQ(Errors("auth:\n  projects:\n    - {name: 'my project', key_env: K}\n"),
            "<string>:3:14: auth.projects[0].name: expected a project name "
            "([A-Za-z0-9][A-Za-z0-9_.-]*), got \"my project\"");
}

TEST(ConfigErrors, NoVariableExpansion) {
  EXPECT_EQ(Errors("auth:\n  admin_key_env: ${ADMIN}\n"),
            "<string>:2:18: auth.admin_key_env: \"${ADMIN}\" is not expanded: yardstick.yaml takes "
            "no ${VAR} substitution; put secrets in environment variables named by the *_env "
            "keys");
  EXPECT_EQ(Errors("server:\n  data_dir: ${HOME}/data\n"),
            "<string>:2:13: server.data_dir: \"${HOME}/data\" is not expanded: yardstick.yaml "
            "takes no ${VAR} substitution; put secrets in environment variables named by the "
            "*_env keys");
  EXPECT_EQ(Errors("server:\n  data_dir: ~/data\n"),
            "<string>:2:13: server.data_dir: \"~/data\" is not expanded: write the path without ~ "
            "(relative paths are relative to the configuration file)");
  EXPECT_EQ(Errors("server:\n  data_dir: ''\n"),
            "<string>:2:13: server.data_dir: expected a path, got an empty string (leave the key "
            "out for the default)");
  // Regexes and replacements are not names: "${" may appear in them.
  EXPECT_EQ(Valid("redaction:\n  patterns: [{name: x, regex: 'a\\$\\{', replacement: '${0}'}]\n")
                .redaction.patterns.at(0)
                .replacement,
            "${0}");
}

TEST(ConfigErrors, RegexesMustCompile) {
  EXPECT_EQ(Errors("redaction:\n  patterns:\n    - name: bad\n      regex: 'ab(c'\n"),
            "<string>:4:14: redaction.patterns[0].regex: the regex does not compile (PCRE2) at "
            "offset 4: missing closing parenthesis");
  EXPECT_EQ(Errors("redaction:\n  patterns:\n    - name: lazy\n      regex: 'x*'\n"),
            "<string>:4:14: redaction.patterns[0].regex: the regex matches the empty string; it "
            "must match some text");
  EXPECT_EQ(Errors("pricing:\n  overrides:\n    - {match: '[a-', input: 1}\n"),
            "<string>:3:15: pricing.overrides[0].match: the regex does not compile (PCRE2) at "
            "offset 3: missing terminating ] for character class");
}

TEST(ConfigErrors, RedactionPatternNames) {
  EXPECT_EQ(Errors("redaction:\n  patterns: [{name: email, regex: x}]\n"),
            "<string>:2:21: redaction.patterns[0].name: \"email\" is a built-in detector; give "
            "the pattern another name");
  EXPECT_EQ(Errors("redaction:\n  patterns: [{regex: x}]\n"),
            "<string>:2:14: redaction.patterns[0]: missing required key \"name\"");
}

TEST(ConfigErrors, PriceOverrides) {
  EXPECT_EQ(Errors("pricing:\n  overrides:\n    - {match: x, input: -1}\n"),
            "<string>:3:25: pricing.overrides[0].input: expected a price >= 0 (USD per token), "
            "got -1");
  EXPECT_EQ(Errors("pricing:\n  overrides:\n    - {match: x, output: cheap}\n"),
            "<string>:3:26: pricing.overrides[0].output: expected a number, got \"cheap\"");
  EXPECT_EQ(Errors("pricing:\n  overrides:\n    - {match: x, output: .inf}\n"),
            "<string>:3:26: pricing.overrides[0].output: expected a number, got \".inf\"");
  EXPECT_EQ(Errors("pricing:\n  overrides:\n    - {match: x}\n"),
            "<string>:3:7: pricing.overrides[0]: an override needs at least one price (input, "
            "output, cache_read, cache_creation, reasoning)");
}

TEST(ConfigErrors, ClickHouse) {
  EXPECT_EQ(Errors("storage:\n  backend: clickhouse\n"),
            "<string>:2:12: storage.clickhouse.endpoints: backend clickhouse needs at least one "
            "endpoint (e.g. http://localhost:8123)");
  EXPECT_EQ(Errors("storage:\n  clickhouse:\n    endpoints: [ch:8123]\n"),
            "<string>:3:17: storage.clickhouse.endpoints[0]: expected an http:// or https:// URL, "
            "got \"ch:8123\"");
  EXPECT_EQ(Errors("storage:\n  clickhouse: {database: my-db}\n"),
            "<string>:2:26: storage.clickhouse.database: expected a database name "
            "([A-Za-z_][A-Za-z0-9_]*), got \"my-db\"");
  EXPECT_EQ(Errors("storage:\n  clickhouse: {cluster: 'main; DROP'}\n"),
            "<string>:2:25: storage.clickhouse.cluster: expected a cluster name of the servers' "
            "remote_servers ([A-Za-z_][A-Za-z0-9_]*), got \"main; DROP\"");
}

TEST(ConfigErrors, EverySectionHasItsShape) {
  EXPECT_EQ(Errors("server: {threads: 2}\nalerts: {name: x}\ngoals: {}\n"),
            "<string>:2:9: alerts: expected a list, got a mapping\n"
            "<string>:3:8: goals: expected a list, got a mapping");
}

TEST(ConfigErrors, TagsAndMergeKeys) {
  EXPECT_EQ(Errors("server:\n  data_dir: !env DATA\n"),
            "<string>:2:13: server.data_dir: YAML tag \"!env\" is not supported");
  EXPECT_EQ(
      Errors("base: &b {threads: 2}\nserver:\n  <<: *b\n"),
      "<string>:1:1: unknown key \"base\" at the top level; expected one of server, storage, auth, "
      "redaction, pricing, kpis, goals, alerting, alerts, notifiers, escalations, schedules\n"
      "<string>:3:3: YAML merge keys (<<) are not supported in server");
  // Explicit standard tags are fine.
  EXPECT_EQ(Valid("server: {threads: !!int 3}\n").server.threads, 3);
}

TEST(ConfigErrors, EveryErrorIsReportedInFileOrder) {
  const std::string yaml = R"(server:
  listen_port: http
  threads: 0
  log_levl: info
storage:
  backend: sqlite
  retention: {raw_days: -3}
kpis:
  - name: Bad-Name
    type: count
    source: call
)";
  auto r = ParseString(yaml);
  ASSERT_FALSE(r.has_value());
  const auto& issues = r.error();
  ASSERT_EQ(issues.size(), 6u);
  EXPECT_EQ(FormatIssues("y.yaml", issues),
            "y.yaml:2:16: server.listen_port: expected an integer from 1 to 65535, got \"http\"\n"
            "y.yaml:3:12: server.threads: expected an integer from 1 to 256, got 0\n"
            "y.yaml:4:3: unknown key \"log_levl\" in server (did you mean \"log_level\"?)\n"
            "y.yaml:7:25: storage.retention.raw_days: expected an integer from 1 to 2147483647, "
            "got -3\n"
            "y.yaml:9:11: kpis[0].name: expected a name like answer_accept_rate ([a-z][a-z0-9_]*), "
            "got \"Bad-Name\"\n"
            "y.yaml:11:13: kpis[0].source: expected one of calls, scores, outcomes, got \"call\" "
            "(did you mean \"calls\"?)");
  EXPECT_EQ(issues[0].line, 2);
  EXPECT_EQ(issues[0].column, 16);
  EXPECT_EQ(issues[5].line, 11);
  EXPECT_EQ(issues[5].column, 13);
  // LoadString gives the same text in one Error.
  auto loaded = LoadString(yaml, "y.yaml");
  ASSERT_FALSE(loaded.has_value());
  EXPECT_EQ(loaded.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(loaded.error().message(), FormatIssues("y.yaml", issues));
}

TEST(ConfigErrors, NonStringKeys) {
  EXPECT_EQ(Errors("server:\n  ? [a, b]\n  : 1\n"),
            "<string>:2:5: expected a string key in server, got a list");
}

}  // namespace
}  // namespace yardstick::config
