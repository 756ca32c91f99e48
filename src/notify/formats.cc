// Request bodies per notifier type, time formatting, retry timing, and the template check of
// the configuration.
#include <algorithm>
#include <cmath>
#include <ctime>
#include <nlohmann/json.hpp>

#include "notify/notify.h"
#include "notify/template.h"

namespace yardstick::notify {
namespace {

using nlohmann::json;

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// Alertmanager sends this for an alert that has not ended.
constexpr const char* kZeroTime = "0001-01-01T00:00:00Z";

json AlertJson(const AlertItem& a) {
  return {{"status", a.status},
          {"labels", a.labels},
          {"annotations", a.annotations},
          {"startsAt", a.starts_at_ns > 0 ? FormatTime(a.starts_at_ns) : kZeroTime},
          {"endsAt", a.ends_at_ns > 0 ? FormatTime(a.ends_at_ns) : kZeroTime},
          {"generatorURL", a.generator_url},
          {"fingerprint", a.fingerprint}};
}

// The key/value pairs every map in `maps` shares.
std::map<std::string, std::string> Common(
    const std::vector<const std::map<std::string, std::string>*>& maps) {
  if (maps.empty()) return {};
  std::map<std::string, std::string> common = *maps[0];
  for (size_t i = 1; i < maps.size(); ++i) {
    std::erase_if(common, [&](const auto& kv) {
      auto it = maps[i]->find(kv.first);
      return it == maps[i]->end() || it->second != kv.second;
    });
  }
  return common;
}

// A report or escalation sent to an Alertmanager receiver: one alert that carries it.
std::vector<AlertItem> AsAlerts(const Message& m, int64_t now_ns) {
  AlertItem a;
  a.status = "firing";
  a.labels = {{"alertname", "yardstick_" + m.kind}};
  if (!m.project.empty()) a.labels["project"] = m.project;
  a.annotations = {{"summary", m.summary}, {"document", m.document}};
  a.starts_at_ns = now_ns;
  a.fingerprint = m.idempotency_key;
  return {a};
}

json AlertmanagerPayload(const Message& m, const std::vector<AlertItem>& alerts,
                         const std::string& receiver, const std::string& external_url) {
  std::vector<const std::map<std::string, std::string>*> labels, annotations;
  bool firing = false;
  json list = json::array();
  for (const auto& a : alerts) {
    labels.push_back(&a.labels);
    annotations.push_back(&a.annotations);
    firing = firing || a.status == "firing";
    list.push_back(AlertJson(a));
  }
  const auto common_labels = Common(labels);
  json group_labels = json::object();
  if (auto it = common_labels.find("alertname"); it != common_labels.end()) {
    group_labels["alertname"] = it->second;
  }
  return {{"version", "4"},
          {"groupKey", m.group_key.empty() ? m.idempotency_key : m.group_key},
          {"truncatedAlerts", 0},
          {"status", firing ? "firing" : "resolved"},
          {"receiver", receiver},
          {"groupLabels", group_labels},
          {"commonLabels", common_labels},
          {"commonAnnotations", Common(annotations)},
          {"externalURL", external_url},
          {"alerts", std::move(list)}};
}

// "[FIRING:2] HighLatency: p95 above 2s" for alerts; the summary otherwise.
std::string SummaryText(const Message& m) {
  if (m.kind != "alert" || !m.summary.empty()) return m.summary;
  size_t firing = 0;
  std::string name, detail;
  for (const auto& a : m.alerts) {
    firing += a.status == "firing";
    if (name.empty()) {
      if (auto it = a.labels.find("alertname"); it != a.labels.end()) name = it->second;
      if (auto it = a.annotations.find("summary"); it != a.annotations.end()) detail = it->second;
    }
  }
  std::string text = firing > 0 ? "[FIRING:" + std::to_string(firing) + "] " : "[RESOLVED] ";
  text += name;
  if (!detail.empty()) text += ": " + detail;
  return text;
}

}  // namespace

std::string FormatTime(int64_t ns) {
  const int64_t secs = ns >= 0 ? ns / 1'000'000'000 : (ns - 999'999'999) / 1'000'000'000;
  const int64_t millis = (ns - secs * 1'000'000'000) / 1'000'000;
  const std::time_t t = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof out, "%s.%03dZ", buf, static_cast<int>(millis));
  return out;
}

int64_t BackoffDelay(int attempt, int64_t base_ns, int64_t max_ns, double u) {
  const int shift = std::clamp(attempt - 1, 0, 62);
  double d = static_cast<double>(base_ns) * std::ldexp(1.0, shift);
  d = std::min(d, static_cast<double>(max_ns));
  u = std::clamp(u, 0.0, 1.0);
  return static_cast<int64_t>(d / 2 + u * d / 2);
}

std::optional<int64_t> ParseRetryAfter(std::string_view value, int64_t now_ns) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    if (value.size() > 9) return std::nullopt;
    return std::stoll(std::string(value)) * 1'000'000'000;
  }
  std::tm tm{};
  const std::string s(value);
  const char* end = strptime(s.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  const int64_t at = static_cast<int64_t>(timegm(&tm)) * 1'000'000'000;
  return std::max<int64_t>(0, at - now_ns);
}

Result<std::string> RenderBody(const Message& m, const config::NotifierConfig& notifier,
                               const std::string& external_url, int64_t now_ns) {
  json document;
  if (m.kind == "alert") {
    document = AlertmanagerPayload(m, m.alerts, notifier.name, external_url);
  } else if (!m.document.empty()) {
    document = json::parse(m.document, nullptr, false);
    if (document.is_discarded()) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "the document of a " + m.kind + " message is not JSON");
    }
  } else {
    document = json::object();
  }
  const std::string summary = SummaryText(m);
  if (notifier.type == "alertmanager") {
    if (m.kind == "alert") return Dump(document);
    return Dump(AlertmanagerPayload(m, AsAlerts(m, now_ns), notifier.name, external_url));
  }
  if (notifier.type == "slack") {
    json body = {{"text", summary}};
    if (m.kind == "alert") {
      json fields = json::array();
      for (const auto& a : m.alerts) {
        std::string line = a.status == "firing" ? "firing" : "resolved";
        for (const auto& [k, v] : a.labels) line += " " + k + "=" + v;
        if (auto it = a.annotations.find("description"); it != a.annotations.end()) {
          line += "\n" + it->second;
        }
        fields.push_back(line);
      }
      std::string text;
      for (const auto& f : fields) text += (text.empty() ? "" : "\n") + f.get<std::string>();
      body["attachments"] =
          json::array({{{"color", document.value("status", "") == "firing" ? "danger" : "good"},
                        {"text", text}}});
    }
    return Dump(body);
  }
  // webhook
  if (notifier.template_text.empty()) return Dump(document);
  auto tmpl = Template::Parse(notifier.template_text);
  if (!tmpl) return std::unexpected(tmpl.error());
  json status = m.kind == "alert" ? document["status"] : json("");
  json vars = {{"kind", m.kind},
               {"notifier", notifier.name},
               {"idempotency_key", m.idempotency_key},
               {"summary", summary},
               {"project", m.project},
               {"status", status},
               {"group_key", m.group_key},
               {"alerts", m.kind == "alert" ? document["alerts"] : json::array()},
               {"document", document},
               {"created_at", FormatTime(now_ns)}};
  return tmpl->Render(vars);
}

std::vector<config::Issue> CheckTemplates(const config::Config& config) {
  std::vector<config::Issue> issues;
  for (size_t i = 0; i < config.notifiers.size(); ++i) {
    const auto& n = config.notifiers[i];
    if (n.template_text.empty()) continue;
    auto t = Template::Parse(n.template_text);
    if (!t) {
      issues.push_back(
          config::Issue{n.template_line, n.template_column,
                        "notifiers[" + std::to_string(i) + "].template: " + t.error().message()});
    }
  }
  return issues;
}

}  // namespace yardstick::notify
