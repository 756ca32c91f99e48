#include "server/alert_routes.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "alerts/alerts.h"
#include "server/http_util.h"

namespace yardstick::server {
namespace {

using nlohmann::json;

json TimeOrNull(int64_t ns) { return ns > 0 ? json(FormatRfc3339(ns)) : json(nullptr); }

json ValueOrNull(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }

json TransitionJson(const alerts::Transition& t) {
  return {{"rule", t.rule},
          {"fingerprint", t.fingerprint},
          {"from", alerts::StateName(t.from)},
          {"to", alerts::StateName(t.to)},
          {"at", FormatRfc3339(t.at_ns)},
          {"active_since", TimeOrNull(t.active_since_ns)},
          {"value", ValueOrNull(t.value)},
          {"silenced", t.silenced},
          {"labels", t.labels},
          {"annotations", t.annotations}};
}

json MatcherJson(const alerts::Matcher& m) {
  return {{"name", m.name}, {"value", m.value}, {"isRegex", m.regex}, {"isEqual", m.equal}};
}

json SilenceJson(const alerts::Silence& s, int64_t now) {
  json matchers = json::array();
  for (const auto& m : s.matchers) matchers.push_back(MatcherJson(m));
  return {{"id", s.id},
          {"project", s.project.empty() ? json(nullptr) : json(s.project)},
          {"matchers", std::move(matchers)},
          {"starts", FormatRfc3339(s.starts_ns)},
          {"ends", FormatRfc3339(s.ends_ns)},
          {"comment", s.comment},
          {"created_by", s.created_by},
          {"created_at", FormatRfc3339(s.created_ns)},
          {"status", alerts::SilenceStatus(s, now)}};
}

// "name=value", "name!=value", "name=~regex", "name!~regex".
std::optional<alerts::Matcher> ParseMatcherText(const std::string& text) {
  for (const auto& [op, regex, equal] :
       {std::tuple{"=~", true, true}, std::tuple{"!~", true, false}, std::tuple{"!=", false, false},
        std::tuple{"=", false, true}}) {
    const size_t at = text.find(op);
    if (at == std::string::npos || at == 0) continue;
    return alerts::Matcher{text.substr(0, at), text.substr(at + std::string_view(op).size()), regex,
                           equal};
  }
  return std::nullopt;
}

Result<alerts::Silence> ParseSilence(const std::string& body, int64_t now) {
  auto j = json::parse(body, nullptr, false);
  auto bad = [](const std::string& m) { return MakeError(ErrorCode::kInvalidArgument, m); };
  if (!j.is_object()) return bad("expected a JSON object");
  alerts::Silence s;
  if (!j.contains("matchers") || !j["matchers"].is_array()) {
    return bad("matchers: expected a list of {\"name\",\"value\",\"isRegex\"} or \"name=value\"");
  }
  for (size_t i = 0; i < j["matchers"].size(); ++i) {
    const json& m = j["matchers"][i];
    const std::string where = "matchers[" + std::to_string(i) + "]";
    if (m.is_string()) {
      auto parsed = ParseMatcherText(m.get<std::string>());
      if (!parsed) return bad(where + ": expected name=value, name!=value, name=~re or name!~re");
      s.matchers.push_back(*parsed);
    } else if (m.is_object() && m.contains("name") && m["name"].is_string() &&
               m.contains("value") && m["value"].is_string()) {
      alerts::Matcher matcher{m["name"], m["value"], false, true};
      for (const char* key : {"isRegex", "regex"}) {
        if (m.contains(key)) {
          if (!m[key].is_boolean()) return bad(where + "." + key + ": expected true or false");
          matcher.regex = m[key].get<bool>();
        }
      }
      if (m.contains("isEqual")) {
        if (!m["isEqual"].is_boolean()) return bad(where + ".isEqual: expected true or false");
        matcher.equal = m["isEqual"].get<bool>();
      }
      s.matchers.push_back(std::move(matcher));
    } else {
      return bad(where + ": expected {\"name\": ..., \"value\": ...} or \"name=value\"");
    }
  }
  auto time_field = [&](const char* key, int64_t& out) -> Result<void> {
    if (!j.contains(key)) return {};
    if (!j[key].is_string()) return bad(std::string(key) + ": expected an RFC 3339 time");
    auto t = ParseTimeParam(j[key].get<std::string>(), now);
    if (!t) return bad(std::string(key) + ": " + t.error().message());
    out = *t;
    return {};
  };
  s.starts_ns = now;
  if (auto r = time_field("starts", s.starts_ns); !r) return std::unexpected(r.error());
  if (auto r = time_field("ends", s.ends_ns); !r) return std::unexpected(r.error());
  for (const char* key : {"duration", "expires_in"}) {
    if (!j.contains(key)) continue;
    if (!j[key].is_string()) return bad(std::string(key) + ": expected a duration such as \"2h\"");
    auto d = ParseDuration(j[key].get<std::string>());
    if (!d || *d <= 0) return bad(std::string(key) + ": expected a duration such as \"2h\"");
    s.ends_ns = std::max(s.starts_ns, now) + *d;
  }
  if (s.ends_ns == 0) return bad("ends: give \"ends\" (RFC 3339) or \"duration\" (e.g. \"2h\")");
  for (const char* key : {"comment", "created_by"}) {
    if (j.contains(key) && !j[key].is_string())
      return bad(std::string(key) + ": expected a string");
  }
  s.comment = j.value("comment", "");
  s.created_by = j.value("created_by", "");
  if (j.contains("project")) {
    if (!j["project"].is_string()) return bad("project: expected a string");
    s.project = j["project"];
  }
  return s;
}

void HandleAlerts(alerts::Engine* engine, const Authorizer& authorize, const httplib::Request& req,
                  httplib::Response& res) {
  std::string project;
  if (!authorize(req, res, &project)) return;
  // Without rules the server has no alerting (the dashboard hides its alerts panel on 404).
  if (engine->rule_configs().empty()) {
    return SendError(res, 404, "not_found",
                     "no alert rules are configured (alerts: in yardstick.yaml)");
  }
  const std::string state = req.has_param("state") ? req.get_param_value("state") : "active";
  if (state != "active" && state != "firing" && state != "pending" && state != "resolved") {
    return SendError(res, 400, "invalid_argument",
                     "state: expected active, firing, pending or resolved");
  }
  alerts::AlertQuery q;
  q.project = project;
  q.rule = req.get_param_value("rule");
  if (req.has_param("limit")) {
    try {
      q.limit = std::clamp<size_t>(std::stoul(req.get_param_value("limit")), 1, 10000);
    } catch (const std::exception&) {
      return SendError(res, 400, "invalid_argument", "limit: expected a positive integer");
    }
  }
  json list = json::array();
  // The transitions of one episode (same instance, same start), oldest first.
  auto timeline = [&](const std::string& fingerprint, int64_t active_since) -> Result<json> {
    alerts::AlertQuery hq;
    hq.fingerprint = fingerprint;
    hq.limit = 50;
    auto h = engine->History(hq);
    if (!h) return std::unexpected(h.error());
    json out = json::array();
    for (auto it = h->rbegin(); it != h->rend(); ++it) {
      if (it->active_since_ns != active_since) continue;
      out.push_back({{"from", alerts::StateName(it->from)},
                     {"to", alerts::StateName(it->to)},
                     {"at", FormatRfc3339(it->at_ns)},
                     {"value", ValueOrNull(it->value)},
                     {"silenced", it->silenced}});
    }
    return out;
  };
  if (state == "resolved") {
    auto history = engine->History(q);
    if (!history) return SendError(res, 500, "internal", history.error().message());
    for (const auto& t : *history) {
      if (t.to != alerts::State::kResolved) continue;
      auto tl = timeline(t.fingerprint, t.active_since_ns);
      if (!tl) return SendError(res, 500, "internal", tl.error().message());
      list.push_back({{"rule", t.rule},
                      {"fingerprint", t.fingerprint},
                      {"state", "resolved"},
                      {"labels", t.labels},
                      {"annotations", t.annotations},
                      {"active_since", TimeOrNull(t.active_since_ns)},
                      {"resolved_at", FormatRfc3339(t.at_ns)},
                      {"value", ValueOrNull(t.value)},
                      {"silenced", t.silenced},
                      {"timeline", std::move(*tl)}});
    }
  } else {
    auto active = engine->Active(q);
    if (!active) return SendError(res, 500, "internal", active.error().message());
    for (const auto& a : *active) {
      if (state != "active" && state != alerts::StateName(a.state)) continue;
      auto tl = timeline(a.fingerprint, a.times.active_since_ns);
      if (!tl) return SendError(res, 500, "internal", tl.error().message());
      list.push_back({{"rule", a.rule},
                      {"fingerprint", a.fingerprint},
                      {"state", alerts::StateName(a.state)},
                      {"labels", a.labels},
                      {"annotations", a.annotations},
                      {"active_since", TimeOrNull(a.times.active_since_ns)},
                      {"fired_at", TimeOrNull(a.times.fired_at_ns)},
                      {"value", ValueOrNull(a.value)},
                      {"silenced", a.silenced},
                      {"silenced_by", a.silenced_by},
                      {"timeline", std::move(*tl)}});
    }
  }
  res.set_content(JsonText({{"alerts", std::move(list)}}), kJson);
}

void HandleHistory(alerts::Engine* engine, const Authorizer& authorize, const httplib::Request& req,
                   httplib::Response& res) {
  std::string project;
  if (!authorize(req, res, &project)) return;
  alerts::AlertQuery q;
  q.project = project;
  q.rule = req.get_param_value("rule");
  q.fingerprint = req.get_param_value("fingerprint");
  if (req.has_param("limit")) {
    try {
      q.limit = std::clamp<size_t>(std::stoul(req.get_param_value("limit")), 1, 10000);
    } catch (const std::exception&) {
      return SendError(res, 400, "invalid_argument", "limit: expected a positive integer");
    }
  }
  auto history = engine->History(q);
  if (!history) return SendError(res, 500, "internal", history.error().message());
  json list = json::array();
  for (const auto& t : *history) list.push_back(TransitionJson(t));
  res.set_content(JsonText({{"transitions", std::move(list)}}), kJson);
}

void HandleRules(alerts::Engine* engine, const Authorizer& authorize, const httplib::Request& req,
                 httplib::Response& res) {
  std::string project;
  if (!authorize(req, res, &project)) return;
  const auto status = engine->Rules();
  const auto& configs = engine->rule_configs();
  json list = json::array();
  for (size_t i = 0; i < configs.size() && i < status.size(); ++i) {
    const auto& rc = configs[i];
    if (!project.empty() && !rc.project.empty() && rc.project != project) continue;
    const auto& st = status[i];
    json condition = {{"type", rc.condition.type}};
    if (!rc.condition.kpi.empty()) condition["kpi"] = rc.condition.kpi;
    if (rc.condition.type == "threshold" || rc.condition.type == "burn_rate") {
      condition["op"] = rc.condition.op;
      condition["value"] = rc.condition.value;
    }
    if (rc.condition.type == "threshold") condition["bound"] = rc.condition.bound;
    if (!rc.condition.goal.empty()) condition["goal"] = rc.condition.goal;
    if (!rc.condition.baseline.empty()) condition["baseline"] = rc.condition.baseline;
    if (!rc.condition.detector.empty()) condition["detector"] = rc.condition.detector;
    if (!rc.condition.test.empty()) condition["test"] = rc.condition.test;
    json labels = json::object(), annotations = json::object();
    for (const auto& [k, v] : rc.labels) labels[k] = v;
    for (const auto& [k, v] : rc.annotations) annotations[k] = v;
    list.push_back({{"name", rc.name},
                    {"project", rc.project.empty() ? json(nullptr) : json(rc.project)},
                    {"condition", std::move(condition)},
                    {"window_seconds", static_cast<double>(rc.window_ns) / 1e9},
                    {"for_seconds", static_cast<double>(rc.for_ns) / 1e9},
                    {"keep_firing_for_seconds", static_cast<double>(rc.keep_firing_for_ns) / 1e9},
                    {"group_by", rc.group_by},
                    {"labels", std::move(labels)},
                    {"annotations", std::move(annotations)},
                    {"notifiers", rc.notifiers},
                    {"health", st.health},
                    {"last_error", st.last_error.empty() ? json(nullptr) : json(st.last_error)},
                    {"last_evaluation", TimeOrNull(st.last_evaluation_ns)},
                    {"evaluation_seconds", st.last_duration_seconds},
                    {"pending", st.pending},
                    {"firing", st.firing}});
  }
  res.set_content(JsonText({{"rules", std::move(list)}}), kJson);
}

class OutboxAlertSink : public alerts::AlertSink {
 public:
  OutboxAlertSink(notify::Outbox* outbox, Logger& log) : outbox_(outbox), log_(log) {}

  Result<void> Send(const alerts::Notification& n) override {
    if (n.notifiers.empty()) {
      log_.Warn("alert", {{"alertname", n.rule},
                          {"status", n.status},
                          {"fingerprint", n.fingerprint},
                          {"idempotency_key", n.idempotency_key},
                          {"labels", n.labels},
                          {"annotations", n.annotations}});
      return {};
    }
    notify::AlertItem item;
    item.status = n.status;
    item.labels = n.labels;
    item.annotations = n.annotations;
    item.starts_at_ns = n.starts_at_ns;
    item.ends_at_ns = n.ends_at_ns;
    item.generator_url = n.generator_url;
    item.fingerprint = n.fingerprint;
    notify::Message m;
    m.kind = "alert";
    m.idempotency_key = n.idempotency_key;
    m.group_key = "{}:{alertname=\"" + n.rule + "\"}";
    m.alerts = {item};
    const auto project = n.labels.find("project");
    if (project != n.labels.end()) m.project = project->second;
    std::string status = n.status;
    std::transform(status.begin(), status.end(), status.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    m.summary = "[" + status + "] " + n.rule;
    for (const auto& [k, v] : n.labels) {
      if (k != "alertname") m.summary += " " + k + "=" + v;
    }
    if (auto s = n.annotations.find("summary"); s != n.annotations.end()) {
      m.summary += ": " + s->second;
    }
    for (const auto& notifier : n.notifiers) {
      m.notifier = notifier;
      if (auto r = outbox_->Enqueue(m); !r) return r;
    }
    return {};
  }

 private:
  notify::Outbox* outbox_;
  Logger& log_;
};

}  // namespace

std::unique_ptr<alerts::AlertSink> MakeOutboxAlertSink(notify::Outbox* outbox, Logger& log) {
  return std::make_unique<OutboxAlertSink>(outbox, log);
}

void RegisterAlertRoutes(httplib::Server& http, AlertEngineFn current, Authorizer authorize) {
  http.Get("/v1/alerts", [current, authorize](const httplib::Request& req, httplib::Response& res) {
    const auto engine = current();
    HandleAlerts(engine.get(), authorize, req, res);
  });
  http.Get("/v1/alerts/history",
           [current, authorize](const httplib::Request& req, httplib::Response& res) {
             const auto engine = current();
             HandleHistory(engine.get(), authorize, req, res);
           });
  http.Get("/v1/alerts/rules",
           [current, authorize](const httplib::Request& req, httplib::Response& res) {
             const auto engine = current();
             HandleRules(engine.get(), authorize, req, res);
           });
  http.Post("/v1/silences", [current, authorize](const httplib::Request& req,
                                                 httplib::Response& res) {
    const auto engine = current();
    std::string project;
    auto principal = authorize(req, res, &project);
    if (!principal) return;
    const int64_t now = NowNanos();
    auto silence = ParseSilence(req.body, now);
    if (!silence) {
      return SendError(res, 400, "invalid_argument", silence.error().message());
    }
    if (!principal->admin) {
      if (!silence->project.empty() && silence->project != principal->project) {
        return SendError(res, 403, "forbidden",
                         "this key belongs to another project than '" + silence->project + "'");
      }
      silence->project = principal->project;
    } else if (silence->project.empty()) {
      silence->project = project;
    }
    auto created = engine->CreateSilence(std::move(*silence));
    if (!created) {
      return SendError(
          res, created.error().code() == ErrorCode::kInvalidArgument ? 400 : 500,
          created.error().code() == ErrorCode::kInvalidArgument ? "invalid_argument" : "internal",
          created.error().message());
    }
    res.status = 201;
    res.set_content(JsonText(SilenceJson(*created, now)), kJson);
  });
  http.Get("/v1/silences",
           [current, authorize](const httplib::Request& req, httplib::Response& res) {
             const auto engine = current();
             std::string project;
             if (!authorize(req, res, &project)) return;
             auto list = engine->ListSilences(project);
             if (!list) return SendError(res, 500, "internal", list.error().message());
             const int64_t now = NowNanos();
             const std::string status = req.get_param_value("status");
             json out = json::array();
             for (const auto& s : *list) {
               if (!status.empty() && status != alerts::SilenceStatus(s, now)) continue;
               out.push_back(SilenceJson(s, now));
             }
             res.set_content(JsonText({{"silences", std::move(out)}}), kJson);
           });
  http.Delete(R"(/v1/silences/([A-Za-z0-9-]+))",
              [current, authorize](const httplib::Request& req, httplib::Response& res) {
                const auto engine = current();
                std::string project;
                if (!authorize(req, res, &project)) return;
                const std::string id = req.matches[1];
                auto r = engine->DeleteSilence(id, project);
                if (!r) {
                  const bool missing = r.error().code() == ErrorCode::kNotFound;
                  return SendError(res, missing ? 404 : 500, missing ? "not_found" : "internal",
                                   r.error().message());
                }
                res.set_content(JsonText({{"id", id}, {"status", "expired"}}), kJson);
              });
}

}  // namespace yardstick::server
