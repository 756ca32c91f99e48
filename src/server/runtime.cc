#include "server/runtime.h"

#include <chrono>
#include <fstream>
#include <sstream>

#include "server/alert_routes.h"
#include "server/http_util.h"
#include "server/notification_routes.h"

namespace yardstick::server {
namespace {

kpi::Direction ParseDirection(const std::string& d) {
  return d == "lower" ? kpi::Direction::kLower : kpi::Direction::kHigher;
}

// Degraded scheduled reports go to the notification outbox, one message per notifier.
class OutboxReportSink : public reports::NotificationSink {
 public:
  explicit OutboxReportSink(notify::Outbox& outbox) : outbox_(outbox) {}
  Result<void> Send(const reports::Notification& n) override {
    notify::Message m;
    m.kind = "report";
    m.notifier = n.notifier;
    m.idempotency_key = n.idempotency_key;
    m.document = n.document;
    m.summary = n.summary;
    m.project = n.project;
    return outbox_.Enqueue(m);
  }

 private:
  notify::Outbox& outbox_;
};

Result<std::unique_ptr<redact::Redactor>> MakeRedactor(const config::RedactionConfig& rc) {
  redact::Options ro;
  ro.enabled = rc.enabled;
  ro.email = rc.email;
  ro.phone = rc.phone;
  ro.card = rc.card;
  ro.ip = rc.ip;
  ro.secret = rc.secret;
  ro.national_id = rc.national_id;
  for (const auto& p : rc.patterns) ro.custom.push_back({p.name, p.regex, p.replacement});
  auto redactor = redact::Redactor::Create(ro);
  if (!redactor) return std::unexpected(redactor.error());
  return std::make_unique<redact::Redactor>(std::move(*redactor));
}

Result<std::unique_ptr<pricing::PriceTable>> MakePrices(const config::PricingConfig& pc) {
  Result<pricing::PriceTable> table = pricing::PriceTable::Builtin();
  if (!pc.table_file.empty()) {
    std::ifstream in(pc.table_file, std::ios::binary);
    if (!in) return MakeError(ErrorCode::kIo, "cannot read pricing.table_file " + pc.table_file);
    std::stringstream ss;
    ss << in.rdbuf();
    table = pricing::PriceTable::FromJson(ss.str(), pc.table_file);
  }
  if (!table) return std::unexpected(table.error());
  for (const auto& o : pc.overrides) {
    pricing::Override ov;
    ov.project = o.project;
    ov.match = o.match;
    ov.prices.input = o.input;
    ov.prices.output = o.output;
    ov.prices.cache_read = o.cache_read;
    ov.prices.cache_creation = o.cache_creation;
    ov.prices.reasoning = o.reasoning;
    if (auto r = table->AddOverride(std::move(ov)); !r) return std::unexpected(r.error());
  }
  return std::make_unique<pricing::PriceTable>(std::move(*table));
}

Result<std::unique_ptr<kpi::Engine>> MakeKpis(const std::vector<config::KpiConfig>& kpis,
                                              store::Store* store) {
  std::vector<kpi::Definition> defs;
  for (const auto& k : kpis) {
    kpi::Definition d;
    d.name = k.name;
    d.description = k.description;
    d.unit = k.unit;
    d.direction = ParseDirection(k.direction);
    d.type = k.type;
    d.source = k.source;
    d.field = k.field;
    d.quantile = k.quantile;
    d.filter = k.filter;
    d.numerator_source = k.numerator.source;
    d.numerator_filter = k.numerator.filter;
    d.denominator_source = k.denominator.source;
    d.denominator_filter = k.denominator.filter;
    defs.push_back(std::move(d));
  }
  auto engine = kpi::Engine::Create(store, std::move(defs));
  if (!engine) return std::unexpected(engine.error());
  return std::make_unique<kpi::Engine>(std::move(*engine));
}

}  // namespace

Runtime::~Runtime() { Stop(); }

void Runtime::Start() {
  if (started_) return;
  started_ = true;
  scheduler->Start();
  alerts->Start();
}

void Runtime::Stop() {
  if (alerts) alerts->Stop();
  if (scheduler) scheduler->Stop();
}

Result<std::unique_ptr<Runtime>> BuildRuntime(const config::Config& config,
                                              const RuntimeDeps& deps) {
  auto rt = std::make_unique<Runtime>();
  rt->config = config;
  auto redactor = MakeRedactor(config.redaction);
  if (!redactor) return std::unexpected(redactor.error());
  rt->redactor = std::move(*redactor);
  auto prices = MakePrices(config.pricing);
  if (!prices) return std::unexpected(prices.error());
  rt->prices = std::move(*prices);
  auto kpis = MakeKpis(config.kpis, deps.store);
  if (!kpis) return std::unexpected(kpis.error());
  rt->kpis = std::move(*kpis);

  std::vector<goals::Goal> list;
  for (const auto& g : config.goals) list.push_back(goals::FromConfig(g));
  auto goals = goals::Engine::Create(rt->kpis.get(), std::move(list));
  if (!goals) return std::unexpected(goals.error());
  rt->goals = std::make_unique<goals::Engine>(std::move(*goals));

  auto escalations = OpenEscalations(config, deps.store, deps.outbox, *deps.metrics);
  if (!escalations) return std::unexpected(escalations.error());
  rt->escalations = std::move(*escalations);

  rt->report_sink = std::make_unique<OutboxReportSink>(*deps.outbox);
  auto scheduler = reports::Scheduler::Create({config.schedules, [] { return NowNanos(); }},
                                              rt->kpis.get(), deps.store, deps.baselines,
                                              rt->goals.get(), deps.reports, rt->report_sink.get());
  if (!scheduler) return std::unexpected(scheduler.error());
  rt->scheduler = std::move(*scheduler);

  rt->alert_sink = MakeOutboxAlertSink(deps.outbox, *deps.log);
  alerts::EngineOptions options;
  options.state_db_path = config.server.data_dir + "/state.db";
  options.evaluation_interval_ns = config.alerting.evaluation_interval_ns;
  options.external_url = config.alerting.external_url;
  if (options.external_url.empty()) {
    options.external_url =
        "http://" + config.server.listen_host + ":" + std::to_string(config.server.listen_port);
  }
  for (const auto& n : config.notifiers) options.all_notifiers.push_back(n.name);
  alerts::Sources sources;
  sources.kpis = rt->kpis.get();
  sources.store = deps.store;
  sources.goals = rt->goals.get();
  sources.baselines = deps.baselines;
  auto engine = alerts::Engine::Open(config.alerts, sources, rt->alert_sink.get(), options);
  if (!engine) return std::unexpected(engine.error());
  rt->alerts = std::move(*engine);
  return rt;
}

namespace {

void Differs(std::vector<std::string>& out, const char* key, bool differs) {
  if (differs) out.emplace_back(key);
}

}  // namespace

std::vector<std::string> RestartOnlyChanges(const config::Config& a, const config::Config& b) {
  std::vector<std::string> out;
  const auto &s = a.server, &t = b.server;
  Differs(out, "server.listen", s.listen_host != t.listen_host || s.listen_port != t.listen_port);
  Differs(out, "server.data_dir", s.data_dir != t.data_dir);
  Differs(out, "server.threads", s.threads != t.threads);
  Differs(out, "server.limits",
          s.limits.max_body_bytes != t.limits.max_body_bytes ||
              s.limits.max_record_bytes != t.limits.max_record_bytes ||
              s.limits.max_attributes != t.limits.max_attributes);
  Differs(out, "server.log", s.log_format != t.log_format || s.log_level != t.log_level);
  Differs(out, "server.dashboard",
          s.dashboard.enabled != t.dashboard.enabled || s.dashboard.dir != t.dashboard.dir);
  const auto &u = a.storage, &v = b.storage;
  Differs(out, "storage.backend", u.backend != v.backend);
  Differs(out, "storage.sqlite",
          u.sqlite.path != v.sqlite.path || u.sqlite.synchronous != v.sqlite.synchronous);
  Differs(out, "storage.clickhouse",
          u.clickhouse.endpoints != v.clickhouse.endpoints ||
              u.clickhouse.database != v.clickhouse.database ||
              u.clickhouse.user_env != v.clickhouse.user_env ||
              u.clickhouse.password_env != v.clickhouse.password_env ||
              u.clickhouse.cluster != v.clickhouse.cluster);
  Differs(out, "auth.admin_key_env", a.auth.admin_key_env != b.auth.admin_key_env);
  return out;
}

config::Config ReloadableView(const config::Config& running, const config::Config& loaded) {
  config::Config out = loaded;
  out.server = running.server;
  const config::RetentionConfig retention = loaded.storage.retention;
  out.storage = running.storage;
  out.storage.retention = retention;
  out.auth.admin_key_env = running.auth.admin_key_env;
  return out;
}

}  // namespace yardstick::server
