#pragma once
// HTTP routes of goals, baselines and scheduled reports (docs/api.md): GET /v1/goals,
// POST/GET/DELETE /v1/baselines[/{name}[/compare]], GET /v1/reports[/{id}].

#include <httplib.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "server/auth.h"

namespace yardstick::kpi {
class Engine;
}
namespace yardstick::store {
class Store;
}
namespace yardstick::goals {
class Engine;
}
namespace yardstick::baselines {
class BaselineStore;
}
namespace yardstick::reports {
class ReportStore;
}

namespace yardstick::server {

struct GoalRoutesContext {
  // The server's authorization (writes the error response and returns nullopt on failure).
  std::function<std::optional<Principal>(const httplib::Request&, httplib::Response&,
                                         bool need_project, std::string* project)>
      authorize;
  // The KPI and goal engines in use (they change when the configuration is reloaded); a
  // request keeps the ones it took until it finishes.
  std::function<std::shared_ptr<const kpi::Engine>()> kpis;
  store::Store* store = nullptr;
  std::function<std::shared_ptr<const goals::Engine>()> goals;
  baselines::BaselineStore* baselines = nullptr;
  reports::ReportStore* reports = nullptr;
};

void RegisterGoalRoutes(httplib::Server& http, GoalRoutesContext context);

}  // namespace yardstick::server
