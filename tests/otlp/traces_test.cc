// GenAI spans to calls: the OTel semantic-conventions example, OpenLLMetry, OpenLIT and
// OpenInference shaped spans, normalization, status, content, attributes and rejections. Every
// request built here is decoded from protobuf and from OTLP/JSON (DecodeBoth), which must agree.

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <functional>
#include <limits>
#include <sstream>

#include "otlp_payloads.h"

namespace yardstick::otlp::testing {
namespace {

constexpr std::string_view kTrace = "4bf92f3577b34da6a3ce929d0e0e4736";
constexpr std::string_view kSpan = "00f067aa0ba902b7";
constexpr std::string_view kSpan2 = "00f067aa0ba902b8";
constexpr std::string_view kSpan3 = "00f067aa0ba902b9";
constexpr uint64_t kT0 = 1765432100000000000ULL;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The request of tests/otlp/data/semconv_example.json, built with the generated classes.
ExportTraceServiceRequest ExampleRequest() {
  ExportTraceServiceRequest request;
  ResourceSpans* r = AddResource(request, "chat-api");
  Span* s = AddSpan(r, kTrace, kSpan, "chat gpt-4o-mini", kT0, 1765432101250000000ULL);
  auto* a = s->mutable_attributes();
  AddString(a, "gen_ai.operation.name", "chat");
  AddString(a, "gen_ai.provider.name", "openai");
  AddString(a, "gen_ai.request.model", "gpt-4o-mini");
  AddDouble(a, "gen_ai.request.temperature", 0.2);
  AddInt(a, "gen_ai.request.max_tokens", 200);
  AddString(a, "gen_ai.response.model", "gpt-4o-mini-2024-07-18");
  AddString(a, "gen_ai.response.id", "chatcmpl-9J3uIL87gldCFtiIbyaOvTeYBRA3l");
  AddStrings(a, "gen_ai.response.finish_reasons", {"stop"});
  AddInt(a, "gen_ai.usage.input_tokens", 52);
  AddInt(a, "gen_ai.usage.output_tokens", 47);
  AddInt(a, "gen_ai.usage.cache_read.input_tokens", 0);
  AddString(a, "server.address", "api.openai.com");
  AddInt(a, "server.port", 443);
  AddString(a, "gen_ai.input.messages",
            R"([{"role":"user","parts":[{"type":"text","content":"Tell me a joke"}]}])");
  AddString(
      a, "gen_ai.output.messages",
      R"([{"role":"assistant","parts":[{"type":"text","content":"..."}],"finish_reason":"stop"}])");
  auto* event = s->add_events();
  event->set_time_unix_nano(1765432101300000000ULL);
  event->set_name("gen_ai.evaluation.result");
  AddString(event->mutable_attributes(), "gen_ai.evaluation.name", "Relevance");
  AddDouble(event->mutable_attributes(), "gen_ai.evaluation.score.value", 4.0);
  AddString(event->mutable_attributes(), "gen_ai.evaluation.score.label", "relevant");
  s->mutable_status()->set_code(opentelemetry::proto::trace::v1::Status::STATUS_CODE_OK);
  return request;
}

TEST(OtlpTraces, SemanticConventionsExampleFile) {
  const std::string body =
      ReadFile(std::string(YARDSTICK_OTLP_TEST_DATA) + "/semconv_example.json");
  ASSERT_FALSE(body.empty());
  auto result = DecodeTraces(body, Encoding::kJson, {});
  ASSERT_TRUE(result.has_value()) << result.error().message();
  EXPECT_EQ(result->spans, 1u);
  EXPECT_EQ(result->genai_spans, 1u);
  EXPECT_EQ(result->ignored, 0u);
  EXPECT_EQ(result->rejected, 0u);
  EXPECT_EQ(result->error_message, "");
  ASSERT_EQ(result->batch.calls.size(), 1u);
  const model::Call& c = result->batch.calls[0];
  EXPECT_EQ(c.id, kSpan);
  EXPECT_EQ(c.span_id, kSpan);
  EXPECT_EQ(c.trace_id, kTrace);
  EXPECT_EQ(c.parent_span_id, "");
  EXPECT_EQ(c.project, "");
  EXPECT_EQ(c.start_ns, 1765432100000000000);
  EXPECT_EQ(c.end_ns, 1765432101250000000);
  EXPECT_DOUBLE_EQ(c.latency_s(), 1.25);
  EXPECT_EQ(c.operation, "chat");
  EXPECT_EQ(c.provider, "openai");
  EXPECT_EQ(c.request_model, "gpt-4o-mini");
  EXPECT_EQ(c.response_model, "gpt-4o-mini-2024-07-18");
  EXPECT_EQ(c.model(), "gpt-4o-mini-2024-07-18");
  EXPECT_EQ(c.service, "chat-api");
  EXPECT_EQ(c.input_tokens, 52);
  EXPECT_EQ(c.output_tokens, 47);
  EXPECT_EQ(c.cache_read_tokens, 0);
  EXPECT_EQ(c.cache_creation_tokens, -1);
  EXPECT_EQ(c.reasoning_tokens, -1);
  EXPECT_FALSE(c.cost_usd.has_value());
  EXPECT_FALSE(c.ttft_s.has_value());
  EXPECT_EQ(c.status, model::CallStatus::kOk);
  EXPECT_EQ(c.error_type, "");
  EXPECT_EQ(c.finish_reason, "stop");
  EXPECT_EQ(c.input_text,
            R"([{"role":"user","parts":[{"type":"text","content":"Tell me a joke"}]}])");
  EXPECT_EQ(
      c.output_text,
      R"([{"role":"assistant","parts":[{"type":"text","content":"..."}],"finish_reason":"stop"}])");
  const model::Attributes expected_attributes = {
      {"gen_ai.request.temperature", "0.2"},
      {"gen_ai.request.max_tokens", "200"},
      {"gen_ai.response.id", "chatcmpl-9J3uIL87gldCFtiIbyaOvTeYBRA3l"},
      {"server.address", "api.openai.com"},
      {"server.port", "443"}};
  EXPECT_EQ(c.attributes, expected_attributes);

  ASSERT_EQ(result->batch.scores.size(), 1u);
  const model::Score& s = result->batch.scores[0];
  EXPECT_EQ(s.name, "Relevance");
  ASSERT_TRUE(s.value.has_value());
  EXPECT_EQ(*s.value, 4.0);
  EXPECT_EQ(s.label, "relevant");
  EXPECT_EQ(s.call_id, kSpan);
  EXPECT_EQ(s.trace_id, kTrace);
  EXPECT_EQ(s.time_ns, 1765432101300000000);
  EXPECT_EQ(s.source, "judge");
  EXPECT_EQ(s.comment, "");
  EXPECT_TRUE(s.attributes.empty());
  EXPECT_EQ(s.id.size(), 32u);
  EXPECT_EQ(s.id.find_first_not_of("0123456789abcdef"), std::string::npos);

  // The same request built with the generated classes gives the same records in both encodings.
  const DecodeResult built = DecodeBoth(ExampleRequest());
  EXPECT_EQ(Dump(built), Dump(*result));
}

TEST(OtlpTraces, OpenLlmetryChatSpan) {
  ExportTraceServiceRequest request;
  ResourceSpans* r = AddResource(request, "support-bot");
  Span* s = AddSpan(r, kTrace, kSpan, "openai.chat", kT0, kT0 + 800000000);
  s->set_parent_span_id(HexBytes(kSpan2));
  auto* a = s->mutable_attributes();
  AddString(a, "llm.request.type", "chat");
  AddString(a, "gen_ai.system", "openai");
  AddString(a, "gen_ai.request.model", "gpt-4o");
  AddString(a, "gen_ai.response.model", "gpt-4o-2024-08-06");
  AddInt(a, "gen_ai.usage.prompt_tokens", 120);
  AddInt(a, "gen_ai.usage.completion_tokens", 30);
  AddInt(a, "llm.usage.total_tokens", 150);
  AddInt(a, "gen_ai.usage.cache_read_input_tokens", 100);
  AddBool(a, "llm.is_streaming", false);
  AddString(a, "gen_ai.prompt.0.role", "system");
  AddString(a, "gen_ai.prompt.0.content", "You are terse.");
  AddString(a, "gen_ai.prompt.1.role", "user");
  AddString(a, "gen_ai.prompt.1.content", "Say \"hi\"");
  AddString(a, "gen_ai.completion.0.role", "assistant");
  AddString(a, "gen_ai.completion.0.content", "hi");
  AddString(a, "gen_ai.completion.0.finish_reason", "stop");
  AddString(a, "traceloop.association.properties.session_id", "sess-9");
  AddString(a, "traceloop.association.properties.user_id", "u-17");
  AddString(a, "traceloop.workflow.name", "answer_ticket");
  AddString(a, "traceloop.entity.name", "openai.chat");
  AddString(a, "llm.request.functions.0.name", "lookup");  // a tool schema: not kept

  const DecodeResult result = DecodeBoth(request);
  ASSERT_EQ(result.batch.calls.size(), 1u);
  const model::Call& c = result.batch.calls[0];
  EXPECT_EQ(c.parent_span_id, kSpan2);
  EXPECT_EQ(c.operation, "chat");
  EXPECT_EQ(c.provider, "openai");
  EXPECT_EQ(c.request_model, "gpt-4o");
  EXPECT_EQ(c.response_model, "gpt-4o-2024-08-06");
  EXPECT_EQ(c.input_tokens, 120);
  EXPECT_EQ(c.output_tokens, 30);
  EXPECT_EQ(c.cache_read_tokens, 100);
  EXPECT_EQ(c.finish_reason, "stop");
  EXPECT_EQ(c.session_id, "sess-9");
  EXPECT_EQ(c.conversation_id, "sess-9");
  EXPECT_EQ(c.user_id, "u-17");
  EXPECT_EQ(c.route, "answer_ticket");  // the workflow beats the entity name
  EXPECT_EQ(c.service, "support-bot");
  EXPECT_EQ(c.input_text,
            R"([{"role":"system","parts":[{"type":"text","content":"You are terse."}]},)"
            R"({"role":"user","parts":[{"type":"text","content":"Say \"hi\""}]}])");
  EXPECT_EQ(
      c.output_text,
      R"([{"role":"assistant","parts":[{"type":"text","content":"hi"}],"finish_reason":"stop"}])");
  const model::Attributes expected = {{"llm.usage.total_tokens", "150"},
                                      {"llm.is_streaming", "false"}};
  EXPECT_EQ(c.attributes, expected);
}

TEST(OtlpTraces, OperationFromRequestTypeAndSpanName) {
  ExportTraceServiceRequest request;
  ResourceSpans* r = AddResource(request, "svc");
  // No llm.request.type: the OpenLLMetry span name says what it is.
  Span* s1 = AddSpan(r, kTrace, kSpan, "anthropic.completion", kT0, kT0 + 1);
  AddString(s1->mutable_attributes(), "gen_ai.system", "Anthropic");
  Span* s2 = AddSpan(r, kTrace, kSpan2, "openai.embeddings", kT0, kT0 + 1);
  AddString(s2->mutable_attributes(), "llm.request.type", "embedding");
  Span* s3 = AddSpan(r, kTrace, kSpan3, "openai.completion", kT0, kT0 + 1);
  AddString(s3->mutable_attributes(), "llm.request.type", "completion");
  // The name alone makes a GenAI span.
  AddSpan(r, kTrace, "1111111111111111", "openai.response", kT0, kT0 + 1);
  // gen_ai.operation.name beats everything.
  Span* s5 = AddSpan(r, kTrace, "2222222222222222", "openai.chat", kT0, kT0 + 1);
  AddString(s5->mutable_attributes(), "gen_ai.operation.name", "Generate_Content");
  AddString(s5->mutable_attributes(), "llm.request.type", "completion");

  const DecodeResult result = DecodeBoth(request);
  ASSERT_EQ(result.batch.calls.size(), 5u);
  EXPECT_EQ(result.batch.calls[0].operation, "text_completion");
  EXPECT_EQ(result.batch.calls[0].provider, "anthropic");
  EXPECT_EQ(result.batch.calls[1].operation, "embeddings");
  EXPECT_EQ(result.batch.calls[2].operation, "text_completion");
  EXPECT_EQ(result.batch.calls[3].operation, "chat");
  EXPECT_EQ(result.batch.calls[3].provider, "");
  EXPECT_EQ(result.batch.calls[4].operation, "generate_content");
}

TEST(OtlpTraces, FlattenedToolCalls) {
  ExportTraceServiceRequest request;
  Span* s = AddSpan(AddResource(request, "svc"), kTrace, kSpan, "openai.chat", kT0, kT0 + 5);
  auto* a = s->mutable_attributes();
  AddString(a, "gen_ai.system", "openai");
  // Out of order on purpose: messages are ordered by index, tool calls by their index.
  AddString(a, "gen_ai.prompt.1.role", "tool");
  AddString(a, "gen_ai.prompt.1.tool_call_id", "call_1");
  AddString(a, "gen_ai.prompt.1.content", "{\"temp\":21}");
  AddString(a, "gen_ai.prompt.0.content", "Weather in Paris?");
  AddString(a, "gen_ai.completion.0.tool_calls.1.name", "get_time");
  AddString(a, "gen_ai.completion.0.tool_calls.0.id", "call_2");
  AddString(a, "gen_ai.completion.0.tool_calls.0.name", "get_weather");
  AddString(a, "gen_ai.completion.0.tool_calls.0.arguments", "{\"city\":\"Paris\"}");
  AddString(a, "gen_ai.completion.0.finish_reason", "tool_calls");
  AddString(a, "gen_ai.completion.0.unknown_field", "dropped");

  const DecodeResult result = DecodeBoth(request);
  ASSERT_EQ(result.batch.calls.size(), 1u);
  const model::Call& c = result.batch.calls[0];
  EXPECT_EQ(
      c.input_text,
      R"([{"role":"user","parts":[{"type":"text","content":"Weather in Paris?"}]},)"
      R"({"role":"tool","parts":[{"type":"tool_call_response","id":"call_1","response":"{\"temp\":21}"}]}])");
  EXPECT_EQ(
      c.output_text,
      R"([{"role":"assistant","parts":[)"
      R"({"type":"tool_call","id":"call_2","name":"get_weather","arguments":"{\"city\":\"Paris\"}"},)"
      R"({"type":"tool_call","name":"get_time"}],"finish_reason":"tool_calls"}])");
  EXPECT_EQ(c.finish_reason, "tool_calls");
  EXPECT_TRUE(c.attributes.empty());
}

TEST(OtlpTraces, OpenLitSpan) {
  ExportTraceServiceRequest request;
  ResourceSpans* r = AddResource(request, "rag-app");
  auto* ra = r->mutable_resource()->mutable_attributes();
  AddString(ra, "deployment.environment", "production");
  AddString(ra, "service.version", "1.4.2");
  AddString(ra, "telemetry.sdk.name", "openlit");  // resource attributes are not copied
  Span* s = AddSpan(r, kTrace, kSpan, "chat gemini-1.5-pro", kT0, kT0 + 2000000000);
  auto* a = s->mutable_attributes();
  AddString(a, "gen_ai.operation.name", "chat");
  AddString(a, "gen_ai.system", "gemini");
  AddString(a, "gen_ai.request.model", "gemini-1.5-pro");
  AddInt(a, "gen_ai.usage.input_tokens", 1000);
  AddInt(a, "gen_ai.usage.output_tokens", 200);
  AddInt(a, "gen_ai.usage.total_tokens", 1200);
  AddDouble(a, "gen_ai.usage.cost", 0.00123);
  AddDouble(a, "gen_ai.server.time_to_first_token", 0.35);
  AddDouble(a, "gen_ai.server.time_per_output_token", 0.01);
  AddString(a, "gen_ai.prompt", "What is RAG?");
  AddString(a, "gen_ai.completion", "Retrieval-augmented generation.");
  AddEvaluationEvent(s, kT0 + 2100000000, "hallucination", 0.0, "false", "grounded in context");

  const DecodeResult result = DecodeBoth(request);
  ASSERT_EQ(result.batch.calls.size(), 1u);
  const model::Call& c = result.batch.calls[0];
  EXPECT_EQ(c.provider, "gcp.gemini");
  EXPECT_EQ(c.environment, "production");
  EXPECT_EQ(c.release, "1.4.2");
  EXPECT_EQ(c.service, "rag-app");
  ASSERT_TRUE(c.cost_usd.has_value());
  EXPECT_DOUBLE_EQ(*c.cost_usd, 0.00123);
  ASSERT_TRUE(c.ttft_s.has_value());
  EXPECT_DOUBLE_EQ(*c.ttft_s, 0.35);
  EXPECT_EQ(c.input_text, "What is RAG?");
  EXPECT_EQ(c.output_text, "Retrieval-augmented generation.");
  const model::Attributes expected = {{"gen_ai.usage.total_tokens", "1200"},
                                      {"gen_ai.server.time_per_output_token", "0.01"}};
  EXPECT_EQ(c.attributes, expected);
  ASSERT_EQ(result.batch.scores.size(), 1u);
  const model::Score& score = result.batch.scores[0];
  EXPECT_EQ(score.name, "hallucination");
  EXPECT_EQ(score.value, 0.0);
  EXPECT_EQ(score.label, "false");
  EXPECT_EQ(score.comment, "grounded in context");
  EXPECT_EQ(score.call_id, kSpan);
  EXPECT_EQ(score.time_ns, static_cast<int64_t>(kT0 + 2100000000));
}

TEST(OtlpTraces, LegacyContentEvents) {
  ExportTraceServiceRequest request;
  Span* s = AddSpan(AddResource(request, ""), kTrace, kSpan, "chat gpt-4", kT0, kT0 + 1);
  AddString(s->mutable_attributes(), "gen_ai.system", "openai");
  auto* prompt = s->add_events();
  prompt->set_name("gen_ai.content.prompt");
  AddString(prompt->mutable_attributes(), "gen_ai.prompt",
            "[{\"role\": \"user\", \"content\": \"hi\"}]");
  auto* completion = s->add_events();
  completion->set_name("gen_ai.content.completion");
  AddString(completion->mutable_attributes(), "gen_ai.completion", "hello");

  const DecodeResult result = DecodeBoth(request);
  ASSERT_EQ(result.batch.calls.size(), 1u);
  EXPECT_EQ(result.batch.calls[0].input_text, "[{\"role\": \"user\", \"content\": \"hi\"}]");
  EXPECT_EQ(result.batch.calls[0].output_text, "hello");
  EXPECT_EQ(result.batch.calls[0].service, "");
}

TEST(OtlpTraces, OpenInferenceSpan) {
  ExportTraceServiceRequest request;
  Span* s = AddSpan(AddResource(request, "agent"), kTrace, kSpan, "ChatCompletion", kT0, kT0 + 9);
  auto* a = s->mutable_attributes();
  AddString(a, "openinference.span.kind", "LLM");
  AddString(a, "llm.model_name", "gpt-4o-mini");
  AddString(a, "llm.provider", "OpenAI");
  AddString(a, "llm.system", "openai");
  AddInt(a, "llm.token_count.prompt", 80);
  AddInt(a, "llm.token_count.completion", 15);
  AddInt(a, "llm.token_count.total", 95);
  AddInt(a, "llm.token_count.prompt_details.cache_read", 40);
  AddInt(a, "llm.token_count.prompt_details.cache_write", 20);
  AddInt(a, "llm.token_count.completion_details.reasoning", 5);
  AddDouble(a, "llm.cost.total", 0.0049);
  AddString(a, "llm.invocation_parameters", "{\"temperature\": 0.1}");
  AddString(a, "llm.input_messages.0.message.role", "user");
  AddString(a, "llm.input_messages.0.message.contents.0.message_content.type", "text");
  AddString(a, "llm.input_messages.0.message.contents.0.message_content.text",
            "what's the weather");
  AddString(a, "llm.output_messages.0.message.role", "assistant");
  AddString(a, "llm.output_messages.0.message.tool_calls.0.tool_call.id", "c1");
  AddString(a, "llm.output_messages.0.message.tool_calls.0.tool_call.function.name", "weather");
  AddString(a, "llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments", "{}");
  AddString(a, "input.value", "what's the weather");  // content: used only without messages
  AddString(a, "output.value", "sunny");
  AddString(a, "session.id", "sess-456");
  AddString(a, "user.id", "user-123");
  AddString(a, "llm.tools.0.tool.json_schema", "{}");

  const DecodeResult result = DecodeBoth(request);
  ASSERT_EQ(result.batch.calls.size(), 1u);
  const model::Call& c = result.batch.calls[0];
  EXPECT_EQ(c.operation, "chat");
  EXPECT_EQ(c.provider, "openai");
  EXPECT_EQ(c.request_model, "gpt-4o-mini");
  EXPECT_EQ(c.input_tokens, 80);
  EXPECT_EQ(c.output_tokens, 15);
  EXPECT_EQ(c.cache_read_tokens, 40);
  EXPECT_EQ(c.cache_creation_tokens, 20);
  EXPECT_EQ(c.reasoning_tokens, 5);
  EXPECT_DOUBLE_EQ(c.cost_usd.value_or(-1), 0.0049);
  EXPECT_EQ(c.session_id, "sess-456");
  EXPECT_EQ(c.conversation_id, "sess-456");
  EXPECT_EQ(c.user_id, "user-123");
  EXPECT_EQ(c.input_text,
            R"([{"role":"user","parts":[{"type":"text","content":"what's the weather"}]}])");
  EXPECT_EQ(
      c.output_text,
      R"([{"role":"assistant","parts":[{"type":"tool_call","id":"c1","name":"weather","arguments":"{}"}]}])");
  const model::Attributes expected = {{"llm.token_count.total", "95"},
                                      {"llm.invocation_parameters", "{\"temperature\": 0.1}"}};
  EXPECT_EQ(c.attributes, expected);
}

TEST(OtlpTraces, OpenInferenceValuesWithoutMessages) {
  ExportTraceServiceRequest request;
  Span* s = AddSpan(AddResource(request, "x"), kTrace, kSpan, "embed", kT0, kT0 + 9);
  AddString(s->mutable_attributes(), "openinference.span.kind", "EMBEDDING");
  AddString(s->mutable_attributes(), "input.value", "some text");
  AddString(s->mutable_attributes(), "output.value", "[0.1, 0.2]");
  // A CHAIN span carries no model call.
  Span* chain = AddSpan(request.mutable_resource_spans(0), kTrace, kSpan2, "chain", kT0, kT0 + 9);
  AddString(chain->mutable_attributes(), "openinference.span.kind", "CHAIN");
  AddString(chain->mutable_attributes(), "input.value", "question");

  const DecodeResult result = DecodeBoth(request);
  ASSERT_EQ(result.batch.calls.size(), 1u);
  EXPECT_EQ(result.batch.calls[0].operation, "embeddings");
  EXPECT_EQ(result.batch.calls[0].input_text, "some text");
  EXPECT_EQ(result.batch.calls[0].output_text, "[0.1, 0.2]");
  EXPECT_EQ(result.ignored, 1u);
}

TEST(OtlpTraces, ProviderNormalization) {
  const std::pair<const char*, const char*> cases[] = {
      {"az.ai.openai", "azure.ai.openai"},
      {"az.ai.inference", "azure.ai.inference"},
      {"vertex_ai", "gcp.vertex_ai"},
      {"gemini", "gcp.gemini"},
      {"xai", "x_ai"},
      {"Anthropic", "anthropic"},
      {"AWS.Bedrock", "aws.bedrock"},
      {"vLLM", "vllm"},
  };
  ExportTraceServiceRequest request;
  ResourceSpans* r = AddResource(request, "svc");
  int i = 0;
  for (const auto& [raw, normalized] : cases) {
    char id[17];
    std::snprintf(id, sizeof id, "%016x", ++i);
    Span* s = AddSpan(r, kTrace, id, "chat", kT0, kT0 + 1);
    AddString(s->mutable_attributes(), "gen_ai.system", raw);
  }
  // gen_ai.provider.name wins over gen_ai.system, whatever the order.
  Span* both = AddSpan(r, kTrace, "00000000000000ff", "chat", kT0, kT0 + 1);
  AddString(both->mutable_attributes(), "gen_ai.system", "openai");
  AddString(both->mutable_attributes(), "gen_ai.provider.name", "az.ai.openai");

  const DecodeResult result = DecodeBoth(request);
  ASSERT_EQ(result.batch.calls.size(), std::size(cases) + 1);
  for (size_t k = 0; k < std::size(cases); ++k) {
    EXPECT_EQ(result.batch.calls[k].provider, cases[k].second) << cases[k].first;
  }
  EXPECT_EQ(result.batch.calls.back().provider, "azure.ai.openai");
}

TEST(OtlpTraces, StatusAndErrorType) {
  using StatusCode = opentelemetry::proto::trace::v1::Status;
  ExportTraceServiceRequest request;
  ResourceSpans* r = AddResource(request, "svc");
  const auto span = [&](std::string_view id) {
    Span* s = AddSpan(r, kTrace, id, "chat", kT0, kT0 + 1);
    AddString(s->mutable_attributes(), "gen_ai.operation.name", "chat");
    return s;
  };
  Span* a = span("0000000000000001");  // ERROR with error.type
  a->mutable_status()->set_code(StatusCode::STATUS_CODE_ERROR);
  a->mutable_status()->set_message("Rate limit reached for gpt-4o");
  AddString(a->mutable_attributes(), "error.type", "429");
  Span* b = span("0000000000000002");  // ERROR with an exception event
  b->mutable_status()->set_code(StatusCode::STATUS_CODE_ERROR);
  b->mutable_status()->set_message("boom");
  auto* exception = b->add_events();
  exception->set_name("exception");
  AddString(exception->mutable_attributes(), "exception.type", "openai.APITimeoutError");
  Span* c = span("0000000000000003");  // ERROR with only a message
  c->mutable_status()->set_code(StatusCode::STATUS_CODE_ERROR);
  c->mutable_status()->set_message("upstream closed the connection");
  Span* d = span("0000000000000004");  // UNSET but error.type set
  AddString(d->mutable_attributes(), "error.type", "timeout");
  Span* e = span("0000000000000005");  // OK
  e->mutable_status()->set_code(StatusCode::STATUS_CODE_OK);
  span("0000000000000006");  // UNSET

  const DecodeResult result = DecodeBoth(request);
  ASSERT_EQ(result.batch.calls.size(), 6u);
  const auto& calls = result.batch.calls;
  EXPECT_EQ(calls[0].status, model::CallStatus::kError);
  EXPECT_EQ(calls[0].error_type, "429");
  EXPECT_EQ(calls[1].status, model::CallStatus::kError);
  EXPECT_EQ(calls[1].error_type, "openai.APITimeoutError");
  EXPECT_EQ(calls[2].status, model::CallStatus::kError);
  EXPECT_EQ(calls[2].error_type, "upstream closed the connection");
  EXPECT_EQ(calls[3].status, model::CallStatus::kError);
  EXPECT_EQ(calls[3].error_type, "timeout");
  EXPECT_EQ(calls[4].status, model::CallStatus::kOk);
  EXPECT_EQ(calls[4].error_type, "");
  EXPECT_EQ(calls[5].status, model::CallStatus::kUnset);
  // The exception event is not an attribute.
  EXPECT_EQ(AttributeOf(calls[1].attributes, "exception.type"), "<absent>");
}

TEST(OtlpTraces, NonGenAiSpansAreIgnored) {
  ExportTraceServiceRequest request;
  ResourceSpans* r = AddResource(request, "web");
  Span* http = AddSpan(r, kTrace, kSpan, "GET /chat", kT0, kT0 + 1);
  AddString(http->mutable_attributes(), "http.request.method", "GET");
  AddInt(http->mutable_attributes(), "http.response.status_code", 200);
  // Context alone (session, user, route) does not make a GenAI span.
  Span* ctx = AddSpan(r, kTrace, kSpan2, "handle", kT0, kT0 + 1);
  AddString(ctx->mutable_attributes(), "session.id", "s1");
  AddString(ctx->mutable_attributes(), "user.id", "u1");
  AddString(ctx->mutable_attributes(), "yardstick.route", "/chat");
  AddString(ctx->mutable_attributes(), "gen_ai.conversation.id", "c1");
  // Names that look dotted but are not model calls.
  AddSpan(r, kTrace, kSpan3, "db.query", kT0, kT0 + 1);
  AddSpan(r, kTrace, "0000000000000004", "openai.chat.extra", kT0, kT0 + 1);
  // Broken ids on a span Yardstick does not keep are no reason to reject it.
  Span* broken = AddSpan(r, "abcd", "ef", "GET /health", kT0 + 5, kT0);
  AddString(broken->mutable_attributes(), "gen_ai.usage.cost_center", "x");  // not a known key
  // One GenAI span among them.
  Span* llm = AddSpan(r, kTrace, "0000000000000005", "chat", kT0, kT0 + 1);
  AddString(llm->mutable_attributes(), "gen_ai.request.model", "m");

  const DecodeResult result = DecodeBoth(request);
  EXPECT_EQ(result.spans, 6u);
  EXPECT_EQ(result.genai_spans, 1u);
  EXPECT_EQ(result.ignored, 5u);
  EXPECT_EQ(result.rejected, 0u);
  ASSERT_EQ(result.batch.calls.size(), 1u);
  EXPECT_EQ(result.batch.calls[0].id, "0000000000000005");
  EXPECT_EQ(result.batch.calls[0].operation, "");
  EXPECT_EQ(result.batch.calls[0].request_model, "m");
}

TEST(OtlpTraces, BadSpansAreRejectedAndTheRestKept) {
  ExportTraceServiceRequest request;
  ResourceSpans* r = AddResource(request, "svc");
  const auto genai = [&](std::string_view trace, std::string_view id, uint64_t start,
                         uint64_t end) {
    Span* s = AddSpan(r, trace, id, "chat", start, end);
    AddString(s->mutable_attributes(), "gen_ai.operation.name", "chat");
    return s;
  };
  genai(kTrace, "0000000000000001", kT0, kT0 + 1);                 // good
  genai(kTrace.substr(0, 30), "0000000000000002", kT0, kT0 + 1);   // trace id of 15 bytes
  genai(kTrace, "00000000000003", kT0, kT0 + 1);                   // span id of 7 bytes
  genai(kTrace, "0000000000000004", kT0 + 10, kT0);                // end before start
  Span* tokens = genai(kTrace, "0000000000000005", kT0, kT0 + 1);  // tokens "abc"
  AddString(tokens->mutable_attributes(), "gen_ai.usage.input_tokens", "abc");
  Span* negative = genai(kTrace, "0000000000000006", kT0, kT0 + 1);
  AddInt(negative->mutable_attributes(), "gen_ai.usage.output_tokens", -3);
  Span* cost = genai(kTrace, "0000000000000007", kT0, kT0 + 1);
  AddString(cost->mutable_attributes(), "gen_ai.usage.cost", "cheap");
  Span* eval = genai(kTrace, "0000000000000008", kT0, kT0 + 1);  // evaluation without a name
  auto* event = eval->add_events();
  event->set_name("gen_ai.evaluation.result");
  AddDouble(event->mutable_attributes(), "gen_ai.evaluation.score.value", 1.0);
  genai(kTrace, "", kT0, kT0 + 1);                                              // no span id
  genai("00000000000000000000000000000000", "000000000000000a", kT0, kT0 + 1);  // zero trace
  genai(kTrace, "000000000000000b", 0, 0);                                      // no times
  Span* fraction = genai(kTrace, "000000000000000c", kT0, kT0 + 1);
  AddDouble(fraction->mutable_attributes(), "gen_ai.usage.input_tokens", 52.5);
  // A bad alias is refused even when the preferred key is fine.
  Span* alias = genai(kTrace, "000000000000000d", kT0, kT0 + 1);
  AddInt(alias->mutable_attributes(), "gen_ai.usage.input_tokens", 5);
  AddBool(alias->mutable_attributes(), "gen_ai.usage.prompt_tokens", true);
  genai(kTrace, "000000000000000e", kT0, kT0 + 2);  // good

  const DecodeResult result = DecodeBoth(request);
  EXPECT_EQ(result.spans, 14u);
  EXPECT_EQ(result.rejected, 12u);
  EXPECT_EQ(result.genai_spans, 2u);
  ASSERT_EQ(result.batch.calls.size(), 2u);
  EXPECT_EQ(result.batch.calls[0].id, "0000000000000001");
  EXPECT_EQ(result.batch.calls[1].id, "000000000000000e");
  EXPECT_TRUE(result.batch.scores.empty());
  // The first five reasons, then a count.
  const std::string& m = result.error_message;
  EXPECT_NE(m.find("resourceSpans[0].scopeSpans[0].spans[1] (span 0000000000000002): traceId: "
                   "expected 16 bytes, got 15"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("spans[2]: spanId: expected 8 bytes, got 7"), std::string::npos) << m;
  EXPECT_NE(m.find("spans[3] (span 0000000000000004): endTimeUnixNano"), std::string::npos) << m;
  EXPECT_NE(
      m.find(R"(gen_ai.usage.input_tokens: expected a non-negative integer, got string "abc")"),
      std::string::npos)
      << m;
  EXPECT_NE(m.find("gen_ai.usage.output_tokens: expected a non-negative integer, got int -3"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("; and 7 more"), std::string::npos) << m;

  // The JSON spelling of the broken ids is refused too, with the hex wording.
  auto json = DecodeTraces(ToJson(request), Encoding::kJson, {});
  ASSERT_TRUE(json.has_value());
  EXPECT_NE(json->error_message.find(
                "traceId: expected 32 hex digits, got \"4bf92f3577b34da6a3ce929d0e0e47\""),
            std::string::npos)
      << json->error_message;
}

TEST(OtlpTraces, EachReasonIsReported) {
  const auto reason = [](const std::function<void(Span*)>& change) {
    ExportTraceServiceRequest request;
    Span* s = AddSpan(AddResource(request, "svc"), kTrace, kSpan, "chat", kT0, kT0 + 1);
    AddString(s->mutable_attributes(), "gen_ai.operation.name", "chat");
    change(s);
    const DecodeResult result = DecodeBoth(request);
    EXPECT_EQ(result.rejected, 1u);
    return result.error_message;
  };
  EXPECT_NE(reason([](Span* s) { s->set_span_id(""); }).find("spanId is missing"),
            std::string::npos);
  EXPECT_NE(
      reason([](Span* s) { s->set_trace_id(std::string(16, '\0')); }).find("traceId is all zeros"),
      std::string::npos);
  EXPECT_NE(
      reason([](Span* s) { s->set_start_time_unix_nano(0); }).find("startTimeUnixNano is missing"),
      std::string::npos);
  EXPECT_NE(
      reason([](Span* s) { s->set_end_time_unix_nano(UINT64_MAX); }).find("after the year 2262"),
      std::string::npos);
  EXPECT_NE(
      reason([](Span* s) {
        AddDouble(s->mutable_attributes(), "gen_ai.server.time_to_first_token", -0.5);
      }).find("gen_ai.server.time_to_first_token: expected a non-negative number, got double -0.5"),
      std::string::npos);
  EXPECT_NE(
      reason([](Span* s) {
        auto* e = s->add_events();
        e->set_name("gen_ai.evaluation.result");
        AddString(e->mutable_attributes(), "gen_ai.evaluation.name", "x");
      }).find("event 0 (gen_ai.evaluation.result): neither gen_ai.evaluation.score.value nor"),
      std::string::npos);
  EXPECT_NE(reason([](Span* s) {
              auto* e = s->add_events();
              e->set_name("gen_ai.evaluation.result");
              AddEvaluationAttributes(e->mutable_attributes(), "x", std::nan(""), "", "");
              AddString(e->mutable_attributes(), "gen_ai.evaluation.score.value", "high");
            }).find("gen_ai.evaluation.score.value: expected a finite number, got string \"high\""),
            std::string::npos);
}

TEST(OtlpTraces, InvalidUtf8RejectsOnlyItsSpan) {
  ExportTraceServiceRequest request;
  ResourceSpans* r = AddResource(request, "svc");
  Span* bad = AddSpan(r, kTrace, kSpan, "chat", kT0, kT0 + 1);
  AddString(bad->mutable_attributes(), "gen_ai.request.model", "gpt\xC3(");
  Span* bad_key = AddSpan(r, kTrace, kSpan2, "chat", kT0, kT0 + 1);
  AddString(bad_key->mutable_attributes(), "gen_ai.system", "openai");
  AddString(bad_key->mutable_attributes(), "k\xFF", "v");
  Span* good = AddSpan(r, kTrace, kSpan3, "chat", kT0, kT0 + 1);
  AddString(good->mutable_attributes(), "gen_ai.request.model", "gpt-4o");
  // An HTTP span with bad UTF-8 is ignored, not rejected.
  Span* http = AddSpan(r, kTrace, "0000000000000009", "GET \xFF", kT0, kT0 + 1);
  AddString(http->mutable_attributes(), "http.route", "\xC0\xAF");

  // Protobuf only: JSON cannot carry such bytes (the JSON parser refuses the whole body).
  const std::string body = request.SerializeAsString();
  auto result = DecodeTraces(body, Encoding::kProtobuf, {});
  ASSERT_TRUE(result.has_value()) << result.error().message();
  EXPECT_EQ(result->rejected, 2u);
  EXPECT_EQ(result->ignored, 1u);
  ASSERT_EQ(result->batch.calls.size(), 1u);
  EXPECT_EQ(result->batch.calls[0].request_model, "gpt-4o");
  EXPECT_NE(result->error_message.find("a string value is not valid UTF-8"), std::string::npos);
  EXPECT_NE(result->error_message.find("an attribute key is not valid UTF-8"), std::string::npos);

  std::string json = ToJson(ExampleRequest());
  json.insert(json.find("chat-api"), "\xFF");
  auto from_json = DecodeTraces(json, Encoding::kJson, {});
  ASSERT_FALSE(from_json.has_value());
  EXPECT_EQ(from_json.error().code(), ErrorCode::kParse);
  EXPECT_NE(from_json.error().message().find("UTF-8"), std::string::npos)
      << from_json.error().message();
}

TEST(OtlpTraces, TokenCountsForms) {
  ExportTraceServiceRequest request;
  ResourceSpans* r = AddResource(request, "svc");
  Span* s1 = AddSpan(r, kTrace, "0000000000000001", "chat", kT0, kT0 + 1);
  AddString(s1->mutable_attributes(), "gen_ai.usage.input_tokens", "52");   // a decimal string
  AddDouble(s1->mutable_attributes(), "gen_ai.usage.output_tokens", 47.0);  // an integral double
  AddInt(s1->mutable_attributes(), "gen_ai.usage.reasoning.output_tokens", 7);
  AddInt(s1->mutable_attributes(), "gen_ai.usage.cache_creation.input_tokens", 10);
  AddString(s1->mutable_attributes(), "gen_ai.response.time_to_first_chunk", "0.25");
  AddInt(s1->mutable_attributes(), "gen_ai.usage.cost", 2);
  // Sources that count cache and reasoning tokens apart: the totals are repaired.
  Span* s2 = AddSpan(r, kTrace, "0000000000000002", "chat", kT0, kT0 + 1);
  AddInt(s2->mutable_attributes(), "gen_ai.usage.input_tokens", 10);
  AddInt(s2->mutable_attributes(), "gen_ai.usage.cache_read.input_tokens", 900);
  AddInt(s2->mutable_attributes(), "gen_ai.usage.cache_creation_input_tokens", 100);
  AddInt(s2->mutable_attributes(), "gen_ai.usage.output_tokens", 5);
  AddInt(s2->mutable_attributes(), "gen_ai.usage.reasoning_tokens", 20);
  // Preferred names win over aliases.
  Span* s3 = AddSpan(r, kTrace, "0000000000000003", "chat", kT0, kT0 + 1);
  AddInt(s3->mutable_attributes(), "gen_ai.usage.prompt_tokens", 1);
  AddInt(s3->mutable_attributes(), "gen_ai.usage.input_tokens", 2);
  AddInt(s3->mutable_attributes(), "llm.token_count.prompt", 3);
  AddInt(s3->mutable_attributes(), "gen_ai.usage.completion_tokens", 4);
  AddInt(s3->mutable_attributes(), "llm.usage.reasoning_tokens", 1);
  AddDouble(s3->mutable_attributes(), "gen_ai.server.time_to_first_token", 0.5);
  AddDouble(s3->mutable_attributes(), "gen_ai.response.time_to_first_chunk", 0.4);

  const DecodeResult result = DecodeBoth(request);
  ASSERT_EQ(result.batch.calls.size(), 3u);
  const auto& c1 = result.batch.calls[0];
  EXPECT_EQ(c1.input_tokens, 52);
  EXPECT_EQ(c1.output_tokens, 47);
  EXPECT_EQ(c1.reasoning_tokens, 7);
  EXPECT_EQ(c1.cache_creation_tokens, 10);
  EXPECT_DOUBLE_EQ(c1.ttft_s.value_or(-1), 0.25);
  EXPECT_DOUBLE_EQ(c1.cost_usd.value_or(-1), 2.0);
  const auto& c2 = result.batch.calls[1];
  EXPECT_EQ(c2.input_tokens, 1010);
  EXPECT_EQ(c2.cache_read_tokens, 900);
  EXPECT_EQ(c2.cache_creation_tokens, 100);
  EXPECT_EQ(c2.output_tokens, 25);
  EXPECT_EQ(c2.reasoning_tokens, 20);
  const auto& c3 = result.batch.calls[2];
  EXPECT_EQ(c3.input_tokens, 2);
  EXPECT_EQ(c3.output_tokens, 4);
  EXPECT_EQ(c3.reasoning_tokens, 1);
  EXPECT_DOUBLE_EQ(c3.ttft_s.value_or(-1), 0.4);
}

TEST(OtlpTraces, AttributeStringForms) {
  ExportTraceServiceRequest request;
  Span* s = AddSpan(AddResource(request, "svc"), kTrace, kSpan, "chat", kT0, kT0 + 1);
  auto* a = s->mutable_attributes();
  AddString(a, "gen_ai.operation.name", "chat");
  AddString(a, "s", "text with \"quotes\"");
  AddInt(a, "i", -42);
  AddDouble(a, "d", 1e-7);
  AddBool(a, "b", true);
  AddStrings(a, "gen_ai.request.stop_sequences", {"\n\n", "END"});
  auto* kv = Add(a, "kv")->mutable_kvlist_value();
  KeyValue* k1 = kv->add_values();
  k1->set_key("n");
  k1->mutable_value()->set_int_value(1);
  KeyValue* k2 = kv->add_values();
  k2->set_key("list");
  k2->mutable_value()->mutable_array_value()->add_values()->set_double_value(0.5);
  k2->mutable_value()->mutable_array_value()->add_values();  // an empty value: null
  Add(a, "bytes")->set_bytes_value(std::string("\x00\xFF\x10", 3));
  Add(a, "empty");
  AddString(a, "gen_ai.tool.definitions", "[{\"name\":\"f\"}]");  // content: dropped
  AddString(a, "gen_ai.input.messages", "[]");
  AddString(a, "traceloop.entity.input", "{\"q\":1}");

  const DecodeResult result = DecodeBoth(request);
  ASSERT_EQ(result.batch.calls.size(), 1u);
  const model::Attributes expected = {{"s", "text with \"quotes\""},
                                      {"i", "-42"},
                                      {"d", "1e-07"},
                                      {"b", "true"},
                                      {"gen_ai.request.stop_sequences", "[\"\\n\\n\",\"END\"]"},
                                      {"kv", "{\"n\":1,\"list\":[0.5,null]}"},
                                      {"bytes", "AP8Q"},
                                      {"empty", ""}};
  EXPECT_EQ(result.batch.calls[0].attributes, expected);
}

TEST(OtlpTraces, StructuredMessagesAndSystemInstructions) {
  ExportTraceServiceRequest request;
  Span* s = AddSpan(AddResource(request, "svc"), kTrace, kSpan, "chat", kT0, kT0 + 1);
  auto* a = s->mutable_attributes();
  AddString(a, "gen_ai.operation.name", "chat");
  // gen_ai.input.messages as a structured AnyValue: [{role, parts:[{type, content}]}].
  auto* messages = Add(a, "gen_ai.input.messages")->mutable_array_value();
  auto* message = messages->add_values()->mutable_kvlist_value();
  KeyValue* role = message->add_values();
  role->set_key("role");
  role->mutable_value()->set_string_value("user");
  KeyValue* parts = message->add_values();
  parts->set_key("parts");
  auto* part = parts->mutable_value()->mutable_array_value()->add_values()->mutable_kvlist_value();
  KeyValue* type = part->add_values();
  type->set_key("type");
  type->mutable_value()->set_string_value("text");
  KeyValue* content = part->add_values();
  content->set_key("content");
  content->mutable_value()->set_string_value("Hi");
  AddString(a, "gen_ai.system_instructions", R"([{"type":"text","content":"Be brief."}])");
  AddString(a, "gen_ai.output.messages", "plain text answer");

  Span* s2 = AddSpan(request.mutable_resource_spans(0), kTrace, kSpan2, "chat", kT0, kT0 + 1);
  AddString(s2->mutable_attributes(), "gen_ai.operation.name", "chat");
  AddString(s2->mutable_attributes(), "gen_ai.system_instructions", "You are a pirate.");
  Span* s3 = AddSpan(request.mutable_resource_spans(0), kTrace, kSpan3, "chat", kT0, kT0 + 1);
  AddString(s3->mutable_attributes(), "gen_ai.operation.name", "chat");
  AddString(s3->mutable_attributes(), "gen_ai.input.messages", "[ ]");
  AddString(s3->mutable_attributes(), "gen_ai.system_instructions", "x");

  const DecodeResult result = DecodeBoth(request);
  ASSERT_EQ(result.batch.calls.size(), 3u);
  EXPECT_EQ(result.batch.calls[0].input_text,
            R"([{"role":"system","parts":[{"type":"text","content":"Be brief."}]},)"
            R"({"role":"user","parts":[{"type":"text","content":"Hi"}]}])");
  EXPECT_EQ(result.batch.calls[0].output_text, "plain text answer");
  EXPECT_TRUE(result.batch.calls[0].attributes.empty());
  EXPECT_EQ(result.batch.calls[1].input_text,
            R"([{"role":"system","parts":[{"type":"text","content":"You are a pirate."}]}])");
  EXPECT_EQ(result.batch.calls[2].input_text,
            R"([{"role":"system","parts":[{"type":"text","content":"x"}]} ])");
}

TEST(OtlpTraces, SlicingDimensions) {
  ExportTraceServiceRequest request;
  ResourceSpans* r = AddResource(request, "svc");
  auto* ra = r->mutable_resource()->mutable_attributes();
  AddString(ra, "deployment.environment.name", "staging");
  AddString(ra, "deployment.environment", "ignored-older-name");
  AddString(ra, "yardstick.variant", "B");
  AddString(ra, "yardstick.release", "2026.11.1");
  AddString(ra, "service.version", "9.9.9");
  AddString(ra, "yardstick.route", "/resource-route");
  // Span attributes win over the resource.
  Span* s = AddSpan(r, kTrace, kSpan, "chat", kT0, kT0 + 1);
  auto* a = s->mutable_attributes();
  AddString(a, "gen_ai.operation.name", "chat");
  AddString(a, "yardstick.route", "/answer");
  AddString(a, "yardstick.prompt.name", "answer-v2");
  AddInt(a, "yardstick.prompt.version", 7);
  AddString(a, "gen_ai.conversation.id", "conv-1");
  AddString(a, "session.id", "sess-1");
  AddString(a, "enduser.id", "end-1");
  AddString(a, "langfuse.user.id", "lf-1");
  AddString(a, "deployment.environment", "prod");
  // Fallbacks.
  Span* s2 = AddSpan(r, kTrace, kSpan2, "chat", kT0, kT0 + 1);
  AddString(s2->mutable_attributes(), "gen_ai.operation.name", "chat");
  AddString(s2->mutable_attributes(), "langfuse.observation.prompt.name", "lf-prompt");
  AddInt(s2->mutable_attributes(), "langfuse.observation.prompt.version", 3);
  AddString(s2->mutable_attributes(), "langfuse.session.id", "lf-sess");
  AddString(s2->mutable_attributes(), "traceloop.entity.name",
            "ignored: the resource names a route");
  ExportTraceServiceRequest bare;
  ResourceSpans* r2 = AddResource(bare, "svc");
  AddString(r2->mutable_resource()->mutable_attributes(), "service.version", "1.0");
  Span* s3 = AddSpan(r2, kTrace, kSpan3, "chat", kT0, kT0 + 1);
  AddString(s3->mutable_attributes(), "gen_ai.operation.name", "chat");
  AddString(s3->mutable_attributes(), "traceloop.entity.name", "summarize");
  AddString(s3->mutable_attributes(), "gen_ai.prompt.name", "p");
  AddString(s3->mutable_attributes(), "gen_ai.prompt.version", "v1");

  const DecodeResult result = DecodeBoth(request);
  ASSERT_EQ(result.batch.calls.size(), 2u);
  const auto& c = result.batch.calls[0];
  EXPECT_EQ(c.environment, "prod");
  EXPECT_EQ(c.route, "/answer");
  EXPECT_EQ(c.prompt_name, "answer-v2");
  EXPECT_EQ(c.prompt_version, "7");
  EXPECT_EQ(c.release, "2026.11.1");
  EXPECT_EQ(c.variant, "B");
  EXPECT_EQ(c.conversation_id, "conv-1");
  EXPECT_EQ(c.session_id, "sess-1");
  EXPECT_EQ(c.user_id, "end-1");
  EXPECT_TRUE(c.attributes.empty());
  const auto& c2 = result.batch.calls[1];
  EXPECT_EQ(c2.environment, "staging");
  EXPECT_EQ(c2.route, "/resource-route");
  EXPECT_EQ(c2.prompt_name, "lf-prompt");
  EXPECT_EQ(c2.prompt_version, "3");
  EXPECT_EQ(c2.conversation_id, "lf-sess");
  EXPECT_EQ(c2.session_id, "lf-sess");

  const DecodeResult result2 = DecodeBoth(bare);
  ASSERT_EQ(result2.batch.calls.size(), 1u);
  EXPECT_EQ(result2.batch.calls[0].route, "summarize");
  EXPECT_EQ(result2.batch.calls[0].release, "1.0");
  EXPECT_EQ(result2.batch.calls[0].prompt_name, "p");
  EXPECT_EQ(result2.batch.calls[0].prompt_version, "v1");
  EXPECT_EQ(result2.batch.calls[0].environment, "");
}

TEST(OtlpTraces, FinishReasonForms) {
  ExportTraceServiceRequest request;
  ResourceSpans* r = AddResource(request, "svc");
  Span* s1 = AddSpan(r, kTrace, "0000000000000001", "chat", kT0, kT0 + 1);
  AddStrings(s1->mutable_attributes(), "gen_ai.response.finish_reasons", {"length", "stop"});
  Span* s2 = AddSpan(r, kTrace, "0000000000000002", "chat", kT0, kT0 + 1);
  AddString(s2->mutable_attributes(), "gen_ai.response.finish_reasons", "content_filter");
  Span* s3 = AddSpan(r, kTrace, "0000000000000003", "openai.chat", kT0, kT0 + 1);
  AddString(s3->mutable_attributes(), "gen_ai.completion.1.finish_reason", "length");
  AddString(s3->mutable_attributes(), "gen_ai.completion.0.finish_reason", "stop");
  Span* s4 = AddSpan(r, kTrace, "0000000000000004", "chat", kT0, kT0 + 1);
  AddStrings(s4->mutable_attributes(), "gen_ai.response.finish_reasons", {});

  const DecodeResult result = DecodeBoth(request);
  ASSERT_EQ(result.batch.calls.size(), 4u);
  EXPECT_EQ(result.batch.calls[0].finish_reason, "length");
  EXPECT_EQ(result.batch.calls[1].finish_reason, "content_filter");
  EXPECT_EQ(result.batch.calls[2].finish_reason, "stop");
  EXPECT_EQ(result.batch.calls[3].finish_reason, "");
}

TEST(OtlpTraces, Limits) {
  ExportTraceServiceRequest request;
  ResourceSpans* r = AddResource(request, "svc");
  Span* few = AddSpan(r, kTrace, kSpan, "chat", kT0, kT0 + 1);
  AddString(few->mutable_attributes(), "gen_ai.operation.name", "chat");
  AddString(few->mutable_attributes(), "a", "1");
  AddString(few->mutable_attributes(), "b", "2");
  Span* many = AddSpan(r, kTrace, kSpan2, "chat", kT0, kT0 + 1);
  AddString(many->mutable_attributes(), "gen_ai.operation.name", "chat");
  for (int i = 0; i < 3; ++i) AddInt(many->mutable_attributes(), "k" + std::to_string(i), i);
  Span* big = AddSpan(r, kTrace, kSpan3, "chat", kT0, kT0 + 1);
  AddString(big->mutable_attributes(), "gen_ai.operation.name", "chat");
  AddString(big->mutable_attributes(), "gen_ai.input.messages", std::string(500, 'x'));

  Limits limits;
  limits.max_attributes = 2;
  limits.max_record_bytes = 400;
  const DecodeResult result = DecodeBoth(request, limits);
  EXPECT_EQ(result.rejected, 2u);
  ASSERT_EQ(result.batch.calls.size(), 1u);
  EXPECT_EQ(result.batch.calls[0].id, kSpan);
  EXPECT_NE(result.error_message.find("3 attributes left after mapping; at most 2 are kept"),
            std::string::npos)
      << result.error_message;
  EXPECT_NE(result.error_message.find("bytes of text; at most 400 are accepted"), std::string::npos)
      << result.error_message;
}

TEST(OtlpTraces, EvaluationOnNonGenAiSpan) {
  // openlit.score attaches the evaluation to the current span, which may be an application span.
  ExportTraceServiceRequest request;
  Span* s = AddSpan(AddResource(request, "svc"), kTrace, kSpan, "handle_request", kT0, kT0 + 1);
  AddString(s->mutable_attributes(), "session.id", "sess-5");
  AddString(s->mutable_attributes(), "enduser.id", "u-5");
  AddEvaluationEvent(s, 0, "thumbs", 1.0, "true", "");  // no event time: the span's end
  const DecodeResult result = DecodeBoth(request);
  EXPECT_EQ(result.ignored, 1u);
  EXPECT_EQ(result.genai_spans, 0u);
  EXPECT_TRUE(result.batch.calls.empty());
  ASSERT_EQ(result.batch.scores.size(), 1u);
  EXPECT_EQ(result.batch.scores[0].call_id, kSpan);
  EXPECT_EQ(result.batch.scores[0].time_ns, static_cast<int64_t>(kT0 + 1));
  EXPECT_EQ(result.batch.scores[0].conversation_id, "sess-5");
  EXPECT_EQ(result.batch.scores[0].user_id, "u-5");
}

TEST(OtlpTraces, ScoresInheritConversationAndUser) {
  ExportTraceServiceRequest request;
  Span* s = AddSpan(AddResource(request, "svc"), kTrace, kSpan, "chat", kT0, kT0 + 1);
  AddString(s->mutable_attributes(), "gen_ai.operation.name", "chat");
  AddString(s->mutable_attributes(), "gen_ai.conversation.id", "conv-7");
  AddString(s->mutable_attributes(), "user.id", "u-7");
  AddEvaluationEvent(s, kT0 + 5, "helpfulness", 0.75, "", "clear");
  auto* second = s->add_events();
  second->set_name("gen_ai.evaluation.result");
  second->set_time_unix_nano(kT0 + 6);
  AddEvaluationAttributes(second->mutable_attributes(), "tone", std::nan(""), "polite", "");
  AddString(second->mutable_attributes(), "judge.model", "gpt-4o-mini");
  const DecodeResult result = DecodeBoth(request);
  ASSERT_EQ(result.batch.scores.size(), 2u);
  EXPECT_EQ(result.batch.scores[0].conversation_id, "conv-7");
  EXPECT_EQ(result.batch.scores[0].user_id, "u-7");
  EXPECT_EQ(result.batch.scores[0].comment, "clear");
  EXPECT_FALSE(result.batch.scores[1].value.has_value());
  EXPECT_EQ(result.batch.scores[1].label, "polite");
  const model::Attributes expected = {{"judge.model", "gpt-4o-mini"}};
  EXPECT_EQ(result.batch.scores[1].attributes, expected);
  EXPECT_NE(result.batch.scores[0].id, result.batch.scores[1].id);
}

}  // namespace
}  // namespace yardstick::otlp::testing
