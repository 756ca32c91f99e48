// Call records: every field, defaults, consistency checks, and each kind of rejection with its
// exact path and reason.

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "ingest/events.h"
#include "ingest_test_util.h"

namespace yardstick::ingest {
namespace {

using testing::CallOf;
using testing::kMinimalCall;
using testing::kStartNs;
using testing::MustParse;
using testing::RejectionOf;
using testing::With;

constexpr int64_t kMs = 1'000'000;

void ExpectRejected(std::string_view record, std::string_view path, std::string_view reason) {
  const model::Rejection r = RejectionOf(record);
  EXPECT_EQ(r.index, 0u) << record;
  EXPECT_EQ(r.line, 0u) << record;
  EXPECT_EQ(r.path, path) << record;
  EXPECT_EQ(r.reason, reason) << record;
}

TEST(CallRecord, EveryField) {
  const model::Call c = CallOf(R"({
    "type": "call", "id": "call-1", "project": "shop",
    "trace_id": "0123456789ABCDEF0123456789abcdef", "span_id": "00f067aa0ba902b7",
    "parent_span_id": "53995c3f42cd8ad8", "conversation_id": "conv-9", "session_id": "sess-2",
    "user_id": "u-17", "start_time": "2026-11-26T10:00:00.250Z",
    "end_time": "2026-11-26T11:00:02.000+01:00", "ttft_ms": 350.5, "operation": "text_completion",
    "provider": "openai", "request_model": "gpt-4o", "response_model": "gpt-4o-2024-08-06",
    "service": "checkout", "environment": "production", "route": "/chat",
    "prompt_name": "support", "prompt_version": "v3", "release": "2026.11.2",
    "variant": "treatment", "input_tokens": 1200, "output_tokens": 300,
    "cache_read_tokens": 800, "cache_creation_tokens": 100, "reasoning_tokens": 120,
    "cost_usd": 0.0123, "status": "ok", "finish_reason": "stop",
    "input": [{"role": "user", "content": "Hi \"there\""}], "output": "Hello!",
    "attributes": {"tenant": "acme", "tier": 2, "beta": true, "ratio": 0.25}
  })");
  EXPECT_EQ(c.id, "call-1");
  EXPECT_EQ(c.project, "shop");
  EXPECT_EQ(c.trace_id, "0123456789abcdef0123456789abcdef");  // lower-cased
  EXPECT_EQ(c.span_id, "00f067aa0ba902b7");
  EXPECT_EQ(c.parent_span_id, "53995c3f42cd8ad8");
  EXPECT_EQ(c.conversation_id, "conv-9");
  EXPECT_EQ(c.session_id, "sess-2");
  EXPECT_EQ(c.user_id, "u-17");
  EXPECT_EQ(c.start_ns, kStartNs + 250 * kMs);
  EXPECT_EQ(c.end_ns, kStartNs + 2000 * kMs);
  EXPECT_DOUBLE_EQ(c.latency_s(), 1.75);
  ASSERT_TRUE(c.ttft_s.has_value());
  EXPECT_DOUBLE_EQ(*c.ttft_s, 0.3505);
  EXPECT_EQ(c.operation, "text_completion");
  EXPECT_EQ(c.provider, "openai");
  EXPECT_EQ(c.request_model, "gpt-4o");
  EXPECT_EQ(c.response_model, "gpt-4o-2024-08-06");
  EXPECT_EQ(c.model(), "gpt-4o-2024-08-06");
  EXPECT_EQ(c.service, "checkout");
  EXPECT_EQ(c.environment, "production");
  EXPECT_EQ(c.route, "/chat");
  EXPECT_EQ(c.prompt_name, "support");
  EXPECT_EQ(c.prompt_version, "v3");
  EXPECT_EQ(c.release, "2026.11.2");
  EXPECT_EQ(c.variant, "treatment");
  EXPECT_EQ(c.input_tokens, 1200);
  EXPECT_EQ(c.output_tokens, 300);
  EXPECT_EQ(c.cache_read_tokens, 800);
  EXPECT_EQ(c.cache_creation_tokens, 100);
  EXPECT_EQ(c.reasoning_tokens, 120);
  ASSERT_TRUE(c.cost_usd.has_value());
  EXPECT_DOUBLE_EQ(*c.cost_usd, 0.0123);
  EXPECT_FALSE(c.cost_computed);
  EXPECT_EQ(c.status, model::CallStatus::kOk);
  EXPECT_EQ(c.error_type, "");
  EXPECT_EQ(c.finish_reason, "stop");
  EXPECT_EQ(c.input_text, R"([{"role":"user","content":"Hi \"there\""}])");
  EXPECT_EQ(c.output_text, "Hello!");
  const model::Attributes expected = {
      {"tenant", "acme"}, {"tier", "2"}, {"beta", "true"}, {"ratio", "0.25"}};
  EXPECT_EQ(c.attributes, expected);
}

TEST(CallRecord, Defaults) {
  const ParseResult r =
      MustParse("[" + std::string(kMinimalCall) + "," + std::string(kMinimalCall) + "]");
  ASSERT_EQ(r.batch.calls.size(), 2u);
  const model::Call& c = r.batch.calls[0];
  EXPECT_EQ(c.start_ns, kStartNs);
  EXPECT_EQ(c.end_ns, kStartNs + 1500 * kMs);
  EXPECT_EQ(c.operation, "chat");
  EXPECT_EQ(c.status, model::CallStatus::kOk);
  EXPECT_EQ(c.input_tokens, -1);
  EXPECT_EQ(c.output_tokens, -1);
  EXPECT_EQ(c.cache_read_tokens, -1);
  EXPECT_EQ(c.cache_creation_tokens, -1);
  EXPECT_EQ(c.reasoning_tokens, -1);
  EXPECT_FALSE(c.cost_usd.has_value());
  EXPECT_FALSE(c.ttft_s.has_value());
  EXPECT_TRUE(c.project.empty());
  EXPECT_TRUE(c.attributes.empty());
  // A generated id: 32 lower-case hex digits, different for each record.
  ASSERT_EQ(c.id.size(), 32u);
  EXPECT_EQ(c.id.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(c.id, r.batch.calls[1].id);
}

TEST(CallRecord, GeneratedIdsAreDistinct) {
  std::string body;
  for (int i = 0; i < 2000; ++i) body += std::string(kMinimalCall) + "\n";
  const ParseResult r = MustParse(body);
  std::set<std::string> ids;
  for (const auto& c : r.batch.calls) ids.insert(c.id);
  EXPECT_EQ(ids.size(), 2000u);
}

TEST(CallRecord, NullIsTheSameAsAbsent) {
  const model::Call c = CallOf(With(With(kMinimalCall, "input_tokens", "null"), "model", "null"));
  EXPECT_EQ(c.input_tokens, -1);
  EXPECT_EQ(c.request_model, "");
  ExpectRejected(R"({"type":"call","start_time":null,"duration_ms":5})", "$[0].start_time",
                 "missing required field");
}

TEST(CallRecord, Status) {
  EXPECT_EQ(CallOf(With(kMinimalCall, "error_type", R"("timeout")")).status,
            model::CallStatus::kError);
  EXPECT_EQ(CallOf(With(kMinimalCall, "status", R"("error")")).status, model::CallStatus::kError);
  EXPECT_EQ(CallOf(With(kMinimalCall, "status", R"("unset")")).status, model::CallStatus::kUnset);
  const model::Call c =
      CallOf(With(With(kMinimalCall, "status", R"("unset")"), "error_type", R"("timeout")"));
  EXPECT_EQ(c.status, model::CallStatus::kUnset);
  EXPECT_EQ(c.error_type, "timeout");
  ExpectRejected(With(With(kMinimalCall, "status", R"("ok")"), "error_type", R"("timeout")"),
                 "$[0].status", "is \"ok\" but error_type is set");
  ExpectRejected(With(kMinimalCall, "status", R"("failed")"), "$[0].status",
                 "expected \"ok\", \"error\" or \"unset\"");
  ExpectRejected(With(kMinimalCall, "status", "2"), "$[0].status", "expected a string");
}

TEST(CallRecord, ModelIsAnotherNameForRequestModel) {
  EXPECT_EQ(CallOf(With(kMinimalCall, "model", R"("gpt-4o")")).request_model, "gpt-4o");
  EXPECT_EQ(CallOf(With(kMinimalCall, "model", R"("gpt-4o")")).model(), "gpt-4o");
  EXPECT_EQ(
      CallOf(With(With(kMinimalCall, "model", R"("m")"), "request_model", R"("m")")).request_model,
      "m");
  ExpectRejected(With(With(kMinimalCall, "model", R"("a")"), "request_model", R"("b")"),
                 "$[0].model",
                 "differs from request_model ('model' is another name for 'request_model')");
}

TEST(CallRecord, TokenCounts) {
  EXPECT_EQ(CallOf(With(kMinimalCall, "input_tokens", "0")).input_tokens, 0);
  EXPECT_EQ(CallOf(With(kMinimalCall, "input_tokens", "12.0")).input_tokens, 12);
  EXPECT_EQ(CallOf(With(kMinimalCall, "output_tokens", "1e3")).output_tokens, 1000);
  EXPECT_EQ(CallOf(With(kMinimalCall, "output_tokens", "9007199254740993")).output_tokens,
            9007199254740993);
  for (const char* bad :
       {"-1", "1.5", "\"12\"", "true", "[1]", "{}", "18446744073709551615", "-0.5", "1e300"}) {
    ExpectRejected(With(kMinimalCall, "input_tokens", bad), "$[0].input_tokens",
                   "expected a non-negative integer");
  }
  for (const char* field :
       {"output_tokens", "cache_read_tokens", "cache_creation_tokens", "reasoning_tokens"}) {
    ExpectRejected(With(kMinimalCall, field, "-3"), std::string("$[0].") + field,
                   "expected a non-negative integer");
  }
}

TEST(CallRecord, CachedAndReasoningTokensAreParts) {
  auto with_tokens = [](const char* in, const char* read, const char* created) {
    return With(With(With(kMinimalCall, "input_tokens", in), "cache_read_tokens", read),
                "cache_creation_tokens", created);
  };
  const model::Call c = CallOf(with_tokens("100", "60", "40"));
  EXPECT_EQ(c.cache_read_tokens, 60);
  EXPECT_EQ(c.cache_creation_tokens, 40);
  ExpectRejected(with_tokens("100", "101", "0"), "$[0].cache_read_tokens",
                 "exceeds input_tokens (100, which includes cached tokens)");
  ExpectRejected(with_tokens("100", "60", "41"), "$[0].cache_creation_tokens",
                 "cache_read_tokens + cache_creation_tokens exceed input_tokens (100, which "
                 "includes cached tokens)");
  // Without input_tokens there is nothing to compare with.
  EXPECT_EQ(CallOf(With(kMinimalCall, "cache_read_tokens", "500")).cache_read_tokens, 500);

  EXPECT_EQ(CallOf(With(With(kMinimalCall, "output_tokens", "10"), "reasoning_tokens", "10"))
                .reasoning_tokens,
            10);
  ExpectRejected(With(With(kMinimalCall, "output_tokens", "10"), "reasoning_tokens", "11"),
                 "$[0].reasoning_tokens",
                 "exceeds output_tokens (10, which includes reasoning tokens)");
}

TEST(CallRecord, Cost) {
  EXPECT_DOUBLE_EQ(*CallOf(With(kMinimalCall, "cost_usd", "0")).cost_usd, 0.0);
  EXPECT_DOUBLE_EQ(*CallOf(With(kMinimalCall, "cost_usd", "2")).cost_usd, 2.0);
  for (const char* bad : {"-0.01", "\"0.1\"", "false"}) {
    ExpectRejected(With(kMinimalCall, "cost_usd", bad), "$[0].cost_usd",
                   "expected a non-negative number");
  }
}

TEST(CallRecord, HexIds) {
  ExpectRejected(With(kMinimalCall, "trace_id", R"("0123456789abcdef")"), "$[0].trace_id",
                 "expected 32 hex digits, not all zero");
  ExpectRejected(With(kMinimalCall, "trace_id", R"("00000000000000000000000000000000")"),
                 "$[0].trace_id", "expected 32 hex digits, not all zero");
  ExpectRejected(With(kMinimalCall, "span_id", R"("00f067aa0ba902bg")"), "$[0].span_id",
                 "expected 16 hex digits, not all zero");
  ExpectRejected(With(kMinimalCall, "parent_span_id", "12"), "$[0].parent_span_id",
                 "expected 16 hex digits, not all zero");
  EXPECT_EQ(CallOf(With(kMinimalCall, "span_id", R"("ABCDEF0123456789")")).span_id,
            "abcdef0123456789");
}

TEST(CallRecord, Ids) {
  EXPECT_EQ(CallOf(With(kMinimalCall, "id", R"("retry-safe-1")")).id, "retry-safe-1");
  ExpectRejected(With(kMinimalCall, "id", R"("")"), "$[0].id",
                 "expected a non-empty string of at most 256 bytes");
  ExpectRejected(With(kMinimalCall, "id", "\"" + std::string(257, 'x') + "\""), "$[0].id",
                 "expected a non-empty string of at most 256 bytes");
  ExpectRejected(With(kMinimalCall, "id", "42"), "$[0].id",
                 "expected a non-empty string of at most 256 bytes");
  ExpectRejected(With(kMinimalCall, "project", "7"), "$[0].project", "expected a string");
}

TEST(CallRecord, Times) {
  // Unix seconds, whole and fractional.
  model::Call c = CallOf(R"({"type":"call","start_time":1795687200,"end_time":1795687201.25})");
  EXPECT_EQ(c.start_ns, kStartNs);
  EXPECT_EQ(c.end_ns, kStartNs + 1250 * kMs);
  c = CallOf(R"({"type":"call","start_time":1795687200.5,"duration_ms":0})");
  EXPECT_EQ(c.start_ns, kStartNs + 500 * kMs);
  EXPECT_EQ(c.end_ns, c.start_ns);
  // end_time and duration_ms together must agree within a millisecond.
  c = CallOf(
      R"({"type":"call","start_time":1795687200,"end_time":1795687202,"duration_ms":2000.9})");
  EXPECT_EQ(c.end_ns, kStartNs + 2000 * kMs);
  ExpectRejected(
      R"({"type":"call","start_time":1795687200,"end_time":1795687202,"duration_ms":2500})",
      "$[0].duration_ms", "disagrees with end_time - start_time (2000 ms)");

  ExpectRejected(R"({"type":"call","duration_ms":5})", "$[0].start_time", "missing required field");
  ExpectRejected(R"({"type":"call","start_time":1795687200})", "$[0].end_time",
                 "missing: give end_time or duration_ms");
  ExpectRejected(R"({"type":"call","start_time":1795687200,"end_time":1795687199})",
                 "$[0].end_time", "is before start_time");
  ExpectRejected(R"({"type":"call","start_time":-1,"duration_ms":5})", "$[0].start_time",
                 "expected Unix seconds from 0 to 9223372035");
  ExpectRejected(R"({"type":"call","start_time":1795687200000,"duration_ms":5})", "$[0].start_time",
                 "expected Unix seconds from 0 to 9223372035 (is this in milliseconds or "
                 "nanoseconds?)");
  ExpectRejected(R"({"type":"call","start_time":true,"duration_ms":5})", "$[0].start_time",
                 "expected an RFC 3339 time string or a number of Unix seconds");
  ExpectRejected(R"({"type":"call","start_time":"2026-02-30T00:00:00Z","duration_ms":5})",
                 "$[0].start_time", "'2026-02-30T00:00:00Z': day 30 does not exist in that month");
  ExpectRejected(R"({"type":"call","start_time":"yesterday","duration_ms":5})", "$[0].start_time",
                 "'yesterday' is not an RFC 3339 time (expected YYYY-MM-DDTHH:MM:SS[.fraction] "
                 "followed by Z or an offset such as +01:00)");
  ExpectRejected(R"({"type":"call","start_time":1,"duration_ms":-1})", "$[0].duration_ms",
                 "expected a non-negative number");
  ExpectRejected(R"({"type":"call","start_time":1795687200,"duration_ms":1e300})",
                 "$[0].duration_ms", "is too large for start_time");
}

TEST(CallRecord, TimeToFirstToken) {
  EXPECT_DOUBLE_EQ(*CallOf(With(kMinimalCall, "ttft_ms", "1500")).ttft_s, 1.5);
  ExpectRejected(With(kMinimalCall, "ttft_ms", "2600"), "$[0].ttft_ms",
                 "is longer than the call (1500 ms)");
  ExpectRejected(With(kMinimalCall, "ttft_ms", "\"fast\""), "$[0].ttft_ms",
                 "expected a non-negative number");
}

TEST(CallRecord, InputAndOutputKeepAnyJsonAsText) {
  EXPECT_EQ(CallOf(With(kMinimalCall, "input", R"({ "a" : [1, 2.5, null, true] })")).input_text,
            R"({"a":[1,2.5,null,true]})");
  EXPECT_EQ(CallOf(With(kMinimalCall, "output", "42")).output_text, "42");
  EXPECT_EQ(CallOf(With(kMinimalCall, "output", R"("line1\nline2 \u00e9")")).output_text,
            "line1\nline2 \xC3\xA9");
}

TEST(CallRecord, Attributes) {
  const model::Call c = CallOf(With(
      kMinimalCall, "attributes",
      R"({"s":"x","i":-7,"u":18446744073709551615,"d":1.5,"e":1e21,"t":true,"f":false,"n":null})"));
  const model::Attributes expected = {{"s", "x"},    {"i", "-7"},    {"u", "18446744073709551615"},
                                      {"d", "1.5"},  {"e", "1e+21"}, {"t", "true"},
                                      {"f", "false"}};
  EXPECT_EQ(c.attributes, expected);

  const char* nested =
      "expected a string, number or boolean (nested objects and arrays are not allowed; flatten "
      "them into keys such as \"a.b\")";
  ExpectRejected(With(kMinimalCall, "attributes", R"({"ok":1,"team":{"name":"x"}})"),
                 "$[0].attributes.team", nested);
  ExpectRejected(With(kMinimalCall, "attributes", R"({"tags":["a","b"]})"), "$[0].attributes.tags",
                 nested);
  ExpectRejected(With(kMinimalCall, "attributes", R"({"a.b":{}})"), "$[0].attributes[\"a.b\"]",
                 nested);
  ExpectRejected(With(kMinimalCall, "attributes", R"({"say \"hi\"":[]})"),
                 R"($[0].attributes["say \"hi\""])", nested);
  ExpectRejected(With(kMinimalCall, "attributes", R"(["a"])"), "$[0].attributes",
                 "expected an object of string, number or boolean values");
  ExpectRejected(With(kMinimalCall, "attributes", R"({"k":1,"k":2})"), "$[0].attributes.k",
                 "duplicate attribute 'k'");
  ExpectRejected(With(kMinimalCall, "attributes", R"({"":1})"), R"($[0].attributes[""])",
                 "attribute names must not be empty");
}

TEST(CallRecord, TooManyAttributes) {
  ParseOptions options;
  options.max_attributes = 3;
  const std::string three = With(kMinimalCall, "attributes", R"({"a":1,"b":2,"c":3})");
  const std::string four = With(kMinimalCall, "attributes", R"({"a":1,"b":2,"c":3,"d":4})");
  EXPECT_EQ(MustParse(three, options).batch.calls.size(), 1u);
  const model::Rejection r = RejectionOf(four, options);
  EXPECT_EQ(r.path, "$[0].attributes");
  EXPECT_EQ(r.reason, "has 4 attributes; at most 3 are allowed");
  // The default limit is 128.
  std::string many = "{";
  for (int i = 0; i < 129; ++i) many += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":1";
  many += "}";
  EXPECT_EQ(RejectionOf(With(kMinimalCall, "attributes", many)).reason,
            "has 129 attributes; at most 128 are allowed");
}

TEST(CallRecord, UnknownFields) {
  ExpectRejected(With(kMinimalCall, "modle", R"("x")"), "$[0].modle",
                 "unknown field 'modle' (did you mean 'model'?)");
  ExpectRejected(With(kMinimalCall, "input_token", "5"), "$[0].input_token",
                 "unknown field 'input_token' (did you mean 'input_tokens'?)");
  ExpectRejected(With(kMinimalCall, "Provider", R"("x")"), "$[0].Provider",
                 "unknown field 'Provider' (did you mean 'provider'?)");
  ExpectRejected(With(kMinimalCall, "latency", "5"), "$[0].latency", "unknown field 'latency'");
  ExpectRejected(With(kMinimalCall, "x", "5"), "$[0].x", "unknown field 'x'");
  ExpectRejected(With(kMinimalCall, "label", R"("x")"), "$[0].label",
                 "unknown field 'label' (it is a field of score records)");
  ExpectRejected(With(kMinimalCall, "name", R"("x")"), "$[0].name",
                 "unknown field 'name' (it is a field of score and outcome records)");
  ExpectRejected(With(kMinimalCall, "my field", "1"), R"($[0]["my field"])",
                 "unknown field 'my field'");
  // Unknown even when null: dropping it silently would hide a typo.
  ExpectRejected(With(kMinimalCall, "stauts", "null"), "$[0].stauts",
                 "unknown field 'stauts' (did you mean 'status'?)");
  // A long unknown name is cut in the reason (at a character boundary).
  const std::string long_name = std::string(63, 'a') + "\xC3\xA9" + std::string(40, 'b');
  EXPECT_EQ(RejectionOf(With(kMinimalCall, long_name, "1")).reason,
            "unknown field '" + std::string(63, 'a') + "...'");
}

TEST(CallRecord, DuplicateFields) {
  ExpectRejected(With(kMinimalCall, "duration_ms", "5"), "$[0].duration_ms",
                 "duplicate field 'duration_ms'");
  ExpectRejected(With(kMinimalCall, "type", R"("call")"), "$[0].type", "duplicate field 'type'");
}

TEST(RecordType, RequiredUnlessDefaulted) {
  ExpectRejected(R"({"start_time":1,"duration_ms":1})", "$[0].type",
                 "missing required field (\"call\", \"score\" or \"outcome\")");
  ExpectRejected(R"({"type":"calls","start_time":1,"duration_ms":1})", "$[0].type",
                 "expected \"call\", \"score\" or \"outcome\"");
  ExpectRejected(R"({"type":1})", "$[0].type", "expected \"call\", \"score\" or \"outcome\"");
  ExpectRejected(R"({"type":null,"start_time":1,"duration_ms":1})", "$[0].type",
                 "missing required field (\"call\", \"score\" or \"outcome\")");

  ParseOptions scores;
  scores.default_type = RecordType::kScore;
  const ParseResult r =
      MustParse(R"([{"name":"thumbs","value":true},)" + std::string(kMinimalCall) + "]", scores);
  EXPECT_EQ(r.batch.scores.size(), 1u);
  EXPECT_EQ(r.batch.calls.size(), 1u);  // an explicit type wins over the default
  EXPECT_STREQ(RecordTypeName(RecordType::kOutcome), "outcome");
}

TEST(RecordType, NonObjectRecords) {
  const ParseResult r = MustParse(R"([1, "call", null, [], {"type":"call"}])");
  ASSERT_EQ(r.rejections.size(), 5u);
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(r.rejections[i].index, i);
    EXPECT_EQ(r.rejections[i].path, "$[" + std::to_string(i) + "]");
    EXPECT_EQ(r.rejections[i].reason, "expected a JSON object (one record)");
  }
  EXPECT_EQ(r.rejections[4].path, "$[4].start_time");
}

}  // namespace
}  // namespace yardstick::ingest
