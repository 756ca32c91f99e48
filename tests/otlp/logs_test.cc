// Evaluation results sent as log records (POST /v1/logs): scores, their links to calls, their
// deterministic ids (an evaluation sent as a span event and as a log record is one score), and
// rejections.

#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "otlp_payloads.h"

namespace yardstick::otlp::testing {
namespace {

constexpr std::string_view kTrace = "4bf92f3577b34da6a3ce929d0e0e4736";
constexpr std::string_view kSpan = "00f067aa0ba902b7";
constexpr uint64_t kT0 = 1765432100000000000ULL;

TEST(OtlpLogs, EvaluationLogRecordBecomesAScore) {
  ExportLogsServiceRequest request;
  ResourceLogs* r = AddResource(request, "judge-worker");
  LogRecord* log = AddLog(r, kTrace, kSpan, "gen_ai.evaluation.result", kT0 + 7);
  log->set_observed_time_unix_nano(kT0 + 9);
  AddEvaluationAttributes(log->mutable_attributes(), "faithfulness", 0.9, "pass",
                          "every claim is supported");
  AddString(log->mutable_attributes(), "gen_ai.response.id", "chatcmpl-1");
  AddString(log->mutable_attributes(), "gen_ai.conversation.id", "conv-3");
  AddString(log->mutable_attributes(), "enduser.id", "u-3");
  log->mutable_body()->set_string_value("");

  const DecodeResult result = DecodeBoth(request);
  EXPECT_EQ(result.log_records, 1u);
  EXPECT_EQ(result.spans, 0u);
  EXPECT_EQ(result.ignored, 0u);
  EXPECT_EQ(result.rejected, 0u);
  EXPECT_TRUE(result.batch.calls.empty());
  ASSERT_EQ(result.batch.scores.size(), 1u);
  const model::Score& s = result.batch.scores[0];
  EXPECT_EQ(s.name, "faithfulness");
  EXPECT_EQ(s.value, 0.9);
  EXPECT_EQ(s.label, "pass");
  EXPECT_EQ(s.comment, "every claim is supported");
  EXPECT_EQ(s.call_id, kSpan);
  EXPECT_EQ(s.trace_id, kTrace);
  EXPECT_EQ(s.conversation_id, "conv-3");
  EXPECT_EQ(s.user_id, "u-3");
  EXPECT_EQ(s.time_ns, static_cast<int64_t>(kT0 + 7));
  EXPECT_EQ(s.source, "judge");
  const model::Attributes expected = {{"gen_ai.response.id", "chatcmpl-1"}};
  EXPECT_EQ(s.attributes, expected);
}

TEST(OtlpLogs, LegacyEventNameAttributeAndObservedTime) {
  ExportLogsServiceRequest request;
  ResourceLogs* r = AddResource(request, "svc");
  LogRecord* log = AddLog(r, kTrace, kSpan, "", 0);
  log->set_observed_time_unix_nano(kT0 + 3);
  AddString(log->mutable_attributes(), "event.name", "gen_ai.evaluation.result");
  AddEvaluationAttributes(log->mutable_attributes(), "csat", 4, "", "");

  const DecodeResult result = DecodeBoth(request);
  ASSERT_EQ(result.batch.scores.size(), 1u);
  EXPECT_EQ(result.batch.scores[0].time_ns, static_cast<int64_t>(kT0 + 3));
  EXPECT_EQ(result.batch.scores[0].name, "csat");
  EXPECT_TRUE(result.batch.scores[0].attributes.empty());  // event.name is consumed
}

TEST(OtlpLogs, OtherLogRecordsAreIgnored) {
  ExportLogsServiceRequest request;
  ResourceLogs* r = AddResource(request, "svc");
  LogRecord* plain = AddLog(r, "", "", "", kT0);
  plain->mutable_body()->set_string_value("GET /health 200");
  AddLog(r, kTrace, kSpan, "gen_ai.client.inference.operation.details", kT0);
  // Broken ids on an ignored record do not matter.
  AddLog(r, "abcd", "ef", "gen_ai.choice", kT0);
  LogRecord* eval = AddLog(r, kTrace, kSpan, "gen_ai.evaluation.result", kT0);
  AddEvaluationAttributes(eval->mutable_attributes(), "relevance", 1, "", "");

  const DecodeResult result = DecodeBoth(request);
  EXPECT_EQ(result.log_records, 4u);
  EXPECT_EQ(result.ignored, 3u);
  EXPECT_EQ(result.rejected, 0u);
  EXPECT_EQ(result.batch.scores.size(), 1u);
}

TEST(OtlpLogs, SpanEventAndLogRecordOfOneEvaluationShareAnId) {
  // What openlit.score emits: the same attributes as a span event (with the event's time) and
  // as a log record (no time, an observed time a little later).
  ExportTraceServiceRequest traces;
  Span* span = AddSpan(AddResource(traces, "app"), kTrace, kSpan, "chat gpt-4o", kT0, kT0 + 10);
  AddString(span->mutable_attributes(), "gen_ai.operation.name", "chat");
  AddEvaluationEvent(span, kT0 + 100, "toxicity", 1.0, "true", "no issues");
  AddString(span->mutable_events(0)->mutable_attributes(), "openlit.score.idempotency_key", "k-1");

  ExportLogsServiceRequest logs;
  LogRecord* log = AddLog(AddResource(logs, "app"), kTrace, kSpan, "gen_ai.evaluation.result", 0);
  log->set_observed_time_unix_nano(kT0 + 100 + 4321);
  AddEvaluationAttributes(log->mutable_attributes(), "toxicity", 1.0, "true", "no issues");
  AddString(log->mutable_attributes(), "openlit.score.idempotency_key", "k-1");

  const DecodeResult from_traces = DecodeBoth(traces);
  const DecodeResult from_logs = DecodeBoth(logs);
  ASSERT_EQ(from_traces.batch.scores.size(), 1u);
  ASSERT_EQ(from_logs.batch.scores.size(), 1u);
  const model::Score& a = from_traces.batch.scores[0];
  const model::Score& b = from_logs.batch.scores[0];
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.call_id, b.call_id);
  EXPECT_EQ(a.trace_id, b.trace_id);
  EXPECT_NE(a.time_ns, b.time_ns);

  // Any difference in what the evaluation says gives another id.
  std::set<std::string> ids = {a.id};
  const auto id_of = [](const ExportLogsServiceRequest& request) {
    const DecodeResult r = DecodeBoth(request);
    return r.batch.scores.empty() ? std::string() : r.batch.scores[0].id;
  };
  const auto variant = [&](auto change) {
    ExportLogsServiceRequest copy = logs;
    change(copy.mutable_resource_logs(0)->mutable_scope_logs(0)->mutable_log_records(0));
    return id_of(copy);
  };
  const auto set_attribute = [](LogRecord* l, std::string_view key, auto setter) {
    for (auto& kv : *l->mutable_attributes()) {
      if (kv.key() == key) setter(kv.mutable_value());
    }
  };
  ids.insert(variant([&](LogRecord* l) {
    set_attribute(l, "gen_ai.evaluation.score.value",
                  [](AnyValue* v) { v->set_double_value(0.0); });
  }));
  ids.insert(variant([&](LogRecord* l) {
    set_attribute(l, "gen_ai.evaluation.name", [](AnyValue* v) { v->set_string_value("bias"); });
  }));
  ids.insert(variant([&](LogRecord* l) {
    set_attribute(l, "gen_ai.evaluation.score.label",
                  [](AnyValue* v) { v->set_string_value("false"); });
  }));
  ids.insert(variant([&](LogRecord* l) {
    set_attribute(l, "gen_ai.evaluation.explanation",
                  [](AnyValue* v) { v->set_string_value("x"); });
  }));
  ids.insert(variant([&](LogRecord* l) {
    set_attribute(l, "openlit.score.idempotency_key",
                  [](AnyValue* v) { v->set_string_value("k-2"); });
  }));
  ids.insert(variant([&](LogRecord* l) { l->set_span_id(HexBytes("00f067aa0ba902b8")); }));
  ids.insert(variant(
      [&](LogRecord* l) { l->set_trace_id(HexBytes("4bf92f3577b34da6a3ce929d0e0e4737")); }));
  EXPECT_EQ(ids.size(), 8u);
  // But the time alone does not.
  EXPECT_EQ(variant([](LogRecord* l) { l->set_time_unix_nano(kT0 + 1); }), a.id);
}

TEST(OtlpLogs, LinkWithoutSpanId) {
  ExportLogsServiceRequest request;
  ResourceLogs* r = AddResource(request, "svc");
  const auto add = [&](std::string_view response_id, uint64_t time) {
    LogRecord* log = AddLog(r, "", "", "gen_ai.evaluation.result", time);
    AddEvaluationAttributes(log->mutable_attributes(), "accuracy", 1, "", "");
    if (!response_id.empty())
      AddString(log->mutable_attributes(), "gen_ai.response.id", response_id);
  };
  add("chatcmpl-a", kT0);
  add("chatcmpl-a", kT0 + 1);  // the same evaluation again: the same id
  add("chatcmpl-b", kT0);
  add("", kT0);  // nothing to anchor to: the time tells them apart
  add("", kT0 + 1);
  // An all-zero span id is "no span".
  LogRecord* zero = AddLog(r, "00000000000000000000000000000000", "0000000000000000",
                           "gen_ai.evaluation.result", kT0);
  AddEvaluationAttributes(zero->mutable_attributes(), "accuracy", 1, "", "");
  AddString(zero->mutable_attributes(), "gen_ai.response.id", "chatcmpl-a");

  const DecodeResult result = DecodeBoth(request);
  ASSERT_EQ(result.batch.scores.size(), 6u);
  const auto& s = result.batch.scores;
  for (const auto& score : s) {
    EXPECT_EQ(score.call_id, "");
    EXPECT_EQ(score.trace_id, "");
  }
  EXPECT_EQ(AttributeOf(s[0].attributes, "gen_ai.response.id"), "chatcmpl-a");
  EXPECT_EQ(s[0].id, s[1].id);
  EXPECT_NE(s[0].id, s[2].id);
  EXPECT_NE(s[3].id, s[4].id);
  EXPECT_NE(s[0].id, s[3].id);
  EXPECT_EQ(s[5].id, s[0].id);
}

TEST(OtlpLogs, BadEvaluationsAreRejectedAndTheRestKept) {
  ExportLogsServiceRequest request;
  ResourceLogs* r = AddResource(request, "svc");
  LogRecord* good = AddLog(r, kTrace, kSpan, "gen_ai.evaluation.result", kT0);
  AddEvaluationAttributes(good->mutable_attributes(), "ok", 1, "", "");
  LogRecord* no_name = AddLog(r, kTrace, kSpan, "gen_ai.evaluation.result", kT0);
  AddDouble(no_name->mutable_attributes(), "gen_ai.evaluation.score.value", 1);
  LogRecord* empty_name = AddLog(r, kTrace, kSpan, "gen_ai.evaluation.result", kT0);
  AddEvaluationAttributes(empty_name->mutable_attributes(), "", 1, "", "");
  LogRecord* no_value = AddLog(r, kTrace, kSpan, "gen_ai.evaluation.result", kT0);
  AddEvaluationAttributes(no_value->mutable_attributes(), "x", std::nan(""), "", "why");
  LogRecord* bad_value = AddLog(r, kTrace, kSpan, "gen_ai.evaluation.result", kT0);
  AddString(bad_value->mutable_attributes(), "gen_ai.evaluation.name", "x");
  AddStrings(bad_value->mutable_attributes(), "gen_ai.evaluation.score.value", {"1"});
  LogRecord* no_time = AddLog(r, kTrace, kSpan, "gen_ai.evaluation.result", 0);
  AddEvaluationAttributes(no_time->mutable_attributes(), "x", 1, "", "");
  LogRecord* bad_id = AddLog(r, kTrace, "00f067aa0ba902", "gen_ai.evaluation.result", kT0);
  AddEvaluationAttributes(bad_id->mutable_attributes(), "x", 1, "", "");
  LogRecord* string_value = AddLog(r, kTrace, kSpan, "gen_ai.evaluation.result", kT0);
  AddString(string_value->mutable_attributes(), "gen_ai.evaluation.name", "y");
  AddString(string_value->mutable_attributes(), "gen_ai.evaluation.score.value", "0.5");
  LogRecord* boolean = AddLog(r, kTrace, kSpan, "gen_ai.evaluation.result", kT0);
  AddString(boolean->mutable_attributes(), "gen_ai.evaluation.name", "z");
  AddBool(boolean->mutable_attributes(), "gen_ai.evaluation.score.value", true);

  const DecodeResult result = DecodeBoth(request);
  EXPECT_EQ(result.log_records, 9u);
  EXPECT_EQ(result.rejected, 6u);
  ASSERT_EQ(result.batch.scores.size(), 3u);
  EXPECT_EQ(result.batch.scores[0].name, "ok");
  EXPECT_EQ(result.batch.scores[1].value, 0.5);
  EXPECT_EQ(result.batch.scores[2].value, 1.0);
  const std::string& m = result.error_message;
  EXPECT_NE(m.find("resourceLogs[0].scopeLogs[0].logRecords[1]: gen_ai.evaluation.name is missing"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("logRecords[3]: neither gen_ai.evaluation.score.value nor"), std::string::npos)
      << m;
  EXPECT_NE(m.find("logRecords[4]: gen_ai.evaluation.score.value: expected a finite number, got "
                   "array [\"1\"]"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("logRecords[5]: timeUnixNano and observedTimeUnixNano are missing"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("and 1 more"), std::string::npos) << m;
}

TEST(OtlpLogs, ScoreAttributeLimit) {
  ExportLogsServiceRequest request;
  LogRecord* log =
      AddLog(AddResource(request, "svc"), kTrace, kSpan, "gen_ai.evaluation.result", kT0);
  AddEvaluationAttributes(log->mutable_attributes(), "x", 1, "", "");
  AddString(log->mutable_attributes(), "a", "1");
  AddString(log->mutable_attributes(), "b", "2");
  Limits limits;
  limits.max_attributes = 1;
  const DecodeResult result = DecodeBoth(request, limits);
  EXPECT_EQ(result.rejected, 1u);
  EXPECT_NE(result.error_message.find("2 attributes left after mapping; at most 1 are kept"),
            std::string::npos);
}

}  // namespace
}  // namespace yardstick::otlp::testing
