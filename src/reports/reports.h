#pragma once
// Scheduled evaluation (`schedules:` in yardstick.yaml, docs/goals.md): at each fire time of a
// schedule, a report of the closed period [previous fire, this fire) - the previous day, week or
// month for daily, weekly and monthly - with each KPI's value and interval, its comparison with
// its baseline, and the status of the schedule's goals over the period.
//
// Degradation: each KPI with a baseline gets the one-sided p-value of a change in its bad
// direction (Comparison::degradation_pvalue); the p-values of one report are Holm-adjusted
// together and a KPI is degraded when its adjusted p-value is below the schedule's alpha. A
// report is `degraded` when a KPI is degraded or a goal is missed; then one notification per
// notifier named by the schedule is handed to the sink, with the idempotency key
// "report:<schedule>:<period start ns>".
//
// Exactly once: a report is stored under UNIQUE(schedule, period_start, period_end) in
// state.db (tables report_*), so a period is never reported twice, even across restarts. On
// start (and every tick) the scheduler computes the most recent closed period of each schedule
// if it is missing - one catch-up after downtime, not one per missed period. A report's
// notifications are marked sent only after the sink accepted them, and unsent ones are retried
// on every tick (the sink deduplicates by idempotency key).
//
// Thread safety: Scheduler's public methods may be called from any thread; Tick runs under a
// mutex.

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/error.h"
#include "baselines/baselines.h"
#include "config/config.h"
#include "config/cron.h"
#include "goals/goals.h"

namespace yardstick::reports {

// A notification about a degraded report, for a notifier named in the schedule.
struct Notification {
  std::string notifier;
  std::string project;
  std::string idempotency_key;  // "report:<schedule>:<period start ns>"
  std::string document;         // the report as JSON
  std::string summary;          // one line for chat formats
};

// Where degradation notifications go (the server wires it to the notification outbox).
class NotificationSink {
 public:
  virtual ~NotificationSink() = default;
  // Returns after the notification is durably accepted.
  virtual Result<void> Send(const Notification& notification) = 0;
};

struct StoredReport {
  int64_t id = 0;
  std::string schedule;
  std::string project;
  int64_t period_start_ns = 0, period_end_ns = 0;
  int64_t created_ns = 0;
  bool degraded = false;
  bool notify_pending = false;  // Insert: its notifications are still to be sent
  std::string document;         // JSON (docs/api.md, GET /v1/reports/{id})
};

// Reports in state.db.
class ReportStore {
 public:
  static Result<std::unique_ptr<ReportStore>> Open(const std::string& path);
  ~ReportStore();

  // Inserts unless (schedule, period) exists; returns whether it was inserted.
  Result<bool> Insert(const StoredReport& report);
  Result<bool> Exists(const std::string& schedule, int64_t start_ns, int64_t end_ns);
  // Newest first. schedule/project "" = all.
  Result<std::vector<StoredReport>> List(const std::string& project, const std::string& schedule,
                                         size_t limit);
  Result<std::optional<StoredReport>> Get(int64_t id);
  // Degraded reports whose notifications were not all accepted yet.
  Result<std::vector<StoredReport>> Unnotified();
  Result<void> MarkNotified(int64_t id);

 private:
  struct Impl;
  explicit ReportStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Computes the report of one schedule for one period (a JSON document); `degraded` is set.
Result<std::string> ComputeReport(const config::ScheduleConfig& schedule, const kpi::Engine& kpis,
                                  store::Store& store, baselines::BaselineStore& baselines,
                                  const goals::Engine& goals, int64_t start_ns, int64_t end_ns,
                                  bool& degraded);

class Scheduler {
 public:
  struct Options {
    std::vector<config::ScheduleConfig> schedules;
    std::function<int64_t()> clock;  // Unix ns
  };
  // Every pointer must outlive the scheduler. Errors on an invalid schedule expression.
  static Result<std::unique_ptr<Scheduler>> Create(Options options, const kpi::Engine* kpis,
                                                   store::Store* store,
                                                   baselines::BaselineStore* baselines,
                                                   const goals::Engine* goals, ReportStore* reports,
                                                   NotificationSink* sink);
  ~Scheduler();

  // Computes every missing most-recent closed period and retries unsent notifications. Returns
  // the number of reports stored. Errors of one schedule do not stop the others (the first
  // error is returned after all were tried).
  Result<int> Tick();
  // The next fire time of any schedule after the clock's now.
  int64_t NextFire() const;

  // Runs Tick at every fire time on a thread until Stop (waking at least every `poll`).
  void Start(std::chrono::milliseconds poll = std::chrono::seconds(30));
  void Stop();

 private:
  struct Entry {
    config::ScheduleConfig config;
    config::CronSchedule cron;
  };
  Scheduler() = default;

  std::vector<Entry> entries_;
  std::function<int64_t()> clock_;
  const kpi::Engine* kpis_ = nullptr;
  store::Store* store_ = nullptr;
  baselines::BaselineStore* baselines_ = nullptr;
  const goals::Engine* goals_ = nullptr;
  ReportStore* reports_ = nullptr;
  NotificationSink* sink_ = nullptr;
  std::mutex tick_mu_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace yardstick::reports
