#include "reports/reports.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "sqlite/sqlite.h"
#include "stats/multiple_testing.h"

namespace yardstick::reports {
namespace {

using nlohmann::json;

json Opt(std::optional<double> v) { return v ? json(*v) : json(nullptr); }

json ScopeJson(const config::Filter& f) {
  json out = json::object();
  for (const auto& [k, v] : f) out[k] = v;
  return out;
}

json ComparisonJson(const baselines::Comparison& c) {
  return {{"method", c.method},
          {"baseline_value", Opt(c.baseline_value)},
          {"current_value", Opt(c.current_value)},
          {"difference", Opt(c.difference)},
          {"relative_change", Opt(c.relative_change)},
          {"ci_low", Opt(c.ci_low)},
          {"ci_high", Opt(c.ci_high)},
          {"pvalue", Opt(c.pvalue)},
          {"degradation_pvalue", Opt(c.degradation_pvalue)},
          {"n_baseline", c.n_baseline},
          {"n_current", c.n_current}};
}

}  // namespace

Result<std::string> ComputeReport(const config::ScheduleConfig& schedule, const kpi::Engine& kpis,
                                  store::Store& store, baselines::BaselineStore& baselines,
                                  const goals::Engine& goals, int64_t start_ns, int64_t end_ns,
                                  bool& degraded) {
  degraded = false;
  json kpi_rows = json::array();
  std::vector<double> pvalues;
  std::vector<size_t> tested;  // indices into kpi_rows
  for (const auto& k : schedule.kpis) {
    json row = {{"kpi", k.kpi}, {"scope", ScopeJson(k.scope)}, {"degraded", false}};
    baselines::Spec spec;
    spec.project = schedule.project;
    spec.kpi = k.kpi;
    spec.filter = k.scope;
    for (const auto& [pk, pv] : k.params) spec.params[pk] = pv;
    auto current = baselines::Measure(kpis, store, spec, start_ns, end_ns);
    if (!current) {
      row["error"] = current.error().message();
      kpi_rows.push_back(std::move(row));
      continue;
    }
    row["value"] = Opt(current->value);
    row["n"] = current->n;
    row["unit"] = current->unit;
    kpi::Request r;
    r.project = schedule.project;
    r.name = k.kpi;
    r.from_ns = start_ns;
    r.to_ns = end_ns;
    r.filter = k.scope;
    r.params = spec.params;
    r.confidence = schedule.confidence;
    if (auto q = kpis.Query(r); q && !q->series.empty() && !q->series.front().points.empty()) {
      const auto& p = q->series.front().points.front();
      row["ci_low"] = p.ci ? json(p.ci->low) : json(nullptr);
      row["ci_high"] = p.ci ? json(p.ci->high) : json(nullptr);
    }
    if (!k.baseline.empty()) {
      row["baseline"] = k.baseline;
      auto b = baselines.Get(schedule.project, k.baseline);
      if (!b) return std::unexpected(b.error());
      if (!*b) {
        row["error"] = "no baseline named '" + k.baseline + "' in project " + schedule.project;
      } else if ((*b)->spec.kpi != k.kpi) {
        row["error"] =
            "baseline '" + k.baseline + "' is for " +
            ((*b)->spec.kpi.empty() ? "field " + (*b)->spec.field : "KPI " + (*b)->spec.kpi);
      } else {
        auto c = baselines::Compare((*b)->distribution, *current, schedule.confidence);
        if (!c) {
          row["error"] = c.error().message();
        } else {
          row["comparison"] = ComparisonJson(*c);
          if (c->degradation_pvalue) {
            pvalues.push_back(*c->degradation_pvalue);
            tested.push_back(kpi_rows.size());
          }
        }
      }
    }
    kpi_rows.push_back(std::move(row));
  }
  if (!pvalues.empty()) {
    auto adjusted = stats::AdjustPValues(pvalues, stats::Correction::kHolm, schedule.alpha);
    if (!adjusted) return std::unexpected(adjusted.error());
    for (size_t i = 0; i < tested.size(); ++i) {
      json& row = kpi_rows[tested[i]];
      row["adjusted_pvalue"] = adjusted->adjusted[i];
      row["degraded"] = static_cast<bool>(adjusted->reject[i]);
      degraded = degraded || adjusted->reject[i];
    }
  }
  json goal_rows = json::array();
  for (const auto& name : schedule.goals) {
    const goals::Goal* g = goals.Find(name);
    if (!g) {
      goal_rows.push_back({{"name", name}, {"error", "no goal named '" + name + "'"}});
      continue;
    }
    auto e = goals.EvaluateRange(*g, start_ns, end_ns);
    if (!e) {
      goal_rows.push_back({{"name", name}, {"error", e.error().message()}});
      continue;
    }
    goal_rows.push_back(
        {{"name", name},
         {"kpi", g->kpi},
         {"target", {{"op", goals::OpName(g->target.op)}, {"value", g->target.value}}},
         {"status", goals::StatusName(e->status)},
         {"value", Opt(e->value)},
         {"ci_low", e->ci ? json(e->ci->low) : json(nullptr)},
         {"ci_high", e->ci ? json(e->ci->high) : json(nullptr)},
         {"n", e->n},
         {"unit", e->unit}});
    degraded = degraded || e->status == goals::Status::kMissed;
  }
  json doc = {{"schedule", schedule.name},   {"project", schedule.project},
              {"from_ns", start_ns},         {"to_ns", end_ns},
              {"alpha", schedule.alpha},     {"confidence", schedule.confidence},
              {"correction", "holm"},        {"degraded", degraded},
              {"kpis", std::move(kpi_rows)}, {"goals", std::move(goal_rows)}};
  return doc.dump(-1, ' ', false, json::error_handler_t::replace);
}

// --- ReportStore ------------------------------------------------------------------------------

struct ReportStore::Impl {
  std::mutex mu;
  sqlite::Database db;
};

ReportStore::ReportStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ReportStore::~ReportStore() = default;

Result<std::unique_ptr<ReportStore>> ReportStore::Open(const std::string& path) {
  auto db = sqlite::Database::Open(path, false);
  if (!db) return std::unexpected(db.error());
  for (const char* sql :
       {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA busy_timeout=5000",
        "CREATE TABLE IF NOT EXISTS report_reports ("
        " id INTEGER PRIMARY KEY AUTOINCREMENT, schedule TEXT NOT NULL, project TEXT NOT NULL,"
        " period_start_ns INTEGER NOT NULL, period_end_ns INTEGER NOT NULL,"
        " created_ns INTEGER NOT NULL, degraded INTEGER NOT NULL, notified INTEGER NOT NULL,"
        " document TEXT NOT NULL, UNIQUE (schedule, period_start_ns, period_end_ns))"}) {
    if (auto r = db->Exec(sql); !r) return std::unexpected(r.error());
  }
  auto impl = std::make_unique<Impl>();
  impl->db = std::move(*db);
  return std::unique_ptr<ReportStore>(new ReportStore(std::move(impl)));
}

Result<bool> ReportStore::Insert(const StoredReport& r) {
  std::lock_guard lock(impl_->mu);
  auto stmt = impl_->db.Prepare(
      "INSERT OR IGNORE INTO report_reports (schedule, project, period_start_ns, period_end_ns,"
      " created_ns, degraded, notified, document) VALUES (?,?,?,?,?,?,?,?)");
  if (!stmt) return std::unexpected(stmt.error());
  stmt->Bind(1, r.schedule);
  stmt->Bind(2, r.project);
  stmt->Bind(3, r.period_start_ns);
  stmt->Bind(4, r.period_end_ns);
  stmt->Bind(5, r.created_ns);
  stmt->Bind(6, static_cast<int64_t>(r.degraded));
  stmt->Bind(7, static_cast<int64_t>(r.notify_pending ? 0 : 1));
  stmt->Bind(8, r.document);
  if (stmt->Step() != SQLITE_DONE) {
    return MakeError(ErrorCode::kIo, "cannot store report: " + stmt->ErrorMessage());
  }
  return impl_->db.Changes() == 1;
}

Result<bool> ReportStore::Exists(const std::string& schedule, int64_t start_ns, int64_t end_ns) {
  std::lock_guard lock(impl_->mu);
  auto stmt = impl_->db.Prepare(
      "SELECT 1 FROM report_reports WHERE schedule = ? AND period_start_ns = ? AND "
      "period_end_ns = ?");
  if (!stmt) return std::unexpected(stmt.error());
  stmt->Bind(1, schedule);
  stmt->Bind(2, start_ns);
  stmt->Bind(3, end_ns);
  const int rc = stmt->Step();
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
    return MakeError(ErrorCode::kIo, "report read: " + stmt->ErrorMessage());
  }
  return rc == SQLITE_ROW;
}

namespace {

constexpr const char* kColumns =
    "SELECT id, schedule, project, period_start_ns, period_end_ns, created_ns, degraded, "
    "document FROM report_reports";

StoredReport Row(const sqlite::Statement& s) {
  StoredReport r;
  r.id = s.Int(0);
  r.schedule = std::string(s.Text(1));
  r.project = std::string(s.Text(2));
  r.period_start_ns = s.Int(3);
  r.period_end_ns = s.Int(4);
  r.created_ns = s.Int(5);
  r.degraded = s.Int(6) != 0;
  r.document = std::string(s.Text(7));
  return r;
}

Result<std::vector<StoredReport>> Collect(sqlite::Statement& stmt) {
  std::vector<StoredReport> out;
  int rc;
  while ((rc = stmt.Step()) == SQLITE_ROW) out.push_back(Row(stmt));
  if (rc != SQLITE_DONE) return MakeError(ErrorCode::kIo, "report read: " + stmt.ErrorMessage());
  return out;
}

}  // namespace

Result<std::vector<StoredReport>> ReportStore::List(const std::string& project,
                                                    const std::string& schedule, size_t limit) {
  std::lock_guard lock(impl_->mu);
  auto stmt = impl_->db.Prepare(std::string(kColumns) +
                                " WHERE (? = '' OR project = ?) AND (? = '' OR schedule = ?)"
                                " ORDER BY period_end_ns DESC, id DESC LIMIT ?");
  if (!stmt) return std::unexpected(stmt.error());
  stmt->Bind(1, project);
  stmt->Bind(2, project);
  stmt->Bind(3, schedule);
  stmt->Bind(4, schedule);
  stmt->Bind(5, static_cast<int64_t>(limit));
  return Collect(*stmt);
}

Result<std::optional<StoredReport>> ReportStore::Get(int64_t id) {
  std::lock_guard lock(impl_->mu);
  auto stmt = impl_->db.Prepare(std::string(kColumns) + " WHERE id = ?");
  if (!stmt) return std::unexpected(stmt.error());
  stmt->Bind(1, id);
  auto rows = Collect(*stmt);
  if (!rows) return std::unexpected(rows.error());
  if (rows->empty()) return std::optional<StoredReport>();
  return std::optional<StoredReport>(std::move(rows->front()));
}

Result<std::vector<StoredReport>> ReportStore::Unnotified() {
  std::lock_guard lock(impl_->mu);
  auto stmt = impl_->db.Prepare(std::string(kColumns) + " WHERE notified = 0 ORDER BY id");
  if (!stmt) return std::unexpected(stmt.error());
  return Collect(*stmt);
}

Result<void> ReportStore::MarkNotified(int64_t id) {
  std::lock_guard lock(impl_->mu);
  auto stmt = impl_->db.Prepare("UPDATE report_reports SET notified = 1 WHERE id = ?");
  if (!stmt) return std::unexpected(stmt.error());
  stmt->Bind(1, id);
  if (stmt->Step() != SQLITE_DONE) {
    return MakeError(ErrorCode::kIo, "report update: " + stmt->ErrorMessage());
  }
  return {};
}

// --- Scheduler --------------------------------------------------------------------------------

Result<std::unique_ptr<Scheduler>> Scheduler::Create(Options options, const kpi::Engine* kpis,
                                                     store::Store* store,
                                                     baselines::BaselineStore* baselines,
                                                     const goals::Engine* goals,
                                                     ReportStore* reports, NotificationSink* sink) {
  std::unique_ptr<Scheduler> s(new Scheduler());
  for (auto& c : options.schedules) {
    auto cron = config::CronSchedule::Parse(c.schedule);
    if (!cron) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "schedule '" + c.name + "': " + cron.error().message());
    }
    s->entries_.push_back(Entry{std::move(c), std::move(*cron)});
  }
  s->clock_ = std::move(options.clock);
  s->kpis_ = kpis;
  s->store_ = store;
  s->baselines_ = baselines;
  s->goals_ = goals;
  s->reports_ = reports;
  s->sink_ = sink;
  return s;
}

Scheduler::~Scheduler() { Stop(); }

Result<int> Scheduler::Tick() {
  std::lock_guard lock(tick_mu_);
  const int64_t now = clock_();
  int stored = 0;
  std::optional<Error> first_error;
  for (const auto& e : entries_) {
    const int offset = e.config.utc_offset_minutes;
    const int64_t end = e.cron.Previous(now + 1, offset);  // the last fire time <= now
    const int64_t start = e.cron.Previous(end, offset);
    auto exists = reports_->Exists(e.config.name, start, end);
    if (!exists) {
      if (!first_error) first_error = exists.error();
      continue;
    }
    if (*exists) continue;
    bool degraded = false;
    auto doc = ComputeReport(e.config, *kpis_, *store_, *baselines_, *goals_, start, end, degraded);
    if (!doc) {
      if (!first_error) first_error = doc.error();
      continue;
    }
    StoredReport r;
    r.schedule = e.config.name;
    r.project = e.config.project;
    r.period_start_ns = start;
    r.period_end_ns = end;
    r.created_ns = now;
    r.degraded = degraded;
    r.notify_pending = degraded && !e.config.notify.empty();
    r.document = std::move(*doc);
    auto inserted = reports_->Insert(r);
    if (!inserted) {
      if (!first_error) first_error = inserted.error();
      continue;
    }
    stored += *inserted ? 1 : 0;
  }
  // Notifications of degraded reports not yet accepted by the sink.
  auto pending = reports_->Unnotified();
  if (!pending) {
    if (!first_error) first_error = pending.error();
  } else {
    for (const auto& r : *pending) {
      const auto it = std::find_if(entries_.begin(), entries_.end(),
                                   [&](const Entry& e) { return e.config.name == r.schedule; });
      bool all = true;
      if (it != entries_.end() && sink_ != nullptr) {
        for (const auto& notifier : it->config.notify) {
          Notification n;
          n.notifier = notifier;
          n.project = r.project;
          n.idempotency_key = "report:" + r.schedule + ":" + std::to_string(r.period_start_ns);
          n.document = r.document;
          n.summary = "Report " + r.schedule + " (project " + r.project +
                      "): degradation against baselines or goals";
          if (auto sent = sink_->Send(n); !sent) {
            all = false;
            if (!first_error) first_error = sent.error();
          }
        }
      } else if (sink_ == nullptr) {
        all = false;
      }
      if (all) {
        if (auto m = reports_->MarkNotified(r.id); !m && !first_error) first_error = m.error();
      }
    }
  }
  if (first_error) return std::unexpected(*first_error);
  return stored;
}

int64_t Scheduler::NextFire() const {
  const int64_t now = clock_();
  int64_t next = INT64_MAX;
  for (const auto& e : entries_)
    next = std::min(next, e.cron.Next(now, e.config.utc_offset_minutes));
  return next;
}

void Scheduler::Start(std::chrono::milliseconds poll) {
  if (entries_.empty()) return;
  thread_ = std::thread([this, poll] {
    std::unique_lock lock(mu_);
    while (!stopping_) {
      lock.unlock();
      (void)Tick();  // errors are retried at the next tick; reports are idempotent
      const int64_t wait_ns = NextFire() - clock_();
      lock.lock();
      const auto wait = std::min<std::chrono::nanoseconds>(
          std::chrono::nanoseconds(std::max<int64_t>(wait_ns, 0) + 1'000'000), poll);
      cv_.wait_for(lock, wait, [this] { return stopping_; });
    }
  });
}

void Scheduler::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace yardstick::reports
