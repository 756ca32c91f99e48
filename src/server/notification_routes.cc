#include "server/notification_routes.h"

#include <nlohmann/json.hpp>

#include "server/http_util.h"

namespace yardstick::server {
namespace {

using nlohmann::json;

json DeliveryJson(const notify::Delivery& d, bool with_body) {
  json j = {{"id", d.id},
            {"kind", d.kind},
            {"notifier", d.notifier},
            {"project", d.project},
            {"idempotency_key", d.idempotency_key},
            {"summary", d.summary},
            {"status", d.status},
            {"attempts", d.attempts},
            {"created_at", FormatRfc3339(d.created_ns)},
            {"updated_at", FormatRfc3339(d.updated_ns)},
            {"expires_at", FormatRfc3339(d.expires_ns)},
            {"last_status", d.last_status},
            {"last_error", d.last_error}};
  j["next_attempt_at"] = d.status == "pending" ? json(FormatRfc3339(d.next_attempt_ns)) : json();
  j["delivered_at"] = d.delivered_ns > 0 ? json(FormatRfc3339(d.delivered_ns)) : json();
  if (with_body) {
    j["content_type"] = d.content_type;
    j["body"] = d.body;
  }
  return j;
}

}  // namespace

Result<std::unique_ptr<notify::Outbox>> OpenOutbox(const config::Config& config, Registry& metrics,
                                                   Logger& log) {
  if (auto issues = notify::CheckTemplates(config); !issues.empty()) {
    return MakeError(
        ErrorCode::kInvalidArgument,
        config::FormatIssues(config.source_path.empty() ? "<config>" : config.source_path, issues));
  }
  metrics.AddCounter("yardstick_notifications_sent_total",
                     "Notifications delivered (2xx), by notifier and kind");
  metrics.AddCounter("yardstick_notifications_failed_total",
                     "Notifications given up (reason failed: permanent error or attempts "
                     "exhausted; expired), by notifier and kind");
  metrics.AddCounter("yardstick_notification_retries_total",
                     "Delivery attempts that will be retried, by notifier and kind");
  notify::OutboxOptions o;
  o.path = config.server.data_dir + "/state.db";
  o.notifiers = config.notifiers;
  o.external_url =
      "http://" + config.server.listen_host + ":" + std::to_string(config.server.listen_port);
  o.on_attempt = [&metrics, &log](const notify::AttemptResult& a) {
    const Labels labels = {{"notifier", a.notifier}, {"kind", a.kind}};
    if (a.outcome == "delivered") {
      metrics.Increment("yardstick_notifications_sent_total", labels);
      log.Debug("notification delivered", {{"notifier", a.notifier}, {"key", a.idempotency_key}});
      return;
    }
    if (a.outcome == "retry") {
      metrics.Increment("yardstick_notification_retries_total", labels);
    } else {
      Labels failed = labels;
      failed.emplace_back("reason", a.outcome);
      metrics.Increment("yardstick_notifications_failed_total", failed);
    }
    log.Log(a.outcome == "retry" ? LogLevel::kDebug : LogLevel::kWarn, "notification " + a.outcome,
            {{"notifier", a.notifier},
             {"key", a.idempotency_key},
             {"status", a.http_status},
             {"error", a.error}});
  };
  auto outbox = notify::Outbox::Open(std::move(o));
  if (!outbox) return std::unexpected(outbox.error());
  notify::Outbox* raw = outbox->get();
  metrics.AddGauge("yardstick_notifications_pending", "Notifications waiting to be delivered",
                   [raw] {
                     auto c = raw->Counts();
                     return c ? static_cast<double>(c->pending) : 0.0;
                   });
  return std::move(*outbox);
}

Result<std::unique_ptr<escalation::Engine>> OpenEscalations(const config::Config& config,
                                                            store::Store* store,
                                                            notify::Outbox* outbox,
                                                            Registry& metrics) {
  if (config.escalations.empty()) return std::unique_ptr<escalation::Engine>();
  metrics.AddCounter("yardstick_escalations_total", "Conversations escalated, by rule");
  escalation::EngineOptions o;
  o.path = config.server.data_dir + "/state.db";
  o.rules = config.escalations;
  o.store = store;
  o.outbox = outbox;
  return escalation::Engine::Open(std::move(o));
}

void EvaluateEscalations(escalation::Engine& engine, const model::Batch& batch,
                         const store::AppendResult& append, Registry& metrics, Logger& log) {
  auto fired = engine.OnBatch(batch, &append);
  if (!fired) {
    log.Error("escalation failed", {{"error", fired.error().message()}});
    return;
  }
  for (const auto& f : *fired) {
    metrics.Increment("yardstick_escalations_total", {{"rule", f.rule}});
    log.Info("conversation escalated", {{"project", f.project},
                                        {"conversation_id", f.conversation_id},
                                        {"rule", f.rule},
                                        {"key", f.idempotency_key}});
  }
}

void AddNotificationRoutes(httplib::Server& http, notify::Outbox& outbox, AuthorizeFn authorize) {
  http.Get("/v1/notifications", [&outbox, authorize](const httplib::Request& req,
                                                     httplib::Response& res) {
    std::string project;
    auto principal = authorize(req, res, false, &project);
    if (!principal) return;
    notify::DeliveryQuery q;
    q.kind = req.get_param_value("kind");
    q.status = req.get_param_value("status");
    q.notifier = req.get_param_value("notifier");
    if (!principal->admin || !project.empty()) q.project = project;
    for (const auto& [param, value] :
         {std::pair{"limit", &q.limit}, std::pair{"cursor", static_cast<size_t*>(nullptr)}}) {
      if (!req.has_param(param)) continue;
      const std::string text = req.get_param_value(param);
      size_t parsed = 0;
      try {
        size_t used = 0;
        parsed = std::stoul(text, &used);
        if (used != text.size() || parsed == 0) throw std::invalid_argument(text);
      } catch (const std::exception&) {
        return SendError(res, 400, "invalid_argument",
                         std::string(param) + ": expected a positive integer, got '" + text + "'");
      }
      if (value) {
        *value = std::min<size_t>(parsed, 1000);
      } else {
        q.before_id = static_cast<int64_t>(parsed);
      }
    }
    const std::string status = q.status;
    if (!status.empty() && status != "pending" && status != "delivered" && status != "failed" &&
        status != "expired") {
      return SendError(
          res, 400, "invalid_argument",
          "status: expected pending, delivered, failed or expired, got '" + status + "'");
    }
    auto list = outbox.List(q);
    if (!list) return SendError(res, 500, "internal", list.error().message());
    const bool with_body = req.get_param_value("body") == "true";
    json items = json::array();
    for (const auto& d : *list) items.push_back(DeliveryJson(d, with_body));
    json out = {{"notifications", std::move(items)}};
    out["next_cursor"] =
        list->size() == q.limit && !list->empty() ? json(std::to_string(list->back().id)) : json();
    res.set_content(out.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
  });
}

}  // namespace yardstick::server
