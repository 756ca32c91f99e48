#pragma once
// The alerting endpoints: GET /v1/alerts, /v1/alerts/history, /v1/alerts/rules and
// POST/GET/DELETE /v1/silences (docs/api.md, "Alerts").

#include <httplib.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "alerts/alerts.h"
#include "notify/notify.h"
#include "server/auth.h"
#include "server/logger.h"

namespace yardstick::server {

// Authenticates a request. On success returns the principal and sets *project to the project
// it acts on ("" for the admin key without ?project=); otherwise writes the error response.
using Authorizer = std::function<std::optional<Principal>(
    const httplib::Request& req, httplib::Response& res, std::string* project)>;

// The alert engine in use (it changes when the configuration is reloaded); a request keeps the
// one it took until it finishes.
using AlertEngineFn = std::function<std::shared_ptr<alerts::Engine>()>;

void RegisterAlertRoutes(httplib::Server& http, AlertEngineFn engine, Authorizer authorize);

// The alert engine's sink: each notification becomes one Alertmanager-shaped message per notifier
// it is routed to, in the outbox (which dedups on the notifier and the idempotency key). With no
// notifier to route to, the notification is written to the log ("msg":"alert").
std::unique_ptr<alerts::AlertSink> MakeOutboxAlertSink(notify::Outbox* outbox, Logger& log);

}  // namespace yardstick::server
