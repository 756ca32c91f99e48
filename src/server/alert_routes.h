#pragma once
// The alerting endpoints: GET /v1/alerts, /v1/alerts/history, /v1/alerts/rules and
// POST/GET/DELETE /v1/silences (docs/api.md, "Alerts").

#include <httplib.h>

#include <functional>
#include <optional>
#include <string>

#include "alerts/alerts.h"
#include "server/auth.h"

namespace yardstick::server {

// Authenticates a request. On success returns the principal and sets *project to the project
// it acts on ("" for the admin key without ?project=); otherwise writes the error response.
using Authorizer = std::function<std::optional<Principal>(
    const httplib::Request& req, httplib::Response& res, std::string* project)>;

void RegisterAlertRoutes(httplib::Server& http, alerts::Engine* engine, Authorizer authorize);

}  // namespace yardstick::server
