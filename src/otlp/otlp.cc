#include "otlp/otlp.h"

#include <cstdint>
#include <string>
#include <utility>

#include "google/rpc/status.pb.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "otlp/decoders.h"
#include "otlp/mapper.h"
#include "otlp/text_util.h"

namespace yardstick::otlp {
namespace {

template <typename DecodeFn>
Result<DecodeResult> Decode(std::string_view body, const Limits& limits, DecodeFn&& decode) {
  DecodeResult result;
  internal::Mapper mapper(limits, result);
  auto status = decode(body, mapper);
  if (!status) return std::unexpected(status.error());
  mapper.Finish();
  return result;
}

// {"partialSuccess":{"<count_field>":"<n>","errorMessage":"..."}} or {} when there is nothing
// to report. int64 counts are strings in OTLP/JSON.
std::string JsonResponse(const char* count_field, size_t rejected, std::string_view message) {
  if (rejected == 0 && message.empty()) return "{}";
  std::string out = "{\"partialSuccess\":{\"";
  out += count_field;
  out += "\":\"" + std::to_string(rejected) + "\"";
  if (!message.empty()) {
    out += ",\"errorMessage\":";
    internal::AppendJsonString(out, internal::RepairUtf8(message));
  }
  out += "}}";
  return out;
}

}  // namespace

Result<DecodeResult> DecodeTraces(std::string_view body, Encoding encoding, const Limits& limits) {
  return Decode(body, limits,
                encoding == Encoding::kProtobuf ? internal::DecodeProtobufTraces
                                                : internal::DecodeJsonTraces);
}

Result<DecodeResult> DecodeLogs(std::string_view body, Encoding encoding, const Limits& limits) {
  return Decode(
      body, limits,
      encoding == Encoding::kProtobuf ? internal::DecodeProtobufLogs : internal::DecodeJsonLogs);
}

std::string EncodeTraceResponse(Encoding encoding, size_t rejected, std::string_view message) {
  if (encoding == Encoding::kJson) return JsonResponse("rejectedSpans", rejected, message);
  opentelemetry::proto::collector::trace::v1::ExportTraceServiceResponse response;
  if (rejected != 0 || !message.empty()) {
    auto* partial = response.mutable_partial_success();
    partial->set_rejected_spans(static_cast<int64_t>(rejected));
    partial->set_error_message(internal::RepairUtf8(message));
  }
  return response.SerializeAsString();
}

std::string EncodeLogsResponse(Encoding encoding, size_t rejected, std::string_view message) {
  if (encoding == Encoding::kJson) return JsonResponse("rejectedLogRecords", rejected, message);
  opentelemetry::proto::collector::logs::v1::ExportLogsServiceResponse response;
  if (rejected != 0 || !message.empty()) {
    auto* partial = response.mutable_partial_success();
    partial->set_rejected_log_records(static_cast<int64_t>(rejected));
    partial->set_error_message(internal::RepairUtf8(message));
  }
  return response.SerializeAsString();
}

std::string EncodeStatus(Encoding encoding, int code, std::string_view message) {
  if (encoding == Encoding::kJson) {
    std::string out = "{\"code\":" + std::to_string(code) + ",\"message\":";
    internal::AppendJsonString(out, internal::RepairUtf8(message));
    out += "}";
    return out;
  }
  google::rpc::Status status;
  status.set_code(code);
  status.set_message(internal::RepairUtf8(message));
  return status.SerializeAsString();
}

}  // namespace yardstick::otlp
