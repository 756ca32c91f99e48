// The alert_ tables of state.db.
#include "alerts/db.h"

#include <nlohmann/json.hpp>

namespace yardstick::alerts {
namespace {

using nlohmann::json;
using sqlite::Statement;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS alert_instances(
  fingerprint TEXT PRIMARY KEY, rule TEXT NOT NULL, project TEXT NOT NULL,
  labels TEXT NOT NULL, annotations TEXT NOT NULL, state TEXT NOT NULL,
  active_since_ns INTEGER NOT NULL, last_true_ns INTEGER NOT NULL, fired_at_ns INTEGER NOT NULL,
  value REAL, firing_notified INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS alert_transitions(
  id INTEGER PRIMARY KEY AUTOINCREMENT, fingerprint TEXT NOT NULL, rule TEXT NOT NULL,
  project TEXT NOT NULL, labels TEXT NOT NULL, annotations TEXT NOT NULL,
  from_state TEXT NOT NULL, to_state TEXT NOT NULL, at_ns INTEGER NOT NULL,
  active_since_ns INTEGER NOT NULL, value REAL, silenced INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS alert_transitions_rule ON alert_transitions(rule, id);
CREATE TABLE IF NOT EXISTS alert_notifications(
  idempotency_key TEXT PRIMARY KEY, payload TEXT NOT NULL, created_ns INTEGER NOT NULL,
  sent_ns INTEGER);
CREATE TABLE IF NOT EXISTS alert_detectors(
  rule TEXT NOT NULL, series TEXT NOT NULL, state TEXT NOT NULL, last_bucket_ns INTEGER NOT NULL,
  last_alarm_ns INTEGER NOT NULL, PRIMARY KEY(rule, series));
CREATE TABLE IF NOT EXISTS alert_silences(
  id TEXT PRIMARY KEY, project TEXT NOT NULL, matchers TEXT NOT NULL, starts_ns INTEGER NOT NULL,
  ends_ns INTEGER NOT NULL, comment TEXT NOT NULL, created_by TEXT NOT NULL,
  created_ns INTEGER NOT NULL);
)sql";

json LabelsJson(const Labels& labels) { return json(labels); }

Labels ParseLabels(std::string_view text) {
  Labels out;
  auto j = json::parse(text, nullptr, false);
  if (!j.is_object()) return out;
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (it.value().is_string()) out[it.key()] = it.value().get<std::string>();
  }
  return out;
}

State ParseState(std::string_view s) {
  if (s == "pending") return State::kPending;
  if (s == "firing") return State::kFiring;
  if (s == "resolved") return State::kResolved;
  return State::kInactive;
}

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

json NotificationJson(const Notification& n) {
  return {{"status", n.status},
          {"rule", n.rule},
          {"fingerprint", n.fingerprint},
          {"idempotency_key", n.idempotency_key},
          {"labels", n.labels},
          {"annotations", n.annotations},
          {"starts_at_ns", n.starts_at_ns},
          {"ends_at_ns", n.ends_at_ns},
          {"generator_url", n.generator_url},
          {"notifiers", n.notifiers}};
}

Notification ParseNotification(std::string_view text) {
  Notification n;
  auto j = json::parse(text, nullptr, false);
  if (!j.is_object()) return n;
  n.status = j.value("status", "");
  n.rule = j.value("rule", "");
  n.fingerprint = j.value("fingerprint", "");
  n.idempotency_key = j.value("idempotency_key", "");
  n.labels = ParseLabels(j.value("labels", json::object()).dump());
  n.annotations = ParseLabels(j.value("annotations", json::object()).dump());
  n.starts_at_ns = j.value("starts_at_ns", int64_t{0});
  n.ends_at_ns = j.value("ends_at_ns", int64_t{0});
  n.generator_url = j.value("generator_url", "");
  n.notifiers = j.value("notifiers", std::vector<std::string>{});
  return n;
}

StoredInstance ReadInstance(const Statement& s) {
  // fingerprint, rule, project, labels, annotations, state, active_since, last_true, fired_at,
  // value, firing_notified
  StoredInstance si;
  Alert& a = si.alert;
  a.fingerprint = std::string(s.Text(0));
  a.rule = std::string(s.Text(1));
  si.project = std::string(s.Text(2));
  a.labels = ParseLabels(s.Text(3));
  a.annotations = ParseLabels(s.Text(4));
  a.state = ParseState(s.Text(5));
  a.times.state = a.state;
  a.times.active_since_ns = s.Int(6);
  a.times.last_true_ns = s.Int(7);
  a.times.fired_at_ns = s.Int(8);
  if (!s.IsNull(9)) a.value = s.Double(9);
  si.firing_notified = s.Int(10) != 0;
  return si;
}

constexpr const char* kInstanceColumns =
    "SELECT fingerprint, rule, project, labels, annotations, state, active_since_ns, "
    "last_true_ns, fired_at_ns, value, firing_notified FROM alert_instances";

}  // namespace

Result<std::unique_ptr<Engine::Db>> Engine::Db::Open(const std::string& path) {
  auto database = sqlite::Database::Open(path, false);
  if (!database) return std::unexpected(database.error());
  for (const char* pragma :
       {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA busy_timeout=5000"}) {
    if (auto r = database->Exec(pragma); !r) return std::unexpected(r.error());
  }
  if (auto r = database->Exec(kSchema); !r) return std::unexpected(r.error());
  return std::unique_ptr<Db>(new Db(std::move(*database)));
}

Result<void> Engine::Db::Done(Statement& statement, const char* what) {
  const int rc = statement.Step();
  if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
    return MakeError(ErrorCode::kIo, std::string("state.db: ") + what + ": " + db_.ErrorMessage());
  }
  return {};
}

Result<std::vector<StoredInstance>> Engine::Db::Instances(const std::string& rule) {
  std::lock_guard lock(mutex_);
  auto s = Prepare(std::string(kInstanceColumns) + " WHERE rule = ?1 ORDER BY fingerprint");
  if (!s) return std::unexpected(s.error());
  s->Bind(1, rule);
  std::vector<StoredInstance> out;
  while (s->Step() == SQLITE_ROW) out.push_back(ReadInstance(*s));
  return out;
}

Result<std::vector<StoredInstance>> Engine::Db::AllInstances() {
  std::lock_guard lock(mutex_);
  auto s = Prepare(std::string(kInstanceColumns) + " ORDER BY rule, fingerprint");
  if (!s) return std::unexpected(s.error());
  std::vector<StoredInstance> out;
  while (s->Step() == SQLITE_ROW) out.push_back(ReadInstance(*s));
  return out;
}

Result<void> Engine::Db::Apply(const Changes& c) {
  std::lock_guard lock(mutex_);
  if (auto r = db_.Exec("BEGIN IMMEDIATE"); !r) return r;
  auto fail = [&](Error e) -> Result<void> {
    (void)db_.Exec("ROLLBACK");
    return std::unexpected(std::move(e));
  };
  {
    auto up = Prepare(
        "INSERT INTO alert_instances(fingerprint, rule, project, labels, annotations, state, "
        "active_since_ns, last_true_ns, fired_at_ns, value, firing_notified) "
        "VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11) ON CONFLICT(fingerprint) DO UPDATE SET "
        "labels=excluded.labels, annotations=excluded.annotations, state=excluded.state, "
        "active_since_ns=excluded.active_since_ns, last_true_ns=excluded.last_true_ns, "
        "fired_at_ns=excluded.fired_at_ns, value=excluded.value, "
        "firing_notified=excluded.firing_notified");
    if (!up) return fail(up.error());
    for (const auto& si : c.upserts) {
      const Alert& a = si.alert;
      up->Reset();
      up->Bind(1, a.fingerprint);
      up->Bind(2, a.rule);
      up->Bind(3, si.project);
      up->Bind(4, Dump(LabelsJson(a.labels)));
      up->Bind(5, Dump(LabelsJson(a.annotations)));
      up->Bind(6, std::string_view(StateName(a.state)));
      up->Bind(7, a.times.active_since_ns);
      up->Bind(8, a.times.last_true_ns);
      up->Bind(9, a.times.fired_at_ns);
      up->Bind(10, a.value);
      up->Bind(11, int64_t{si.firing_notified ? 1 : 0});
      if (auto r = Done(*up, "saving an alert"); !r) return fail(r.error());
    }
  }
  {
    auto del = Prepare("DELETE FROM alert_instances WHERE fingerprint = ?1");
    if (!del) return fail(del.error());
    for (const auto& fp : c.deletes) {
      del->Reset();
      del->Bind(1, fp);
      if (auto r = Done(*del, "removing an alert"); !r) return fail(r.error());
    }
  }
  {
    auto ins = Prepare(
        "INSERT INTO alert_transitions(fingerprint, rule, project, labels, annotations, "
        "from_state, to_state, at_ns, active_since_ns, value, silenced) "
        "VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)");
    if (!ins) return fail(ins.error());
    for (const auto& t : c.transitions) {
      ins->Reset();
      ins->Bind(1, t.fingerprint);
      ins->Bind(2, t.rule);
      const auto p = t.labels.find("project");
      ins->Bind(3, p == t.labels.end() ? std::string() : p->second);
      ins->Bind(4, Dump(LabelsJson(t.labels)));
      ins->Bind(5, Dump(LabelsJson(t.annotations)));
      ins->Bind(6, std::string_view(StateName(t.from)));
      ins->Bind(7, std::string_view(StateName(t.to)));
      ins->Bind(8, t.at_ns);
      ins->Bind(9, t.active_since_ns);
      ins->Bind(10, t.value);
      ins->Bind(11, int64_t{t.silenced ? 1 : 0});
      if (auto r = Done(*ins, "recording a transition"); !r) return fail(r.error());
    }
  }
  {
    auto ins = Prepare(
        "INSERT OR IGNORE INTO alert_notifications(idempotency_key, payload, created_ns) "
        "VALUES(?1,?2,?3)");
    if (!ins) return fail(ins.error());
    for (const auto& n : c.notifications) {
      ins->Reset();
      ins->Bind(1, n.idempotency_key);
      ins->Bind(2, Dump(NotificationJson(n)));
      ins->Bind(3, n.status == "resolved" ? n.ends_at_ns : n.starts_at_ns);
      if (auto r = Done(*ins, "queueing a notification"); !r) return fail(r.error());
    }
  }
  if (auto r = db_.Exec("COMMIT"); !r) return fail(r.error());
  return {};
}

Result<std::optional<Notification>> Engine::Db::FindNotification(const std::string& key) {
  std::lock_guard lock(mutex_);
  auto s = Prepare("SELECT payload FROM alert_notifications WHERE idempotency_key = ?1");
  if (!s) return std::unexpected(s.error());
  s->Bind(1, key);
  if (s->Step() != SQLITE_ROW) return std::optional<Notification>();
  return std::optional<Notification>(ParseNotification(s->Text(0)));
}

Result<std::vector<Notification>> Engine::Db::Unsent() {
  std::lock_guard lock(mutex_);
  auto s = Prepare(
      "SELECT payload FROM alert_notifications WHERE sent_ns IS NULL ORDER BY created_ns, rowid");
  if (!s) return std::unexpected(s.error());
  std::vector<Notification> out;
  while (s->Step() == SQLITE_ROW) out.push_back(ParseNotification(s->Text(0)));
  return out;
}

Result<void> Engine::Db::MarkSent(const std::string& key, int64_t now) {
  std::lock_guard lock(mutex_);
  auto s = Prepare("UPDATE alert_notifications SET sent_ns = ?2 WHERE idempotency_key = ?1");
  if (!s) return std::unexpected(s.error());
  s->Bind(1, key);
  s->Bind(2, now);
  return Done(*s, "marking a notification sent");
}

Result<std::optional<DetectorRow>> Engine::Db::Detector(const std::string& rule,
                                                        const std::string& series) {
  std::lock_guard lock(mutex_);
  auto s = Prepare(
      "SELECT state, last_bucket_ns, last_alarm_ns FROM alert_detectors WHERE rule=?1 AND "
      "series=?2");
  if (!s) return std::unexpected(s.error());
  s->Bind(1, rule);
  s->Bind(2, series);
  if (s->Step() != SQLITE_ROW) return std::optional<DetectorRow>();
  return DetectorRow{std::string(s->Text(0)), s->Int(1), s->Int(2)};
}

Result<void> Engine::Db::PutDetector(const std::string& rule, const std::string& series,
                                     const DetectorRow& row) {
  std::lock_guard lock(mutex_);
  auto s = Prepare(
      "INSERT INTO alert_detectors(rule, series, state, last_bucket_ns, last_alarm_ns) "
      "VALUES(?1,?2,?3,?4,?5) ON CONFLICT(rule, series) DO UPDATE SET state=excluded.state, "
      "last_bucket_ns=excluded.last_bucket_ns, last_alarm_ns=excluded.last_alarm_ns");
  if (!s) return std::unexpected(s.error());
  s->Bind(1, rule);
  s->Bind(2, series);
  s->Bind(3, row.state);
  s->Bind(4, row.last_bucket_ns);
  s->Bind(5, row.last_alarm_ns);
  return Done(*s, "saving detector state");
}

Result<std::vector<Transition>> Engine::Db::History(const AlertQuery& q) {
  std::lock_guard lock(mutex_);
  auto s = Prepare(
      "SELECT id, fingerprint, rule, labels, annotations, from_state, to_state, at_ns, "
      "active_since_ns, value, silenced FROM alert_transitions "
      "WHERE (?1 = '' OR project = ?1) AND (?2 = '' OR rule = ?2) AND "
      "(?4 = '' OR fingerprint = ?4) ORDER BY id DESC LIMIT ?3");
  if (!s) return std::unexpected(s.error());
  s->Bind(1, q.project);
  s->Bind(2, q.rule);
  s->Bind(3, static_cast<int64_t>(q.limit));
  s->Bind(4, q.fingerprint);
  std::vector<Transition> out;
  while (s->Step() == SQLITE_ROW) {
    Transition t;
    t.id = s->Int(0);
    t.fingerprint = std::string(s->Text(1));
    t.rule = std::string(s->Text(2));
    t.labels = ParseLabels(s->Text(3));
    t.annotations = ParseLabels(s->Text(4));
    t.from = ParseState(s->Text(5));
    t.to = ParseState(s->Text(6));
    t.at_ns = s->Int(7);
    t.active_since_ns = s->Int(8);
    if (!s->IsNull(9)) t.value = s->Double(9);
    t.silenced = s->Int(10) != 0;
    out.push_back(std::move(t));
  }
  return out;
}

Result<void> Engine::Db::PutSilence(const Silence& silence) {
  std::lock_guard lock(mutex_);
  auto s = Prepare(
      "INSERT INTO alert_silences(id, project, matchers, starts_ns, ends_ns, comment, "
      "created_by, created_ns) VALUES(?1,?2,?3,?4,?5,?6,?7,?8)");
  if (!s) return std::unexpected(s.error());
  json matchers = json::array();
  for (const auto& m : silence.matchers) {
    matchers.push_back(
        {{"name", m.name}, {"value", m.value}, {"isRegex", m.regex}, {"isEqual", m.equal}});
  }
  s->Bind(1, silence.id);
  s->Bind(2, silence.project);
  s->Bind(3, Dump(matchers));
  s->Bind(4, silence.starts_ns);
  s->Bind(5, silence.ends_ns);
  s->Bind(6, silence.comment);
  s->Bind(7, silence.created_by);
  s->Bind(8, silence.created_ns);
  return Done(*s, "saving a silence");
}

Result<std::vector<Silence>> Engine::Db::Silences() {
  std::lock_guard lock(mutex_);
  auto s = Prepare(
      "SELECT id, project, matchers, starts_ns, ends_ns, comment, created_by, created_ns FROM "
      "alert_silences ORDER BY created_ns, id");
  if (!s) return std::unexpected(s.error());
  std::vector<Silence> out;
  while (s->Step() == SQLITE_ROW) {
    Silence si;
    si.id = std::string(s->Text(0));
    si.project = std::string(s->Text(1));
    auto matchers = json::parse(s->Text(2), nullptr, false);
    if (matchers.is_array()) {
      for (const auto& m : matchers) {
        si.matchers.push_back(Matcher{m.value("name", ""), m.value("value", ""),
                                      m.value("isRegex", false), m.value("isEqual", true)});
      }
    }
    si.starts_ns = s->Int(3);
    si.ends_ns = s->Int(4);
    si.comment = std::string(s->Text(5));
    si.created_by = std::string(s->Text(6));
    si.created_ns = s->Int(7);
    out.push_back(std::move(si));
  }
  return out;
}

Result<bool> Engine::Db::ExpireSilence(const std::string& id, const std::string& project,
                                       int64_t now) {
  std::lock_guard lock(mutex_);
  auto s = Prepare(
      "UPDATE alert_silences SET ends_ns = min(ends_ns, ?3), starts_ns = min(starts_ns, ?3) "
      "WHERE id = ?1 AND (?2 = '' OR project = ?2) AND ends_ns > ?3");
  if (!s) return std::unexpected(s.error());
  s->Bind(1, id);
  s->Bind(2, project);
  s->Bind(3, now);
  if (auto r = Done(*s, "deleting a silence"); !r) return std::unexpected(r.error());
  return db_.Changes() > 0;
}

}  // namespace yardstick::alerts
