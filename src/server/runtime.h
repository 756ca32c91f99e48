#pragma once
// What the server builds from the reloadable sections of its configuration: redaction, pricing,
// user-defined KPIs, goals, schedules, escalations and alert rules (docs/configuration.md,
// "Reloading the configuration"). A Runtime is immutable once built. The server publishes one at
// a time and replaces it as a whole on a reload; a request keeps the Runtime it started with
// (through a shared_ptr) until it finishes, so a reload never changes the rules under a request.
//
// What a reload cannot change (server.*, storage.* except retention, auth.admin_key_env) is
// listed by RestartOnlyChanges and keeps its running value until the next start.

#include <memory>
#include <string>
#include <vector>

#include "alerts/alerts.h"
#include "base/error.h"
#include "config/config.h"
#include "escalation/escalation.h"
#include "goals/goals.h"
#include "kpi/kpi.h"
#include "notify/notify.h"
#include "pricing/price_table.h"
#include "redact/redactor.h"
#include "reports/reports.h"
#include "server/logger.h"
#include "server/prometheus.h"

namespace yardstick::store {
class Store;
}
namespace yardstick::baselines {
class BaselineStore;
}

namespace yardstick::server {

// The long-lived parts a Runtime uses; they must outlive it.
struct RuntimeDeps {
  store::Store* store = nullptr;
  baselines::BaselineStore* baselines = nullptr;
  reports::ReportStore* reports = nullptr;
  notify::Outbox* outbox = nullptr;  // already holding the configuration's notifiers
  Registry* metrics = nullptr;
  Logger* log = nullptr;
};

// Members are destroyed in reverse order: the engines before what they point to.
struct Runtime {
  config::Config config;
  std::unique_ptr<redact::Redactor> redactor;
  std::unique_ptr<pricing::PriceTable> prices;
  std::unique_ptr<kpi::Engine> kpis;
  std::unique_ptr<goals::Engine> goals;
  std::unique_ptr<escalation::Engine> escalations;  // nullptr: no escalation rules
  std::unique_ptr<reports::NotificationSink> report_sink;
  std::unique_ptr<reports::Scheduler> scheduler;
  std::unique_ptr<alerts::AlertSink> alert_sink;
  std::unique_ptr<alerts::Engine> alerts;

  ~Runtime();
  // Starts / stops the threads of the scheduled reports and the alert evaluation. A Runtime is
  // started at most once (a second Start does nothing); Stop may be called more than once. The
  // server calls both under its reload lock.
  void Start();
  void Stop();

 private:
  bool started_ = false;
};

// Builds every part from `config` (nothing is started). Errors: a redaction pattern, price table
// or KPI that does not compile, a state database that cannot be opened, an escalation naming a
// notifier the outbox does not have.
Result<std::unique_ptr<Runtime>> BuildRuntime(const config::Config& config,
                                              const RuntimeDeps& deps);

// Keys (as written in the file, e.g. "server.listen_port", "storage.clickhouse.endpoints") whose
// value differs between the running and the loaded configuration and that only a restart applies.
std::vector<std::string> RestartOnlyChanges(const config::Config& running,
                                            const config::Config& loaded);

// `loaded` with the restart-only sections taken from `running`: what a reload applies.
config::Config ReloadableView(const config::Config& running, const config::Config& loaded);

}  // namespace yardstick::server
