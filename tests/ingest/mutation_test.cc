// Random mutations of valid bodies: the parser never crashes (run under ASan/UBSan by
// scripts/test), and every answer keeps its invariants: records = accepted + rejected, one
// rejection per record in order, paths that start at the root, and UTF-8 text throughout (the
// server writes reasons into JSON).

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "ingest/events.h"
#include "ingest_test_util.h"

namespace yardstick::ingest {
namespace {

bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t n = 0;
    uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      n = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    for (size_t k = 1; k <= n; ++k) {
      if (i + k >= s.size()) return false;
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += n + 1;
  }
  return true;
}

const std::vector<std::string>& Seeds() {
  static const std::vector<std::string> seeds = [] {
    const std::string call =
        R"({"type":"call","id":"c1","trace_id":"0123456789abcdef0123456789abcdef",)"
        R"("span_id":"00f067aa0ba902b7","start_time":"2026-11-26T10:00:00.5+01:00",)"
        R"("end_time":1795687201.5,"ttft_ms":120,"model":"gpt-4o","input_tokens":100,)"
        R"("output_tokens":20,"cache_read_tokens":50,"reasoning_tokens":5,"cost_usd":0.01,)"
        R"("status":"error","error_type":"timeout","input":[{"role":"user","content":"h\u00e9"}],)"
        R"("attributes":{"team":"a","n":1.5,"b":true}})";
    const std::string score =
        R"({"type":"score","name":"thumbs","value":true,"label":"up","call_id":"c1","source":"user","time":1795687200})";
    const std::string outcome =
        R"({"type":"outcome","name":"resolved","value":2,"conversation_id":"k","time":"2026-11-26T10:00:00Z"})";
    return std::vector<std::string>{
        "[" + call + "," + score + "," + outcome + "]",
        call + "\n" + score + "\r\n\n" + outcome + "\n",
        call,
        "[\n  " + call + ",\n  " + outcome + "\n]\n",
    };
  }();
  return seeds;
}

std::string Mutate(std::string body, std::mt19937& rng) {
  static const std::string kAlphabet =
      "{}[]\",:\\ \n\r\t0123456789.eE+-aZtrufnl\xC3\xA9\xFF\x80\x00";
  auto pick = [&](size_t n) {
    return n == 0 ? 0 : std::uniform_int_distribution<size_t>(0, n - 1)(rng);
  };
  const int steps = 1 + static_cast<int>(pick(4));
  for (int s = 0; s < steps && !body.empty(); ++s) {
    const size_t pos = pick(body.size());
    switch (pick(7)) {
      case 0:  // replace a byte
        body[pos] = kAlphabet[pick(kAlphabet.size())];
        break;
      case 1:  // insert a byte
        body.insert(body.begin() + static_cast<std::ptrdiff_t>(pos),
                    kAlphabet[pick(kAlphabet.size())]);
        break;
      case 2:  // delete a range
        body.erase(pos, 1 + pick(16));
        break;
      case 3:  // duplicate a range
        body.insert(pos, body.substr(pick(body.size()), 1 + pick(64)));
        break;
      case 4:  // truncate
        body.resize(pos);
        break;
      case 5:  // flip a bit
        body[pos] = static_cast<char>(body[pos] ^ (1 << pick(8)));
        break;
      default:  // nest
        body.insert(pos, std::string(1 + pick(80), "[{"[pick(2)]));
        break;
    }
  }
  return body;
}

void CheckInvariants(const std::string& body, const Result<ParseResult>& result) {
  if (!result) {
    EXPECT_EQ(result.error().code(), ErrorCode::kParse);
    EXPECT_TRUE(IsValidUtf8(result.error().message())) << body;
    return;
  }
  const ParseResult& r = *result;
  ASSERT_EQ(r.records, r.batch.size() + r.rejections.size()) << body;
  for (size_t i = 0; i < r.rejections.size(); ++i) {
    const auto& rej = r.rejections[i];
    EXPECT_LT(rej.index, r.records);
    if (i > 0) {
      EXPECT_GT(rej.index, r.rejections[i - 1].index);
    }
    ASSERT_FALSE(rej.path.empty());
    EXPECT_EQ(rej.path[0], '$');
    EXPECT_FALSE(rej.reason.empty());
    EXPECT_TRUE(IsValidUtf8(rej.reason)) << body;
    EXPECT_TRUE(IsValidUtf8(rej.path)) << body;
  }
  for (const auto& c : r.batch.calls) {
    EXPECT_GE(c.end_ns, c.start_ns);
    EXPECT_FALSE(c.id.empty());
    EXPECT_TRUE(IsValidUtf8(c.input_text));
    for (const auto& [k, v] : c.attributes) EXPECT_TRUE(IsValidUtf8(k) && IsValidUtf8(v));
  }
  for (const auto& s : r.batch.scores) EXPECT_TRUE(s.value || !s.label.empty());
}

TEST(Mutation, RandomEditsOfValidBodies) {
  std::mt19937 rng(20261126);
  ParseOptions options;
  options.max_record_bytes = 2000;
  options.max_attributes = 8;
  size_t parsed = 0, errors = 0;
  for (const std::string& seed : Seeds()) {
    // The seed itself is valid.
    auto clean = ParseEvents(seed, options);
    ASSERT_TRUE(clean.has_value());
    ASSERT_TRUE(clean->rejections.empty())
        << clean->rejections[0].path << " " << clean->rejections[0].reason;
    for (int i = 0; i < 2500; ++i) {
      const std::string body = Mutate(seed, rng);
      const auto result = ParseEvents(body, options);
      CheckInvariants(body, result);
      (result ? parsed : errors)++;
      if (::testing::Test::HasFailure()) return;
    }
  }
  // Both outcomes are exercised.
  EXPECT_GT(parsed, 1000u);
  EXPECT_GT(errors, 100u);
}

TEST(Mutation, RandomBytes) {
  std::mt19937 rng(7);
  for (int i = 0; i < 3000; ++i) {
    std::string body(std::uniform_int_distribution<size_t>(0, 200)(rng), '\0');
    for (char& c : body) c = static_cast<char>(std::uniform_int_distribution<int>(0, 255)(rng));
    if (i % 3 == 0 && !body.empty()) body[0] = '[';
    if (i % 3 == 1 && !body.empty()) body[0] = '{';
    CheckInvariants(body, ParseEvents(body, {}));
    if (::testing::Test::HasFailure()) return;
  }
}

}  // namespace
}  // namespace yardstick::ingest
