#include "ingest/events.h"

#include <simdjson.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "ingest/body_reader.h"
#include "ingest/record_decoder.h"

namespace yardstick::ingest {
namespace {

using internal::BodyFormat;
using internal::RecordSpan;

// Records nest little; deeper JSON is junk and is refused by the parser.
constexpr size_t kMaxDepth = 64;
constexpr size_t kInitialCapacity = size_t{64} << 10;

std::string RecordPath(BodyFormat format, size_t index, std::string_view suffix) {
  std::string path = "$";
  if (format == BodyFormat::kArray) path += "[" + std::to_string(index) + "]";
  path += suffix;
  return path;
}

std::string JsonErrorReason(simdjson::error_code error) {
  switch (error) {
    case simdjson::UTF8_ERROR:
      return "not valid UTF-8";
    case simdjson::DEPTH_ERROR:
      return "not valid JSON: nested more than " + std::to_string(kMaxDepth) + " levels deep";
    default:
      return std::string("not valid JSON: ") + simdjson::error_message(error);
  }
}

}  // namespace

const char* RecordTypeName(RecordType type) {
  switch (type) {
    case RecordType::kCall:
      return "call";
    case RecordType::kScore:
      return "score";
    case RecordType::kOutcome:
      return "outcome";
  }
  return "?";
}

Result<ParseResult> ParseEvents(std::string_view body, const ParseOptions& options) {
  std::vector<RecordSpan> spans;
  auto format = internal::SplitBody(body, spans);
  if (!format) return std::unexpected(format.error());

  ParseResult result;
  result.records = spans.size();
  if (spans.empty()) return result;

  simdjson::dom::parser parser;
  if (auto error = parser.allocate(kInitialCapacity, kMaxDepth)) {
    return MakeError(ErrorCode::kInternal, std::string("cannot allocate the JSON parser: ") +
                                               simdjson::error_message(error));
  }
  internal::RecordDecoder decoder(options);
  auto reject = [&](size_t index, const RecordSpan& span, std::string_view path_suffix,
                    std::string reason) {
    result.rejections.push_back(
        {index, span.line, RecordPath(*format, index, path_suffix), std::move(reason)});
  };

  for (size_t i = 0; i < spans.size(); ++i) {
    const RecordSpan& span = spans[i];
    if (span.text.size() > options.max_record_bytes) {
      reject(i, span, "",
             "the record is " + std::to_string(span.text.size()) + " bytes; the limit is " +
                 std::to_string(options.max_record_bytes));
      continue;
    }
    // Grow the parser geometrically rather than to each larger record's exact size.
    if (span.text.size() > parser.capacity()) {
      const size_t capacity = std::max(span.text.size(), 2 * parser.capacity());
      if (auto error = parser.allocate(capacity, kMaxDepth)) {
        return MakeError(ErrorCode::kInternal, std::string("cannot allocate the JSON parser: ") +
                                                   simdjson::error_message(error));
      }
    }
    simdjson::dom::element record;
    if (auto error = parser.parse(span.text.data(), span.text.size()).get(record)) {
      if (*format == BodyFormat::kNdjson) {
        reject(i, span, "", "the line is " + JsonErrorReason(error));
        continue;
      }
      // In an array or a single-object body, bad JSON makes the whole body unreadable.
      std::string where = internal::DescribeOffset(body, span.offset);
      if (*format == BodyFormat::kArray) where = "record " + std::to_string(i) + " at " + where;
      return MakeError(ErrorCode::kParse,
                       "the body is " + JsonErrorReason(error) + " (" + where + ")");
    }
    if (*format == BodyFormat::kObject && !record.is_object()) {
      return MakeError(ErrorCode::kParse,
                       "expected a JSON array of records, one record (an object), or NDJSON");
    }
    const size_t calls = result.batch.calls.size(), scores = result.batch.scores.size(),
                 outcomes = result.batch.outcomes.size();
    if (auto problem = decoder.Decode(record, result.batch)) {
      reject(i, span, problem->path, std::move(problem->reason));
    } else {
      Origin origin{i, span.line, RecordPath(*format, i, "")};
      if (result.batch.calls.size() > calls) {
        result.call_origins.push_back(std::move(origin));
      } else if (result.batch.scores.size() > scores) {
        result.score_origins.push_back(std::move(origin));
      } else if (result.batch.outcomes.size() > outcomes) {
        result.outcome_origins.push_back(std::move(origin));
      }
    }
  }
  return result;
}

}  // namespace yardstick::ingest
