// Body shapes (array, single object, NDJSON, empty), partial success, size limits and
// body-level errors.

#include <gtest/gtest.h>

#include <string>

#include "ingest/events.h"
#include "ingest_test_util.h"

namespace yardstick::ingest {
namespace {

using testing::kMinimalCall;
using testing::MustParse;
using testing::With;

const std::string kCall(kMinimalCall);
const std::string kScore = R"({"type":"score","name":"thumbs","value":1})";
const std::string kOutcome = R"({"type":"outcome","name":"resolved","user_id":"u"})";

std::string ErrorOf(std::string_view body) {
  auto r = ParseEvents(body, {});
  EXPECT_FALSE(r.has_value()) << body;
  if (r) return "";
  EXPECT_EQ(r.error().code(), ErrorCode::kParse);
  return r.error().message();
}

TEST(Body, EmptyAndBlank) {
  for (const char* body : {"", " ", "\n\n", "\r\n \t\n", "\xEF\xBB\xBF", "[]", " [ ] \n"}) {
    const ParseResult r = MustParse(body);
    EXPECT_EQ(r.records, 0u) << body;
    EXPECT_TRUE(r.batch.empty());
    EXPECT_TRUE(r.rejections.empty());
  }
}

TEST(Body, ArrayOfMixedRecords) {
  const ParseResult r = MustParse("[" + kCall + ",\n " + kScore + " , " + kOutcome + "]");
  EXPECT_EQ(r.records, 3u);
  EXPECT_EQ(r.batch.calls.size(), 1u);
  EXPECT_EQ(r.batch.scores.size(), 1u);
  EXPECT_EQ(r.batch.outcomes.size(), 1u);
  EXPECT_TRUE(r.rejections.empty());
}

TEST(Body, SingleObjectEvenWhenPrettyPrinted) {
  ParseResult r = MustParse(kCall);
  EXPECT_EQ(r.records, 1u);
  EXPECT_EQ(r.batch.calls.size(), 1u);
  r = MustParse("\n  {\n  \"type\": \"score\",\n  \"name\": \"thumbs\",\n  \"value\": 1\n}\n\n");
  EXPECT_EQ(r.records, 1u);
  EXPECT_EQ(r.batch.scores.size(), 1u);
  // A rejected single record: the path has no index and no line.
  r = MustParse(With(kCall, "input_tokens", "-1"));
  ASSERT_EQ(r.rejections.size(), 1u);
  EXPECT_EQ(r.rejections[0].path, "$.input_tokens");
  EXPECT_EQ(r.rejections[0].line, 0u);
  EXPECT_EQ(r.rejections[0].index, 0u);
}

TEST(Body, NdjsonWithBlankLinesAndCrlf) {
  const std::string body =
      kCall + "\r\n\r\n" + kScore + "\r\n   \n" + kOutcome;  // no final newline
  const ParseResult r = MustParse(body);
  EXPECT_EQ(r.records, 3u);
  EXPECT_EQ(r.batch.size(), 3u);
  EXPECT_TRUE(r.rejections.empty());
}

TEST(Body, NdjsonRejectionsNameLineAndIndex) {
  const std::string body = "\n" + kCall + "\n" + R"({"type":"score","name":"thumbs","value":"x"})" +
                           "\n\n" + "{\"type\":\"call\", oops}\n" + kOutcome + "\n";
  const ParseResult r = MustParse(body);
  EXPECT_EQ(r.records, 4u);
  EXPECT_EQ(r.batch.calls.size(), 1u);
  EXPECT_EQ(r.batch.outcomes.size(), 1u);
  ASSERT_EQ(r.rejections.size(), 2u);
  EXPECT_EQ(r.rejections[0].index, 1u);
  EXPECT_EQ(r.rejections[0].line, 3u);
  EXPECT_EQ(r.rejections[0].path, "$.value");
  EXPECT_EQ(r.rejections[0].reason, "expected a number or a boolean");
  EXPECT_EQ(r.rejections[1].index, 2u);
  EXPECT_EQ(r.rejections[1].line, 5u);
  EXPECT_EQ(r.rejections[1].path, "$");
  EXPECT_EQ(r.rejections[1].reason.rfind("the line is not valid JSON: ", 0), 0u)
      << r.rejections[1].reason;
}

TEST(Body, NdjsonInvalidUtf8LineIsRejectedAlone) {
  const std::string bad =
      R"({"type":"score","name":"caf)" + std::string("\xC3\x28") + R"(","value":1})";
  const ParseResult r = MustParse(kScore + "\n" + bad + "\n" + kScore + "\n");
  EXPECT_EQ(r.batch.scores.size(), 2u);
  ASSERT_EQ(r.rejections.size(), 1u);
  EXPECT_EQ(r.rejections[0].line, 2u);
  EXPECT_EQ(r.rejections[0].reason, "the line is not valid UTF-8");
}

TEST(Body, NdjsonWithBrokenFirstLine) {
  // The first line is cut off; the rest still counts.
  const ParseResult r = MustParse("{\"type\":\"score\",\"na\n" + kScore + "\n" + kScore);
  EXPECT_EQ(r.records, 3u);
  EXPECT_EQ(r.batch.scores.size(), 2u);
  ASSERT_EQ(r.rejections.size(), 1u);
  EXPECT_EQ(r.rejections[0].line, 1u);
  // Lines that are not objects.
  const ParseResult r2 = MustParse(kScore + "\n[1,2]\n\"text\"\n");
  ASSERT_EQ(r2.rejections.size(), 2u);
  EXPECT_EQ(r2.rejections[0].reason, "expected a JSON object (one record)");
  EXPECT_EQ(r2.rejections[1].line, 3u);
}

TEST(Body, ByteOrderMark) {
  EXPECT_EQ(MustParse("\xEF\xBB\xBF" + kCall).batch.calls.size(), 1u);
  EXPECT_EQ(MustParse("\xEF\xBB\xBF[" + kCall + "]").batch.calls.size(), 1u);
  const ParseResult r = MustParse("\xEF\xBB\xBF" + kCall + "\n" + kScore + "\n");
  EXPECT_EQ(r.batch.size(), 2u);
  EXPECT_TRUE(r.rejections.empty());
}

TEST(Body, MixedGoodAndBadKeepsTheGood) {
  std::string body = "[";
  for (int i = 0; i < 100; ++i) {
    if (i) body += ",";
    body += i % 10 == 3 ? With(kCall, "output_tokens", "-5") : kCall;
  }
  body += "]";
  const ParseResult r = MustParse(body);
  EXPECT_EQ(r.records, 100u);
  EXPECT_EQ(r.batch.calls.size(), 90u);
  ASSERT_EQ(r.rejections.size(), 10u);
  for (size_t k = 0; k < 10; ++k) {
    EXPECT_EQ(r.rejections[k].index, 10 * k + 3);
    EXPECT_EQ(r.rejections[k].path, "$[" + std::to_string(10 * k + 3) + "].output_tokens");
    EXPECT_EQ(r.rejections[k].line, 0u);
  }
}

TEST(Body, RecordOverTheSizeLimit) {
  ParseOptions options;
  options.max_record_bytes = 200;
  const std::string big = With(kCall, "output", "\"" + std::string(300, 'x') + "\"");
  // Array element.
  ParseResult r = MustParse("[" + kCall + "," + big + "," + kCall + "]", options);
  EXPECT_EQ(r.batch.calls.size(), 2u);
  ASSERT_EQ(r.rejections.size(), 1u);
  EXPECT_EQ(r.rejections[0].path, "$[1]");
  EXPECT_EQ(r.rejections[0].reason,
            "the record is " + std::to_string(big.size()) + " bytes; the limit is 200");
  // NDJSON line.
  r = MustParse(kCall + "\n" + big + "\n", options);
  ASSERT_EQ(r.rejections.size(), 1u);
  EXPECT_EQ(r.rejections[0].line, 2u);
  EXPECT_EQ(r.rejections[0].path, "$");
  // Single object.
  r = MustParse(big, options);
  ASSERT_EQ(r.rejections.size(), 1u);
  EXPECT_EQ(r.records, 1u);
  // Default limit of 1 MiB: a 2 MiB record is refused, a 900 KB one is read.
  const std::string huge = With(kCall, "output", "\"" + std::string(2 << 20, 'y') + "\"");
  r = MustParse(kCall + "\n" + huge + "\n" + kCall + "\n");
  EXPECT_EQ(r.batch.calls.size(), 2u);
  ASSERT_EQ(r.rejections.size(), 1u);
  const std::string large = With(kCall, "output", "\"" + std::string(900'000, 'z') + "\"");
  r = MustParse("[" + large + "," + kCall + "]");
  ASSERT_EQ(r.batch.calls.size(), 2u);
  EXPECT_EQ(r.batch.calls[0].output_text.size(), 900'000u);
}

TEST(Body, MalformedArrayIsABodyError) {
  EXPECT_EQ(ErrorOf("[" + kCall), "malformed JSON array at byte " +
                                      std::to_string(kCall.size() + 1) + " (line 1, column " +
                                      std::to_string(kCall.size() + 2) +
                                      "): the array is not closed (expected ']')");
  EXPECT_EQ(ErrorOf("[" + kCall + "\n" + kCall + "]"),
            "malformed JSON array at byte " + std::to_string(kCall.size() + 2) +
                " (line 2, column 1): expected ',' or ']' after a record");
  EXPECT_EQ(ErrorOf("[" + kCall + ",]"),
            "malformed JSON array at byte " + std::to_string(kCall.size() + 2) +
                " (line 1, column " + std::to_string(kCall.size() + 3) + "): expected a record");
  EXPECT_EQ(ErrorOf("[" + kCall + "] x"),
            "malformed JSON array at byte " + std::to_string(kCall.size() + 3) +
                " (line 1, column " + std::to_string(kCall.size() + 4) +
                "): unexpected data after the array");
  EXPECT_EQ(ErrorOf("[{\"type\":\"call\"\n"),
            "malformed JSON array at byte 1 (line 1, column 2): unterminated record (a '}' or "
            "']' is missing)");
  EXPECT_EQ(ErrorOf("[\n{\"type\":\"ca\nll\"}]"),
            "malformed JSON array at byte 10 (line 2, column 9): unterminated string");
  // Balanced brackets but bad JSON inside a record: the parser's reason and the record's place.
  const std::string message = ErrorOf("[" + kCall + ",\n{\"type\" \"call\"}]");
  EXPECT_EQ(message.rfind("the body is not valid JSON: ", 0), 0u) << message;
  EXPECT_NE(message.find("(record 1 at byte " + std::to_string(kCall.size() + 3) +
                         " (line 2, column 1))"),
            std::string::npos)
      << message;
  // Invalid UTF-8 inside an array makes the whole body unreadable.
  EXPECT_EQ(ErrorOf("[{\"type\":\"score\",\"name\":\"\xFF\",\"value\":1}]"),
            "the body is not valid UTF-8 (record 0 at byte 1 (line 1, column 2))");
}

TEST(Body, MalformedSingleObjectIsABodyError) {
  for (const char* body : {"{\"type\": \"call\"", "{\"type\": \"call\",}", "{\"type\" 1}",
                           "\n  {\"type\": \"call\" \n"}) {
    const std::string message = ErrorOf(body);
    EXPECT_EQ(message.rfind("the body is not valid JSON: ", 0), 0u) << message;
  }
  EXPECT_NE(ErrorOf("\n  {\"type\": \"call\" \n").find("(byte 3 (line 2, column 3))"),
            std::string::npos);
}

TEST(Body, ScalarBodies) {
  EXPECT_EQ(ErrorOf("42"), "expected a JSON array of records, one record (an object), or NDJSON");
  EXPECT_EQ(ErrorOf("\"call\""),
            "expected a JSON array of records, one record (an object), or NDJSON");
  EXPECT_NE(ErrorOf("garbage").find("the body is not valid JSON"), std::string::npos);
  // Several lines of junk are NDJSON with every line rejected.
  const ParseResult r = MustParse("garbage\nmore garbage\n");
  EXPECT_EQ(r.records, 2u);
  EXPECT_EQ(r.rejections.size(), 2u);
}

TEST(Body, DeeplyNestedJunk) {
  const std::string deep = std::string(100'000, '[') + std::string(100'000, ']');
  EXPECT_NE(ErrorOf("[" + deep + "]").find("nested more than 64 levels deep"), std::string::npos);
  const std::string deep_value = With(kCall, "input", std::string(70, '[') + std::string(70, ']'));
  const ParseResult r = MustParse(kCall + "\n" + deep_value + "\n");
  ASSERT_EQ(r.rejections.size(), 1u);
  EXPECT_EQ(r.rejections[0].reason, "the line is not valid JSON: nested more than 64 levels deep");
  // Nesting that fits is stored as text.
  const std::string ok_value = With(kCall, "input", std::string(30, '[') + std::string(30, ']'));
  EXPECT_EQ(MustParse(ok_value).batch.calls.at(0).input_text,
            std::string(30, '[') + std::string(30, ']'));
  // Brackets spread over lines read as one (bad) value: the body is unreadable.
  EXPECT_EQ(
      ErrorOf(std::string(5000, '{') + "\n" + std::string(5000, '}') + "\n").rfind("the body", 0),
      0u);
}

}  // namespace
}  // namespace yardstick::ingest

namespace yardstick::ingest {
namespace {

TEST(Origins, AcceptedRecordsKnowWhereTheyCameFrom) {
  ParseOptions options;
  options.now_ns = 1;
  auto array = ParseEvents(
      R"([{"type":"score","name":"a","value":1},{"type":"bogus"},)"
      R"({"type":"outcome","name":"o","user_id":"u"},{"type":"score","name":"b","value":2}])",
      options);
  ASSERT_TRUE(array.has_value());
  ASSERT_EQ(array->score_origins.size(), 2u);
  EXPECT_EQ(array->score_origins[0].index, 0u);
  EXPECT_EQ(array->score_origins[1].index, 3u);
  EXPECT_EQ(array->score_origins[1].path, "$[3]");
  ASSERT_EQ(array->outcome_origins.size(), 1u);
  EXPECT_EQ(array->outcome_origins[0].index, 2u);
  auto ndjson = ParseEvents(
      "{\"type\":\"score\",\"name\":\"a\",\"value\":1}\n\n"
      "{\"type\":\"score\",\"name\":\"b\",\"value\":1}\n",
      options);
  ASSERT_TRUE(ndjson.has_value());
  ASSERT_EQ(ndjson->score_origins.size(), 2u);
  EXPECT_EQ(ndjson->score_origins[1].line, 3u);
  EXPECT_EQ(ndjson->score_origins[1].path, "$");
}

}  // namespace
}  // namespace yardstick::ingest
