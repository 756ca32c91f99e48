#pragma once
// Test helpers for the otlp module: requests built with the generated protobuf classes, their
// OTLP/JSON spelling (written here independently of the decoder), random requests, and a
// canonical text dump of decode results for comparisons with readable diffs.

#include <cstdint>
#include <initializer_list>
#include <random>
#include <string>
#include <string_view>
#include <utility>

#include "google/rpc/status.pb.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "otlp/otlp.h"

namespace yardstick::otlp::testing {

using opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest;
using opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest;
using opentelemetry::proto::common::v1::AnyValue;
using opentelemetry::proto::common::v1::KeyValue;
using opentelemetry::proto::logs::v1::LogRecord;
using opentelemetry::proto::logs::v1::ResourceLogs;
using opentelemetry::proto::trace::v1::ResourceSpans;
using opentelemetry::proto::trace::v1::Span;
using Attributes = google::protobuf::RepeatedPtrField<KeyValue>;

// Raw bytes of a hex string ("00f067aa0ba902b7" -> 8 bytes).
std::string HexBytes(std::string_view hex);
std::string Base64(std::string_view bytes);

// Attribute builders; each returns the new value for further changes.
AnyValue* Add(Attributes* attributes, std::string_view key);
void AddString(Attributes* attributes, std::string_view key, std::string_view value);
void AddInt(Attributes* attributes, std::string_view key, int64_t value);
void AddDouble(Attributes* attributes, std::string_view key, double value);
void AddBool(Attributes* attributes, std::string_view key, bool value);
void AddStrings(Attributes* attributes, std::string_view key,
                std::initializer_list<std::string_view> values);

// A resource entry with service.name (when not empty) and one scope.
ResourceSpans* AddResource(ExportTraceServiceRequest& request, std::string_view service);
ResourceLogs* AddResource(ExportLogsServiceRequest& request, std::string_view service);

// A span in the first scope of `resource`, with hex ids and times.
Span* AddSpan(ResourceSpans* resource, std::string_view trace_hex, std::string_view span_hex,
              std::string_view name, uint64_t start_ns, uint64_t end_ns);
LogRecord* AddLog(ResourceLogs* resource, std::string_view trace_hex, std::string_view span_hex,
                  std::string_view event_name, uint64_t time_ns);

// An evaluation result span event / attributes (value omitted when NaN, label when empty).
void AddEvaluationEvent(Span* span, uint64_t time_ns, std::string_view name, double value,
                        std::string_view label, std::string_view explanation);
void AddEvaluationAttributes(Attributes* attributes, std::string_view name, double value,
                             std::string_view label, std::string_view explanation);

// How ToJson spells what OTLP/JSON lets senders spell in more than one way.
struct JsonStyle {
  bool int64_as_number = false;  // 64-bit integers as JSON numbers instead of strings
  bool upper_hex = false;        // ids in upper-case hex
  bool enum_names = false;       // status codes as enum names ("STATUS_CODE_ERROR")
  bool extra_fields = false;     // unknown fields, nulls, and the resource after its scopes
};

std::string ToJson(const ExportTraceServiceRequest& request, const JsonStyle& style = {});
std::string ToJson(const ExportLogsServiceRequest& request, const JsonStyle& style = {});

// Random requests: recognized and unknown keys, values of every type (nested too), ids of
// wrong lengths now and then, evaluation events, statuses. Strings are UTF-8.
ExportTraceServiceRequest RandomTraces(std::mt19937_64& rng);
ExportLogsServiceRequest RandomLogs(std::mt19937_64& rng);

// Every field of every record, and the counters, one per line (error_message excluded: its
// wording depends on the encoding).
std::string Dump(const DecodeResult& result);
std::string Dump(const model::Call& call);
std::string Dump(const model::Score& score);

// Decodes the request in both encodings, expects identical records and counters, and returns
// the protobuf result.
DecodeResult DecodeBoth(const ExportTraceServiceRequest& request, const Limits& limits = {});
DecodeResult DecodeBoth(const ExportLogsServiceRequest& request, const Limits& limits = {});

// The value of attribute `key` in `attributes`, or "<absent>".
std::string AttributeOf(const model::Attributes& attributes, std::string_view key);

}  // namespace yardstick::otlp::testing
