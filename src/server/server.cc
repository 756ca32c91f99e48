#include "server/server.h"

#include <httplib.h>
#include <sys/resource.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <condition_variable>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <string_view>
#include <thread>

#include "alerts/alerts.h"
#include "baselines/baselines.h"
#include "goals/goals.h"
#include "ingest/events.h"
#include "kpi/kpi.h"
#include "otlp/otlp.h"
#include "pricing/price_table.h"
#include "redact/redactor.h"
#include "reports/reports.h"
#include "server/alert_routes.h"
#include "server/auth.h"
#include "server/dashboard.h"
#include "server/eval_run_routes.h"
#include "server/goals_routes.h"
#include "server/http_util.h"
#include "server/notification_routes.h"
#include "server/prometheus.h"
#include "server/runtime.h"
#include "store/store.h"

namespace yardstick::server {
namespace {

using nlohmann::json;

int StatusFor(const Error& e) {
  switch (e.code()) {
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kParse:
      return 400;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kUnsupported:
      return 503;
    case ErrorCode::kIo:
    case ErrorCode::kInternal:
      return 500;
  }
  return 500;
}

double ResidentBytes() {
  std::ifstream statm("/proc/self/statm");
  long pages = 0, resident = 0;
  statm >> pages >> resident;
  return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE));
}

}  // namespace

class Server::Impl {
 public:
  Impl(const config::Config& config, Logger* logger, ConfigLoader loader)
      : config_(config), log_(*logger), loader_(std::move(loader)) {}

  Result<void> Init(std::optional<std::string> admin_key) {
    started_ns_ = NowNanos();
    const auto& sc = config_.server;
    std::error_code ec;
    std::filesystem::create_directories(sc.data_dir, ec);
    if (ec) {
      return MakeError(ErrorCode::kIo,
                       "cannot create data directory " + sc.data_dir + ": " + ec.message());
    }
    auto st = OpenStore();
    if (!st) return std::unexpected(st.error());
    store_ = std::move(*st);
    keys_ = std::make_unique<KeyRing>(store_.get());

    // Keys: the admin key, then project keys named by the configuration.
    auto generated = keys_->EnsureAdmin(admin_key);
    if (!generated) return std::unexpected(generated.error());
    generated_admin_key_ = *generated;
    if (auto r = RegisterProjectKeys(config_); !r) return r;

    if (config_.server.dashboard.enabled) {
      if (config_.server.dashboard.dir.empty()) {
        dashboard_ = Dashboard::Embedded();
      } else {
        auto d = Dashboard::FromDirectory(config_.server.dashboard.dir);
        if (!d) return std::unexpected(d.error());
        dashboard_ = std::move(*d);
      }
    }
    // Notifications (the outbox other engines enqueue into), the stores of baselines and
    // reports, then everything built from the reloadable sections.
    auto outbox = OpenOutbox(config_, metrics_, log_);
    if (!outbox) return std::unexpected(outbox.error());
    outbox_ = std::move(*outbox);
    const std::string state = config_.server.data_dir + "/state.db";
    auto bs = baselines::BaselineStore::Open(state);
    if (!bs) return std::unexpected(bs.error());
    baselines_ = std::move(*bs);
    auto rs = reports::ReportStore::Open(state);
    if (!rs) return std::unexpected(rs.error());
    reports_ = std::move(*rs);
    auto rt = BuildRuntime(config_, Deps());
    if (!rt) return std::unexpected(rt.error());
    runtime_ = std::move(*rt);
    if (auto r = AddEvalRunRoutes(http_, config_.server.data_dir + "/state.db",
                                  [this](auto& req, auto& res, bool need, auto* p) {
                                    return Authorize(req, res, need, p);
                                  });
        !r) {
      return std::unexpected(r.error());
    }

    SetUpMetrics();
    SetUpRoutes();
    return {};
  }

  Result<int> Bind() {
    const auto& sc = config_.server;
    int port = sc.listen_port;
    if (port == 0) {
      port = http_.bind_to_any_port(sc.listen_host);
      if (port < 0) port = 0;
    } else if (!http_.bind_to_port(sc.listen_host, port)) {
      port = 0;
    }
    if (port <= 0) {
      return MakeError(ErrorCode::kIo, "cannot listen on " + sc.listen_host + ":" +
                                           std::to_string(sc.listen_port) +
                                           " (in use, or not an address of this machine)");
    }
    port_ = port;
    return port;
  }

  void Run() {
    ready_ = true;
    retention_thread_ = std::thread([this] { RetentionLoop(); });
    outbox_->Start();
    {
      std::lock_guard reload_lock(reload_mutex_);
      Current()->Start();
    }
    log_.Info("listening", {{"address", config_.server.listen_host + ":" + std::to_string(port_)},
                            {"data_dir", config_.server.data_dir},
                            {"startup_ms", static_cast<double>(NowNanos() - started_ns_) / 1e6}});
    http_.listen_after_bind();
    // listen_after_bind returns once stop() was called and the worker threads finished the
    // requests in flight.
    ready_ = false;
    {
      std::lock_guard lock(stop_mutex_);
      stopping_ = true;
    }
    stop_cv_.notify_all();
    if (retention_thread_.joinable()) retention_thread_.join();
    {
      std::lock_guard reload_lock(reload_mutex_);
      shut_down_ = true;
      Current()->Stop();
    }
    outbox_->Stop();
    store_->Close();
    log_.Info("stopped", {{"records_acknowledged", acknowledged_.load()}});
  }

  void Stop() {
    ready_ = false;
    http_.stop();
  }

  const std::optional<std::string>& generated_admin_key() const { return generated_admin_key_; }
  // The durable outbox (alerts, reports and escalations enqueue their notifications here).
  notify::Outbox* outbox() const { return outbox_.get(); }

  // Reads the configuration again and applies its reloadable sections (docs/configuration.md,
  // "Reloading the configuration"). On any error the running configuration stays as it is.
  Result<ReloadResult> Reload() {
    std::lock_guard reload_lock(reload_mutex_);
    auto result = DoReload();
    const double now = static_cast<double>(NowNanos()) / 1e9;
    metrics_.Increment("yardstick_config_reloads_total",
                       {{"result", result ? "success" : "failure"}});
    metrics_.Set("yardstick_config_last_reload_successful", {}, result ? 1.0 : 0.0);
    if (result) {
      metrics_.Set("yardstick_config_last_reload_success_timestamp_seconds", {}, now);
      log_.Info("configuration reloaded", {{"file", config_.source_path},
                                           {"restart_required", Join(result->restart_required)}});
    } else {
      log_.Error("configuration reload failed; keeping the running configuration",
                 {{"file", config_.source_path}, {"error", result.error().message()}});
    }
    return result;
  }

 private:
  // --- Configuration reload -----------------------------------------------------------------

  std::shared_ptr<Runtime> Current() const {
    std::lock_guard lock(runtime_mutex_);
    return runtime_;
  }

  RuntimeDeps Deps() {
    return {store_.get(), baselines_.get(), reports_.get(), outbox_.get(), &metrics_, &log_};
  }

  static std::string Join(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
    return out;
  }

  // Registers the keys of the configured projects (a key already known is registered again,
  // which changes nothing). Every missing variable is named in one error.
  Result<void> RegisterProjectKeys(const config::Config& config) {
    std::vector<std::pair<std::string, std::string>> keys;  // key, project
    std::string missing;
    for (const auto& p : config.auth.projects) {
      const char* key = std::getenv(p.key_env.c_str());
      if (key == nullptr || *key == '\0') {
        missing += std::string(missing.empty() ? "" : "; ") + "project '" + p.name +
                   "': environment variable " + p.key_env + " (auth.projects[].key_env) is not set";
        continue;
      }
      keys.emplace_back(key, p.name);
    }
    if (!missing.empty()) return MakeError(ErrorCode::kInvalidArgument, missing);
    for (const auto& [key, project] : keys) {
      if (auto r = keys_->Register(key, project, "config"); !r) return r;
    }
    return {};
  }

  Result<ReloadResult> DoReload() {
    if (!loader_) {
      return MakeError(ErrorCode::kUnsupported,
                       "the server was started without a configuration file (--config)");
    }
    if (shut_down_) return MakeError(ErrorCode::kUnsupported, "the server is shutting down");
    auto loaded = loader_();
    if (!loaded) return std::unexpected(loaded.error());
    const std::shared_ptr<Runtime> old = Current();
    ReloadResult result;
    result.restart_required = RestartOnlyChanges(config_, *loaded);
    config::Config next = ReloadableView(config_, *loaded);
    // Nothing is replaced until everything is built: the notifiers first (the escalation rules
    // are checked against them), put back if anything after them fails.
    const auto old_notifiers = outbox_->Notifiers();
    if (auto r = outbox_->Reconfigure(next.notifiers); !r) return std::unexpected(r.error());
    auto rt = BuildRuntime(next, Deps());
    if (rt) {
      if (auto r = RegisterProjectKeys(next); !r) rt = std::unexpected(r.error());
    }
    if (!rt) {
      (void)outbox_->Reconfigure(old_notifiers);
      return std::unexpected(rt.error());
    }
    std::shared_ptr<Runtime> fresh = std::move(*rt);
    // The old runtime's threads stop before the new ones start, so that no alert is evaluated
    // twice at once; requests in flight finish with the runtime they started with.
    old->Stop();
    {
      std::lock_guard lock(runtime_mutex_);
      runtime_ = fresh;
    }
    if (ready_) fresh->Start();  // else Run() starts it
    return result;
  }

  void HandleReload(const httplib::Request& req, httplib::Response& res) {
    auto p = Authorize(req, res, false, nullptr);
    if (!p) return;
    if (!p->admin) return SendError(res, 403, "forbidden", "reloading needs the admin key");
    auto r = Reload();
    if (!r) {
      switch (r.error().code()) {
        case ErrorCode::kUnsupported:
          return SendError(res, 409, "failed_precondition", r.error().message());
        case ErrorCode::kInvalidArgument:
        case ErrorCode::kParse:
        case ErrorCode::kNotFound:
          return SendError(res, 400, "invalid_config", r.error().message());
        case ErrorCode::kIo:
        case ErrorCode::kInternal:
          break;
      }
      // The file was fine but something failed while applying it (e.g. state.db).
      return SendError(res, 500, "internal", r.error().message());
    }
    res.set_content(JsonText({{"status", "reloaded"},
                              {"file", config_.source_path},
                              {"restart_required", r->restart_required}}),
                    kJson);
  }

  // --- Auth ---------------------------------------------------------------------------------

  // The key from "Authorization: Bearer <key>" or "X-API-Key: <key>".
  static std::string PresentedKey(const httplib::Request& req) {
    const std::string auth = req.get_header_value("Authorization");
    if (auth.rfind("Bearer ", 0) == 0) return auth.substr(7);
    return req.get_header_value("X-API-Key");
  }

  // Authenticates and resolves the project the request acts on. Writes the error response
  // and returns nullopt when the request may not proceed.
  std::optional<Principal> Authorize(const httplib::Request& req, httplib::Response& res,
                                     bool need_project, std::string* project) {
    auto p = keys_->Authenticate(PresentedKey(req));
    if (!p) {
      SendError(res, 503, "unavailable", p.error().message());
      return std::nullopt;
    }
    if (!*p) {
      res.set_header("WWW-Authenticate", "Bearer");
      SendError(res, 401, "unauthenticated",
                "missing or unknown API key (send Authorization: Bearer <key>)");
      return std::nullopt;
    }
    const Principal& principal = **p;
    std::string wanted = req.get_param_value("project");
    if (wanted.empty()) wanted = req.get_header_value("X-Yardstick-Project");
    if (principal.admin) {
      if (need_project && wanted.empty()) {
        SendError(res, 400, "invalid_argument",
                  "the admin key must name a project (?project= or X-Yardstick-Project)");
        return std::nullopt;
      }
      if (project) *project = wanted;
    } else {
      if (!wanted.empty() && wanted != principal.project) {
        SendError(res, 403, "forbidden",
                  "this key belongs to another project than '" + wanted + "'");
        return std::nullopt;
      }
      if (project) *project = principal.project;
    }
    return principal;
  }

  // --- Body reading with a limit after decompression ----------------------------------------

  // Reads the (already decompressed) body; false and a 413 response when it is too large.
  bool ReadBody(httplib::Response& res, const httplib::ContentReader& reader, std::string& body) {
    const size_t limit = config_.server.limits.max_body_bytes;
    bool too_large = false;
    const bool ok = reader([&](const char* data, size_t len) {
      if (body.size() + len > limit) {
        too_large = true;
        return false;
      }
      body.append(data, len);
      return true;
    });
    if (too_large) {
      metrics_.Increment("yardstick_rejected_requests_total", {{"reason", "too_large"}});
      SendError(res, 413, "payload_too_large",
                "the request body exceeds " + std::to_string(limit) +
                    " bytes after decompression (server.limits.max_body_bytes)");
      return false;
    }
    if (!ok) {
      SendError(res, 400, "invalid_argument", "could not read the request body");
      return false;
    }
    return true;
  }

  // The store the configuration names: SQLite under data_dir, or ClickHouse (with its spool
  // under data_dir and credentials from the environment).
  Result<std::unique_ptr<store::Store>> OpenStore() {
    const auto& sc = config_.server;
    if (config_.storage.backend == "clickhouse") {
      const auto& ch = config_.storage.clickhouse;
      store::ClickHouseOptions co;
      co.endpoints = ch.endpoints;
      co.database = ch.database;
      co.cluster = ch.cluster;
      co.spool_dir = sc.data_dir + "/clickhouse-spool";
      for (auto [env, out] :
           {std::pair{&ch.user_env, &co.user}, {&ch.password_env, &co.password}}) {
        if (env->empty()) continue;
        const char* v = std::getenv(env->c_str());
        if (v == nullptr) {
          return MakeError(ErrorCode::kInvalidArgument,
                           "storage.clickhouse: environment variable " + *env + " is not set");
        }
        *out = v;
      }
      return store::OpenClickHouseStore(co);
    }
    store::SqliteOptions so;
    so.path = config_.storage.sqlite.path.empty() ? sc.data_dir + "/yardstick.db"
                                                  : config_.storage.sqlite.path;
    so.synchronous_full = config_.storage.sqlite.synchronous != "normal";
    return store::OpenSqliteStore(so);
  }

  // --- Ingest -------------------------------------------------------------------------------

  // Redacts, prices and stores a batch; returns the store's result or an error response.
  // `redactions`, when given, receives the number of replacements made.
  Result<store::AppendResult> Persist(model::Batch& batch, uint64_t* redactions = nullptr) {
    const auto rt = Current();
    redact::Counts counts;
    rt->redactor->RedactBatch(batch, counts);
    if (redactions) *redactions = counts.total;
    for (const auto& [kind, n] : counts.by_kind) {
      metrics_.Increment("yardstick_redactions_total", {{"kind", kind}}, static_cast<double>(n));
    }
    rt->prices->PriceBatch(batch);
    const auto t0 = std::chrono::steady_clock::now();
    auto r = store_->Append(batch);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    metrics_.Observe("yardstick_store_append_seconds", {}, {seconds});
    if (r) {
      acknowledged_ += r->stored;
      RecordGenAiMetrics(batch);
      metrics_.Increment("yardstick_ingested_records_total", {{"kind", "call"}},
                         static_cast<double>(batch.calls.size()));
      metrics_.Increment("yardstick_ingested_records_total", {{"kind", "score"}},
                         static_cast<double>(batch.scores.size()));
      metrics_.Increment("yardstick_ingested_records_total", {{"kind", "outcome"}},
                         static_cast<double>(batch.outcomes.size()));
      metrics_.Increment("yardstick_duplicate_records_total", {},
                         static_cast<double>(r->duplicates));
      if (rt->escalations) EvaluateEscalations(*rt->escalations, batch, *r, metrics_, log_);
    }
    return r;
  }

  void RecordGenAiMetrics(const model::Batch& batch) {
    // Grouped by the calls' label values first (views into the batch; a batch has few distinct
    // label sets), so label vectors are built once per series, not per call.
    struct Samples {
      std::map<std::optional<std::string_view>, std::vector<double>> durations;  // by error_type
      std::vector<double> input, output;
    };
    using Key = std::array<std::string_view, 4>;  // operation, provider, request, response model
    std::map<Key, Samples> groups;
    for (const auto& c : batch.calls) {
      Samples& g = groups[Key{c.operation, c.provider, c.request_model, c.response_model}];
      std::optional<std::string_view> error;
      if (c.status == model::CallStatus::kError) {
        error = c.error_type.empty() ? std::string_view("_OTHER") : std::string_view(c.error_type);
      }
      g.durations[error].push_back(c.latency_s());
      if (c.input_tokens >= 0) g.input.push_back(static_cast<double>(c.input_tokens));
      if (c.output_tokens >= 0) g.output.push_back(static_cast<double>(c.output_tokens));
    }
    for (const auto& [key, samples] : groups) {
      const Labels base = {{"gen_ai_operation_name", std::string(key[0])},
                           {"gen_ai_provider_name", std::string(key[1])},
                           {"gen_ai_request_model", std::string(key[2])},
                           {"gen_ai_response_model", std::string(key[3])}};
      for (const auto& [error, values] : samples.durations) {
        Labels d = base;
        if (error) d.emplace_back("error_type", std::string(*error));
        metrics_.Observe("gen_ai_client_operation_duration_seconds", d, values);
      }
      for (const auto& [type, values] :
           {std::pair{"input", &samples.input}, std::pair{"output", &samples.output}}) {
        if (values->empty()) continue;
        Labels t = base;
        t.emplace_back("gen_ai_token_type", type);
        metrics_.Observe("gen_ai_client_token_usage", t, *values);
      }
    }
  }

  // Assigns the request's project to every record; records naming another project are
  // rejected (partial success).
  // `origins` (parallel to `records`) says where each record was in the request.
  template <typename Records>
  void AssignProject(Records& records, const std::string& project, bool admin,
                     std::vector<model::Rejection>& rejections,
                     const std::vector<ingest::Origin>& origins) {
    size_t out = 0;
    for (size_t i = 0; i < records.size(); ++i) {
      auto& r = records[i];
      const size_t index = i < origins.size() ? origins[i].index : i;
      const size_t line = i < origins.size() ? origins[i].line : 0;
      auto path = [&] { return (i < origins.size() ? origins[i].path : "$") + ".project"; };
      if (!r.project.empty() && r.project != project && !(admin && project.empty())) {
        rejections.push_back({index, line, path(),
                              "the record names project '" + r.project +
                                  "' but the request acts on project '" + project + "'"});
        continue;
      }
      if (r.project.empty()) r.project = project;
      if (r.project.empty()) {
        rejections.push_back({index, line, path(),
                              "the admin key needs a project: set \"project\" in the record or "
                              "?project= on the request"});
        continue;
      }
      if (out != i) records[out] = std::move(r);
      ++out;
    }
    records.resize(out);
  }

  void HandleEvents(const httplib::Request& req, httplib::Response& res,
                    const httplib::ContentReader& reader, bool scores_only) {
    std::string project;
    auto principal = Authorize(req, res, false, &project);
    if (!principal) return;
    std::string body;
    if (!ReadBody(res, reader, body)) return;
    ingest::ParseOptions po;
    po.max_record_bytes = config_.server.limits.max_record_bytes;
    po.max_attributes = config_.server.limits.max_attributes;
    po.now_ns = NowNanos();
    if (scores_only) po.default_type = ingest::RecordType::kScore;
    auto parsed = ingest::ParseEvents(body, po);
    if (!parsed) {
      metrics_.Increment("yardstick_rejected_requests_total", {{"reason", "malformed"}});
      SendError(res, 400, "invalid_argument", parsed.error().message());
      return;
    }
    if (scores_only && (!parsed->batch.calls.empty() || !parsed->batch.outcomes.empty())) {
      SendError(res, 400, "invalid_argument",
                "/v1/scores takes scores only; send calls and outcomes to /v1/events");
      return;
    }
    auto& rejections = parsed->rejections;
    AssignProject(parsed->batch.calls, project, principal->admin, rejections, parsed->call_origins);
    AssignProject(parsed->batch.scores, project, principal->admin, rejections,
                  parsed->score_origins);
    AssignProject(parsed->batch.outcomes, project, principal->admin, rejections,
                  parsed->outcome_origins);
    const size_t valid = parsed->batch.size();
    store::AppendResult stored;
    uint64_t redactions = 0;
    if (!parsed->batch.empty()) {
      auto r = Persist(parsed->batch, &redactions);
      if (!r) {
        log_.Error("append failed", {{"error", r.error().message()}});
        res.set_header("Retry-After", "1");
        SendError(res, 503, "unavailable",
                  "the records could not be stored; retry: " + r.error().message());
        return;
      }
      stored = *r;
    }
    metrics_.Increment("yardstick_rejected_records_total", {},
                       static_cast<double>(rejections.size()));
    std::sort(rejections.begin(), rejections.end(),
              [](const auto& a, const auto& b) { return a.index < b.index; });
    json errors = json::array();
    for (const auto& r : rejections) {
      json e = {{"index", r.index}, {"path", r.path}, {"reason", r.reason}};
      if (r.line > 0) e["line"] = r.line;
      errors.push_back(std::move(e));
    }
    json out = {{"accepted", valid},
                {"stored", stored.stored},
                {"duplicates", stored.duplicates},
                {"redactions", redactions},
                {"rejected", rejections.size()},
                {"errors", std::move(errors)}};
    res.status = 200;
    res.set_content(JsonText(out), kJson);
  }

  void HandleOtlp(const httplib::Request& req, httplib::Response& res,
                  const httplib::ContentReader& reader, bool traces) {
    const std::string type = req.get_header_value("Content-Type");
    otlp::Encoding enc;
    if (type.rfind("application/x-protobuf", 0) == 0) {
      enc = otlp::Encoding::kProtobuf;
    } else if (type.rfind("application/json", 0) == 0) {
      enc = otlp::Encoding::kJson;
    } else {
      SendError(res, 415, "unsupported_media_type",
                "OTLP/HTTP takes Content-Type application/x-protobuf or application/json");
      return;
    }
    const char* reply_type = enc == otlp::Encoding::kJson ? kJson : "application/x-protobuf";
    std::string project;
    auto principal = Authorize(req, res, true, &project);
    if (!principal) return;
    std::string body;
    if (!ReadBody(res, reader, body)) return;
    otlp::Limits limits;
    limits.max_attributes = config_.server.limits.max_attributes;
    limits.max_record_bytes = config_.server.limits.max_record_bytes;
    auto decoded =
        traces ? otlp::DecodeTraces(body, enc, limits) : otlp::DecodeLogs(body, enc, limits);
    if (!decoded) {
      res.status = 400;
      res.set_content(otlp::EncodeStatus(enc, 3, decoded.error().message()), reply_type);
      return;
    }
    if (traces) {
      metrics_.Increment("yardstick_otlp_spans_total", {{"kind", "genai"}},
                         static_cast<double>(decoded->genai_spans));
      metrics_.Increment("yardstick_otlp_spans_total", {{"kind", "ignored"}},
                         static_cast<double>(decoded->ignored));
      metrics_.Increment("yardstick_otlp_spans_total", {{"kind", "rejected"}},
                         static_cast<double>(decoded->rejected));
    } else {
      metrics_.Increment("yardstick_otlp_log_records_total", {{"kind", "ignored"}},
                         static_cast<double>(decoded->ignored));
      metrics_.Increment("yardstick_otlp_log_records_total", {{"kind", "rejected"}},
                         static_cast<double>(decoded->rejected));
      metrics_.Increment("yardstick_otlp_log_records_total", {{"kind", "scores"}},
                         static_cast<double>(decoded->batch.scores.size()));
    }
    for (auto& c : decoded->batch.calls) c.project = project;
    for (auto& s : decoded->batch.scores) s.project = project;
    for (auto& o : decoded->batch.outcomes) o.project = project;
    if (!decoded->batch.empty()) {
      auto r = Persist(decoded->batch);
      if (!r) {
        log_.Error("append failed", {{"error", r.error().message()}});
        res.status = 503;
        res.set_header("Retry-After", "1");
        res.set_content(otlp::EncodeStatus(enc, 14, r.error().message()), reply_type);
        return;
      }
    }
    res.status = 200;
    res.set_content(traces
                        ? otlp::EncodeTraceResponse(enc, decoded->rejected, decoded->error_message)
                        : otlp::EncodeLogsResponse(enc, decoded->rejected, decoded->error_message),
                    reply_type);
  }

  // --- Queries ------------------------------------------------------------------------------

  // Reads from/to (default: the last 24 hours) into the query; false after an error response.
  bool TimeRange(const httplib::Request& req, httplib::Response& res, int64_t& from, int64_t& to) {
    const int64_t now = NowNanos();
    to = now;
    if (req.has_param("to")) {
      auto t = ParseTimeParam(req.get_param_value("to"), now);
      if (!t) {
        SendError(res, 400, "invalid_argument", "to: " + t.error().message());
        return false;
      }
      to = *t;
    }
    from = to - 24 * store::kNanosPerHour;
    if (req.has_param("from")) {
      auto f = ParseTimeParam(req.get_param_value("from"), now);
      if (!f) {
        SendError(res, 400, "invalid_argument", "from: " + f.error().message());
        return false;
      }
      from = *f;
    }
    if (to <= from) {
      SendError(res, 400, "invalid_argument", "`to` must be after `from`");
      return false;
    }
    return true;
  }

  static std::vector<std::string> SplitList(const std::string& s) {
    std::vector<std::string> out;
    std::string cur;
    for (char c : s) {
      if (c == ',') {
        if (!cur.empty()) out.push_back(cur);
        cur.clear();
      } else {
        cur.push_back(c);
      }
    }
    if (!cur.empty()) out.push_back(cur);
    return out;
  }

  // filter=model:gpt-4o,route:chat (repeatable).
  static Result<store::DimensionFilter> ParseFilter(const httplib::Request& req) {
    store::DimensionFilter f;
    const size_t n = req.get_param_value_count("filter");
    for (size_t i = 0; i < n; ++i) {
      for (const auto& item : SplitList(req.get_param_value("filter", i))) {
        const auto colon = item.find(':');
        if (colon == std::string::npos || colon == 0) {
          return MakeError(ErrorCode::kInvalidArgument,
                           "filter: expected field:value, got '" + item + "'");
        }
        f.emplace_back(item.substr(0, colon), item.substr(colon + 1));
      }
    }
    return f;
  }

  static json InfoJson(const kpi::Info& i) {
    return {{"name", i.name},     {"description", i.description},
            {"unit", i.unit},     {"better", kpi::DirectionName(i.direction)},
            {"source", i.source}, {"has_ci", i.has_ci},
            {"params", i.params}, {"user_defined", i.user_defined}};
  }

  void HandleKpi(const httplib::Request& req, httplib::Response& res) {
    std::string project;
    if (!Authorize(req, res, true, &project)) return;
    kpi::Request kr;
    kr.project = project;
    kr.name = req.matches[1];
    if (!TimeRange(req, res, kr.from_ns, kr.to_ns)) return;
    if (req.has_param("step")) {
      auto step = ParseDuration(req.get_param_value("step"));
      if (!step) {
        SendError(res, 400, "invalid_argument", "step: " + step.error().message());
        return;
      }
      kr.step_ns = *step;
    }
    kr.group_by = SplitList(req.get_param_value("group_by"));
    auto filter = ParseFilter(req);
    if (!filter) {
      SendError(res, 400, "invalid_argument", filter.error().message());
      return;
    }
    kr.filter = std::move(*filter);
    for (const char* p : {"name", "source"}) {
      if (req.has_param(p)) kr.params[p] = req.get_param_value(p);
    }
    if (req.has_param("confidence")) {
      try {
        kr.confidence = std::stod(req.get_param_value("confidence"));
      } catch (const std::exception&) {
        SendError(res, 400, "invalid_argument", "confidence: expected a number in (0, 1)");
        return;
      }
    }
    auto result = Current()->kpis->Query(kr);
    if (!result) {
      SendError(res, StatusFor(result.error()),
                result.error().code() == ErrorCode::kNotFound ? "not_found" : "invalid_argument",
                result.error().message());
      return;
    }
    json series = json::array();
    for (const auto& s : result->series) {
      json group = json::object();
      for (size_t i = 0; i < s.group.size(); ++i) group[result->request.group_by[i]] = s.group[i];
      json points = json::array();
      for (const auto& p : s.points) {
        json pj = {{"t", FormatRfc3339(p.bucket_ns)}, {"n", p.n}};
        pj["value"] = p.value ? json(*p.value) : json(nullptr);
        if (p.ci) {
          pj["ci"] = {{"low", p.ci->low},
                      {"high", p.ci->high},
                      {"level", p.ci->level},
                      {"method", p.ci->method}};
        }
        points.push_back(std::move(pj));
      }
      series.push_back({{"group", std::move(group)}, {"points", std::move(points)}});
    }
    json out = {{"kpi", InfoJson(result->info)},
                {"project", project},
                {"from", FormatRfc3339(result->request.from_ns)},
                {"to", FormatRfc3339(result->request.to_ns)},
                {"step_seconds", result->request.step_ns / 1'000'000'000},
                {"group_by", result->request.group_by},
                {"confidence", result->request.confidence},
                {"series", std::move(series)}};
    res.set_content(JsonText(out), kJson);
  }

  template <typename Record, typename ListFn, typename ToJson>
  void HandleList(const httplib::Request& req, httplib::Response& res, const char* key,
                  const std::vector<std::string>& filter_fields, ListFn list, ToJson to_json) {
    std::string project;
    if (!Authorize(req, res, true, &project)) return;
    store::RecordQuery q;
    q.project = project;
    q.from_ns = 0;
    q.to_ns = INT64_MAX;
    const int64_t now = NowNanos();
    if (req.has_param("from")) {
      auto f = ParseTimeParam(req.get_param_value("from"), now);
      if (!f) return SendError(res, 400, "invalid_argument", "from: " + f.error().message());
      q.from_ns = *f;
    }
    if (req.has_param("to")) {
      auto t = ParseTimeParam(req.get_param_value("to"), now);
      if (!t) return SendError(res, 400, "invalid_argument", "to: " + t.error().message());
      q.to_ns = *t;
    }
    for (const auto& f : filter_fields) {
      if (req.has_param(f)) q.filter.emplace_back(f, req.get_param_value(f));
    }
    if (req.has_param("limit")) {
      try {
        q.limit = static_cast<size_t>(std::stoul(req.get_param_value("limit")));
      } catch (const std::exception&) {
        return SendError(res, 400, "invalid_argument", "limit: expected a positive integer");
      }
    }
    q.after = req.get_param_value("cursor");
    q.newest_first = req.get_param_value("order") != "asc";
    auto page = list(q);
    if (!page) {
      return SendError(res, StatusFor(page.error()), "invalid_argument", page.error().message());
    }
    json records = json::array();
    for (const auto& r : page->records) records.push_back(to_json(r));
    json out = {{key, std::move(records)}};
    out["next_cursor"] = page->next.empty() ? json(nullptr) : json(page->next);
    res.set_content(JsonText(out), kJson);
  }

  void HandleConversation(const httplib::Request& req, httplib::Response& res) {
    std::string project;
    if (!Authorize(req, res, true, &project)) return;
    auto conv = store_->GetConversation(project, req.matches[1]);
    if (!conv) {
      return SendError(res, StatusFor(conv.error()),
                       conv.error().code() == ErrorCode::kNotFound ? "not_found" : "internal",
                       conv.error().message());
    }
    json calls = json::array(), scores = json::array(), outcomes = json::array();
    double cost = 0;
    int64_t tokens = 0;
    for (const auto& c : conv->calls) {
      calls.push_back(CallToJson(c));
      cost += c.cost_usd.value_or(0);
      tokens += std::max<int64_t>(0, c.input_tokens) + std::max<int64_t>(0, c.output_tokens);
    }
    for (const auto& s : conv->scores) scores.push_back(ScoreToJson(s));
    for (const auto& o : conv->outcomes) outcomes.push_back(OutcomeToJson(o));
    json out = {
        {"id", conv->id},
        {"project", project},
        {"summary", {{"calls", conv->calls.size()}, {"cost_usd", cost}, {"tokens", tokens}}},
        {"calls", std::move(calls)},
        {"scores", std::move(scores)},
        {"outcomes", std::move(outcomes)}};
    if (!conv->calls.empty()) {
      out["summary"]["start_time"] = FormatRfc3339(conv->calls.front().start_ns);
      int64_t end = 0;
      for (const auto& c : conv->calls) end = std::max(end, c.end_ns);
      out["summary"]["end_time"] = FormatRfc3339(end);
    }
    res.set_content(JsonText(out), kJson);
  }

  void HandleCreateProject(const httplib::Request& req, httplib::Response& res) {
    auto p = Authorize(req, res, false, nullptr);
    if (!p) return;
    if (!p->admin) return SendError(res, 403, "forbidden", "creating projects needs the admin key");
    auto body = json::parse(req.body, nullptr, false);
    if (!body.is_object() || !body.contains("name") || !body["name"].is_string()) {
      return SendError(res, 400, "invalid_argument",
                       "expected a JSON object with a string \"name\" (the project)");
    }
    const std::string name = body["name"];
    auto key = keys_->CreateProjectKey(name, body.value("key_name", "api"));
    if (!key)
      return SendError(res, StatusFor(key.error()), "invalid_argument", key.error().message());
    log_.Info("project key created", {{"project", name}});
    res.status = 201;
    res.set_content(JsonText({{"project", name}, {"key", *key}}), kJson);
  }

  void HandleListProjects(const httplib::Request& req, httplib::Response& res) {
    auto p = Authorize(req, res, false, nullptr);
    if (!p) return;
    std::vector<std::string> projects;
    if (p->admin) {
      auto all = store_->ListProjects();
      if (!all) return SendError(res, 500, "internal", all.error().message());
      projects = *all;
    } else {
      projects.push_back(p->project);
    }
    res.set_content(JsonText({{"projects", projects}}), kJson);
  }

  // --- Setup --------------------------------------------------------------------------------

  void SetUpMetrics() {
    metrics_.AddCounter("yardstick_http_requests_total", "HTTP requests by route and status");
    metrics_.AddCounter("yardstick_ingested_records_total",
                        "Records accepted and durably stored or found duplicate, by kind");
    metrics_.AddCounter("yardstick_duplicate_records_total",
                        "Records ignored because their id was already stored");
    metrics_.AddCounter("yardstick_rejected_records_total",
                        "Records rejected individually (partial success)");
    metrics_.AddCounter("yardstick_rejected_requests_total", "Requests rejected as a whole");
    metrics_.AddCounter("yardstick_redactions_total", "PII redactions at ingest, by kind");
    metrics_.AddCounter("yardstick_otlp_spans_total", "OTLP spans: genai, ignored, rejected");
    metrics_.AddCounter("yardstick_otlp_log_records_total",
                        "OTLP log records: scores produced, ignored, rejected");
    metrics_.AddHistogram("yardstick_store_append_seconds",
                          "Time from handing a batch to the store until it is durable",
                          {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5});
    metrics_.AddHistogram("yardstick_http_request_duration_seconds", "HTTP request duration",
                          {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10});
    metrics_.AddHistogram("gen_ai_client_operation_duration_seconds",
                          "GenAI operation duration (OpenTelemetry gen_ai.client.operation."
                          "duration) of ingested calls",
                          GenAiDurationBuckets());
    metrics_.AddHistogram("gen_ai_client_token_usage",
                          "Tokens per GenAI operation (gen_ai.client.token.usage) of ingested "
                          "calls",
                          GenAiTokenBuckets());
    metrics_.AddGauge("process_resident_memory_bytes", "Resident memory size in bytes",
                      [] { return ResidentBytes(); });
    const double start = static_cast<double>(started_ns_) / 1e9;
    metrics_.AddGauge("process_start_time_seconds", "Start time since the Unix epoch",
                      [start] { return start; });
    metrics_.AddGauge("yardstick_build_info", "Build information");
    metrics_.Set("yardstick_build_info", {{"version", YARDSTICK_VERSION}}, 1);
    metrics_.AddCounter("yardstick_config_reloads_total",
                        "Configuration reloads (SIGHUP or POST /v1/admin/reload), by result");
    metrics_.AddGauge("yardstick_config_last_reload_successful",
                      "1 when the last configuration reload succeeded (or none happened yet)");
    metrics_.Set("yardstick_config_last_reload_successful", {}, 1);
    metrics_.AddGauge("yardstick_config_last_reload_success_timestamp_seconds",
                      "When the running configuration was loaded, since the Unix epoch");
    metrics_.Set("yardstick_config_last_reload_success_timestamp_seconds", {}, start);
    metrics_.AddGauge("yardstick_ready", "1 when the server accepts requests",
                      [this] { return ready_ ? 1.0 : 0.0; });
  }

  void SetUpRoutes() {
    const auto& sc = config_.server;
    http_.new_task_queue = [n = static_cast<size_t>(sc.threads)] {
      return new httplib::ThreadPool(n);
    };
    // The body limit is enforced after decompression by ReadBody; this bounds the compressed
    // size that httplib accepts from Content-Length.
    http_.set_payload_max_length(sc.limits.max_body_bytes);
    // httplib serves a keep-alive connection on one worker thread until the connection closes, so
    // connections beyond server.threads wait for a worker. Bounded keep-alive (requests per
    // connection, idle seconds) makes busy and idle connections hand their worker over in turn.
    http_.set_keep_alive_max_count(100);
    http_.set_keep_alive_timeout(2);
    // Small request/response exchanges on keep-alive connections must not wait for delayed
    // ACKs (Nagle): without this every acknowledgement takes ~40 ms.
    http_.set_tcp_nodelay(true);
    http_.set_read_timeout(30, 0);
    http_.set_write_timeout(30, 0);

    http_.set_logger([this](const httplib::Request& req, const httplib::Response& res) {
      const std::string route = RouteLabel(req.path);
      metrics_.Increment("yardstick_http_requests_total",
                         {{"route", route}, {"code", std::to_string(res.status)}});
      if (log_.Enabled(LogLevel::kDebug) || res.status >= 500) {
        log_.Log(res.status >= 500 ? LogLevel::kWarn : LogLevel::kDebug, "request",
                 {{"method", req.method},
                  {"path", req.path},
                  {"status", res.status},
                  {"remote", req.remote_addr}});
      }
    });
    http_.set_pre_routing_handler([this](const httplib::Request&, httplib::Response& res) {
      if (!ready_) {
        res.set_header("Retry-After", "1");
        SendError(res, 503, "unavailable", "the server is shutting down");
        return httplib::Server::HandlerResponse::Handled;
      }
      return httplib::Server::HandlerResponse::Unhandled;
    });
    http_.set_exception_handler(
        [this](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
          std::string what = "unknown";
          try {
            if (ep) std::rethrow_exception(ep);
          } catch (const std::exception& e) {
            what = e.what();
          } catch (...) {
          }
          log_.Error("unhandled exception", {{"path", req.path}, {"what", what}});
          SendError(res, 500, "internal", "internal error");
        });

    http_.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("{\"status\":\"ok\"}", kJson);
    });
    http_.Get("/readyz", [this](const httplib::Request&, httplib::Response& res) {
      if (ready_) {
        res.set_content("{\"status\":\"ready\"}", kJson);
      } else {
        SendError(res, 503, "unavailable", "not ready");
      }
    });
    http_.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content(metrics_.Expose(), "text/plain; version=0.0.4; charset=utf-8");
    });
    http_.Post("/v1/events", [this](const httplib::Request& req, httplib::Response& res,
                                    const httplib::ContentReader& reader) {
      HandleEvents(req, res, reader, false);
    });
    http_.Post("/v1/scores", [this](const httplib::Request& req, httplib::Response& res,
                                    const httplib::ContentReader& reader) {
      HandleEvents(req, res, reader, true);
    });
    http_.Post("/v1/traces", [this](const httplib::Request& req, httplib::Response& res,
                                    const httplib::ContentReader& reader) {
      HandleOtlp(req, res, reader, true);
    });
    http_.Post("/v1/logs", [this](const httplib::Request& req, httplib::Response& res,
                                  const httplib::ContentReader& reader) {
      HandleOtlp(req, res, reader, false);
    });
    http_.Get("/v1/kpis", [this](const httplib::Request& req, httplib::Response& res) {
      if (!Authorize(req, res, false, nullptr)) return;
      json list = json::array();
      for (const auto& i : Current()->kpis->Catalog()) list.push_back(InfoJson(i));
      res.set_content(JsonText({{"kpis", std::move(list)}}), kJson);
    });
    http_.Get(R"(/v1/kpis/([A-Za-z0-9_]+))",
              [this](const httplib::Request& req, httplib::Response& res) { HandleKpi(req, res); });
    http_.Get("/v1/calls", [this](const httplib::Request& req, httplib::Response& res) {
      HandleList<model::Call>(
          req, res, "calls",
          {"model", "route", "prompt_version", "variant", "environment", "conversation_id",
           "session_id", "user_id", "trace_id", "provider", "operation", "service", "release",
           "prompt_name", "finish_reason", "error_type", "status"},
          [this](const store::RecordQuery& q) { return store_->ListCalls(q); }, CallToJson);
    });
    http_.Get("/v1/scores", [this](const httplib::Request& req, httplib::Response& res) {
      HandleList<model::Score>(
          req, res, "scores",
          {"name", "source", "label", "author", "call_id", "conversation_id", "user_id"},
          [this](const store::RecordQuery& q) { return store_->ListScores(q); }, ScoreToJson);
    });
    http_.Get("/v1/outcomes", [this](const httplib::Request& req, httplib::Response& res) {
      HandleList<model::Outcome>(
          req, res, "outcomes", {"name", "conversation_id", "session_id", "user_id"},
          [this](const store::RecordQuery& q) { return store_->ListOutcomes(q); }, OutcomeToJson);
    });
    http_.Get(R"(/v1/conversations/([^/]+))",
              [this](const httplib::Request& req, httplib::Response& res) {
                HandleConversation(req, res);
              });
    http_.Post("/v1/admin/reload", [this](const httplib::Request& req, httplib::Response& res) {
      HandleReload(req, res);
    });
    http_.Post("/v1/projects", [this](const httplib::Request& req, httplib::Response& res) {
      HandleCreateProject(req, res);
    });
    http_.Get("/v1/projects", [this](const httplib::Request& req, httplib::Response& res) {
      HandleListProjects(req, res);
    });
    RegisterGoalRoutes(
        http_, {[this](const httplib::Request& req, httplib::Response& res, bool need_project,
                       std::string* project) { return Authorize(req, res, need_project, project); },
                [this] {
                  auto rt = Current();
                  return std::shared_ptr<const kpi::Engine>(rt, rt->kpis.get());
                },
                store_.get(),
                [this] {
                  auto rt = Current();
                  return std::shared_ptr<const goals::Engine>(rt, rt->goals.get());
                },
                baselines_.get(), reports_.get()});
    http_.Get("/v1/whoami", [this](const httplib::Request& req, httplib::Response& res) {
      HandleWhoAmI(req, res);
    });
    AddNotificationRoutes(http_, *outbox_, [this](auto& req, auto& res, bool need, auto* p) {
      return Authorize(req, res, need, p);
    });
    RegisterAlertRoutes(
        http_,
        [this] {
          auto rt = Current();
          return std::shared_ptr<alerts::Engine>(rt, rt->alerts.get());
        },
        [this](const httplib::Request& req, httplib::Response& res, std::string* project) {
          return Authorize(req, res, false, project);
        });
    // Requests that no route took (a 404 without a body yet): GETs outside /v1/ are the
    // dashboard's files and pages, the rest a JSON 404. Done here rather than as a catch-all
    // route so that no route, wherever it is registered, is ever shadowed by it.
    http_.set_error_handler(httplib::Server::HandlerWithResponse(
        [this](const httplib::Request& req, httplib::Response& res) {
          if (res.status == 400 && res.body.empty()) {
            // httplib's own 400s (no route ran): a request it could not read. A POST without
            // Content-Length (`curl -X POST` without data) ends here after the read timeout.
            SendError(res, 400, "invalid_argument",
                      "malformed HTTP request: expected a request line, headers, and for a POST "
                      "a body with Content-Length (0 when empty) or chunked transfer encoding");
            return httplib::Server::HandlerResponse::Handled;
          }
          if (res.status != 404 || !res.body.empty())
            return httplib::Server::HandlerResponse::Unhandled;
          const bool get = req.method == "GET" || req.method == "HEAD";
          if (!get || !dashboard_ || req.path == "/v1" || req.path.starts_with("/v1/")) {
            SendError(res, 404, "not_found", "no such endpoint: " + req.method + " " + req.path);
            return httplib::Server::HandlerResponse::Handled;
          }
          StaticResponse r = dashboard_->Get(req.path);
          res.status = r.status;
          for (const auto& [name, value] : r.headers) res.set_header(name, value);
          res.set_content(std::move(r.body), r.content_type);
          return httplib::Server::HandlerResponse::Handled;
        }));
  }

  // GET /v1/whoami: the role of the presented key and the project it acts on.
  void HandleWhoAmI(const httplib::Request& req, httplib::Response& res) {
    std::string project;
    auto p = Authorize(req, res, false, &project);
    if (!p) return;
    json out = {{"role", p->admin ? "admin" : "project"},
                {"project", project.empty() ? json(nullptr) : json(project)},
                {"version", YARDSTICK_VERSION}};
    res.set_content(JsonText(out), kJson);
  }

  static std::string RouteLabel(const std::string& path) {
    static const std::set<std::string> kFixed = {
        "/healthz",     "/readyz",    "/metrics",          "/v1/events",      "/v1/scores",
        "/v1/traces",   "/v1/logs",   "/v1/kpis",          "/v1/calls",       "/v1/outcomes",
        "/v1/projects", "/v1/whoami", "/v1/notifications", "/v1/admin/reload"};
    if (kFixed.contains(path)) return path;
    if (!path.starts_with("/v1/") && path != "/v1") return "dashboard";
    if (path.rfind("/v1/kpis/", 0) == 0) return "/v1/kpis/{name}";
    if (path.rfind("/v1/conversations/", 0) == 0) return "/v1/conversations/{id}";
    if (path == "/v1/goals" || path == "/v1/baselines" || path == "/v1/reports") return path;
    if (path.rfind("/v1/baselines/", 0) == 0) return "/v1/baselines/{name}";
    if (path.rfind("/v1/reports/", 0) == 0) return "/v1/reports/{id}";
    if (path == "/v1/alerts" || path == "/v1/alerts/rules" || path == "/v1/alerts/history" ||
        path == "/v1/silences")
      return path;
    if (path.rfind("/v1/silences/", 0) == 0) return "/v1/silences/{id}";
    return "other";
  }

  void RetentionLoop() {
    std::unique_lock lock(stop_mutex_);
    while (!stopping_) {
      const config::RetentionConfig r = Current()->config.storage.retention;
      const int64_t now = NowNanos();
      lock.unlock();
      auto result = store_->ApplyRetention(now - r.raw_days * store::kNanosPerDay,
                                           now - r.minute_rollup_days * store::kNanosPerDay,
                                           now - r.hour_rollup_days * store::kNanosPerDay,
                                           now - r.day_rollup_days * store::kNanosPerDay);
      if (!result) log_.Warn("retention failed", {{"error", result.error().message()}});
      lock.lock();
      stop_cv_.wait_for(lock, std::chrono::hours(1), [this] { return stopping_; });
    }
  }

  config::Config config_;
  Logger& log_;
  int64_t started_ns_ = 0;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<KeyRing> keys_;
  std::unique_ptr<baselines::BaselineStore> baselines_;
  std::unique_ptr<reports::ReportStore> reports_;
  std::optional<Dashboard> dashboard_;  // nullopt: server.dashboard.enabled is false
  Registry metrics_;
  // After metrics_: the outbox reports its attempts to it, so it must go first.
  std::unique_ptr<notify::Outbox> outbox_;
  // The parts built from the reloadable sections; replaced as a whole by Reload (after the
  // outbox, baselines and reports it points to, so it goes first).
  mutable std::mutex runtime_mutex_;
  std::shared_ptr<Runtime> runtime_;
  ConfigLoader loader_;
  std::mutex reload_mutex_;  // one reload at a time; also taken to start and stop the runtime
  bool shut_down_ = false;   // under reload_mutex_
  httplib::Server http_;
  int port_ = 0;
  std::atomic<bool> ready_{false};
  std::atomic<uint64_t> acknowledged_{0};
  std::optional<std::string> generated_admin_key_;
  std::thread retention_thread_;
  std::mutex stop_mutex_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
};

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Server::~Server() = default;

Result<std::unique_ptr<Server>> Server::Create(const config::Config& config,
                                               std::optional<std::string> admin_key, Logger* logger,
                                               ConfigLoader loader) {
  auto impl = std::make_unique<Impl>(config, logger, std::move(loader));
  if (auto r = impl->Init(std::move(admin_key)); !r) return std::unexpected(r.error());
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

Result<int> Server::Bind() { return impl_->Bind(); }
void Server::Run() { impl_->Run(); }
void Server::Stop() { impl_->Stop(); }
Result<ReloadResult> Server::Reload() { return impl_->Reload(); }
const std::optional<std::string>& Server::generated_admin_key() const {
  return impl_->generated_admin_key();
}

}  // namespace yardstick::server
