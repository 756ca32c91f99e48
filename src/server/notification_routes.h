#pragma once
// The server's side of notifications and escalation: opening the outbox (with its metrics)
// and the escalation engine at startup, evaluating escalations after an accepted append, and
// GET /v1/notifications.

#include <httplib.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "base/error.h"
#include "config/config.h"
#include "escalation/escalation.h"
#include "model/records.h"
#include "notify/notify.h"
#include "server/auth.h"
#include "server/logger.h"
#include "server/prometheus.h"

namespace yardstick::store {
class Store;
struct AppendResult;
}  // namespace yardstick::store

namespace yardstick::server {

// Opens <data_dir>/state.db's outbox with the configured notifiers and declares the
// notification metrics in `metrics`. The delivery thread is not started.
Result<std::unique_ptr<notify::Outbox>> OpenOutbox(const config::Config& config, Registry& metrics,
                                                   Logger& log);

// The escalation engine, or nullptr when no escalation rule is configured.
Result<std::unique_ptr<escalation::Engine>> OpenEscalations(const config::Config& config,
                                                            store::Store* store,
                                                            notify::Outbox* outbox,
                                                            Registry& metrics);

// Evaluates the escalation rules for a batch the store accepted (`append` is the store's
// answer); failures are logged (the records are stored either way).
void EvaluateEscalations(escalation::Engine& engine, const model::Batch& batch,
                         const store::AppendResult& append, Registry& metrics, Logger& log);

// Authenticates a request as the server's other /v1 routes do (see Server::Impl::Authorize).
using AuthorizeFn = std::function<std::optional<Principal>(
    const httplib::Request&, httplib::Response&, bool need_project, std::string* project)>;

// GET /v1/notifications (docs/api.md).
void AddNotificationRoutes(httplib::Server& http, notify::Outbox& outbox, AuthorizeFn authorize);

}  // namespace yardstick::server
