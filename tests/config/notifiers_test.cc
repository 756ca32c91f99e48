// The `notifiers` and `escalations` sections: what they read, and their errors with line and
// column (URL schemes, durations, notifier references, conditions); templates through
// `yardstick check`.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/check_command.h"
#include "config_test_util.h"
#include "kpi/kpi.h"

namespace yardstick::config::testing {
namespace {

constexpr const char* kValid = R"(notifiers:
  - name: helpdesk
    type: webhook
    url: https://crm.example.com/api/tickets
    headers:
      - {name: Authorization, value_env: CRM_TOKEN}
    timeout: 5s
    max_attempts: 12
    expiry: 2h
    backoff_base: 500ms
    backoff_max: 1m
    template: '{"subject": "{{summary}}", "conversation": {{document.conversation_id}}}'
  - name: am
    type: alertmanager
    url: http://127.0.0.1:9093/api/v2/alerts
  - {name: chat, type: slack, url: "https://hooks.slack.com/services/T/B/X"}
escalations:
  - name: thumbs_down
    notifier: helpdesk
    score: {name: thumbs, equals: 0}
  - name: low_judge
    notifier: helpdesk
    projects: [shop]
    score: {name: helpfulness, source: judge, below: 0.4}
  - name: wants_human
    notifier: helpdesk
    recent_messages: 5
    human_request: {phrases: [talk to a human, real person], regex: "(?i)\\bagent\\b"}
  - {name: failing, notifier: helpdesk, failed_calls: 3}
  - {name: long, notifier: chat, max_turns: 20}
  - {name: slow, notifier: chat, max_duration: 30m}
)";

TEST(NotifiersConfig, ReadsEverySetting) {
  const Config c = Valid(kValid);
  ASSERT_EQ(c.notifiers.size(), 3u);
  const auto& n = c.notifiers[0];
  EXPECT_EQ(n.name, "helpdesk");
  EXPECT_EQ(n.type, "webhook");
  EXPECT_EQ(n.url, "https://crm.example.com/api/tickets");
  ASSERT_EQ(n.headers.size(), 1u);
  EXPECT_EQ(n.headers[0].name, "Authorization");
  EXPECT_EQ(n.headers[0].value_env, "CRM_TOKEN");
  EXPECT_EQ(n.timeout_ns, 5'000'000'000);
  EXPECT_EQ(n.max_attempts, 12);
  EXPECT_EQ(n.expiry_ns, 7'200'000'000'000);
  EXPECT_EQ(n.backoff_base_ns, 500'000'000);
  EXPECT_EQ(n.backoff_max_ns, 60'000'000'000);
  EXPECT_EQ(n.template_text,
            R"({"subject": "{{summary}}", "conversation": {{document.conversation_id}}})");
  EXPECT_EQ(n.template_line, 12);
  EXPECT_EQ(c.notifiers[1].type, "alertmanager");
  EXPECT_EQ(c.notifiers[1].max_attempts, 0);
  EXPECT_EQ(c.notifiers[1].expiry_ns, 24 * 3'600'000'000'000);
  EXPECT_EQ(c.notifiers[2].type, "slack");

  ASSERT_EQ(c.escalations.size(), 6u);
  EXPECT_EQ(c.escalations[0].condition, "score");
  EXPECT_EQ(c.escalations[0].score_name, "thumbs");
  EXPECT_EQ(c.escalations[0].equals, 0.0);
  EXPECT_EQ(c.escalations[1].projects, std::vector<std::string>{"shop"});
  EXPECT_EQ(c.escalations[1].score_source, "judge");
  EXPECT_EQ(c.escalations[1].below, 0.4);
  EXPECT_FALSE(c.escalations[1].equals.has_value());
  EXPECT_EQ(c.escalations[2].condition, "human_request");
  EXPECT_EQ(c.escalations[2].phrases, (std::vector<std::string>{"talk to a human", "real person"}));
  EXPECT_EQ(c.escalations[2].regex, "(?i)\\bagent\\b");
  EXPECT_EQ(c.escalations[2].recent_messages, 5);
  EXPECT_EQ(c.escalations[3].failed_calls, 3);
  EXPECT_EQ(c.escalations[4].max_turns, 20);
  EXPECT_EQ(c.escalations[4].notifier, "chat");
  EXPECT_EQ(c.escalations[5].max_duration_ns, 1'800'000'000'000);
}

TEST(NotifiersConfig, UrlSchemes) {
  EXPECT_EQ(Errors("notifiers:\n  - {name: a, type: webhook, url: ftp://files.example.com/x}\n"),
            "<string>:2:35: notifiers[0].url: URL scheme \"ftp\" is not supported; expected "
            "http:// or https://, got \"ftp://files.example.com/x\"");
  EXPECT_EQ(Errors("notifiers:\n  - {name: a, type: slack, url: hooks.slack.com}\n"),
            "<string>:2:33: notifiers[0].url: expected an http:// or https:// URL, got "
            "\"hooks.slack.com\"");
  EXPECT_EQ(Errors("notifiers:\n  - {name: a, type: slack, url: \"http:///x\"}\n"),
            "<string>:2:33: notifiers[0].url: the URL \"http:///x\" has no host");
}

TEST(NotifiersConfig, DurationsTypesNamesAndHeaders) {
  EXPECT_EQ(Errors("notifiers:\n  - name: a\n    type: webhook\n    url: http://x\n"
                   "    timeout: 5 minutes\n"),
            "<string>:5:14: notifiers[0].timeout: expected a duration like 30s, 5m, 1h or 7d "
            "(greater than 0), got \"5 minutes\"");
  EXPECT_EQ(Errors("notifiers:\n  - {name: a, type: webhok, url: http://x}\n"),
            "<string>:2:21: notifiers[0].type: expected one of alertmanager, slack, webhook, got "
            "\"webhok\" (did you mean \"webhook\"?)");
  EXPECT_EQ(Errors("notifiers:\n  - {name: a, type: slack, url: http://x}\n"
                   "  - {name: a, type: slack, url: http://y}\n"),
            "<string>:3:12: notifiers[1].name: notifier \"a\" is already defined at 2:12");
  EXPECT_EQ(Errors("notifiers:\n  - name: a\n    type: webhook\n    url: http://x\n"
                   "    headers: [{name: Authorization, value_env: \"Bearer abc\"}]\n"),
            "<string>:5:48: notifiers[0].headers[0].value_env: expected the name of an "
            "environment variable ([A-Z_][A-Z0-9_]*), got \"Bearer abc\" (the value itself is "
            "read from the environment, never from this file)");
  EXPECT_EQ(Errors("notifiers:\n  - {name: a, type: slack, url: http://x, template: '{}'}\n"),
            "<string>:2:53: notifiers[0].template: only notifiers of type webhook take a template "
            "(\"a\" is slack)");
}

TEST(EscalationsConfig, Errors) {
  const std::string notifiers = "notifiers:\n  - {name: helpdesk, type: webhook, url: http://x}\n";
  EXPECT_EQ(Errors(notifiers + "escalations:\n  - {name: r, notifier: helpdsk, max_turns: 3}\n"),
            "<string>:4:25: escalations[0].notifier: \"helpdsk\" is not a notifier defined in the "
            "notifiers section (did you mean \"helpdesk\"?)");
  EXPECT_EQ(Errors(notifiers +
                   "escalations:\n  - {name: r, notifier: helpdesk, max_turns: 3, failed_calls: "
                   "2}\n"),
            "<string>:4:5: escalations[0]: a rule needs exactly one condition (score, "
            "human_request, failed_calls, max_turns, max_duration), got 2");
  EXPECT_EQ(Errors(notifiers +
                   "escalations:\n  - {name: r, notifier: helpdesk, max_duration: forever}\n"),
            "<string>:4:49: escalations[0].max_duration: expected a duration like 30s, 5m, 1h or "
            "7d (greater than 0), got \"forever\"");
  EXPECT_EQ(Errors(notifiers + "escalations:\n  - name: r\n    notifier: helpdesk\n"
                               "    score: {name: thumbs, below: 1, above: 3}\n"),
            "<string>:6:12: escalations[0].score: give exactly one of equals, below, above or "
            "label (got 2)");
  EXPECT_EQ(Errors(notifiers + "escalations:\n  - name: r\n    notifier: helpdesk\n"
                               "    human_request: {regex: \"(unclosed\"}\n"),
            "<string>:6:28: escalations[0].human_request.regex: the regex does not compile "
            "(PCRE2) at offset 9: missing closing parenthesis");
  // Without a notifiers section every reference is unknown.
  EXPECT_EQ(Errors("escalations:\n  - {name: r, notifier: crm, max_turns: 3}\n"),
            "<string>:2:25: escalations[0].notifier: \"crm\" is not a notifier defined in the "
            "notifiers section");
}

std::string WriteTemp(const std::string& name, const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() / ("yardstick_notifiers_" + name);
  std::ofstream(path, std::ios::binary) << text;
  return path.string();
}

TEST(EscalationsConfig, CheckCommandReportsBadTemplates) {
  const std::string path = WriteTemp("bad_template.yaml",
                                     "notifiers:\n"
                                     "  - name: helpdesk\n"
                                     "    type: webhook\n"
                                     "    url: http://crm.local/hook\n"
                                     "    template: |\n"
                                     "      {\"subject\": \"{{summary}}\",\n"
                                     "       \"who\": {{conversation}}}\n");
  std::ostringstream out, err;
  const int code = cli::RunCheck(cli::CheckArgs{path, "text"}, kpi::BuiltinNames(), out, err);
  EXPECT_EQ(code, 2);
  EXPECT_EQ(err.str(), path +
                           ":5:15: notifiers[0].template: line 2, column 9 of the template: "
                           "unknown variable 'conversation' (expected one of kind, notifier, "
                           "idempotency_key, summary, project, status, group_key, alerts, "
                           "document, created_at)\nyardstick check: 1 problem in " +
                           path + "\n");
  const std::string bad_json = WriteTemp("bad_json.yaml",
                                         "notifiers:\n"
                                         "  - name: helpdesk\n"
                                         "    type: webhook\n"
                                         "    url: http://crm.local/hook\n"
                                         "    template: '{\"subject\": {{summary}} \"x\"}'\n");
  std::ostringstream out2, err2;
  EXPECT_EQ(cli::RunCheck(cli::CheckArgs{bad_json, "text"}, kpi::BuiltinNames(), out2, err2), 2);
  EXPECT_NE(err2.str().find(bad_json + ":5:15: notifiers[0].template: line 1, column 27 of the "
                                       "template: not valid JSON"),
            std::string::npos)
      << err2.str();
  std::filesystem::remove(path);
  std::filesystem::remove(bad_json);
}

}  // namespace
}  // namespace yardstick::config::testing
