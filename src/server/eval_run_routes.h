#pragma once
// Evaluation runs in the server: POST /v1/eval-runs (a results.json document of `yardstick
// eval`), GET /v1/eval-runs (the list), GET /v1/eval-runs/{id} (the document) and
// GET /v1/eval-runs/compare?a=&b= (src/eval's paired comparison of two stored runs). Runs are
// kept per project in <data_dir>/state.db, table eval_runs (own connection, WAL,
// synchronous=FULL). docs/api.md describes the routes.

#include <httplib.h>

#include <string>

#include "base/error.h"
#include "server/notification_routes.h"

namespace yardstick::server {

// Opens (creating when missing) the eval_runs table of `state_db_path` and registers the routes
// on `http`; the routes own the connection. Errors: the database cannot be opened or created.
Result<void> AddEvalRunRoutes(httplib::Server& http, const std::string& state_db_path,
                              AuthorizeFn authorize);

}  // namespace yardstick::server
