#pragma once
// Internal to the otlp module: the two request decoders. Each walks an export request and hands
// the resource of each resourceSpans/resourceLogs entry, then each span or log record, to the
// mapper. They return an Error (kParse) only for a body that cannot be read as a whole; problems
// within one record (bad ids, strings that are not UTF-8, a JSON value of the wrong type) are
// passed on with the record for the mapper to judge.

#include <string_view>

#include "base/error.h"
#include "otlp/mapper.h"

namespace yardstick::otlp::internal {

// Values nested deeper than this (arrays in arrays ...) make their record a problem.
inline constexpr int kMaxValueDepth = 32;

// The protobuf wire format, read directly: strings are views of `body`.
Result<void> DecodeProtobufTraces(std::string_view body, Mapper& mapper);
Result<void> DecodeProtobufLogs(std::string_view body, Mapper& mapper);

// OTLP/JSON, parsed with simdjson.
Result<void> DecodeJsonTraces(std::string_view body, Mapper& mapper);
Result<void> DecodeJsonLogs(std::string_view body, Mapper& mapper);

}  // namespace yardstick::otlp::internal
