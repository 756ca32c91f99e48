#pragma once
// OTLP/HTTP ingest: the bodies of `POST /v1/traces` and `POST /v1/logs` (protobuf or JSON, already
// decompressed) become calls and scores (src/model/records.h), and the replies are encoded in the
// request's encoding. The attribute mapping is documented as a table in docs/otlp.md.
//
// Traces. Every span is one of
//   - a GenAI span: it carries a recognized GenAI attribute (gen_ai.operation.name,
//     gen_ai.provider.name / gen_ai.system, models, token counts, cost, content, OpenInference
//     llm.* ...) or is named like an OpenLLMetry span (`openai.chat`). It becomes one Call whose
//     id is the span id;
//   - another span, counted in `ignored` and never rejected.
// `gen_ai.evaluation.result` span events become Scores on any span (source "judge", call_id = the
// span id). A span that yields records is rejected as a whole (counted in `rejected`, with the
// reason in `error_message`, the other spans kept) when its ids are not 16/8 bytes (32/16 hex
// digits in JSON), its times are missing or end before they start, a numeric field has a value
// that is not a non-negative number (input_tokens = "abc"), a string is not UTF-8, an evaluation
// has no gen_ai.evaluation.name (or neither a value nor a label), it has more than
// Limits::max_attributes attributes left after mapping, or its mapped text exceeds
// Limits::max_record_bytes.
//
// Logs. Log records whose event name (LogRecord.event_name, or the older `event.name`
// attribute) is `gen_ai.evaluation.result` become Scores linked to the record's span id; other
// log records are counted in `ignored`. Score ids are a hash of what the evaluation says (trace,
// span, name, value, label, explanation), not of when it was sent, so an evaluation exported both
// as a span event and as a log record (OpenLIT does this) gets one id and is stored once.
//
// Errors. Only a body that cannot be decoded as a whole is an Error (kParse, naming the place:
// a byte offset and path for protobuf, the simdjson error for JSON), answered with 400 and
// EncodeStatus. Unknown fields are skipped in both encodings.
//
// Equivalence. The protobuf decoder reads the wire format directly (no message objects, strings
// are views of the body) and the JSON decoder reads OTLP/JSON (hex ids, integer enums, 64-bit
// integers as strings or numbers) with simdjson; both feed one mapper, so a payload gives the same
// records in either encoding.
//
// Performance: typical GenAI spans (15-20 attributes) decode at several hundred thousand spans/s
// on one core in either encoding (docs/otlp.md gives the measurement).
//
// Thread safety: the functions are re-entrant and keep no state between calls.

#include <cstddef>
#include <string>
#include <string_view>

#include "base/error.h"
#include "model/records.h"

namespace yardstick::otlp {

// The body encoding, from the request's Content-Type (application/x-protobuf or
// application/json). Replies use the same encoding.
enum class Encoding { kProtobuf, kJson };

struct Limits {
  size_t max_attributes = 128;         // attributes kept per call or score; more -> rejected
  size_t max_record_bytes = 1u << 20;  // text of one mapped call or score; more -> rejected
};

struct DecodeResult {
  model::Batch batch;         // calls from GenAI spans, scores from evaluation results
  size_t rejected = 0;        // spans (traces) or log records (logs) refused
  std::string error_message;  // the first few rejection reasons, for partialSuccess.errorMessage
  size_t spans = 0;           // spans seen (traces only)
  size_t genai_spans = 0;     // spans that became calls
  size_t log_records = 0;     // log records seen (logs only)
  size_t ignored = 0;         // spans or log records that carried nothing for Yardstick
};

// Decodes an ExportTraceServiceRequest. An empty body is an empty request.
Result<DecodeResult> DecodeTraces(std::string_view body, Encoding encoding, const Limits& limits);

// Decodes an ExportLogsServiceRequest. An empty body is an empty request.
Result<DecodeResult> DecodeLogs(std::string_view body, Encoding encoding, const Limits& limits);

// The 200 reply to an export: ExportTraceServiceResponse / ExportLogsServiceResponse. With
// nothing rejected and no message it is empty ("{}" in JSON, zero bytes in protobuf); otherwise
// it carries partialSuccess {rejectedSpans | rejectedLogRecords, errorMessage}.
std::string EncodeTraceResponse(Encoding encoding, size_t rejected, std::string_view message);
std::string EncodeLogsResponse(Encoding encoding, size_t rejected, std::string_view message);

// A google.rpc.Status body for 4xx/5xx replies; `code` is a google.rpc.Code (3 INVALID_ARGUMENT,
// 14 UNAVAILABLE). Messages that are not UTF-8 are repaired (U+FFFD) so clients can parse them.
std::string EncodeStatus(Encoding encoding, int code, std::string_view message);

}  // namespace yardstick::otlp
