#pragma once
// The native event format: request bodies of `POST /v1/events` and `POST /v1/scores` become
// calls, scores and outcomes (src/model/records.h). The format is documented field by field in
// docs/api.md ("Event records"); this header is its parser.
//
// A body is one of
//   - a JSON array of records:   [{"type": "call", ...}, {"type": "score", ...}]
//   - a single record:           {"type": "call", ...}   (may span several lines)
//   - NDJSON, one record a line: {"type": "call", ...}\n{"type": "score", ...}\n
// told apart by the first non-blank byte and by whether the body is one JSON value.
//
// Partial success: a record that breaks the schema (unknown field, wrong type, missing required
// field, too large, too many attributes, and in NDJSON also a line that is not JSON or not UTF-8)
// becomes a Rejection naming the record, the JSON path and what was expected, and the other
// records are kept. Each rejected record gets exactly one Rejection (its first problem). Only a
// body that cannot be read as a whole, such as a JSON array with a syntax error, is an Error
// (kParse, with the byte offset, line and column), which the server answers with 400.
//
// Performance: records are parsed with simdjson's DOM parser, one record at a time, with one
// parser per call; no exceptions are thrown. Typical call records parse at well over 500,000
// records/s on one core (docs/api.md gives the measurement).
//
// Thread safety: the functions are re-entrant; ParseEvents keeps no state between calls.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "model/records.h"

namespace yardstick::ingest {

enum class RecordType { kCall, kScore, kOutcome };

// "call", "score", "outcome".
const char* RecordTypeName(RecordType type);

struct ParseOptions {
  // The type of records without a "type" field (/v1/scores uses kScore); nullopt makes "type"
  // required.
  std::optional<RecordType> default_type;
  // A record larger than this (its JSON text, or its NDJSON line) is rejected unread.
  size_t max_record_bytes = size_t{1} << 20;
  // A record with more attributes than this is rejected.
  size_t max_attributes = 128;
  // The time of scores and outcomes that carry none (Unix nanoseconds).
  int64_t now_ns = 0;
};

// Where an accepted record came from in the request.
struct Origin {
  size_t index = 0;  // 0-based position of the record in the request
  size_t line = 0;   // 1-based line for NDJSON bodies, 0 otherwise
  std::string path;  // the record's JSON path: "$[3]" in an array body, "$" otherwise
};

struct ParseResult {
  model::Batch batch;  // the valid records, in request order per kind
  // Parallel to batch.calls, batch.scores and batch.outcomes.
  std::vector<Origin> call_origins, score_origins, outcome_origins;
  std::vector<model::Rejection> rejections;  // one per rejected record, in request order
  size_t records = 0;                        // records seen: batch.size() + rejections.size()
};

// Parses a request body (see the top of this file). An empty or all-blank body is 0 records.
// Records without "id" get a random 128-bit id in lower-case hex; records without "project"
// keep an empty project for the caller to fill.
Result<ParseResult> ParseEvents(std::string_view body, const ParseOptions& options);

// Parses an RFC 3339 timestamp ("2026-11-26T10:00:00.123Z", "2026-11-26t10:00:00+01:00",
// "2026-11-26 10:00:00Z") into Unix nanoseconds. Up to 9 fraction digits are kept (more are
// truncated). Times before 1970 or after 2262-04-11 are errors (kParse, saying what is wrong).
Result<int64_t> ParseTimestamp(std::string_view text);

// Formats Unix nanoseconds as RFC 3339 UTC with milliseconds: "2026-11-26T10:00:00.123Z".
std::string FormatTimestamp(int64_t unix_ns);

}  // namespace yardstick::ingest
