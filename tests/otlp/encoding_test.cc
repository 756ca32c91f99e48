// The two encodings: random requests decode to the same records from protobuf and from
// OTLP/JSON; JSON spelling variants and unknown protobuf fields change nothing; bodies that
// cannot be read are errors; replies are valid protobuf and JSON.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>

#include "otlp_payloads.h"

namespace yardstick::otlp::testing {
namespace {

constexpr std::string_view kTrace = "4bf92f3577b34da6a3ce929d0e0e4736";
constexpr std::string_view kSpan = "00f067aa0ba902b7";
constexpr uint64_t kT0 = 1765432100000000000ULL;

// A length-delimited protobuf field: tag, varint length, bytes.
std::string LengthDelimited(uint32_t field, std::string_view bytes) {
  std::string out;
  out.push_back(static_cast<char>((field << 3) | 2));
  for (uint64_t n = bytes.size();; n >>= 7) {
    if (n < 0x80) {
      out.push_back(static_cast<char>(n));
      break;
    }
    out.push_back(static_cast<char>((n & 0x7F) | 0x80));
  }
  out += bytes;
  return out;
}

ExportTraceServiceRequest SmallRequest() {
  ExportTraceServiceRequest request;
  Span* s = AddSpan(AddResource(request, "svc"), kTrace, kSpan, "chat", kT0, kT0 + 1000);
  AddString(s->mutable_attributes(), "gen_ai.operation.name", "chat");
  AddInt(s->mutable_attributes(), "gen_ai.usage.input_tokens", 12);
  AddStrings(s->mutable_attributes(), "gen_ai.response.finish_reasons", {"stop"});
  AddString(s->mutable_attributes(), "custom", "v");
  AddEvaluationEvent(s, kT0 + 2000, "relevance", 0.5, "ok", "");
  s->mutable_status()->set_code(opentelemetry::proto::trace::v1::Status::STATUS_CODE_ERROR);
  return request;
}

TEST(OtlpEncoding, RandomTracesDecodeTheSameInBothEncodings) {
  std::mt19937_64 rng(20261126);
  size_t calls = 0, scores = 0, rejected = 0, ignored = 0;
  for (int i = 0; i < 400; ++i) {
    const ExportTraceServiceRequest request = RandomTraces(rng);
    const DecodeResult r = DecodeBoth(request);
    if (::testing::Test::HasFailure()) {
      ADD_FAILURE() << "request " << i << ":\n" << request.DebugString();
      break;
    }
    EXPECT_EQ(r.spans, r.genai_spans + r.ignored + r.rejected);
    EXPECT_EQ(r.batch.calls.size(), r.genai_spans);
    calls += r.batch.calls.size();
    scores += r.batch.scores.size();
    rejected += r.rejected;
    ignored += r.ignored;
  }
  // The generator reaches every outcome.
  EXPECT_GT(calls, 100u);
  EXPECT_GT(scores, 10u);
  EXPECT_GT(rejected, 100u);
  EXPECT_GT(ignored, 50u);
}

TEST(OtlpEncoding, RandomLogsDecodeTheSameInBothEncodings) {
  std::mt19937_64 rng(7);
  size_t scores = 0, rejected = 0;
  for (int i = 0; i < 400; ++i) {
    const ExportLogsServiceRequest request = RandomLogs(rng);
    const DecodeResult r = DecodeBoth(request);
    if (::testing::Test::HasFailure()) {
      ADD_FAILURE() << "request " << i << ":\n" << request.DebugString();
      break;
    }
    EXPECT_EQ(r.log_records, r.batch.scores.size() + r.ignored + r.rejected);
    scores += r.batch.scores.size();
    rejected += r.rejected;
  }
  EXPECT_GT(scores, 50u);
  EXPECT_GT(rejected, 50u);
}

TEST(OtlpEncoding, JsonSpellingVariants) {
  // Each spelling of the same request: ints as numbers, upper-case hex, enum names, unknown
  // fields, nulls, the resource after its scopes, and whitespace.
  const ExportTraceServiceRequest request = SmallRequest();
  auto base = DecodeTraces(ToJson(request), Encoding::kJson, {});
  ASSERT_TRUE(base.has_value());
  ASSERT_EQ(base->batch.calls.size(), 1u);
  EXPECT_EQ(base->batch.calls[0].status, model::CallStatus::kError);
  for (int mask = 1; mask < 16; ++mask) {
    JsonStyle style{(mask & 1) != 0, (mask & 2) != 0, (mask & 4) != 0, (mask & 8) != 0};
    const std::string json = nlohmann::ordered_json::parse(ToJson(request, style)).dump(2);
    auto r = DecodeTraces(json, Encoding::kJson, {});
    ASSERT_TRUE(r.has_value()) << r.error().message();
    EXPECT_EQ(Dump(*r), Dump(*base)) << json;
  }
}

TEST(OtlpEncoding, JsonNullsAndMissingFields) {
  const std::string json = R"({"resourceSpans":[{"resource":null,"scopeSpans":[{"scope":null,
    "spans":[{"traceId":"4BF92F3577B34DA6A3CE929D0E0E4736","spanId":"00F067AA0BA902B7",
    "parentSpanId":null,"name":null,"startTimeUnixNano":1765432100000000000,
    "endTimeUnixNano":"1765432100000001000","attributes":[
      {"key":"gen_ai.operation.name","value":{"stringValue":"chat"}},
      {"key":"gen_ai.usage.input_tokens","value":{"intValue":12}},
      {"key":"gen_ai.usage.output_tokens","value":{"intValue":"3","unknown":1}},
      {"key":"n","value":null},
      {"key":"d","value":{"doubleValue":"NaN"}},
      {"key":"i","value":{"doubleValue":"-Infinity"}},
      {"value":{"stringValue":"no key"}}],
    "events":null,"status":{"code":"STATUS_CODE_OK","message":null}}]}]},
    {"scopeSpans":null},{}],"unknownTopLevel":{"a":[1,2]}})";
  auto r = DecodeTraces(json, Encoding::kJson, {});
  ASSERT_TRUE(r.has_value()) << r.error().message();
  ASSERT_EQ(r->batch.calls.size(), 1u);
  const model::Call& c = r->batch.calls[0];
  EXPECT_EQ(c.trace_id, kTrace);
  EXPECT_EQ(c.span_id, kSpan);
  EXPECT_EQ(c.input_tokens, 12);
  EXPECT_EQ(c.output_tokens, 3);
  EXPECT_EQ(c.status, model::CallStatus::kOk);
  EXPECT_EQ(c.end_ns - c.start_ns, 1000);
  const model::Attributes expected = {{"n", ""}, {"d", "NaN"}, {"i", "-Infinity"}, {"", "no key"}};
  EXPECT_EQ(c.attributes, expected);
}

TEST(OtlpEncoding, JsonTypeErrorsRejectTheSpan) {
  const auto decode = [](std::string_view span_fields) {
    const std::string json =
        std::string(R"({"resourceSpans":[{"scopeSpans":[{"spans":[{)") +
        R"("traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"00f067aa0ba902b7",)" +
        R"("startTimeUnixNano":"1","endTimeUnixNano":"2",)" + std::string(span_fields) + "}]}]}]}";
    auto r = DecodeTraces(json, Encoding::kJson, {});
    EXPECT_TRUE(r.has_value()) << json;
    return r ? r->error_message : std::string("error");
  };
  const std::string op =
      R"("attributes":[{"key":"gen_ai.operation.name","value":{"stringValue":"chat"}})";
  EXPECT_NE(
      decode(op + R"(,{"key":"x","value":{"intValue":"12a"}}])")
          .find("attributes[1].value: intValue: expected a 64-bit integer, got string \"12a\""),
      std::string::npos);
  EXPECT_NE(decode(op + R"(,{"key":"x","value":{"intValue":"18446744073709551615"}}])")
                .find("intValue: expected a 64-bit integer"),
            std::string::npos);
  EXPECT_NE(decode(op + R"(,{"key":"x","value":{"boolValue":"true"}}])")
                .find("boolValue: expected true or false"),
            std::string::npos);
  EXPECT_NE(decode(op + R"(,{"key":"x","value":"plain"}])")
                .find("attributes[1].value: expected an AnyValue object, got string \"plain\""),
            std::string::npos);
  EXPECT_NE(decode(op + R"(,{"key":"x","value":{"arrayValue":{"values":{}}}}])")
                .find("arrayValue.values: expected an array"),
            std::string::npos);
  EXPECT_NE(decode(op + R"(,{"key":7,"value":{}}])").find("attributes[1].key: expected a string"),
            std::string::npos);
  EXPECT_NE(decode(op + R"(],"status":{"code":"bad"})").find("status.code: expected 0, 1 or 2"),
            std::string::npos);
  EXPECT_NE(decode(op + R"(],"name":5)").find("name: expected a string"), std::string::npos);
  EXPECT_NE(decode(op + R"(],"events":{})").find("events: expected an array"), std::string::npos);
  EXPECT_NE(decode(op + R"(],"parentSpanId":"xyz")").find("parentSpanId: expected 16 hex digits"),
            std::string::npos);
  EXPECT_NE(decode(op + R"(],"endTimeUnixNano":1.5e9)").find("endTimeUnixNano: expected unsigned"),
            std::string::npos);
  EXPECT_NE(decode(op + R"(],"startTimeUnixNano":"-1")").find("startTimeUnixNano: expected"),
            std::string::npos);
  // Deep nesting is refused per span as well.
  std::string deep = R"({"stringValue":"x"})";
  for (int i = 0; i < 40; ++i) deep = R"({"arrayValue":{"values":[)" + deep + "]}}";
  EXPECT_NE(decode(op + R"(,{"key":"deep","value":)" + deep + "}]").find("nested more than 32"),
            std::string::npos);
}

TEST(OtlpEncoding, UnknownProtobufFieldsAreSkipped) {
  const ExportTraceServiceRequest request = SmallRequest();
  const DecodeResult base = DecodeBoth(request);
  // Unknown fields of every wire type (varint, fixed64, length-delimited, group, fixed32) at
  // the top level and inside the span (appended to its bytes).
  std::string unknown;
  unknown += std::string("\xF8\x07\x96\x01", 4);                   // field 127 varint 150
  unknown += std::string("\xF9\x07", 2) + std::string(8, '\x01');  // field 127 fixed64
  unknown += std::string(
      "\xFA\x07\x03"
      "abc",
      6);                                                          // field 127 bytes
  unknown += std::string("\xFB\x07\x08\x01\xFC\x07", 6);           // field 127 group {1: 1}
  unknown += std::string("\xFD\x07", 2) + std::string(4, '\x02');  // field 127 fixed32
  ExportTraceServiceRequest with_unknown = request;
  Span* span = with_unknown.mutable_resource_spans(0)->mutable_scope_spans(0)->mutable_spans(0);
  // Links and dropped counts are known fields Yardstick skips.
  span->add_links()->set_trace_id(HexBytes(kTrace));
  span->set_dropped_attributes_count(3);
  span->set_trace_state("vendor=x");
  std::string body = with_unknown.SerializeAsString() + unknown;
  auto r = DecodeTraces(body, Encoding::kProtobuf, {});
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(Dump(*r), Dump(base));

  // A known field with an unexpected wire type is skipped like an unknown one.
  std::string odd = request.SerializeAsString() + std::string("\x08\x01", 2);  // field 1 varint
  r = DecodeTraces(odd, Encoding::kProtobuf, {});
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(Dump(*r), Dump(base));
}

TEST(OtlpEncoding, ResourceAfterScopesInProtobuf) {
  // Field order on the wire is free: the resource may follow the spans.
  const ExportTraceServiceRequest request = SmallRequest();
  const ResourceSpans& rs = request.resource_spans(0);
  ResourceSpans scopes_only = rs;
  scopes_only.clear_resource();
  opentelemetry::proto::trace::v1::ResourceSpans resource_only;
  *resource_only.mutable_resource() = rs.resource();
  const std::string body =
      LengthDelimited(1, scopes_only.SerializeAsString() + resource_only.SerializeAsString());
  auto r = DecodeTraces(body, Encoding::kProtobuf, {});
  ASSERT_TRUE(r.has_value()) << r.error().message();
  ASSERT_EQ(r->batch.calls.size(), 1u);
  EXPECT_EQ(r->batch.calls[0].service, "svc");
}

TEST(OtlpEncoding, EmptyBodies) {
  for (const Encoding enc : {Encoding::kProtobuf, Encoding::kJson}) {
    auto t = DecodeTraces("", enc, {});
    ASSERT_TRUE(t.has_value());
    EXPECT_TRUE(t->batch.empty());
    EXPECT_EQ(t->spans, 0u);
    auto l = DecodeLogs("", enc, {});
    ASSERT_TRUE(l.has_value());
    EXPECT_TRUE(l->batch.empty());
  }
  for (const char* json : {"{}", " \n", R"({"resourceSpans":[]})", R"({"resourceSpans":null})"}) {
    auto r = DecodeTraces(json, Encoding::kJson, {});
    ASSERT_TRUE(r.has_value()) << json;
    EXPECT_TRUE(r->batch.empty());
  }
}

TEST(OtlpEncoding, TruncatedProtobufIsAnError) {
  const std::string body = SmallRequest().SerializeAsString();
  // Cutting inside the outer resourceSpans entry breaks its length.
  auto r = DecodeTraces(std::string_view(body).substr(0, body.size() - 3), Encoding::kProtobuf, {});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), ErrorCode::kParse);
  EXPECT_NE(r.error().message().find("protobuf: length-delimited field 1 of"), std::string::npos)
      << r.error().message();
  EXPECT_NE(r.error().message().find("at byte 0"), std::string::npos) << r.error().message();
  // Every prefix decodes or fails cleanly; the full body and the empty one decode.
  size_t errors = 0;
  for (size_t n = 0; n <= body.size(); ++n) {
    auto p = DecodeTraces(std::string_view(body).substr(0, n), Encoding::kProtobuf, {});
    if (!p) ++errors;
  }
  EXPECT_EQ(errors, body.size() - 1);
  // Garbage.
  for (const std::string& bad :
       {std::string("\x0A\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\x01", 12),  // overlong varint
        std::string("\x0A\x05\x12\x03\x12\x05x", 7),                          // inner length
        std::string("\x0F", 1),                                               // wire type 7
        std::string("\x00\x01", 2),                                           // field number 0
        std::string("\x0B\x08\x01", 3),                                       // unterminated group
        std::string("\x0C", 1),                                               // stray end group
        std::string("\x09\x01\x02", 3)}) {                                    // short fixed64
    auto g = DecodeTraces(bad, Encoding::kProtobuf, {});
    EXPECT_FALSE(g.has_value()) << ::testing::PrintToString(bad);
    auto l = DecodeLogs(bad, Encoding::kProtobuf, {});
    EXPECT_FALSE(l.has_value());
  }
}

TEST(OtlpEncoding, ProtobufErrorNamesTheSpan) {
  // Two spans; the second has an attribute (field 9) whose value holds a truncated varint.
  Span span = SmallRequest().resource_spans(0).scope_spans(0).spans(0);
  const std::string good = span.SerializeAsString();
  const std::string broken = good + LengthDelimited(9, LengthDelimited(2, "\x18\xFF"));
  const std::string body =
      LengthDelimited(1, LengthDelimited(2, LengthDelimited(2, good) + LengthDelimited(2, broken)));
  auto r = DecodeTraces(body, Encoding::kProtobuf, {});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), ErrorCode::kParse);
  EXPECT_NE(r.error().message().find("truncated varint"), std::string::npos) << r.error().message();
  EXPECT_NE(r.error().message().find("(in resourceSpans[0].scopeSpans[0].spans[1])"),
            std::string::npos)
      << r.error().message();
  // Without the broken span the same framing decodes.
  auto ok = DecodeTraces(LengthDelimited(1, LengthDelimited(2, LengthDelimited(2, good))),
                         Encoding::kProtobuf, {});
  ASSERT_TRUE(ok.has_value()) << ok.error().message();
  EXPECT_EQ(ok->batch.calls.size(), 1u);
}

TEST(OtlpEncoding, MalformedJsonIsAnError) {
  const std::string good = ToJson(SmallRequest());
  const std::pair<std::string, std::string> cases[] = {
      {good.substr(0, good.size() - 2), "not valid JSON"},
      {"[1,2]", "$: expected an object, got an array"},
      {R"({"resourceSpans":{}})", "$.resourceSpans: expected an array, got an object"},
      {R"({"resourceSpans":[5]})", "resourceSpans[0]: expected an object, got a number"},
      {R"({"resourceSpans":[{"resource":"x"}]})", "resourceSpans[0].resource: expected an object"},
      {R"({"resourceSpans":[{"scopeSpans":[{"spans":"x"}]}]})",
       "resourceSpans[0].scopeSpans[0].spans: expected an array"},
      {R"({"resourceSpans":[{"scopeSpans":[{"spans":[[]]}]}]})",
       "resourceSpans[0].scopeSpans[0].spans[0]: expected an object, got an array"},
      {"{\"resourceSpans\":[]} trailing", "not valid JSON"},
  };
  for (const auto& [body, message] : cases) {
    auto r = DecodeTraces(body, Encoding::kJson, {});
    ASSERT_FALSE(r.has_value()) << body;
    EXPECT_EQ(r.error().code(), ErrorCode::kParse);
    EXPECT_NE(r.error().message().find(message), std::string::npos)
        << body << " -> " << r.error().message();
  }
  auto l =
      DecodeLogs(R"({"resourceLogs":[{"scopeLogs":[{"logRecords":7}]}]})", Encoding::kJson, {});
  ASSERT_FALSE(l.has_value());
  EXPECT_NE(l.error().message().find("resourceLogs[0].scopeLogs[0].logRecords: expected an array"),
            std::string::npos);
}

TEST(OtlpEncoding, ResourceProblemsRejectTheResourceRecords) {
  // A resource attribute of the wrong JSON type rejects the records of that resource only.
  const std::string json = R"({"resourceSpans":[
    {"resource":{"attributes":[{"key":"service.name","value":{"intValue":"x"}}]},
     "scopeSpans":[{"spans":[{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736",
       "spanId":"00f067aa0ba902b7","startTimeUnixNano":"1","endTimeUnixNano":"2",
       "attributes":[{"key":"gen_ai.operation.name","value":{"stringValue":"chat"}}]},
       {"spanId":"00f067aa0ba902b8","name":"GET /"}]}]},
    {"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"ok"}}]},
     "scopeSpans":[{"spans":[{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736",
       "spanId":"00f067aa0ba902b9","startTimeUnixNano":"1","endTimeUnixNano":"2",
       "attributes":[{"key":"gen_ai.operation.name","value":{"stringValue":"chat"}}]}]}]}]})";
  auto r = DecodeTraces(json, Encoding::kJson, {});
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(r->rejected, 1u);
  EXPECT_EQ(r->ignored, 1u);
  ASSERT_EQ(r->batch.calls.size(), 1u);
  EXPECT_EQ(r->batch.calls[0].service, "ok");
  EXPECT_NE(r->error_message.find("resource.attributes[0].value: intValue"), std::string::npos)
      << r->error_message;

  // Protobuf: a resource string that is not UTF-8.
  ExportTraceServiceRequest request = SmallRequest();
  AddString(request.mutable_resource_spans(0)->mutable_resource()->mutable_attributes(), "k",
            "\xFF");
  auto p = DecodeTraces(request.SerializeAsString(), Encoding::kProtobuf, {});
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->rejected, 1u);
  EXPECT_NE(p->error_message.find("resource: a string value is not valid UTF-8"), std::string::npos)
      << p->error_message;
}

TEST(OtlpEncoding, TraceResponses) {
  EXPECT_EQ(EncodeTraceResponse(Encoding::kJson, 0, ""), "{}");
  EXPECT_EQ(EncodeLogsResponse(Encoding::kJson, 0, ""), "{}");
  EXPECT_EQ(EncodeTraceResponse(Encoding::kProtobuf, 0, ""), "");
  EXPECT_EQ(EncodeLogsResponse(Encoding::kProtobuf, 0, ""), "");

  const std::string message = "spans[3]: \"bad\"\n\tvalue \xFF";
  auto json = nlohmann::json::parse(EncodeTraceResponse(Encoding::kJson, 3, message));
  EXPECT_EQ(json["partialSuccess"]["rejectedSpans"], "3");
  EXPECT_EQ(json["partialSuccess"]["errorMessage"], "spans[3]: \"bad\"\n\tvalue \xEF\xBF\xBD");
  json = nlohmann::json::parse(EncodeLogsResponse(Encoding::kJson, 2, "x"));
  EXPECT_EQ(json["partialSuccess"]["rejectedLogRecords"], "2");

  opentelemetry::proto::collector::trace::v1::ExportTraceServiceResponse trace_response;
  ASSERT_TRUE(trace_response.ParseFromString(EncodeTraceResponse(Encoding::kProtobuf, 3, message)));
  ASSERT_TRUE(trace_response.has_partial_success());
  EXPECT_EQ(trace_response.partial_success().rejected_spans(), 3);
  EXPECT_EQ(trace_response.partial_success().error_message(),
            "spans[3]: \"bad\"\n\tvalue \xEF\xBF\xBD");
  opentelemetry::proto::collector::logs::v1::ExportLogsServiceResponse logs_response;
  ASSERT_TRUE(logs_response.ParseFromString(EncodeLogsResponse(Encoding::kProtobuf, 5, "m")));
  EXPECT_EQ(logs_response.partial_success().rejected_log_records(), 5);
  EXPECT_EQ(logs_response.partial_success().error_message(), "m");
}

TEST(OtlpEncoding, StatusBodies) {
  auto json = nlohmann::json::parse(EncodeStatus(Encoding::kJson, 3, "JSON: bad \x01 \xC3"));
  EXPECT_EQ(json["code"], 3);
  EXPECT_EQ(json["message"], "JSON: bad \x01 \xEF\xBF\xBD");
  google::rpc::Status status;
  ASSERT_TRUE(status.ParseFromString(EncodeStatus(Encoding::kProtobuf, 14, "try later")));
  EXPECT_EQ(status.code(), 14);
  EXPECT_EQ(status.message(), "try later");
  EXPECT_EQ(status.details_size(), 0);
}

TEST(OtlpEncoding, DecodeErrorsFeedStatusBodies) {
  auto r = DecodeTraces("{", Encoding::kJson, {});
  ASSERT_FALSE(r.has_value());
  const std::string body = EncodeStatus(Encoding::kJson, 3, r.error().message());
  EXPECT_EQ(nlohmann::json::parse(body)["message"], r.error().message());
}

}  // namespace
}  // namespace yardstick::otlp::testing
