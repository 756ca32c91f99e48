// OTLP/HTTP through the real server: JSON and protobuf (gzip), OpenLLMetry- and OpenLIT-shaped
// spans, evaluation results from span events and log records, partial success.

#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "otlp_payloads.h"
#include "support/gzip.h"
#include "support/server_process.h"

namespace yardstick::testing {
namespace {

using nlohmann::json;
namespace otlp_test = yardstick::otlp::testing;

constexpr const char* kAdminKey = "test-admin-key-0123456789abcdef";

class OtlpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = MakeTempDir("yardstick-otlp-server-test");
    ServerProcess::Options o;
    o.binary = YARDSTICK_BINARY;
    o.data_dir = root_ + "/data";
    o.env = {{"YARDSTICK_ADMIN_KEY", kAdminKey}};
    server_ = std::make_unique<ServerProcess>(o);
    const std::string err = server_->Start();
    ASSERT_EQ(err, "") << err;
    httplib::Client c("127.0.0.1", server_->port());
    auto res = c.Post("/v1/projects", {{"Authorization", std::string("Bearer ") + kAdminKey}},
                      R"({"name":"llm-app"})", "application/json");
    ASSERT_TRUE(res);
    key_ = json::parse(res->body)["key"];
  }
  void TearDown() override {
    server_->Stop();
    std::filesystem::remove_all(root_);
  }
  httplib::Result Post(const std::string& path, const std::string& body, const std::string& type,
                       bool gzip = false) {
    httplib::Client c("127.0.0.1", server_->port());
    httplib::Headers h = {{"Authorization", "Bearer " + key_}};
    if (gzip) h.emplace("Content-Encoding", "gzip");
    return c.Post(path.c_str(), h, gzip ? Gzip(body) : body, type.c_str());
  }
  json Get(const std::string& path) {
    httplib::Client c("127.0.0.1", server_->port());
    auto res = c.Get(path.c_str(), {{"Authorization", "Bearer " + key_}});
    EXPECT_TRUE(res);
    EXPECT_EQ(res->status, 200) << res->body;
    return json::parse(res->body);
  }

  std::string root_;
  std::string key_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(OtlpServerTest, SemanticConventionsJsonBecomesACallAndAScore) {
  std::ifstream in(std::string(YARDSTICK_OTLP_TEST_DATA) + "/semconv_example.json");
  std::stringstream ss;
  ss << in.rdbuf();
  auto res = Post("/v1/traces", ss.str(), "application/json");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(res->get_header_value("Content-Type"), "application/json");
  EXPECT_FALSE(json::parse(res->body).contains("partialSuccess")) << res->body;
  auto calls = Get("/v1/calls");
  ASSERT_EQ(calls["calls"].size(), 1u);
  const auto& call = calls["calls"][0];
  EXPECT_EQ(call["id"], "00f067aa0ba902b7");
  EXPECT_EQ(call["trace_id"], "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(call["request_model"], "gpt-4o-mini");
  EXPECT_EQ(call["provider"], "openai");
  EXPECT_EQ(call["service"], "chat-api");
  EXPECT_EQ(call["duration_ms"], 1250.0);
  EXPECT_TRUE(call.contains("cost_usd"));  // priced from the built-in table
  auto scores = Get("/v1/scores");
  ASSERT_GE(scores["scores"].size(), 1u);
  EXPECT_EQ(scores["scores"][0]["call_id"], "00f067aa0ba902b7");
  // Sending the same export again stores nothing new (ids are the span ids).
  res = Post("/v1/traces", ss.str(), "application/json");
  ASSERT_EQ(res->status, 200);
  EXPECT_EQ(Get("/v1/calls")["calls"].size(), 1u);
}

TEST_F(OtlpServerTest, OpenLlmetryProtobufWithGzipAndPartialSuccess) {
  otlp_test::ExportTraceServiceRequest req;
  auto* resource = otlp_test::AddResource(req, "support-bot");
  const uint64_t t0 = static_cast<uint64_t>(std::time(nullptr) - 600) * 1'000'000'000ull;
  for (int i = 0; i < 20; ++i) {
    char span_id[17];
    std::snprintf(span_id, sizeof span_id, "%016x", 0x1000 + i);
    auto* span = otlp_test::AddSpan(resource, "0af7651916cd43dd8448eb211c80319c", span_id,
                                    "openai.chat", t0 + static_cast<uint64_t>(i) * 1'000'000'000,
                                    t0 + static_cast<uint64_t>(i) * 1'000'000'000 + 400'000'000);
    otlp_test::AddString(span->mutable_attributes(), "gen_ai.system", "openai");
    otlp_test::AddString(span->mutable_attributes(), "llm.request.type", "chat");
    otlp_test::AddString(span->mutable_attributes(), "gen_ai.request.model", "gpt-4o");
    otlp_test::AddInt(span->mutable_attributes(), "gen_ai.usage.prompt_tokens", 100 + i);
    otlp_test::AddInt(span->mutable_attributes(), "gen_ai.usage.completion_tokens", 20);
    otlp_test::AddString(span->mutable_attributes(), "gen_ai.prompt.0.role", "user");
    otlp_test::AddString(span->mutable_attributes(), "gen_ai.prompt.0.content",
                         "My card is 4111 1111 1111 1111, call me on +1 415 555 0100");
  }
  // A span that is not GenAI (ignored) and one with a broken token count (rejected).
  otlp_test::AddSpan(resource, "0af7651916cd43dd8448eb211c80319c", "00000000000000aa",
                     "GET /health", t0, t0 + 1000);
  auto* bad = otlp_test::AddSpan(resource, "0af7651916cd43dd8448eb211c80319c", "00000000000000bb",
                                 "openai.chat", t0, t0 + 1000);
  otlp_test::AddString(bad->mutable_attributes(), "gen_ai.system", "openai");
  otlp_test::AddString(bad->mutable_attributes(), "gen_ai.usage.prompt_tokens", "abc");
  auto res = Post("/v1/traces", req.SerializeAsString(), "application/x-protobuf", true);
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(res->get_header_value("Content-Type"), "application/x-protobuf");
  opentelemetry::proto::collector::trace::v1::ExportTraceServiceResponse reply;
  ASSERT_TRUE(reply.ParseFromString(res->body));
  EXPECT_EQ(reply.partial_success().rejected_spans(), 1);
  EXPECT_FALSE(reply.partial_success().error_message().empty());

  const std::string range = "from=" + std::to_string(t0 / 1'000'000'000 - 60) +
                            "&to=" + std::to_string(t0 / 1'000'000'000 + 120);
  auto kpi = Get("/v1/kpis/calls?" + range + "&group_by=model");
  ASSERT_EQ(kpi["series"].size(), 1u);
  EXPECT_EQ(kpi["series"][0]["group"]["model"], "gpt-4o");
  EXPECT_EQ(kpi["series"][0]["points"][0]["value"], 20.0);
  auto tokens = Get("/v1/kpis/input_tokens?" + range);
  EXPECT_EQ(tokens["series"][0]["points"][0]["value"], 20 * 100 + 190.0);
  // Content was redacted before it was stored.
  auto calls = Get("/v1/calls?limit=1");
  const std::string input = calls["calls"][0]["input"];
  EXPECT_EQ(input.find("4111"), std::string::npos) << input;
  EXPECT_EQ(input.find("555 0100"), std::string::npos) << input;
  EXPECT_NE(input.find("[REDACTED:card]"), std::string::npos) << input;
}

TEST_F(OtlpServerTest, EvaluationLogRecordsBecomeScoresAndBadBodiesAre4xx) {
  otlp_test::ExportLogsServiceRequest logs;
  auto* resource = otlp_test::AddResource(logs, "chat-api");
  const uint64_t t = static_cast<uint64_t>(std::time(nullptr) - 60) * 1'000'000'000ull;
  auto* rec = otlp_test::AddLog(resource, "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7",
                                "gen_ai.evaluation.result", t);
  otlp_test::AddEvaluationAttributes(rec->mutable_attributes(), "relevance", 0.8, "pass",
                                     "on topic");
  auto res = Post("/v1/logs", otlp_test::ToJson(logs), "application/json");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  auto scores = Get("/v1/scores?name=relevance");
  ASSERT_EQ(scores["scores"].size(), 1u);
  EXPECT_EQ(scores["scores"][0]["value"], 0.8);
  EXPECT_EQ(scores["scores"][0]["label"], "pass");
  EXPECT_EQ(scores["scores"][0]["source"], "judge");

  res = Post("/v1/traces", "{\"resourceSpans\": [", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_TRUE(json::parse(res->body).contains("message")) << res->body;
  res = Post("/v1/traces", "\x0a\xff\xff", "application/x-protobuf");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  res = Post("/v1/traces", "{}", "text/plain");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 415);
  // The admin key must name the project for OTLP; a project key needs nothing.
  httplib::Client c("127.0.0.1", server_->port());
  auto admin = c.Post("/v1/traces", {{"Authorization", std::string("Bearer ") + kAdminKey}}, "{}",
                      "application/json");
  ASSERT_TRUE(admin);
  EXPECT_EQ(admin->status, 400);
}

}  // namespace
}  // namespace yardstick::testing
