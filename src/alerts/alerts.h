#pragma once
// Alert rules: conditions on KPIs evaluated on an interval, alert instances that move through
// pending -> firing -> resolved, silences, and notifications handed to a sink. Rules come from
// yardstick.yaml's `alerts:` section (config::AlertRuleConfig); docs/alerts.md describes the
// syntax, the state machine, templating and persistence.
//
// Persistence: everything lives in the control-plane database (<data_dir>/state.db), in tables
// prefixed alert_ that this module creates on its own connection: active instances, the history
// of transitions, notifications not yet handed to the sink, detector state and silences. A
// transition and the notification it causes are committed together; a notification is marked
// sent only after the sink accepted it, and its idempotency key (fingerprint, status, start) is
// stable, so a restart neither forgets a firing alert nor notifies it twice.
//
// Thread safety: Engine's methods may be called from any thread (HTTP handlers read while the
// evaluation thread writes); the sink is called from the evaluation thread only.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "base/error.h"
#include "config/config.h"

namespace yardstick::kpi {
class Engine;
}
namespace yardstick::goals {
class Engine;
}
namespace yardstick::baselines {
class BaselineStore;
}
namespace yardstick::store {
class Store;
}

namespace yardstick::alerts {

using Labels = std::map<std::string, std::string>;

// --- Templates ------------------------------------------------------------------------------
//
// Text with {{ ... }} actions: `{{ $value }}`, `{{ $labels.model }}`, `{{ $threshold }}`, and an
// optional pipe through one function: `{{ $value | humanize }}`, `humanizePercentage`,
// `humanizeDuration`, or `printf "%.2f"` (one f, e or g conversion). Variables: see
// kTemplateVariables; numbers print with up to 6 significant digits, variables without a value
// for the rule print as "". A variable or function not in the lists, or an unclosed action, is an
// error at load time.

inline constexpr std::string_view kTemplateVariables[] = {
    "value",     "threshold", "rule",    "alertname", "kpi",     "project", "window",
    "baseline",  "goal",      "p_value", "ci_low",    "ci_high", "n",       "detector",
    "statistic", "test",      "field",   "change",    "state"};

struct TemplateData {
  Labels labels;
  std::map<std::string, double> numbers;       // value, threshold, p_value, ...
  std::map<std::string, std::string> strings;  // rule, kpi, window, ...
};

class Template {
 public:
  static Result<Template> Parse(std::string_view text);
  std::string Render(const TemplateData& data) const;

  struct Part {
    std::string literal;   // text (when variable is empty)
    std::string variable;  // "value", "labels.model", ...
    std::string function;  // "", humanize, humanizePercentage, humanizeDuration, printf
    std::string format;    // printf's format
  };

 private:
  std::vector<Part> parts_;
};

// Why `text` is not a valid template; nullopt when it is (config::LoadOptions::check_template).
std::optional<std::string> TemplateProblem(std::string_view text);

// --- States ---------------------------------------------------------------------------------

enum class State { kInactive, kPending, kFiring, kResolved };
const char* StateName(State state);

// What the state machine remembers of one alert instance.
struct InstanceTimes {
  State state = State::kInactive;
  int64_t active_since_ns = 0;  // first evaluation of this episode with the condition true
  int64_t last_true_ns = 0;     // last evaluation with the condition true
  int64_t fired_at_ns = 0;      // when it became firing
  int64_t resolved_at_ns = 0;   // when it resolved
};

// One evaluation of an instance: the new state given whether the condition holds at `now`.
//   inactive/resolved + true  -> pending (or firing at once when for == 0)
//   pending + true            -> firing once now - active_since >= for
//   pending + false           -> inactive (no notification)
//   firing + false            -> resolved, unless now - last_true < keep_firing_for
// Resolved is a final state of an episode; a later true condition starts a new episode.
State Step(InstanceTimes& times, bool condition, int64_t now_ns, int64_t for_ns,
           int64_t keep_firing_for_ns);

// --- Silences -------------------------------------------------------------------------------

struct Matcher {
  std::string name;
  std::string value;
  bool regex = false;  // value is an anchored regular expression (ECMAScript)
  bool equal = true;   // false: the label must not match
};

struct Silence {
  std::string id;
  std::string project;  // "" = every project (admin); a project key's silences add project=...
  std::vector<Matcher> matchers;
  int64_t starts_ns = 0;
  int64_t ends_ns = 0;
  std::string comment, created_by;
  int64_t created_ns = 0;
};

// "pending" (not started), "active" or "expired" at `now`.
const char* SilenceStatus(const Silence& silence, int64_t now_ns);
// Whether an active silence mutes an alert with these labels.
bool Silences(const Silence& silence, const Labels& labels, int64_t now_ns);
// Checks matchers (names, regexes); error message names the matcher.
Result<void> ValidateSilence(const Silence& silence);

// --- Alerts, history, notifications ------------------------------------------------------------

struct Alert {
  std::string rule;
  std::string fingerprint;  // 16 hex digits, FNV-1a 64 of the sorted labels
  State state = State::kInactive;
  Labels labels;  // alertname, project, group_by dimensions, the rule's labels
  Labels annotations;
  InstanceTimes times;
  std::optional<double> value;
  bool silenced = false;
  std::vector<std::string> silenced_by;  // silence ids
};

struct Transition {
  int64_t id = 0;
  std::string rule, fingerprint;
  Labels labels, annotations;
  State from = State::kInactive, to = State::kInactive;
  int64_t at_ns = 0;
  int64_t active_since_ns = 0;
  std::optional<double> value;
  bool silenced = false;
};

// A message for receivers: one alert in Alertmanager's terms.
struct Notification {
  std::string status;  // "firing" | "resolved"
  std::string rule;
  std::string fingerprint;
  std::string idempotency_key;  // "<fingerprint>:<status>:<starts_at_ns>"
  Labels labels, annotations;
  int64_t starts_at_ns = 0, ends_at_ns = 0;  // ends 0 while firing
  std::string generator_url;
  std::vector<std::string> notifiers;  // configured notifier names to route to
};

// Where notifications go (the server wires it to the notification outbox). Send must be durable
// and idempotent per idempotency_key: the engine may call it again with the same key after a
// crash between the sink's acceptance and the engine's record of it.
class AlertSink {
 public:
  virtual ~AlertSink() = default;
  virtual Result<void> Send(const Notification& notification) = 0;
};

struct RuleStatus {
  std::string name;
  std::string type;                // condition type
  std::string health = "unknown";  // unknown (not evaluated yet) | ok | error
  std::string last_error;
  int64_t last_evaluation_ns = 0;
  double last_duration_seconds = 0;
  size_t pending = 0, firing = 0;
};

// --- Condition inputs ------------------------------------------------------------------------

// One group's answer from a condition.
struct Observation {
  std::vector<std::string> group;              // values of the rule's group_by
  bool active = false;                         // the condition holds
  std::optional<double> value;                 // the number compared ($value)
  std::map<std::string, double> numbers;       // threshold, p_value, ci_low, ...
  std::map<std::string, std::string> strings;  // baseline, detector, ...
};

// Conditions that need data from other modules (goals' burn rate, baselines' comparisons and
// histograms) call these; a missing function makes the rule unhealthy with a clear error.
struct Sources {
  kpi::Engine* kpis = nullptr;                    // required
  store::Store* store = nullptr;                  // required: projects, raw records
  goals::Engine* goals = nullptr;                 // burn_rate conditions
  baselines::BaselineStore* baselines = nullptr;  // baseline and drift conditions
};

struct EngineOptions {
  std::string state_db_path;       // <data_dir>/state.db
  std::function<int64_t()> clock;  // Unix ns; default: the system clock
  int64_t evaluation_interval_ns = 30'000'000'000;
  std::string external_url;                // generator URL base
  std::vector<std::string> all_notifiers;  // rules without `notifiers` go to every one
};

struct AlertQuery {
  std::string project;      // "" = every project
  std::string rule;         // "" = every rule
  std::string fingerprint;  // history only: "" = every instance
  size_t limit = 100;       // history only
};

class Engine {
 public:
  // Opens (creating) the alert tables in the state database. `sources` and `sink` must outlive
  // the engine.
  static Result<std::unique_ptr<Engine>> Open(std::vector<config::AlertRuleConfig> rules,
                                              Sources sources, AlertSink* sink,
                                              EngineOptions options);
  ~Engine();

  // Evaluates every rule at clock() and hands pending notifications to the sink. Instances of
  // rules no longer configured (removed from the file, then a restart or reload) are resolved:
  // a resolved transition, and for a firing one a resolved notification to the notifiers its
  // firing notification went to.
  Result<void> EvaluateOnce();
  // Evaluates every interval on a thread of its own until Stop().
  void Start();
  void Stop();

  // Pending and firing instances.
  Result<std::vector<Alert>> Active(const AlertQuery& query);
  // Transitions, newest first.
  Result<std::vector<Transition>> History(const AlertQuery& query);
  std::vector<RuleStatus> Rules() const;
  const std::vector<config::AlertRuleConfig>& rule_configs() const { return rules_; }

  Result<Silence> CreateSilence(Silence silence);
  Result<std::vector<Silence>> ListSilences(const std::string& project);
  // kNotFound when there is no such silence (of that project, when project is not "").
  Result<void> DeleteSilence(const std::string& id, const std::string& project);

  class Db;  // the alert_ tables (internal)

 private:
  Engine(std::vector<config::AlertRuleConfig> rules, Sources sources, AlertSink* sink,
         EngineOptions options, std::unique_ptr<Db> db);
  Result<void> EvaluateRule(size_t index, int64_t now);
  Result<void> EvaluateProject(const config::AlertRuleConfig& rule, const std::string& project,
                               int64_t now);
  Result<void> ResolveRemovedRules(int64_t now);
  Result<void> FlushNotifications();
  void Loop();

  std::vector<config::AlertRuleConfig> rules_;
  Sources sources_;
  AlertSink* sink_;
  EngineOptions options_;
  std::unique_ptr<Db> db_;
  mutable std::mutex status_mutex_;
  std::vector<RuleStatus> status_;
  std::mutex eval_mutex_;  // one evaluation at a time
  std::thread thread_;
  std::mutex loop_mutex_;
  std::condition_variable loop_cv_;
  bool stopping_ = false;
};

// FNV-1a 64 of "name\xffvalue\xff..." over the sorted labels, as 16 hex digits.
std::string Fingerprint(const Labels& labels);

}  // namespace yardstick::alerts
