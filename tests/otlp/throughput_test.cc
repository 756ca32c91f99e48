// Decoding throughput of typical GenAI spans. Disabled by default; run with
//   yardstick_otlp_tests --gtest_also_run_disabled_tests --gtest_filter='*Throughput*'
// Each request holds 1,000 spans shaped like the semantic-conventions example (16 attributes,
// a JSON message string in and out, half of them with an evaluation event) plus 200 HTTP spans
// that are ignored. It prints spans/s per second of the thread's CPU time (steadier than wall
// time on a shared machine) and of wall time, best of 5 rounds.

#include <gtest/gtest.h>
#include <time.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "otlp_payloads.h"

namespace yardstick::otlp::testing {
namespace {

ExportTraceServiceRequest TypicalRequest(uint64_t seed) {
  ExportTraceServiceRequest request;
  ResourceSpans* r = AddResource(request, "chat-api");
  AddString(r->mutable_resource()->mutable_attributes(), "deployment.environment.name", "prod");
  AddString(r->mutable_resource()->mutable_attributes(), "telemetry.sdk.language", "python");
  const uint64_t t0 = 1765432100000000000ULL;
  for (uint64_t i = 0; i < 1200; ++i) {
    char span_id[17];
    std::snprintf(span_id, sizeof span_id, "%016llx",
                  static_cast<unsigned long long>(seed * 100000 + i + 1));
    Span* s = AddSpan(r, "4bf92f3577b34da6a3ce929d0e0e4736", span_id,
                      i < 1000 ? "chat gpt-4o-mini" : "GET /v1/chat", t0 + i * 1000,
                      t0 + i * 1000 + 900000000);
    auto* a = s->mutable_attributes();
    if (i >= 1000) {
      AddString(a, "http.request.method", "GET");
      AddInt(a, "http.response.status_code", 200);
      AddString(a, "url.path", "/v1/chat");
      continue;
    }
    s->set_parent_span_id(HexBytes("00f067aa0ba902b7"));
    AddString(a, "gen_ai.operation.name", "chat");
    AddString(a, "gen_ai.provider.name", "openai");
    AddString(a, "gen_ai.request.model", "gpt-4o-mini");
    AddDouble(a, "gen_ai.request.temperature", 0.2);
    AddInt(a, "gen_ai.request.max_tokens", 200);
    AddString(a, "gen_ai.response.model", "gpt-4o-mini-2024-07-18");
    AddString(a, "gen_ai.response.id", "chatcmpl-9J3uIL87gldCFtiIbyaOvTeYBRA3l");
    AddStrings(a, "gen_ai.response.finish_reasons", {"stop"});
    AddInt(a, "gen_ai.usage.input_tokens", 52 + static_cast<int64_t>(i));
    AddInt(a, "gen_ai.usage.output_tokens", 47);
    AddInt(a, "gen_ai.usage.cache_read.input_tokens", 0);
    AddString(a, "server.address", "api.openai.com");
    AddInt(a, "server.port", 443);
    AddString(a, "gen_ai.conversation.id", "conv-" + std::to_string(i % 50));
    AddString(
        a, "gen_ai.input.messages",
        R"([{"role":"user","parts":[{"type":"text","content":"Tell me a joke about cats"}]}])");
    AddString(a, "gen_ai.output.messages",
              R"([{"role":"assistant","parts":[{"type":"text","content":"Why did the cat sit on )"
              R"(the computer? To keep an eye on the mouse."}],"finish_reason":"stop"}])");
    if (i % 2 == 0) AddEvaluationEvent(s, t0 + i * 1000 + 950000000, "relevance", 4, "ok", "");
    s->mutable_status()->set_code(opentelemetry::proto::trace::v1::Status::STATUS_CODE_OK);
  }
  return request;
}

void Measure(Encoding encoding) {
  std::vector<std::string> bodies;
  size_t bytes = 0;
  for (uint64_t b = 0; b < 50; ++b) {
    const ExportTraceServiceRequest request = TypicalRequest(b);
    bodies.push_back(encoding == Encoding::kJson ? ToJson(request) : request.SerializeAsString());
    bytes += bodies.back().size();
  }
  const auto cpu_now = [] {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
  };
  double best = 1e9;
  double best_cpu = 1e9;
  size_t spans = 0;
  for (int round = 0; round < 5; ++round) {
    const double cpu_start = cpu_now();
    const auto start = std::chrono::steady_clock::now();
    spans = 0;
    for (const auto& body : bodies) {
      auto r = DecodeTraces(body, encoding, {});
      ASSERT_TRUE(r.has_value());
      ASSERT_EQ(r->batch.calls.size(), 1000u);
      ASSERT_EQ(r->batch.scores.size(), 500u);
      spans += r->spans;
    }
    best = std::min(
        best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    best_cpu = std::min(best_cpu, cpu_now() - cpu_start);
  }
  std::printf(
      "%s: %.0f spans/s of CPU time (%.0f MB/s), %.0f spans/s of wall time; %.0f bytes/span "
      "(best of 5 rounds of %zu spans)\n",
      encoding == Encoding::kJson ? "JSON" : "protobuf", static_cast<double>(spans) / best_cpu,
      static_cast<double>(bytes) / best_cpu / 1e6, static_cast<double>(spans) / best,
      static_cast<double>(bytes) / static_cast<double>(spans), spans);
}

TEST(OtlpSpeed, DISABLED_Throughput) {
  Measure(Encoding::kProtobuf);
  Measure(Encoding::kJson);
}

}  // namespace
}  // namespace yardstick::otlp::testing
