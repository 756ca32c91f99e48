// The decoders survive random mutations of valid bodies (bit flips, byte changes, insertions,
// deletions, duplicated and truncated ranges): every outcome is a clean Error or a result whose
// records keep the module's invariants. Run under ASan/UBSan by scripts/test.

#include <gtest/gtest.h>
#include <simdjson.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "otlp_payloads.h"

namespace yardstick::otlp::testing {
namespace {

bool IsLowerHex(std::string_view s, size_t digits) {
  return s.size() == digits && s.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

bool Utf8(std::string_view s) { return simdjson::validate_utf8(s.data(), s.size()); }

// Checks what a successful decode promises, whatever the input was.
void CheckInvariants(const DecodeResult& r, bool traces) {
  if (traces) {
    EXPECT_EQ(r.spans, r.genai_spans + r.ignored + r.rejected);
    EXPECT_EQ(r.batch.calls.size(), r.genai_spans);
  } else {
    EXPECT_EQ(r.log_records, r.batch.scores.size() + r.ignored + r.rejected);
    EXPECT_TRUE(r.batch.calls.empty());
  }
  EXPECT_EQ(r.rejected == 0, r.error_message.empty());
  for (const model::Call& c : r.batch.calls) {
    EXPECT_TRUE(IsLowerHex(c.id, 16)) << c.id;
    EXPECT_EQ(c.id, c.span_id);
    EXPECT_TRUE(IsLowerHex(c.trace_id, 32));
    EXPECT_TRUE(c.parent_span_id.empty() || IsLowerHex(c.parent_span_id, 16));
    EXPECT_GT(c.start_ns, 0);
    EXPECT_GE(c.end_ns, c.start_ns);
    for (const int64_t t : {c.input_tokens, c.output_tokens, c.cache_read_tokens,
                            c.cache_creation_tokens, c.reasoning_tokens}) {
      EXPECT_GE(t, -1);
    }
    EXPECT_GE(c.cost_usd.value_or(0.0), 0.0);
    EXPECT_GE(c.ttft_s.value_or(0.0), 0.0);
    for (const std::string* s :
         {&c.operation, &c.provider, &c.request_model, &c.response_model, &c.service,
          &c.environment, &c.route, &c.conversation_id, &c.user_id, &c.error_type, &c.finish_reason,
          &c.input_text, &c.output_text}) {
      EXPECT_TRUE(Utf8(*s));
    }
    for (const auto& [k, v] : c.attributes) EXPECT_TRUE(Utf8(k) && Utf8(v));
  }
  for (const model::Score& s : r.batch.scores) {
    EXPECT_TRUE(IsLowerHex(s.id, 32));
    EXPECT_FALSE(s.name.empty());
    EXPECT_TRUE(s.value.has_value() || !s.label.empty());
    EXPECT_TRUE(std::isfinite(s.value.value_or(0.0)));
    EXPECT_GT(s.time_ns, 0);
    EXPECT_TRUE(s.call_id.empty() || IsLowerHex(s.call_id, 16));
    EXPECT_TRUE(Utf8(s.name) && Utf8(s.label) && Utf8(s.comment));
    for (const auto& [k, v] : s.attributes) EXPECT_TRUE(Utf8(k) && Utf8(v));
  }
}

void Mutate(std::mt19937_64& rng, std::string& body, bool json) {
  static const char kJsonBytes[] = "{}[]\":,0123456789-.eE \\tnu";
  const auto pos = [&](size_t extra) { return body.empty() ? 0 : rng() % (body.size() + extra); };
  const auto byte = [&]() -> char {
    if (json && rng() % 2 == 0) return kJsonBytes[rng() % (sizeof kJsonBytes - 1)];
    return static_cast<char>(rng() % 256);
  };
  switch (rng() % 6) {
    case 0:  // flip a bit
      if (!body.empty()) body[pos(0)] ^= static_cast<char>(1 << (rng() % 8));
      break;
    case 1:  // set a byte
      if (!body.empty()) body[pos(0)] = byte();
      break;
    case 2:  // insert bytes
      body.insert(pos(1), 1 + rng() % 3, byte());
      break;
    case 3: {  // delete a range
      if (body.empty()) break;
      const size_t at = pos(0);
      body.erase(at, 1 + rng() % 8);
      break;
    }
    case 4: {  // duplicate a range
      if (body.empty()) break;
      const size_t at = pos(0);
      const std::string chunk = body.substr(at, 1 + rng() % 32);
      body.insert(pos(1), chunk);
      break;
    }
    default:  // truncate
      body.resize(pos(1));
  }
}

std::vector<std::string> Seeds(bool json, bool traces) {
  std::mt19937_64 rng(99);
  std::vector<std::string> seeds;
  for (int i = 0; i < 12; ++i) {
    if (traces) {
      const ExportTraceServiceRequest r = RandomTraces(rng);
      seeds.push_back(json ? ToJson(r) : r.SerializeAsString());
    } else {
      const ExportLogsServiceRequest r = RandomLogs(rng);
      seeds.push_back(json ? ToJson(r) : r.SerializeAsString());
    }
  }
  return seeds;
}

void Fuzz(Encoding encoding, bool traces, int iterations) {
  const bool json = encoding == Encoding::kJson;
  const std::vector<std::string> seeds = Seeds(json, traces);
  std::mt19937_64 rng(traces ? 1234 : 5678);
  size_t ok = 0;
  Limits limits;
  limits.max_attributes = 8;
  for (int i = 0; i < iterations; ++i) {
    std::string body = seeds[rng() % seeds.size()];
    const int mutations = 1 + static_cast<int>(rng() % 4);
    for (int m = 0; m < mutations; ++m) Mutate(rng, body, json);
    // Decode as the intended signal and as the other one.
    for (const bool as_traces : {traces, !traces}) {
      auto r =
          as_traces ? DecodeTraces(body, encoding, limits) : DecodeLogs(body, encoding, limits);
      if (!r) {
        EXPECT_EQ(r.error().code(), ErrorCode::kParse);
        EXPECT_FALSE(r.error().message().empty());
        continue;
      }
      if (as_traces == traces) ++ok;
      CheckInvariants(*r, as_traces);
    }
    if (::testing::Test::HasFailure()) {
      ADD_FAILURE() << "iteration " << i;
      return;
    }
  }
  // Some mutants still decode (protobuf tolerates most single-byte changes inside strings).
  EXPECT_GT(ok, static_cast<size_t>(iterations / 50));
}

TEST(OtlpMutation, ProtobufTraces) { Fuzz(Encoding::kProtobuf, true, 3000); }
TEST(OtlpMutation, ProtobufLogs) { Fuzz(Encoding::kProtobuf, false, 2000); }
TEST(OtlpMutation, JsonTraces) { Fuzz(Encoding::kJson, true, 3000); }
TEST(OtlpMutation, JsonLogs) { Fuzz(Encoding::kJson, false, 2000); }

}  // namespace
}  // namespace yardstick::otlp::testing
