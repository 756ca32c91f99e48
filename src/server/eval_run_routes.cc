#include "server/eval_run_routes.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "eval/eval.h"
#include "server/http_util.h"
#include "sqlite/sqlite.h"

namespace yardstick::server {
namespace {

using nlohmann::json;
using sqlite::Database;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS eval_runs (
  project     TEXT NOT NULL,
  id          TEXT NOT NULL,
  suite       TEXT NOT NULL,
  created     TEXT NOT NULL,
  target      TEXT NOT NULL,
  summary     TEXT NOT NULL,
  document    TEXT NOT NULL,
  received_ns INTEGER NOT NULL,
  PRIMARY KEY (project, id)
);
CREATE INDEX IF NOT EXISTS eval_runs_by_created ON eval_runs (project, created);
)sql";

json Num(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

// What the list shows of a run: headline metrics and the gate.
json Summary(const eval::Run& run) {
  json metrics = json::array();
  for (const auto& m : run.metrics) {
    metrics.push_back({{"id", m.spec.id},
                       {"name", m.spec.name},
                       {"display", m.display},
                       {"higher_is_better", m.higher_is_better},
                       {"value", Num(m.aggregate.value)},
                       {"ci_low", Num(m.aggregate.ci_low)},
                       {"ci_high", Num(m.aggregate.ci_high)},
                       {"level", m.aggregate.level},
                       {"n", m.aggregate.n},
                       {"missing", m.aggregate.missing}});
  }
  return {{"examples", run.examples.size()},
          {"failed", run.failed},
          {"gate", run.gate.empty()  ? "none"
                   : run.gate_passed ? "passed"
                                     : "failed"},
          {"gate_conditions", run.gate.size()},
          {"gate_failed", std::count_if(run.gate.begin(), run.gate.end(),
                                        [](const eval::GateResult& g) { return !g.passed; })},
          {"metrics", metrics}};
}

class EvalRunStore {
 public:
  Result<void> Open(const std::string& path) {
    auto db = Database::Open(path, false);
    if (!db) return std::unexpected(db.error());
    db_ = std::move(*db);
    sqlite3_busy_timeout(db_.get(), 5000);
    for (const char* pragma : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL"}) {
      if (auto r = db_.Exec(pragma); !r) return r;
    }
    return db_.Exec(kSchema);
  }

  // 201: stored; 200: the same document was already stored; 409: another document has the id.
  Result<int> Insert(const std::string& project, const std::string& id, const eval::Run& run,
                     const std::string& document) {
    std::lock_guard lock(mutex_);
    auto existing = db_.Prepare("SELECT document FROM eval_runs WHERE project = ? AND id = ?");
    if (!existing) return std::unexpected(existing.error());
    existing->Bind(1, project);
    existing->Bind(2, id);
    if (existing->Step() == SQLITE_ROW) {
      return existing->Text(0) == document ? 200 : 409;
    }
    auto st = db_.Prepare(
        "INSERT INTO eval_runs (project, id, suite, created, target, summary, document, "
        "received_ns) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    if (!st) return std::unexpected(st.error());
    st->Bind(1, project);
    st->Bind(2, id);
    st->Bind(3, run.suite_name);
    st->Bind(4, run.created);
    st->Bind(5, run.target);
    st->Bind(6, Summary(run).dump(-1, ' ', false, json::error_handler_t::replace));
    st->Bind(7, document);
    st->Bind(8, NowNanos());
    if (st->Step() != SQLITE_DONE) {
      return MakeError(ErrorCode::kIo, "eval runs: cannot store the run: " + st->ErrorMessage());
    }
    return 201;
  }

  Result<json> List(const std::string& project, const std::string& suite, int64_t limit) {
    std::lock_guard lock(mutex_);
    auto st = db_.Prepare(
        "SELECT id, suite, created, target, summary FROM eval_runs WHERE project = ? AND "
        "(? = '' OR suite = ?) ORDER BY created DESC, id DESC LIMIT ?");
    if (!st) return std::unexpected(st.error());
    st->Bind(1, project);
    st->Bind(2, suite);
    st->Bind(3, suite);
    st->Bind(4, limit);
    json runs = json::array();
    int rc = SQLITE_ROW;
    while ((rc = st->Step()) == SQLITE_ROW) {
      json summary = json::parse(st->Text(4), nullptr, false);
      if (summary.is_discarded()) summary = json::object();
      json row = {{"id", std::string(st->Text(0))},
                  {"suite", std::string(st->Text(1))},
                  {"created", std::string(st->Text(2))},
                  {"target", std::string(st->Text(3))}};
      row.update(summary);
      runs.push_back(std::move(row));
    }
    if (rc != SQLITE_DONE) {
      return MakeError(ErrorCode::kIo, "eval runs: cannot list: " + st->ErrorMessage());
    }
    return runs;
  }

  Result<std::optional<std::string>> Get(const std::string& project, const std::string& id) {
    std::lock_guard lock(mutex_);
    auto st = db_.Prepare("SELECT document FROM eval_runs WHERE project = ? AND id = ?");
    if (!st) return std::unexpected(st.error());
    st->Bind(1, project);
    st->Bind(2, id);
    const int rc = st->Step();
    if (rc == SQLITE_ROW) return std::optional<std::string>(std::string(st->Text(0)));
    if (rc != SQLITE_DONE) {
      return MakeError(ErrorCode::kIo, "eval runs: cannot read: " + st->ErrorMessage());
    }
    return std::optional<std::string>();
  }

 private:
  std::mutex mutex_;
  Database db_;
};

bool ParseInt(const std::string& text, int64_t lo, int64_t hi, int64_t& out) {
  if (text.empty() || text.size() > 18) return false;
  int64_t v = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  if (v < lo || v > hi) return false;
  out = v;
  return true;
}

}  // namespace

Result<void> AddEvalRunRoutes(httplib::Server& http, const std::string& state_db_path,
                              AuthorizeFn authorize) {
  auto store = std::make_shared<EvalRunStore>();
  if (auto r = store->Open(state_db_path); !r) return r;

  http.Post("/v1/eval-runs", [store, authorize](const httplib::Request& req,
                                                httplib::Response& res) {
    std::string project;
    if (!authorize(req, res, true, &project)) return;
    const json doc = json::parse(req.body, nullptr, false);
    if (doc.is_discarded()) {
      SendError(res, 400, "invalid_argument",
                "the body is not JSON (expected a results.json document of yardstick eval)");
      return;
    }
    auto run = eval::RunFromJson(doc, "body");
    if (!run) {
      SendError(res, 400, "invalid_argument", run.error().message());
      return;
    }
    const std::string id = eval::RunId(*run);
    if (doc.contains("run_id") && doc["run_id"] != id) {
      SendError(res, 400, "invalid_argument",
                "body: run_id '" + doc["run_id"].dump() +
                    "' does not match the run's suite and "
                    "creation time ('" +
                    id + "')");
      return;
    }
    auto status =
        store->Insert(project, id, *run, doc.dump(-1, ' ', false, json::error_handler_t::replace));
    if (!status) {
      SendError(res, 503, "unavailable", status.error().message());
      return;
    }
    if (*status == 409) {
      SendError(res, 409, "conflict", "another run with id '" + id + "' is stored in this project");
      return;
    }
    res.status = *status;
    res.set_content(json{{"id", id}, {"stored", *status == 201}}.dump(), kJson);
  });

  http.Get(
      "/v1/eval-runs", [store, authorize](const httplib::Request& req, httplib::Response& res) {
        std::string project;
        if (!authorize(req, res, true, &project)) return;
        int64_t limit = 100;
        if (req.has_param("limit") && !ParseInt(req.get_param_value("limit"), 1, 1000, limit)) {
          SendError(res, 400, "invalid_argument", "limit: expected an integer in [1, 1000]");
          return;
        }
        auto runs = store->List(project, req.get_param_value("suite"), limit);
        if (!runs) {
          SendError(res, 503, "unavailable", runs.error().message());
          return;
        }
        res.set_content(json{{"eval_runs", std::move(*runs)}}.dump(-1, ' ', false,
                                                                   json::error_handler_t::replace),
                        kJson);
      });

  // Registered before /v1/eval-runs/{id}, which would otherwise take "compare" as an id.
  http.Get("/v1/eval-runs/compare", [store, authorize](const httplib::Request& req,
                                                       httplib::Response& res) {
    std::string project;
    if (!authorize(req, res, true, &project)) return;
    const std::string a = req.get_param_value("a");
    const std::string b = req.get_param_value("b");
    if (a.empty() || b.empty()) {
      SendError(res, 400, "invalid_argument",
                "name the two runs: ?a=<baseline run id>&b=<candidate run id>");
      return;
    }
    eval::ComparisonSpec spec;
    int64_t number = 0;
    if (req.has_param("test")) {
      spec.test = req.get_param_value("test");
      if (spec.test != "bs" && spec.test != "ar") {
        SendError(res, 400, "invalid_argument", "test: expected bs or ar");
        return;
      }
    }
    if (req.has_param("resamples")) {
      if (!ParseInt(req.get_param_value("resamples"), 1, 10000, number)) {
        SendError(res, 400, "invalid_argument", "resamples: expected an integer in [1, 10000]");
        return;
      }
      spec.resamples = static_cast<int>(number);
    }
    if (req.has_param("seed")) {
      if (!ParseInt(req.get_param_value("seed"), 0, INT64_MAX / 10, number)) {
        SendError(res, 400, "invalid_argument", "seed: expected a non-negative integer");
        return;
      }
      spec.seed = static_cast<std::uint64_t>(number);
    }
    if (req.has_param("correction")) {
      spec.correction = req.get_param_value("correction");
      if (spec.correction != "holm" && spec.correction != "fdr_bh") {
        SendError(res, 400, "invalid_argument", "correction: expected holm or fdr_bh");
        return;
      }
    }
    if (req.has_param("alpha")) {
      const std::string text = req.get_param_value("alpha");
      char* end = nullptr;
      spec.alpha = std::strtod(text.c_str(), &end);
      if (text.empty() || *end != '\0' || !(spec.alpha > 0 && spec.alpha < 1)) {
        SendError(res, 400, "invalid_argument", "alpha: expected a number in (0, 1)");
        return;
      }
    }
    std::vector<eval::Run> runs;
    for (const std::string& id : {a, b}) {
      auto doc = store->Get(project, id);
      if (!doc) {
        SendError(res, 503, "unavailable", doc.error().message());
        return;
      }
      if (!*doc) {
        SendError(res, 404, "not_found", "no eval run '" + id + "' in this project");
        return;
      }
      auto run = eval::RunFromJson(json::parse(**doc, nullptr, false), "eval run " + id);
      if (!run) {
        SendError(res, 500, "internal", run.error().message());
        return;
      }
      runs.push_back(std::move(*run));
    }
    auto comparison = eval::CompareRuns(runs[0], runs[1], spec, a);
    if (!comparison) {
      SendError(res, 400, "invalid_argument", comparison.error().message());
      return;
    }
    auto brief = [](const std::string& id, const eval::Run& run) {
      return json{
          {"id", id}, {"suite", run.suite_name}, {"created", run.created}, {"target", run.target}};
    };
    json out = eval::ComparisonToJson(*comparison);
    out["a"] = brief(a, runs[0]);
    out["b"] = brief(b, runs[1]);
    out["test"] = spec.test;
    out["resamples"] = spec.resamples;
    out["seed"] = spec.seed;
    res.set_content(out.dump(-1, ' ', false, json::error_handler_t::replace), kJson);
  });

  http.Get(R"(/v1/eval-runs/([^/]+))",
           [store, authorize](const httplib::Request& req, httplib::Response& res) {
             std::string project;
             if (!authorize(req, res, true, &project)) return;
             const std::string id = req.matches[1];
             auto doc = store->Get(project, id);
             if (!doc) {
               SendError(res, 503, "unavailable", doc.error().message());
               return;
             }
             if (!*doc) {
               SendError(res, 404, "not_found", "no eval run '" + id + "' in this project");
               return;
             }
             res.set_content(std::move(**doc), kJson);
           });
  return {};
}

}  // namespace yardstick::server
