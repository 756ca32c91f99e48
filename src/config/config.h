#pragma once
// yardstick.yaml: the server's one configuration file (server, storage, auth, redaction, pricing,
// user-defined KPIs, notifiers and escalations), parsed into plain structs and validated in one
// pass.
//
// Every key is documented in docs/configuration.md; examples/yardstick.yaml is a complete file.
//
// Validation reports every problem, not just the first, each as "<file>:<line>:<col>: <message>"
// (1-based, in file order) where the message names the key by its path ("server.listen_port",
// "kpis[2].numerator.source") and says what was expected. It rejects:
//   - YAML syntax errors (at the parser's line and column) and more than one YAML document;
//   - unknown keys (with a did-you-mean when a known key is close) and duplicate keys;
//   - wrong types: integers, booleans and numbers must be plain (unquoted) scalars of that type,
//     and the message quotes the value found; only `true` and `false` are booleans;
//   - values out of range (port 1..65535, threads 1..256, limits > 0, retention days >= 1,
//     quantile in (0, 1), prices >= 0) and enum values not in the list (which it names);
//   - duplicate project, KPI and redaction pattern names, and custom regexes PCRE2 cannot compile
//     (with the offset in the regex);
//   - *_env values that do not look like environment variable names ([A-Z_][A-Z0-9_]*), and
//     "${VAR}" in paths, hosts and names: the file is never expanded, secrets come only from the
//     environment variables that the *_env keys name;
//   - goals and schedules that name an unknown KPI, goal or notifier, and bad targets,
//     durations, cron expressions and timezones, each at its place;
//   - notifier URLs that are not http:// or https://, and escalation rules naming a notifier
//     that is not defined;
//   - in `alerts`: unknown KPIs (when LoadOptions names the built-in ones), bad durations,
//     annotation templates LoadOptions::check_template refuses, keys of another condition type,
//     notifiers and goals that are not defined.
//
// Relative paths written in the file (server.data_dir, storage.sqlite.path, pricing.table_file)
// are resolved against the directory of the file; defaults that the file does not override stay
// as they are (relative to the working directory). An empty file (or one holding only comments)
// gives Defaults().
//
// Thread safety: the functions are re-entrant and touch no global state; only LoadFile reads the
// file system.

#include <cstddef>
#include <cstdint>
#include <expected>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/error.h"

namespace yardstick::config {

struct Limits {
  size_t max_body_bytes = 64u << 20;   // request body after decompression; larger -> 413
  size_t max_record_bytes = 1u << 20;  // one call, score or outcome as received
  size_t max_attributes = 128;         // attributes kept per record
};

// The web dashboard served at `/` (docs/dashboard.md).
struct DashboardConfig {
  bool enabled = true;
  std::string dir;  // empty: the files embedded in the binary; else a directory of built files
};

struct ServerConfig {
  std::string listen_host = "127.0.0.1";
  int listen_port = 8080;
  std::string data_dir = "./yardstick-data";
  int threads = 32;
  Limits limits;
  std::string log_format = "json";  // json | text
  std::string log_level = "info";   // debug | info | warn | error
  DashboardConfig dashboard;
};

struct SqliteConfig {
  std::string path;                  // empty: <data_dir>/yardstick.db
  std::string synchronous = "full";  // full | normal
};

struct ClickHouseConfig {
  std::vector<std::string> endpoints;  // http(s)://host:port, at least one for backend clickhouse
  std::string database = "yardstick";
  std::string user_env;      // env var holding the user name ("" = ClickHouse's default user)
  std::string password_env;  // env var holding the password
  std::string cluster;       // ON CLUSTER name for DDL ("" = single server)
};

struct RetentionConfig {
  int raw_days = 30;
  int minute_rollup_days = 14;
  int hour_rollup_days = 400;
  int day_rollup_days = 3650;
};

struct StorageConfig {
  std::string backend = "sqlite";  // sqlite | clickhouse
  SqliteConfig sqlite;
  ClickHouseConfig clickhouse;
  RetentionConfig retention;
};

struct ProjectConfig {
  std::string name;     // [A-Za-z0-9][A-Za-z0-9_.-]*
  std::string key_env;  // env var holding the project's API key
};

struct AuthConfig {
  std::string admin_key_env = "YARDSTICK_ADMIN_KEY";
  std::vector<ProjectConfig> projects;
};

struct CustomPatternConfig {
  std::string name;         // [a-z][a-z0-9_]*, not a built-in detector name
  std::string regex;        // PCRE2, UTF-8 mode
  std::string replacement;  // "" = "[REDACTED:<name>]"
};

struct RedactionConfig {
  bool enabled = true;
  bool email = true, phone = true, card = true, ip = true, secret = true, national_id = true;
  std::vector<CustomPatternConfig> patterns;
};

struct PriceOverrideConfig {
  std::string project;  // "" = every project
  std::string match;    // PCRE2 regex on the model name
  std::optional<double> input, output, cache_read, cache_creation, reasoning;  // USD per token
};

struct PricingConfig {
  std::string table_file;  // empty = built-in table
  std::vector<PriceOverrideConfig> overrides;
};

// A record filter: field -> value equality, AND-ed, in the order written. Fields allowed depend
// on the source: calls: model, request_model, response_model, provider, operation, route,
// prompt_name, prompt_version, release, variant, environment, service, status (ok|error|unset),
// finish_reason, error_type, attributes.<key>; scores: name, source, label, author;
// outcomes: name.
using Filter = std::vector<std::pair<std::string, std::string>>;

struct KpiSide {
  std::string source;  // calls | scores | outcomes
  Filter filter;
};

struct KpiConfig {
  std::string name;  // [a-z][a-z0-9_]*, not the name of a built-in KPI
  std::string description, unit;
  std::string direction = "higher";  // higher | lower
  std::string type;                  // ratio | mean | quantile | sum | count | rate
  std::string source;                // calls | scores | outcomes (every type but ratio)
  // mean/quantile/sum: calls: latency|ttft|input_tokens|output_tokens|cost; scores|outcomes: value
  std::string field;
  double quantile = 0.5;           // type quantile, in (0, 1)
  Filter filter;                   // every type but ratio
  KpiSide numerator, denominator;  // type ratio: count(numerator) / count(denominator)
  int line = 0, column = 0;        // where it was defined (1-based), for later error messages
};

// goals: a target for a KPI in a scope, judged with the KPI's confidence interval
// (docs/goals.md).
struct GoalConfig {
  std::string name;                 // [a-z][a-z0-9_]*, unique
  std::string kpi;                  // a built-in or user-defined KPI
  std::string project;              // scope.project (required)
  Filter scope;                     // scope besides project: model, route, prompt_version, variant,
                                    // environment, attributes.<key> (user-defined KPIs only)
  Filter params;                    // KPI parameters (score_mean / score_pass_rate: name, source)
  std::string op;                   // >=, >, <=, <
  double target = 0;                // in the KPI's unit (durations are converted to seconds)
  bool target_is_duration = false;  // written as a duration ("2s"); the KPI's unit must be s
  int64_t window_ns = 7 * 86'400'000'000'000;  // the KPI is computed over [now - window, now)
  double confidence = 0.95;                    // of the interval the status is decided with
  int64_t min_samples = 30;                    // fewer observations: insufficient_data
  int line = 0, column = 0;                    // where it was defined
  size_t index = 0;                            // position in goals[]
  int kpi_line = 0, kpi_column = 0, target_line = 0, target_column = 0;
};

// schedules: periodic KPI reports (docs/goals.md).
struct ScheduleKpiConfig {
  std::string kpi;
  Filter scope;  // model, route, prompt_version, variant, environment
  Filter params;
  std::string baseline;  // name of a baseline to test against ("" = none)
  int line = 0, column = 0;
};

struct ScheduleConfig {
  std::string name;            // [a-z][a-z0-9_]*, unique
  std::string schedule;        // daily | weekly | monthly | a 5-field cron expression
  int utc_offset_minutes = 0;  // timezone: "UTC" or a fixed offset "+02:00"
  std::string project;
  std::vector<ScheduleKpiConfig> kpis;
  std::vector<std::string> goals;   // goal names to test
  std::vector<std::string> notify;  // notifier names, told about degradations
  double alpha = 0.05;              // family-wise error rate (Holm) of the degradation tests
  double confidence = 0.95;         // of the intervals in the report
  int line = 0, column = 0;
  size_t index = 0;                                // position in schedules[]
  std::vector<std::pair<int, int>> goal_places;    // line, column of each goals[] item
  std::vector<std::pair<int, int>> notify_places;  // line, column of each notify[] item
};

// --- notifiers: where notifications go (docs/notifications.md) ---
struct NotifierHeaderConfig {
  std::string name;       // HTTP header name
  std::string value_env;  // env var holding its value (never written in the file)
};

struct NotifierConfig {
  std::string name;  // [a-z][a-z0-9_-]* ; referenced by escalations[].notifier, alerts, schedules
  std::string type;  // alertmanager | slack | webhook
  std::string url;   // http:// or https://
  std::vector<NotifierHeaderConfig> headers;
  int64_t timeout_ns = 10'000'000'000;  // per attempt (connect + read)
  // type webhook: a JSON template with {{placeholders}} ("" = the message's document as is).
  std::string template_text;
  int template_line = 0, template_column = 0;  // where the template value starts (1-based)
  int max_attempts = 0;                        // 0 = retry until expiry
  int64_t expiry_ns = 24 * 3'600'000'000'000;  // give up this long after enqueuing
  int64_t backoff_base_ns = 1'000'000'000;     // first retry delay
  int64_t backoff_max_ns = 300'000'000'000;    // largest retry delay
  int line = 0, column = 0;
};

// --- escalations: per-conversation rules that hand a conversation to a human ---
struct EscalationRuleConfig {
  std::string name;      // [a-z][a-z0-9_]*, unique
  std::string notifier;  // a notifiers[].name (typically a webhook to the CRM/helpdesk)
  std::vector<std::string> projects;  // empty = every project
  // Exactly one condition:
  std::string condition;  // score | human_request | failed_calls | max_turns | max_duration
  // condition score: a score `score_name` (and `score_source` when set) that is
  // equal to `equals`, below `below`, above `above` or has label `label`.
  std::string score_name, score_source, score_label;
  std::optional<double> equals, below, above;
  // condition human_request: any phrase (case-insensitive substring) or the regex matches a
  // call's input.
  std::vector<std::string> phrases;
  std::string regex;
  int failed_calls = 0;         // condition failed_calls: this many failed calls in a row
  int max_turns = 0;            // condition max_turns: more calls than this
  int64_t max_duration_ns = 0;  // condition max_duration: first call start to last call end
  int recent_messages = 10;     // calls (and scores) included in the payload
  int line = 0, column = 0;
};

// --- alerting / alerts: alert rules (docs/alerts.md) ---------------------------------------

// Where something was written (1-based), for errors found after parsing.
struct Place {
  int line = 0, column = 0;
};

struct AlertingConfig {
  int64_t evaluation_interval_ns = 30'000'000'000;  // how often every rule is evaluated
  std::string external_url;  // base of generatorURL in notifications ("" = the listen address)
};

// One condition; `type` says which keys are used.
struct AlertConditionConfig {
  std::string type;  // threshold | baseline | burn_rate | change | drift
  // threshold, baseline, change: the KPI (built-in or user-defined) and its parameters.
  std::string kpi;
  std::vector<std::pair<std::string, std::string>> params;  // e.g. {name: helpfulness}
  Place kpi_place;
  // threshold and burn_rate: compare with `op`.
  std::string op = ">";  // > | >= | < | <=
  double value = 0;
  std::string bound = "value";  // threshold: value | ci_low | ci_high
  int64_t min_samples = 1;      // threshold, baseline, change: fewer observations = no data
  // baseline and drift: the frozen baseline's name.
  std::string baseline;
  double change = 0;           // baseline: relative change, +0.2 for "+20%"; sign = direction
  double significance = 0.05;  // baseline: p-value below which the change counts
  // burn_rate: the goal's name.
  std::string goal;
  Place goal_place;
  // change: detector and parameters (STATISTICS.md section 4).
  std::string detector;  // cusum | page_hinkley | ewma
  int64_t step_ns = 60'000'000'000;
  std::optional<double> mean, sigma;  // cusum/ewma in-control mean and sd (else estimated)
  int64_t warmup = 10;                // buckets used to estimate mean/sigma when not given
  double k = 0.5, h = 5;              // cusum: slack and decision interval, in sigmas
  double lambda = 0.2, l = 3;         // ewma: smoothing and limit width in sigmas
  double delta = 0.005, threshold = 50, alpha = 0.9999;  // page_hinkley (threshold = lambda)
  int64_t min_instances = 30;                            // page_hinkley
  std::string direction = "both";                        // change: up | down | both
  // drift: a field of calls or scores against the baseline's distribution.
  std::string field;       // latency | ttft | input_tokens | output_tokens | cost | score_value |
                           // finish_reason | model | score_label
  std::string score_name;  // field score_value / score_label: which score
  std::string test;        // psi | ks | js | chi2
  double drift_threshold = 0.1;  // psi/js: statistic >= threshold; ks/chi2: p-value < threshold
};

struct AlertRuleConfig {
  std::string name;     // [A-Za-z_][A-Za-z0-9_]* (Prometheus alert names)
  std::string project;  // "" = every project (the instance carries a `project` label)
  AlertConditionConfig condition;
  int64_t window_ns = 300'000'000'000;  // the evaluation window
  int64_t for_ns = 0;                   // pending this long before firing
  int64_t keep_firing_for_ns = 0;       // keep firing this long after the condition clears
  std::vector<std::string> group_by;    // one instance per value of these dimensions
  Filter filter;                        // scope: dimension = value
  std::vector<std::pair<std::string, std::string>> labels;
  std::vector<std::pair<std::string, std::string>> annotations;  // templates
  std::vector<std::string> notifiers;  // "" list = every configured notifier
  std::vector<Place> notifier_places;
  Place place;
};

struct Config {
  ServerConfig server;
  StorageConfig storage;
  AuthConfig auth;
  RedactionConfig redaction;
  PricingConfig pricing;
  std::vector<KpiConfig> kpis;
  std::vector<GoalConfig> goals;
  std::vector<ScheduleConfig> schedules;
  std::vector<NotifierConfig> notifiers;
  std::vector<EscalationRuleConfig> escalations;
  AlertingConfig alerting;
  std::vector<AlertRuleConfig> alerts;
  std::string source_path;  // file it came from, "" for defaults
};

// One problem found in a configuration. line/column are 1-based; 0 when the problem has no
// place in the file (e.g. the file cannot be read). `message` does not repeat the file name.
struct Issue {
  int line = 0;
  int column = 0;
  std::string message;
};

struct LoadOptions {
  // Names user-defined KPIs may not take (the built-in catalog, kpi::BuiltinNames()). Empty:
  // the clash is not checked here (kpi::Engine::Create still refuses it); see also Validate().
  std::vector<std::string> builtin_kpi_names;
  // Units of the built-in KPIs (name -> unit). When set, goal and schedule KPI names are checked
  // against them and the user-defined KPIs, and a duration target needs a KPI in seconds.
  std::vector<std::pair<std::string, std::string>> builtin_kpi_units;
  // Checks an alert annotation template; returns why it is invalid, nullopt when it is fine
  // (alerts::TemplateProblem). Unset: templates are not checked here.
  std::function<std::optional<std::string>(std::string_view)> check_template;
};

// The built-in configuration: what `yardstick serve` uses without a file.
Config Defaults();

// Parses and validates. On failure, Error::message holds every issue, one per line, in file
// order, formatted by FormatIssues. Error codes: kNotFound / kIo when the file cannot be read,
// kParse for YAML syntax, kInvalidArgument for everything else.
Result<Config> LoadFile(const std::string& path, const LoadOptions& options = {});
// `name` is used in messages and as source_path; relative paths in the text are resolved against
// its directory part (none for "<string>", which leaves them as written).
Result<Config> LoadString(std::string_view yaml, const std::string& name = "<string>",
                          const LoadOptions& options = {});

// The same, keeping the issues structured (for `yardstick check --format json`).
std::expected<Config, std::vector<Issue>> ParseFile(const std::string& path,
                                                    const LoadOptions& options = {});
std::expected<Config, std::vector<Issue>> ParseString(std::string_view yaml,
                                                      const std::string& name = "<string>",
                                                      const LoadOptions& options = {});

// "<file>:<line>:<col>: <message>" per issue ("<file>: <message>" without a place), joined by
// newlines, no trailing newline.
std::string FormatIssues(std::string_view file, std::span<const Issue> issues);

// Checks a loaded configuration against facts outside the file: user-defined KPI names must not
// be built-in KPI names. Errors (kInvalidArgument) name the place where the KPI was defined.
Result<void> Validate(const Config& config, std::span<const std::string> builtin_kpi_names);

}  // namespace yardstick::config
