#pragma once
// Internal to the ingest module: finds the records of a request body without parsing them.
//
// The body's shape (array, single object, NDJSON, empty) is decided here, and each record's
// bytes are located so that records can be size-checked and then parsed one at a time. For
// arrays the structure between records (brackets, commas, strings) is checked here; what is
// inside a record is left to the JSON parser.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace yardstick::ingest::internal {

enum class BodyFormat { kEmpty, kArray, kObject, kNdjson };

// One record's JSON text inside the body.
struct RecordSpan {
  std::string_view text;  // without the NDJSON line's trailing CR
  size_t offset = 0;      // byte offset of text in the body
  size_t line = 0;        // 1-based line number for NDJSON, 0 otherwise
};

// Splits `body` into record spans (appended to `spans`) and returns its format. Errors (kParse)
// only for an array whose structure is broken, with the place in the body.
Result<BodyFormat> SplitBody(std::string_view body, std::vector<RecordSpan>& spans);

// "byte 17 (line 2, column 5)": the place of a byte offset in the body, for error messages.
std::string DescribeOffset(std::string_view body, size_t offset);

}  // namespace yardstick::ingest::internal
