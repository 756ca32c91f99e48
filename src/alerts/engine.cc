// The evaluation loop: every rule, every project, every group; state transitions, history,
// notifications and silences.
#include <chrono>
#include <map>
#include <random>
#include <set>

#include "alerts/alerts.h"
#include "alerts/conditions.h"
#include "alerts/db.h"
#include "store/store.h"

namespace yardstick::alerts {
namespace {

int64_t SystemNow() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string NewSilenceId() {
  static thread_local std::mt19937_64 rng(std::random_device{}());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  for (int i = 0; i < 32; ++i) {
    id += kHex[rng() % 16];
    if (i == 7 || i == 11 || i == 15 || i == 19) id += '-';
  }
  return id;
}

}  // namespace

Engine::Engine(std::vector<config::AlertRuleConfig> rules, Sources sources, AlertSink* sink,
               EngineOptions options, std::unique_ptr<Db> db)
    : rules_(std::move(rules)),
      sources_(sources),
      sink_(sink),
      options_(std::move(options)),
      db_(std::move(db)) {
  if (!options_.clock) options_.clock = SystemNow;
  for (const auto& r : rules_) {
    RuleStatus s;
    s.name = r.name;
    s.type = r.condition.type;
    status_.push_back(std::move(s));
  }
}

Engine::~Engine() { Stop(); }

Result<std::unique_ptr<Engine>> Engine::Open(std::vector<config::AlertRuleConfig> rules,
                                             Sources sources, AlertSink* sink,
                                             EngineOptions options) {
  if (sources.kpis == nullptr || sources.store == nullptr || sink == nullptr) {
    return MakeError(ErrorCode::kInternal, "alerts: the KPI engine, store and sink are required");
  }
  for (const auto& rule : rules) {
    for (const auto& [name, text] : rule.annotations) {
      if (auto bad = TemplateProblem(text)) {
        return MakeError(ErrorCode::kInvalidArgument,
                         "alert " + rule.name + ": annotation " + name + ": " + *bad);
      }
    }
  }
  auto db = Db::Open(options.state_db_path);
  if (!db) return std::unexpected(db.error());
  return std::unique_ptr<Engine>(
      new Engine(std::move(rules), sources, sink, std::move(options), std::move(*db)));
}

Result<void> Engine::EvaluateOnce() {
  std::lock_guard lock(eval_mutex_);
  const int64_t now = options_.clock();
  std::optional<Error> first;
  for (size_t i = 0; i < rules_.size(); ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    auto r = EvaluateRule(i, now);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::lock_guard status_lock(status_mutex_);
    RuleStatus& s = status_[i];
    s.last_evaluation_ns = now;
    s.last_duration_seconds = seconds;
    s.health = r ? "ok" : "error";
    s.last_error = r ? "" : r.error().message();
    if (!r && !first) first = r.error().WithContext("alert " + rules_[i].name);
  }
  if (auto r = ResolveRemovedRules(now); !r && !first) first = r.error();
  if (auto r = FlushNotifications(); !r && !first) first = r.error();
  if (first) return std::unexpected(*first);
  return {};
}

Result<void> Engine::ResolveRemovedRules(int64_t now) {
  auto all = db_->AllInstances();
  if (!all) return std::unexpected(all.error());
  std::set<std::string> configured;
  for (const auto& rule : rules_) configured.insert(rule.name);
  Changes changes;
  for (const auto& si : *all) {
    if (configured.contains(si.alert.rule)) continue;
    const Alert& a = si.alert;
    changes.deletes.push_back(a.fingerprint);
    Transition t;
    t.rule = a.rule;
    t.fingerprint = a.fingerprint;
    t.labels = a.labels;
    t.annotations = a.annotations;
    t.from = a.state;
    t.to = State::kResolved;
    t.at_ns = now;
    t.active_since_ns = a.times.active_since_ns;
    t.value = a.value;
    t.silenced = a.silenced;
    changes.transitions.push_back(std::move(t));
    if (a.state != State::kFiring || !si.firing_notified) continue;
    // The receivers that were told it fired are told it resolved.
    const std::string started = std::to_string(a.times.active_since_ns);
    auto fired = db_->FindNotification(a.fingerprint + ":firing:" + started);
    if (!fired) return std::unexpected(fired.error());
    if (!*fired) continue;
    Notification n = **fired;
    n.status = "resolved";
    n.ends_at_ns = now;
    n.idempotency_key = a.fingerprint + ":resolved:" + started;
    n.annotations = a.annotations;
    changes.notifications.push_back(std::move(n));
  }
  if (changes.deletes.empty()) return {};
  return db_->Apply(changes);
}

Result<void> Engine::EvaluateRule(size_t index, int64_t now) {
  const auto& rule = rules_[index];
  std::vector<std::string> projects;
  if (!rule.project.empty()) {
    projects.push_back(rule.project);
  } else {
    auto all = sources_.store->ListProjects();
    if (!all) return std::unexpected(all.error());
    projects = std::move(*all);
  }
  // Instances of projects no longer listed still resolve (their condition no longer holds).
  auto stored = db_->Instances(rule.name);
  if (!stored) return std::unexpected(stored.error());
  for (const auto& si : *stored) {
    if (std::find(projects.begin(), projects.end(), si.project) == projects.end()) {
      projects.push_back(si.project);
    }
  }
  std::optional<Error> first;
  for (const auto& project : projects) {
    if (auto r = EvaluateProject(rule, project, now); !r && !first) first = r.error();
  }
  size_t pending = 0, firing = 0;
  if (auto after = db_->Instances(rule.name)) {
    for (const auto& si : *after) {
      pending += si.alert.state == State::kPending;
      firing += si.alert.state == State::kFiring;
    }
  }
  {
    std::lock_guard status_lock(status_mutex_);
    status_[index].pending = pending;
    status_[index].firing = firing;
  }
  if (first) return std::unexpected(*first);
  return {};
}

Result<void> Engine::EvaluateProject(const config::AlertRuleConfig& rule,
                                     const std::string& project, int64_t now) {
  auto stored = db_->Instances(rule.name);
  if (!stored) return std::unexpected(stored.error());
  std::map<std::string, StoredInstance> existing;
  for (auto& si : *stored) {
    if (si.project == project) existing.emplace(si.alert.fingerprint, std::move(si));
  }
  auto silences = db_->Silences();
  if (!silences) return std::unexpected(silences.error());

  ConditionInput input{rule, project, now, sources_, *db_};
  auto observed = EvaluateCondition(input);
  // A failing condition leaves the instances as they are: an error is not "resolved".
  if (!observed) return std::unexpected(observed.error());

  Changes changes;
  std::set<std::string> seen;
  auto apply = [&](StoredInstance si, bool condition, const Observation* o) {
    Alert& a = si.alert;
    const State before = a.times.state;
    Step(a.times, condition, now, rule.for_ns, rule.keep_firing_for_ns);
    a.state = a.times.state;
    if (o != nullptr && o->value) a.value = o->value;
    if (o != nullptr) {
      TemplateData data;
      data.labels = a.labels;
      data.numbers = o->numbers;
      if (o->value) data.numbers["value"] = *o->value;
      data.strings = o->strings;
      data.strings["rule"] = rule.name;
      data.strings["alertname"] = rule.name;
      data.strings["project"] = project;
      data.strings["window"] = FormatDuration(rule.window_ns);
      data.strings["state"] = StateName(a.state);
      if (!rule.condition.kpi.empty()) data.strings["kpi"] = rule.condition.kpi;
      if (!rule.condition.goal.empty()) data.strings["goal"] = rule.condition.goal;
      if (!rule.condition.baseline.empty()) data.strings["baseline"] = rule.condition.baseline;
      a.annotations.clear();
      for (const auto& [name, text] : rule.annotations) {
        auto t = Template::Parse(text);  // validated at load
        if (t) a.annotations[name] = t->Render(data);
      }
    }
    a.silenced_by.clear();
    for (const auto& s : *silences) {
      if (Silences(s, a.labels, now)) a.silenced_by.push_back(s.id);
    }
    a.silenced = !a.silenced_by.empty();
    if (before != a.state) {
      Transition t;
      t.rule = rule.name;
      t.fingerprint = a.fingerprint;
      t.labels = a.labels;
      t.annotations = a.annotations;
      t.from = before;
      t.to = a.state;
      t.at_ns = now;
      t.active_since_ns = a.times.active_since_ns;
      t.value = a.value;
      t.silenced = a.silenced;
      changes.transitions.push_back(std::move(t));
    }
    auto notification = [&](const char* status) {
      Notification n;
      n.status = status;
      n.rule = rule.name;
      n.fingerprint = a.fingerprint;
      n.starts_at_ns = a.times.active_since_ns;
      n.ends_at_ns = a.state == State::kResolved ? a.times.resolved_at_ns : 0;
      n.idempotency_key =
          a.fingerprint + ":" + status + ":" + std::to_string(a.times.active_since_ns);
      n.labels = a.labels;
      n.annotations = a.annotations;
      n.generator_url = options_.external_url + "/v1/alerts?rule=" + rule.name;
      n.notifiers = rule.notifiers.empty() ? options_.all_notifiers : rule.notifiers;
      changes.notifications.push_back(std::move(n));
    };
    if (a.state == State::kFiring && !si.firing_notified && !a.silenced) {
      notification("firing");
      si.firing_notified = true;
    }
    if (a.state == State::kResolved && before == State::kFiring && si.firing_notified) {
      notification("resolved");
    }
    if (a.state == State::kPending || a.state == State::kFiring) {
      changes.upserts.push_back(std::move(si));
    } else if (before == State::kPending || before == State::kFiring) {
      changes.deletes.push_back(a.fingerprint);
    }
  };

  for (const auto& o : *observed) {
    Labels labels;
    for (const auto& [k, v] : rule.labels) labels[k] = v;
    labels["alertname"] = rule.name;
    labels["project"] = project;
    for (size_t i = 0; i < rule.group_by.size() && i < o.group.size(); ++i) {
      labels[rule.group_by[i]] = o.group[i];
    }
    const std::string fp = Fingerprint(labels);
    seen.insert(fp);
    StoredInstance si;
    if (auto it = existing.find(fp); it != existing.end()) {
      si = std::move(it->second);
    } else {
      if (!o.active) continue;  // nothing to track
      si.project = project;
      si.alert.rule = rule.name;
      si.alert.fingerprint = fp;
      si.alert.labels = std::move(labels);
    }
    apply(std::move(si), o.active, &o);
  }
  // Groups that no longer report (no data in the window) no longer satisfy the condition.
  for (auto& [fp, si] : existing) {
    if (!seen.contains(fp)) apply(std::move(si), false, nullptr);
  }
  return db_->Apply(changes);
}

Result<void> Engine::FlushNotifications() {
  auto unsent = db_->Unsent();
  if (!unsent) return std::unexpected(unsent.error());
  for (const auto& n : *unsent) {
    if (auto r = sink_->Send(n); !r) {
      return std::unexpected(r.error().WithContext("notifying " + n.idempotency_key));
    }
    if (auto r = db_->MarkSent(n.idempotency_key, options_.clock()); !r) return r;
  }
  return {};
}

void Engine::Start() {
  std::lock_guard lock(loop_mutex_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void Engine::Stop() {
  {
    std::lock_guard lock(loop_mutex_);
    stopping_ = true;
  }
  loop_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Engine::Loop() {
  std::unique_lock lock(loop_mutex_);
  while (!stopping_) {
    lock.unlock();
    (void)EvaluateOnce();  // errors are kept per rule (Rules()) and retried next time
    lock.lock();
    loop_cv_.wait_for(lock, std::chrono::nanoseconds(options_.evaluation_interval_ns),
                      [this] { return stopping_; });
  }
}

Result<std::vector<Alert>> Engine::Active(const AlertQuery& query) {
  auto all = db_->AllInstances();
  if (!all) return std::unexpected(all.error());
  auto silences = db_->Silences();
  if (!silences) return std::unexpected(silences.error());
  const int64_t now = options_.clock();
  std::vector<Alert> out;
  for (auto& si : *all) {
    if (!query.project.empty() && si.project != query.project) continue;
    if (!query.rule.empty() && si.alert.rule != query.rule) continue;
    Alert a = std::move(si.alert);
    for (const auto& s : *silences) {
      if (Silences(s, a.labels, now)) a.silenced_by.push_back(s.id);
    }
    a.silenced = !a.silenced_by.empty();
    out.push_back(std::move(a));
  }
  return out;
}

Result<std::vector<Transition>> Engine::History(const AlertQuery& query) {
  return db_->History(query);
}

std::vector<RuleStatus> Engine::Rules() const {
  std::lock_guard lock(status_mutex_);
  return status_;
}

Result<Silence> Engine::CreateSilence(Silence silence) {
  const int64_t now = options_.clock();
  if (silence.starts_ns == 0) silence.starts_ns = now;
  if (auto r = ValidateSilence(silence); !r) return std::unexpected(r.error());
  if (silence.ends_ns <= now) {
    return MakeError(ErrorCode::kInvalidArgument, "ends: must be in the future");
  }
  silence.id = NewSilenceId();
  silence.created_ns = now;
  if (auto r = db_->PutSilence(silence); !r) return std::unexpected(r.error());
  return silence;
}

Result<std::vector<Silence>> Engine::ListSilences(const std::string& project) {
  auto all = db_->Silences();
  if (!all) return std::unexpected(all.error());
  std::vector<Silence> out;
  for (auto& s : *all) {
    if (project.empty() || s.project == project) out.push_back(std::move(s));
  }
  return out;
}

Result<void> Engine::DeleteSilence(const std::string& id, const std::string& project) {
  auto expired = db_->ExpireSilence(id, project, options_.clock());
  if (!expired) return std::unexpected(expired.error());
  if (!*expired) {
    return MakeError(ErrorCode::kNotFound, "no active or pending silence with id " + id);
  }
  return {};
}

}  // namespace yardstick::alerts
