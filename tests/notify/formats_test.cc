// The template language, the request bodies per notifier type (the Alertmanager webhook payload
// against CONVENTIONS.md §5), Retry-After and the backoff formula.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "notify/notify.h"
#include "notify/template.h"

namespace yardstick::notify {
namespace {

using nlohmann::json;

constexpr int64_t kSecond = 1'000'000'000;
constexpr int64_t kT0 = 1'764'151'200LL * kSecond;  // 2025-11-26T10:00:00Z

std::set<std::string> Keys(const json& j) {
  std::set<std::string> keys;
  for (const auto& [k, v] : j.items()) keys.insert(k);
  return keys;
}

TEST(Template, PlaceholdersAsValuesAndInsideStrings) {
  auto t = Template::Parse(
      "{\"subject\": \"Escalation {{document.rule.name}}: {{summary}}\",\n"
      " \"conversation\": {{document.conversation_id}}, \"n\": {{document.n}},\n"
      " \"messages\": {{document.messages}}, \"first\": {{document.messages.0.input}},\n"
      " \"missing\": {{document.nothing.here}}, \"in\": \"[{{document.nothing}}]\",\n"
      " \"obj\": \"{{document.rule}}\", \"key\": {{ idempotency_key }},\n"
      " \"huge\": {{document.messages.99999999999999999999999}}, \"neg\": "
      "{{document.messages.-1}}}");
  ASSERT_TRUE(t) << t.error().message();
  const json vars = {{"summary", "say \"hi\"\n"},
                     {"idempotency_key", "k1"},
                     {"document",
                      {{"rule", {{"name", "thumbs"}}},
                       {"conversation_id", "c-1"},
                       {"n", 3},
                       {"messages", json::array({{{"input", "hello"}}})}}}};
  const json out = json::parse(t->Render(vars));
  EXPECT_EQ(out["subject"], "Escalation thumbs: say \"hi\"\n");
  EXPECT_EQ(out["conversation"], "c-1");
  EXPECT_EQ(out["n"], 3);
  EXPECT_EQ(out["messages"], json::array({{{"input", "hello"}}}));
  EXPECT_EQ(out["first"], "hello");
  EXPECT_TRUE(out["missing"].is_null());
  EXPECT_EQ(out["in"], "[]");
  EXPECT_EQ(out["obj"], "{\"name\":\"thumbs\"}");
  EXPECT_EQ(out["key"], "k1");
  EXPECT_TRUE(out["huge"].is_null());
  EXPECT_TRUE(out["neg"].is_null());
}

TEST(Template, ErrorsNameLineAndColumn) {
  auto unclosed = Template::Parse("{\"a\": 1,\n \"b\": {{summary}");
  ASSERT_FALSE(unclosed);
  EXPECT_EQ(unclosed.error().message(), "line 2, column 7 of the template: unclosed {{");
  auto unknown = Template::Parse("{\"a\": {{conversation_id}}}");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().message(),
            "line 1, column 7 of the template: unknown variable 'conversation_id' (expected one "
            "of kind, notifier, idempotency_key, summary, project, status, group_key, alerts, "
            "document, created_at)");
  auto path = Template::Parse("{\"a\": {{document..x}}}");
  ASSERT_FALSE(path);
  EXPECT_EQ(path.error().message(),
            "line 1, column 7 of the template: expected a placeholder like "
            "{{document.conversation_id}}, got {{document..x}}");
  auto not_json = Template::Parse("{\"a\": {{summary}},\n \"b\": }");
  ASSERT_FALSE(not_json);
  EXPECT_EQ(not_json.error().message().rfind("line 2, column 7 of the template: not valid JSON", 0),
            0u)
      << not_json.error().message();
  EXPECT_FALSE(Template::Parse("[{{alerts}} {{alerts}}]"));  // two values without a comma
  EXPECT_TRUE(Template::Parse("{{document}}"));
}

Message AlertMessage() {
  Message m;
  m.kind = "alert";
  m.notifier = "am";
  m.idempotency_key = "alert-1-firing";
  m.group_key = "{}:{alertname=\"HighLatency\"}";
  AlertItem a;
  a.status = "firing";
  a.labels = {{"alertname", "HighLatency"}, {"severity", "page"}, {"model", "gpt-4o"}};
  a.annotations = {{"summary", "p95 latency 2.4s"}};
  a.starts_at_ns = kT0;
  a.generator_url = "http://yardstick.local/v1/alerts";
  a.fingerprint = "a1b2c3";
  AlertItem b = a;
  b.status = "resolved";
  b.labels["model"] = "gpt-4o-mini";
  b.annotations = {{"summary", "p95 latency 2.1s"}};
  b.ends_at_ns = kT0 + 300 * kSecond;
  b.fingerprint = "d4e5f6";
  m.alerts = {a, b};
  return m;
}

config::NotifierConfig Notifier(const std::string& type, const std::string& tmpl = "") {
  config::NotifierConfig n;
  n.name = type == "alertmanager" ? "am" : type;
  n.type = type;
  n.url = "http://127.0.0.1:1/hook";
  n.template_text = tmpl;
  return n;
}

TEST(Formats, AlertmanagerPayloadHasTheWebhookShape) {
  auto body = RenderBody(AlertMessage(), Notifier("alertmanager"), "http://yardstick.local", kT0);
  ASSERT_TRUE(body) << body.error().message();
  const json p = json::parse(*body);
  // CONVENTIONS.md §5: {"version":"4","groupKey","truncatedAlerts","status","receiver",
  // "groupLabels","commonLabels","commonAnnotations","externalURL","alerts":[...]}.
  EXPECT_EQ(Keys(p), (std::set<std::string>{"version", "groupKey", "truncatedAlerts", "status",
                                            "receiver", "groupLabels", "commonLabels",
                                            "commonAnnotations", "externalURL", "alerts"}));
  EXPECT_EQ(p["version"], "4");
  EXPECT_EQ(p["groupKey"], "{}:{alertname=\"HighLatency\"}");
  EXPECT_EQ(p["truncatedAlerts"], 0);
  EXPECT_EQ(p["status"], "firing");  // one of the alerts still fires
  EXPECT_EQ(p["receiver"], "am");
  EXPECT_EQ(p["groupLabels"], json({{"alertname", "HighLatency"}}));
  EXPECT_EQ(p["commonLabels"], json({{"alertname", "HighLatency"}, {"severity", "page"}}));
  EXPECT_EQ(p["commonAnnotations"], json::object());
  EXPECT_EQ(p["externalURL"], "http://yardstick.local");
  ASSERT_EQ(p["alerts"].size(), 2u);
  const json& a = p["alerts"][0];
  EXPECT_EQ(Keys(a), (std::set<std::string>{"status", "labels", "annotations", "startsAt", "endsAt",
                                            "generatorURL", "fingerprint"}));
  EXPECT_EQ(a["status"], "firing");
  EXPECT_EQ(a["startsAt"], "2025-11-26T10:00:00.000Z");
  EXPECT_EQ(a["endsAt"], "0001-01-01T00:00:00Z");
  EXPECT_EQ(a["generatorURL"], "http://yardstick.local/v1/alerts");
  EXPECT_EQ(a["fingerprint"], "a1b2c3");
  EXPECT_EQ(a["annotations"]["summary"], "p95 latency 2.4s");
  EXPECT_EQ(p["alerts"][1]["status"], "resolved");
  EXPECT_EQ(p["alerts"][1]["endsAt"], "2025-11-26T10:05:00.000Z");

  Message resolved = AlertMessage();
  resolved.alerts.erase(resolved.alerts.begin());
  const json r =
      json::parse(*RenderBody(resolved, Notifier("alertmanager"), "http://y.local", kT0));
  EXPECT_EQ(r["status"], "resolved");
  EXPECT_EQ(r["commonAnnotations"], json({{"summary", "p95 latency 2.1s"}}));
}

TEST(Formats, SlackAndWebhook) {
  const json slack = json::parse(*RenderBody(AlertMessage(), Notifier("slack"), "", kT0));
  EXPECT_EQ(slack["text"], "[FIRING:1] HighLatency: p95 latency 2.4s");
  EXPECT_EQ(slack["attachments"][0]["color"], "danger");

  Message esc;
  esc.kind = "escalation";
  esc.notifier = "webhook";
  esc.idempotency_key = "esc-1";
  esc.summary = "Escalation thumbs_down for conversation c-1";
  esc.document = R"({"conversation_id": "c-1", "user_id": "u-9"})";
  esc.project = "shop";
  EXPECT_EQ(json::parse(*RenderBody(esc, Notifier("slack"), "", kT0)),
            json({{"text", "Escalation thumbs_down for conversation c-1"}}));
  // A webhook without a template gets the document as is.
  EXPECT_EQ(json::parse(*RenderBody(esc, Notifier("webhook"), "", kT0)), json::parse(esc.document));
  const auto templated = RenderBody(
      esc, Notifier("webhook", R"({"subject": "{{summary}}", "user": {{document.user_id}},
        "key": "{{idempotency_key}}", "project": {{project}}, "at": {{created_at}}})"),
      "", kT0);
  ASSERT_TRUE(templated) << templated.error().message();
  EXPECT_EQ(json::parse(*templated), json({{"subject", esc.summary},
                                           {"user", "u-9"},
                                           {"key", "esc-1"},
                                           {"project", "shop"},
                                           {"at", "2025-11-26T10:00:00.000Z"}}));
  // An escalation to an Alertmanager receiver travels as one firing alert.
  const json am = json::parse(*RenderBody(esc, Notifier("alertmanager"), "http://y", kT0));
  EXPECT_EQ(am["version"], "4");
  EXPECT_EQ(am["alerts"][0]["labels"]["alertname"], "yardstick_escalation");
  EXPECT_EQ(am["alerts"][0]["annotations"]["summary"], esc.summary);

  esc.document = "not json";
  EXPECT_FALSE(RenderBody(esc, Notifier("webhook"), "", kT0));
}

TEST(Retry, BackoffDoublesUpToTheMaximumWithEqualJitter) {
  const int64_t base = kSecond, max = 8 * kSecond;
  const std::vector<int64_t> upper = {1, 2, 4, 8, 8, 8};
  for (int attempt = 1; attempt <= 6; ++attempt) {
    const int64_t d = upper[static_cast<size_t>(attempt - 1)] * kSecond;
    EXPECT_EQ(BackoffDelay(attempt, base, max, 0.0), d / 2) << attempt;
    EXPECT_EQ(BackoffDelay(attempt, base, max, 0.5), d * 3 / 4) << attempt;
    EXPECT_EQ(BackoffDelay(attempt, base, max, 1.0), d) << attempt;
  }
  EXPECT_EQ(BackoffDelay(200, base, max, 1.0), max);  // no overflow for large attempt counts
}

TEST(Retry, RetryAfterSecondsAndHttpDate) {
  EXPECT_EQ(ParseRetryAfter("120", kT0), 120 * kSecond);
  EXPECT_EQ(ParseRetryAfter(" 0 ", kT0), 0);
  EXPECT_EQ(ParseRetryAfter("Wed, 26 Nov 2025 10:00:30 GMT", kT0), 30 * kSecond);
  EXPECT_EQ(ParseRetryAfter("Wed, 26 Nov 2025 09:00:00 GMT", kT0), 0);  // in the past
  EXPECT_FALSE(ParseRetryAfter("soon", kT0));
  EXPECT_FALSE(ParseRetryAfter("", kT0));
  EXPECT_FALSE(ParseRetryAfter("-5", kT0));
}

}  // namespace
}  // namespace yardstick::notify
