// Score and outcome records: fields, defaults and rejections.

#include <gtest/gtest.h>

#include <string>

#include "ingest/events.h"
#include "ingest_test_util.h"

namespace yardstick::ingest {
namespace {

using testing::kStartNs;
using testing::MustParse;
using testing::RejectionOf;

constexpr int64_t kNow = 1'800'000'000'000'000'000;

ParseOptions WithNow() {
  ParseOptions options;
  options.now_ns = kNow;
  return options;
}

model::Score ScoreOf(std::string_view record) {
  const ParseResult r = MustParse(record, WithNow());
  EXPECT_TRUE(r.rejections.empty())
      << record << ": " << (r.rejections.empty() ? "" : r.rejections[0].reason);
  EXPECT_EQ(r.batch.scores.size(), 1u);
  return r.batch.scores.empty() ? model::Score{} : r.batch.scores[0];
}

model::Outcome OutcomeOf(std::string_view record) {
  const ParseResult r = MustParse(record, WithNow());
  EXPECT_TRUE(r.rejections.empty())
      << record << ": " << (r.rejections.empty() ? "" : r.rejections[0].reason);
  EXPECT_EQ(r.batch.outcomes.size(), 1u);
  return r.batch.outcomes.empty() ? model::Outcome{} : r.batch.outcomes[0];
}

void ExpectRejected(std::string_view record, std::string_view path, std::string_view reason) {
  const model::Rejection r = RejectionOf(record, WithNow());
  EXPECT_EQ(r.path, path) << record;
  EXPECT_EQ(r.reason, reason) << record;
}

TEST(ScoreRecord, EveryField) {
  const model::Score s = ScoreOf(R"({
    "type": "score", "id": "s-1", "project": "shop", "name": "helpfulness", "value": 4.5,
    "label": "good", "call_id": "call-1", "trace_id": "0123456789abcdef0123456789ABCDEF",
    "conversation_id": "conv-9", "user_id": "u-17", "source": "judge", "author": "gpt-judge-v2",
    "comment": "clear answer", "time": "2026-11-26T10:00:00Z", "attributes": {"rubric": "v2"}
  })");
  EXPECT_EQ(s.id, "s-1");
  EXPECT_EQ(s.project, "shop");
  EXPECT_EQ(s.name, "helpfulness");
  ASSERT_TRUE(s.value.has_value());
  EXPECT_DOUBLE_EQ(*s.value, 4.5);
  EXPECT_EQ(s.label, "good");
  EXPECT_EQ(s.call_id, "call-1");
  EXPECT_EQ(s.trace_id, "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(s.conversation_id, "conv-9");
  EXPECT_EQ(s.user_id, "u-17");
  EXPECT_EQ(s.source, "judge");
  EXPECT_EQ(s.author, "gpt-judge-v2");
  EXPECT_EQ(s.comment, "clear answer");
  EXPECT_EQ(s.time_ns, kStartNs);
  EXPECT_EQ(s.attributes, (model::Attributes{{"rubric", "v2"}}));
}

TEST(ScoreRecord, DefaultsAndBooleans) {
  model::Score s = ScoreOf(R"({"type":"score","name":"thumbs","value":true})");
  EXPECT_DOUBLE_EQ(*s.value, 1.0);
  EXPECT_EQ(s.source, "api");
  EXPECT_EQ(s.time_ns, kNow);
  EXPECT_EQ(s.id.size(), 32u);
  s = ScoreOf(R"({"type":"score","name":"thumbs","value":false})");
  EXPECT_DOUBLE_EQ(*s.value, 0.0);
  s = ScoreOf(R"({"type":"score","name":"verdict","label":"pass"})");
  EXPECT_FALSE(s.value.has_value());
  EXPECT_EQ(s.label, "pass");
  s = ScoreOf(R"({"type":"score","name":"delta","value":-2})");
  EXPECT_DOUBLE_EQ(*s.value, -2.0);
  for (const char* source : {"user", "survey", "annotator", "judge", "metric", "api"}) {
    EXPECT_EQ(
        ScoreOf(std::string(R"({"type":"score","name":"n","value":1,"source":")") + source + "\"}")
            .source,
        source);
  }
}

TEST(ScoreRecord, ScoresEndpointDefaultType) {
  ParseOptions options = WithNow();
  options.default_type = RecordType::kScore;
  const ParseResult r =
      MustParse("{\"name\":\"csat\",\"value\":5}\n{\"name\":\"nps\",\"value\":9}\n", options);
  ASSERT_EQ(r.batch.scores.size(), 2u);
  EXPECT_EQ(r.batch.scores[1].name, "nps");
}

TEST(ScoreRecord, Rejections) {
  ExpectRejected(R"({"type":"score","value":1})", "$[0].name", "missing required field");
  ExpectRejected(R"({"type":"score","name":"","value":1})", "$[0].name",
                 "expected a non-empty string");
  ExpectRejected(R"({"type":"score","name":"x"})", "$[0].value",
                 "a score needs a value or a label");
  ExpectRejected(R"({"type":"score","name":"x","label":""})", "$[0].value",
                 "a score needs a value or a label");
  ExpectRejected(R"({"type":"score","name":"x","value":"5"})", "$[0].value",
                 "expected a number or a boolean");
  ExpectRejected(R"({"type":"score","name":"x","value":1,"source":"robot"})", "$[0].source",
                 "expected \"user\", \"survey\", \"annotator\", \"judge\", \"metric\" or \"api\"");
  ExpectRejected(R"({"type":"score","name":"x","value":1,"trace_id":"abc"})", "$[0].trace_id",
                 "expected 32 hex digits, not all zero");
  ExpectRejected(R"({"type":"score","name":"x","value":1,"time":"2026-11-26"})", "$[0].time",
                 "'2026-11-26' is not an RFC 3339 time (expected YYYY-MM-DDTHH:MM:SS[.fraction] "
                 "followed by Z or an offset such as +01:00)");
  ExpectRejected(R"({"type":"score","name":"x","value":1,"session_id":"s"})", "$[0].session_id",
                 "unknown field 'session_id' (it is a field of call and outcome records)");
  ExpectRejected(R"({"type":"score","name":"x","value":1,"vaule":2})", "$[0].vaule",
                 "unknown field 'vaule' (did you mean 'value'?)");
  ExpectRejected(R"({"type":"score","name":"x","value":1,"comment":{"a":1}})", "$[0].comment",
                 "expected a string");
}

TEST(OutcomeRecord, FieldsAndDefaults) {
  model::Outcome o = OutcomeOf(R"({
    "type": "outcome", "id": "o-1", "project": "shop", "name": "conversion", "value": 49.9,
    "conversation_id": "conv-9", "session_id": "sess-2", "user_id": "u-17",
    "time": 1795687200, "attributes": {"plan": "pro"}
  })");
  EXPECT_EQ(o.id, "o-1");
  EXPECT_EQ(o.project, "shop");
  EXPECT_EQ(o.name, "conversion");
  EXPECT_DOUBLE_EQ(o.value, 49.9);
  EXPECT_EQ(o.conversation_id, "conv-9");
  EXPECT_EQ(o.session_id, "sess-2");
  EXPECT_EQ(o.user_id, "u-17");
  EXPECT_EQ(o.time_ns, kStartNs);
  EXPECT_EQ(o.attributes, (model::Attributes{{"plan", "pro"}}));

  o = OutcomeOf(R"({"type":"outcome","name":"resolved","session_id":"s"})");
  EXPECT_DOUBLE_EQ(o.value, 1.0);
  EXPECT_EQ(o.time_ns, kNow);
  EXPECT_EQ(o.id.size(), 32u);
  EXPECT_EQ(OutcomeOf(R"({"type":"outcome","name":"churn","user_id":"u"})").user_id, "u");
}

TEST(OutcomeRecord, Rejections) {
  ExpectRejected(R"({"type":"outcome","user_id":"u"})", "$[0].name", "missing required field");
  ExpectRejected(R"({"type":"outcome","name":"resolved"})", "$[0].conversation_id",
                 "an outcome needs a conversation_id, session_id or user_id");
  ExpectRejected(R"({"type":"outcome","name":"resolved","conversation_id":""})",
                 "$[0].conversation_id",
                 "an outcome needs a conversation_id, session_id or user_id");
  ExpectRejected(R"({"type":"outcome","name":"x","user_id":"u","value":true})", "$[0].value",
                 "expected a number");
  ExpectRejected(R"({"type":"outcome","name":"x","user_id":"u","label":"a"})", "$[0].label",
                 "unknown field 'label' (it is a field of score records)");
  ExpectRejected(R"({"type":"outcome","name":"x","user_id":"u","call_id":"c"})", "$[0].call_id",
                 "unknown field 'call_id' (it is a field of score records)");
  ExpectRejected(R"({"type":"outcome","name":"x","user_id":"u","tme":1})", "$[0].tme",
                 "unknown field 'tme' (did you mean 'time'?)");
}

}  // namespace
}  // namespace yardstick::ingest
